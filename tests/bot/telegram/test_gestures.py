"""Telegram's own gestures, through the fake Bot API: ⭐ keeps an answer, reactions are
feedback, inline mode shares an answer in any chat; and what /stats says of them."""

from __future__ import annotations

from bot.service import ChatService
from bot.telegram.launch import TelegramBot
from bot.zalo.launch import ZaloBot
from tests.bot import fake_zalo
from tests.bot.conftest import ADMIN, MEMBER, QUESTION
from tests.bot.fake_telegram import FakeTelegram, visible_text
from tests.bot.fake_zalo import FakeZalo

SECOND = "Chỉ thị 05 của Bộ Chính trị nói về gì?"


async def test_star_keeps_an_answer_and_daluu_lists_it_with_sources(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    answer = await fake.ask(MEMBER, QUESTION)
    star = dict(answer.buttons)["⭐ Lưu"]
    await fake.push(fake.press(answer, star))
    await fake.wait_for(lambda: len(fake.callback_answers) == 1)
    await fake.push(fake.press(answer, star))
    await fake.wait_for(lambda: len(fake.callback_answers) == 2)
    await fake.ask(MEMBER, SECOND)
    by_command = await fake.ask(MEMBER, "/luu")
    kept = await fake.ask(MEMBER, "/daluu")
    elsewhere = await fake.ask(MEMBER + 1, "/daluu")
    removed = await fake.ask(MEMBER, "/boluu 2")
    left = await fake.ask(MEMBER, "/daluu")

    assert fake.callback_answers[0]["text"].startswith("⭐ Đã lưu")
    assert "đã được lưu" in fake.callback_answers[1]["text"]
    assert by_command.visible.startswith("⭐ Đã lưu")
    assert kept.visible.startswith("Câu trả lời đã lưu (2):")
    assert f"1. {SECOND}" in kept.visible and f"2. {QUESTION}" in kept.visible
    assert "10/9/2018" in kept.visible and "[1] " in kept.visible  # answer and its sources
    assert "http://baolaocai.vn/bai-viet/213010" in kept.visible
    assert "chưa lưu" in elsewhere.visible  # one member's saved answers are theirs
    assert QUESTION in removed.visible and "(1):" in left.visible and QUESTION not in left.visible


async def test_reactions_on_an_answer_are_feedback(
    fake: FakeTelegram, bot: TelegramBot, service: ChatService
) -> None:
    answer = await fake.ask(MEMBER, QUESTION)
    other = MEMBER + 7
    await fake.push(fake.reaction(answer, MEMBER, ["👍"]))
    await fake.push(fake.reaction(answer, other, ["👎"]))
    await fake.push(fake.reaction(answer, other, ["❤"], old=["👎"]))  # taken back
    await fake.push(fake.reaction(answer, MEMBER, ["👎"], old=["👍"]))  # changed
    await fake.push(fake.reaction(answer, other, ["👍"]))
    await fake.ask(MEMBER, "/help")  # the chat's updates run in order: the reactions are in
    stats = await fake.ask(ADMIN, "/stats")

    today, _ = service.store.today_and_week()
    assert (today.up, today.down, today.reactions) == (1, 1, 2)
    assert "👍 1, 👎 1 (2 bằng thả cảm xúc)" in stats.visible
    # the bot asked for reactions and inline queries (Telegram sends neither unasked)
    allowed = fake.calls("getUpdates")[-1]["allowed_updates"]
    assert {"message", "callback_query", "message_reaction", "inline_query"} <= set(allowed)


async def test_inline_mode_returns_the_cited_answer_as_an_article(
    fake: FakeTelegram, bot: TelegramBot, service: ChatService
) -> None:
    await fake.push(fake.inline_query(MEMBER, "ct05"))  # one word: too early to answer
    await fake.push(fake.inline_query(MEMBER, QUESTION))
    await fake.wait_for(lambda: len(fake.inline_answers) == 2)

    early, full = sorted(fake.inline_answers, key=lambda a: len(a["results"]))
    assert early["results"] == []
    [article] = full["results"]
    content = article["input_message_content"]
    shown = visible_text(content["message_text"])
    assert article["type"] == "article" and article["title"] == QUESTION
    assert "10/9/2018" in shown and "Nguồn:" in shown and "[1]" in shown
    assert content["parse_mode"] == "HTML" and "10/9/2018" in article["description"]
    assert service.store.channels() == ["telegram-inline"]  # logged apart from chats


async def test_stats_count_follows_quizzes_and_saved_answers(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    await fake.ask(MEMBER, "/theodoi Chỉ thị 05")
    await fake.ask(MEMBER + 1, "/theodoi chuyển đổi số")
    await fake.ask(MEMBER, QUESTION)
    await fake.ask(MEMBER, "/luu")
    await fake.ask(MEMBER, "/ontap Chỉ thị 05")
    await fake.next_message(MEMBER)  # the first question
    stats = await fake.ask(ADMIN, "/stats")

    assert "Theo dõi: 2 mục của 2 cuộc trò chuyện; 0 tin đã gửi." in stats.visible
    assert "Ôn tập: 1 lượt (0 làm hết, 1 người)." in stats.visible
    assert "Đã lưu: 1 câu trả lời của 1 người." in stats.visible


async def test_zalo_luu_and_daluu(zalo: FakeZalo, zalo_bot: ZaloBot) -> None:
    member = fake_zalo.MEMBER
    nothing = await zalo.ask(member, "/luu")
    await zalo.ask(member, QUESTION)
    saved = await zalo.ask(member, "/luu")
    kept = await zalo.ask(member, "/daluu")

    assert "Chưa có câu trả lời" in nothing.text
    assert saved.text.startswith("⭐ Đã lưu")
    assert f"1. {QUESTION}" in kept.text and "baolaocai.vn/bai-viet/213010" in kept.text
