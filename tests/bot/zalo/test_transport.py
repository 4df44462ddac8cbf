"""Zalo trouble: 408 empty polls, 5xx, webhooks and their secret, start-up, the token in logs."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from bot.service import ChatService
from bot.webhook import Webhook
from bot.zalo.client import ZaloClient, ZaloError, ZaloNetworkError
from bot.zalo.launch import ZaloBot
from index.errors import HoidapError
from tests.bot.conftest import (
    QUESTION,
    free_port,
    running,
    start_zalo_bot,
)
from tests.bot.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.fake_zalo import MEMBER, SECRET_HEADER, TOKEN, FakeZalo

SECRET = "zalo-Webhook_secret-42"


def _no_token(caplog: pytest.LogCaptureFixture) -> None:
    text = caplog.text + "".join(str(r.exc_info) for r in caplog.records)
    assert TOKEN not in text and quote(TOKEN, safe="") not in text
    assert TOKEN.split(":")[1] not in text


async def test_empty_polls_are_not_errors_and_a_5xx_is_answered_once(
    zalo: FakeZalo, service: ChatService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(start_zalo_bot(zalo, service, poll_timeout=1)):  # empty polls end in 408
        await zalo.wait_for(lambda: len(zalo.calls("getUpdates")) >= 2)
        zalo.fail("sendMessage", 502)
        zalo.fail("sendMessage", 500)
        answer = await zalo.ask(MEMBER, QUESTION)
        await zalo.ask(MEMBER, "/help")  # the chat's next message runs after the answer

    assert "10/9/2018" in answer.text
    assert len(zalo.calls("sendMessage")) == 4 and len(zalo.to(MEMBER)) == 2
    assert not [r for r in caplog.records if r.name.startswith("bot") and "getUpdates" in r.msg]
    assert any("HTTP 502, retry 1" in r.getMessage() for r in caplog.records)
    assert any("HTTP Request: POST" in r.getMessage() for r in caplog.records)  # httpx logged
    _no_token(caplog)


async def test_a_send_that_keeps_failing_keeps_the_answer_marked_undelivered_and_apologises(
    zalo: FakeZalo, service: ChatService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(start_zalo_bot(zalo, service)):
        zalo.fail("sendMessage", 503, times=3)  # every attempt at the answer fails
        apology = await zalo.ask(MEMBER, QUESTION)

    assert "đã có lỗi khi xử lý tin nhắn" in apology.text
    assert len(zalo.calls("sendMessage")) == 4 and len(zalo.to(MEMBER)) == 1
    today = service.store.today_and_week()[0]
    assert (today.answered, today.undelivered) == (1, 1)
    record = service.store.get(1)
    assert record is not None and record.undelivered and "10/9/2018" in record.answer
    assert record.citations  # the answer's sources are kept too
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
    _no_token(caplog)


async def test_network_errors_never_show_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    port = free_port()
    client = ZaloClient(TOKEN, f"http://127.0.0.1:{port}/bot", attempts=2, backoff=0.01)
    try:
        with pytest.raises(ZaloNetworkError) as raised:
            await client.send_message(MEMBER, "xin chào")
    finally:
        await client.aclose()

    message = str(raised.value)
    assert f"http://127.0.0.1:{port}" in message and TOKEN not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    logging.getLogger("test").error("failed", exc_info=raised.value)
    _no_token(caplog)


async def test_the_client_speaks_the_bot_api(zalo: FakeZalo) -> None:
    client = ZaloClient(TOKEN, zalo.base_url, attempts=1)
    try:
        me = await client.get_me()
        await client.set_webhook("https://bot.example.org/zalo", SECRET)
        info = await client.get_webhook_info()
        with pytest.raises(ZaloError) as short_secret:
            await client.set_webhook("https://bot.example.org/zalo", "short")
        await client.delete_webhook()
        with pytest.raises(ZaloError) as too_long:
            await client.send_message(MEMBER, "a" * 2001)
        empty = await client.get_updates(timeout=0)
        await zalo.push(zalo.update(MEMBER, "một"), zalo.update(MEMBER, "hai"))
        both = await client.get_updates(timeout=1)
    finally:
        await client.aclose()

    assert me["account_name"] == "bot.hoidap" and info["url"] == "https://bot.example.org/zalo"
    assert short_secret.value.code == 400 and too_long.value.code == 400
    assert "2000" in too_long.value.description
    assert empty == [] and [u["message"]["text"] for u in both] == ["một", "hai"]


async def test_a_wrong_token_fails_at_once_with_a_clear_message(
    zalo: FakeZalo, service: ChatService
) -> None:
    client = ZaloClient("999:wrong-token", zalo.base_url, attempts=1)
    bot = ZaloBot(service, client, startup_seconds=30)
    with pytest.raises(HoidapError) as raised:
        await asyncio.wait_for(bot.start(), 10)
    await client.aclose()

    assert "HOIDAP_ZALO_TOKEN" in str(raised.value) and "wrong-token" not in str(raised.value)


async def test_the_fake_wakes_a_pending_long_poll_on_shutdown(zalo: FakeZalo) -> None:
    client = ZaloClient(TOKEN, zalo.base_url, attempts=1)
    try:
        poll = asyncio.create_task(client.get_updates(timeout=30))
        await zalo.wait_for(lambda: len(zalo.calls("getUpdates")) == 1)
        await zalo.stop()
        [result] = await asyncio.wait_for(asyncio.gather(poll, return_exceptions=True), 5)
    finally:
        await client.aclose()

    assert result == []  # woken at once with "no update", not left hanging


async def test_webhook_mode_checks_the_secret(
    zalo: FakeZalo, service: ChatService, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/zalo-hook"
    webhook = Webhook(url, SECRET, port=port)
    async with running(start_zalo_bot(zalo, service, webhook=webhook)):
        wrong = await zalo.deliver(zalo.update(MEMBER, "sai"), secret="nope-nope")
        missing_update = zalo.update(MEMBER, "thiếu")
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=missing_update)
            malformed = await client.post(
                url, content=b"{not json", headers={SECRET_HEADER: SECRET}
            )
            elsewhere = await client.post(url + "x", json={}, headers={SECRET_HEADER: SECRET})
        update = zalo.update(MEMBER, QUESTION)
        right = await zalo.deliver(update)
        again = await zalo.deliver(update)  # Zalo retries: answered once
        answer = await zalo.next_message(MEMBER)
        batch = await zalo.deliver(
            [zalo.update(MEMBER, "/help"), {"event_name": "something.new", "x": 1}]
        )
        await zalo.next_message(MEMBER)
        envelope = await zalo.deliver({"ok": True, "result": zalo.update(MEMBER, "/nguon")})
        await zalo.next_message(MEMBER)

    assert zalo.webhook == {"url": url, "secret_token": SECRET}
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert (malformed.status_code, elsewhere.status_code) == (400, 404)
    assert (right.status_code, again.status_code, batch.status_code) == (200, 200, 200)
    assert envelope.status_code == 200
    assert "10/9/2018" in answer.text and len(zalo.to(MEMBER)) == 3
    assert zalo.calls("getUpdates") == []
    assert service.store.today_and_week()[0].questions == 1  # refused requests never reached it
    assert SECRET not in caplog.text


async def test_hoidap_run_serves_zalo_and_telegram_in_one_process(
    zalo: FakeZalo, built_data_dir: Path, tmp_path: Path
) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    env = {
        **os.environ,
        "HOIDAP_ZALO_TOKEN": TOKEN,
        "HOIDAP_ZALO_BASE_URL": zalo.base_url,
        "HOIDAP_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "HOIDAP_TELEGRAM_BASE_URL": telegram.base_url,
        "HOIDAP_LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        "--data-dir",
        str(built_data_dir),
        cwd=tmp_path,  # no .env from the repository
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    article = tmp_path / "ba-dinh.txt"
    article.write_text(
        "Quận ủy Ba Đình học tập Chỉ thị 05\n\nQuận ủy Ba Đình sơ kết 5 năm thực hiện Chỉ thị "
        "số 05-CT/TW của Bộ Chính trị, đưa việc học tập vào sinh hoạt chi bộ hằng tháng.\n",
        encoding="utf-8",
    )
    try:
        on_zalo = await zalo.ask(MEMBER, QUESTION, timeout=120)
        on_telegram = await telegram.ask(1001, QUESTION, timeout=60)
        await zalo.ask(MEMBER, "/theodoi chỉ thị 05", timeout=60)
        await telegram.ask(1001, "/theodoi ct05", timeout=60)
        # an admin adds an article from another process: the running bot tells the followers
        adding = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "index", "add", str(article),
            "--data-dir", str(built_data_dir), cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, add_err = await asyncio.wait_for(adding.communicate(), 120)
        assert adding.returncode == 0, add_err.decode()
        zalo_notice = await zalo.next_message(MEMBER, timeout=60)
        telegram_notice = await telegram.next_message(1001, timeout=60)
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await telegram.stop()

    assert "10/9/2018" in on_zalo.text and "10/9/2018" in on_telegram.visible
    assert zalo_notice.text.startswith("🔔 Bài mới về “Chỉ thị 05-CT/TW”")
    assert "Quận ủy Ba Đình học tập Chỉ thị 05" in telegram_notice.visible
    assert zalo.unread(MEMBER) == [] and telegram.unread(1001) == []  # once each
    assert process.returncode == 0
    assert "Zalo bot Hỏi đáp running (long polling)" in out.decode()
    assert "Telegram bot @hoidap_test_bot running (long polling)" in out.decode()
    logs = err.decode()
    assert "getUpdates" in logs and TOKEN not in logs and TELEGRAM_TOKEN not in logs
    with sqlite3.connect(built_data_dir / "bot.sqlite") as db:
        channels = {row[0] for row in db.execute("SELECT channel FROM questions")}
    assert channels == {"zalo", "telegram"}  # one database


async def test_a_quick_answer_comes_without_typing(zalo: FakeZalo, service: ChatService) -> None:
    async with running(start_zalo_bot(zalo, service, typing_after=3600)):  # answers take less
        answer = await zalo.ask(MEMBER, QUESTION)

    assert "[1]" in answer.text
    assert zalo.actions == []
