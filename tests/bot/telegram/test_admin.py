"""Admins on Telegram: uploads, /stats, /reindex, /xoa; everyone else politely refused."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.service import ChatService
from bot.telegram.launch import TelegramBot
from tests.bot.conftest import ADMIN, MEMBER, QUESTION
from tests.bot.fake_telegram import FakeTelegram

TITLE = "Chỉ thị 99 về chuyển đổi số <trong> Đảng & đoàn thể *mới* _2024_"
PARAGRAPH = (
    "Đoạn {n}: các cấp ủy quán triệt Chỉ thị số 99-CT/TW về chuyển đổi số trong công tác xây "
    "dựng Đảng, đưa sổ tay đảng viên điện tử vào sinh hoạt chi bộ, bảo đảm an toàn dữ liệu."
)
ARTICLE = (
    f"{TITLE}\n\nNgày 2/3/2024, Ban Bí thư ban hành Chỉ thị số 99-CT/TW về đẩy mạnh chuyển đổi "
    "số trong công tác xây dựng Đảng.\n\n"
    + "\n\n".join(PARAGRAPH.format(n=n) for n in range(40))
    + "\n\nNguồn: https://example.org/chi-thi-99?a=1&b=2\n"
)


async def test_an_uploaded_article_becomes_searchable_while_others_get_answers(
    fake: FakeTelegram, admin_bot: TelegramBot, admin_service: ChatService
) -> None:
    await fake.push(fake.update(fake.document(ADMIN, "chi-thi-99.txt", ARTICLE.encode())))
    working = await fake.next_message(ADMIN)
    member = await fake.ask(MEMBER, QUESTION)
    done = await fake.next_message(ADMIN, timeout=60)
    new = await fake.ask(MEMBER + 1, "Chỉ thị 99-CT/TW ban hành ngày nào?")

    assert "Đang xử lý tệp “chi-thi-99.txt”" in working.visible
    assert "10/9/2018" in member.visible and member.at < done.at  # not blocked by indexing
    assert f"thêm: {TITLE}" in done.visible and "đoạn (mã chi-thi-99)" in done.visible
    assert "2/3/2024" in new.visible and TITLE in new.visible  # escaped, not broken
    assert 'href="https://example.org/chi-thi-99?a=1&amp;b=2"' in new.text
    kept = admin_service.corpus.corpus_dir / "chi-thi-99.txt"
    assert kept.read_text(encoding="utf-8") == ARTICLE
    assert fake.errors == []


async def test_unreadable_and_unsupported_files_are_refused_with_the_reason(
    fake: FakeTelegram, admin_bot: TelegramBot
) -> None:
    await fake.push(fake.update(fake.document(ADMIN, "rong.txt", b"")))
    await fake.next_message(ADMIN)
    empty = await fake.next_message(ADMIN)
    await fake.push(fake.update(fake.document(ADMIN, "anh.png", b"\x89PNG")))
    await fake.next_message(ADMIN)
    png = await fake.next_message(ADMIN)

    await fake.push(fake.update(fake.document(ADMIN, "chi-thi-cu.doc", b"\xd0\xcf\x11\xe0")))
    await fake.next_message(ADMIN)
    old_word = await fake.next_message(ADMIN)

    assert "Không thêm được tệp “rong.txt”. Lý do: tệp rỗng (0 byte)." in empty.visible
    assert "Không nhận tệp “anh.png”" in png.visible and ".jsonl" in png.visible
    assert "Không nhận tệp “chi-thi-cu.doc”: tệp Word cũ (.doc)" in old_word.visible
    assert "lưu thành .docx" in old_word.visible.lower()


async def test_a_member_cannot_add_a_file_and_is_logged(
    fake: FakeTelegram, admin_bot: TelegramBot, caplog: pytest.LogCaptureFixture
) -> None:
    # the admin commands' refusal is a contract of every channel: tests/bot/test_channels.py
    caplog.set_level(logging.WARNING)
    await fake.push(fake.update(fake.document(MEMBER, "bai.txt", ARTICLE.encode())))
    reply = await fake.next_message(MEMBER)

    assert "chỉ dành cho quản trị viên" in reply.visible
    assert fake.calls("getFile") == []
    refused = [r.getMessage() for r in caplog.records if "non-admin" in r.getMessage()]
    assert len(refused) == 1 and f"user {MEMBER}" in refused[0] and "bai.txt" in refused[0]


async def test_stats_remove_and_reindex(
    fake: FakeTelegram, admin_bot: TelegramBot, admin_service: ChatService
) -> None:
    await fake.ask(MEMBER, QUESTION)
    stats = await fake.ask(ADMIN, "/stats")
    usage = await fake.ask(ADMIN, "/xoa")
    removed = await fake.ask(ADMIN, "/xoa 004_e8034be9464bfe94")
    await fake.ask(ADMIN, "/reindex")
    rebuilt = await fake.next_message(ADMIN, timeout=60)

    assert "Hôm nay: 1 câu hỏi" in stats.visible and "1 được trả lời" in stats.visible
    assert "Chỉ mục v" in stats.visible and "5 bài" in stats.visible
    assert "/xoa 000_779c702780cfd434" in usage.visible
    assert "Đã xoá bài “TP Hạ Long tăng cường công tác xây dựng Đảng”" in removed.visible
    assert "4 bài" in rebuilt.visible
    assert admin_service.results.info().articles == 4
    await asyncio.sleep(0)
