"""Telegram trouble: 429, 5xx, blocked users, a Bot API down at start-up, webhooks, errors."""

from __future__ import annotations

import logging
import sqlite3

import httpx
import pytest

from bot.service import ChatService
from bot.telegram.launch import TelegramBot
from bot.transport import RedactSecrets
from bot.webhook import Webhook
from tests.bot.conftest import (
    MEMBER,
    QUESTION,
    WEBHOOK_SECRET,
    free_port,
    running,
    start_bot,
)
from tests.bot.fake_telegram import TOKEN, FakeTelegram


async def test_flood_control_waits_and_answers_exactly_once(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await fake.say(MEMBER, QUESTION)

    answer = await fake.next_message(MEMBER)
    await fake.ask(MEMBER, "/help")  # the chat's next update runs only after the answer

    assert "10/9/2018" in answer.visible
    assert len(fake.calls("sendMessage")) == 3  # refused once, the answer, the help
    assert len(fake.to(MEMBER)) == 2


async def test_a_bad_gateway_is_retried_once_delivered(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    fake.fail("sendMessage", 502, "Bad Gateway", times=2)
    await fake.say(MEMBER, QUESTION)

    assert "10/9/2018" in (await fake.next_message(MEMBER)).visible
    assert len(fake.calls("sendMessage")) == 3 and len(fake.to(MEMBER)) == 1


async def test_a_user_who_blocked_the_bot_is_logged_not_retried(
    fake: FakeTelegram, bot: TelegramBot, service: ChatService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.handlers")
    fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await fake.say(MEMBER, QUESTION)
    await fake.wait_for(lambda: any("blocked" in r.getMessage() for r in caplog.records))
    await fake.ask(MEMBER + 1, QUESTION)  # others still answered

    assert len([c for c in fake.calls("sendMessage") if c["chat_id"] == str(MEMBER)]) == 1
    today = service.store.today_and_week()[0]
    assert (today.answered, today.undelivered, today.failed) == (2, 1, 0)
    # bot.sqlite keeps what the bot would have said, with its sources
    with sqlite3.connect(service.store.path) as db:
        answer, citations, undelivered = db.execute(
            "SELECT answer, citations, undelivered FROM questions WHERE chat = ?", (str(MEMBER),)
        ).fetchone()
    assert "10/9/2018" in answer and "Nhiều giải pháp nâng cao" in citations and undelivered == 1


async def test_the_error_handler_logs_and_apologises(
    fake: FakeTelegram, bot: TelegramBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag")
    await fake.say(MEMBER, QUESTION)

    apology = await fake.next_message(MEMBER)

    assert "đã có lỗi khi xử lý tin nhắn" in apology.visible
    errors = [
        r
        for r in caplog.records
        if r.levelno == logging.ERROR and r.name == "bot.telegram.handlers"
    ]
    assert errors and errors[0].exc_info is not None


async def test_webhook_mode_requires_the_secret_token(
    fake: FakeTelegram, service: ChatService
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    bot = await start_bot(
        fake, service, webhook=Webhook(url, WEBHOOK_SECRET, listen="127.0.0.1", port=port)
    )
    header = "X-Telegram-Bot-Api-Secret-Token"
    try:
        async with httpx.AsyncClient() as client:
            wrong = await client.post(
                url, json=fake.update(fake.message(MEMBER, "sai")), headers={header: "nope"}
            )
            missing = await client.post(url, json=fake.update(fake.message(MEMBER, "thiếu")))
            update = fake.update(fake.message(MEMBER, QUESTION))
            right = await client.post(url, json=update, headers={header: WEBHOOK_SECRET})
            again = await client.post(url, json=update, headers={header: WEBHOOK_SECRET})
            answer = await fake.next_message(MEMBER)
            await client.post(
                url,
                json=fake.update(fake.message(MEMBER, "/help")),
                headers={header: WEBHOOK_SECRET},
            )
            await fake.next_message(MEMBER)
            elsewhere = await client.post(url.replace("telegram-hook", "x"), json={})

        assert fake.webhook["url"] == url and fake.webhook["secret_token"] == WEBHOOK_SECRET
        assert (wrong.status_code, missing.status_code) == (403, 403)
        assert (right.status_code, again.status_code, elsewhere.status_code) == (200, 200, 404)
        assert "10/9/2018" in answer.visible
        assert len(fake.to(MEMBER)) == 2  # the redelivered update was not answered twice
        assert fake.calls("getUpdates") == []
        questions = service.store.today_and_week()[0].questions
        assert questions == 1  # the refused requests never reached the bot
    finally:
        await bot.stop()


def test_the_token_is_redacted_from_logs() -> None:
    redact = RedactSecrets([TOKEN])
    record = logging.LogRecord(
        "httpx", logging.INFO, "", 0, "POST %s", (f"https://x/bot{TOKEN}/getMe",), None
    )

    redact.filter(record)

    assert TOKEN not in record.getMessage() and "<redacted>" in record.getMessage()


async def test_typing_shows_before_the_answer_and_its_failure_never_stops_it(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    await fake.ask(MEMBER, QUESTION)
    fake.fail("sendChatAction", 400, "Bad Request: chat not found")
    second = await fake.ask(MEMBER + 1, QUESTION)

    for chat in (MEMBER, MEMBER + 1):
        shown = ("sendChatAction", "sendMessage")
        order = [
            name
            for name, params in fake.requests
            if str(params.get("chat_id")) == str(chat) and name in shown
        ]
        assert order == ["sendChatAction", "sendMessage"], (chat, order)
    assert second.visible  # answered although "typing" was refused


async def test_a_quick_answer_comes_without_typing(
    fake: FakeTelegram, service: ChatService
) -> None:
    async with running(start_bot(fake, service, typing_after=3600)):  # answers take far less
        answer = await fake.ask(MEMBER, QUESTION)

    assert "[1]" in answer.visible
    assert fake.actions == []
