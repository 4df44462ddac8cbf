"""Study sessions through the fake Bot APIs: a quiz played to the end on Telegram (buttons)
and Zalo (numbered replies), each answer with its cited sentence, results kept."""

from __future__ import annotations

import re

from bot.service import ChatService
from bot.study import day_seed
from bot.telegram.launch import TelegramBot
from bot.zalo.launch import ZaloBot
from tests.bot import fake_zalo
from tests.bot.conftest import MEMBER
from tests.bot.fake_telegram import FakeTelegram, TelegramSent
from tests.bot.fake_zalo import FakeZalo

OPTION = re.compile(r"^(\d)\. (.+)$", re.MULTILINE)


def options(question: str) -> dict[int, str]:
    """The numbered options listed under a quiz question."""
    return {int(n): text for n, text in OPTION.findall(question)}


def right_option(service: ChatService, channel: str, chat: str) -> int:
    """The member's current question's right option, 1-based (what a well-read member picks)."""
    current = service.study.active(channel, chat, chat)
    assert current is not None
    return current.question.correct + 1


async def test_a_quiz_played_to_the_end_on_telegram(
    fake: FakeTelegram, bot: TelegramBot, service: ChatService
) -> None:
    intro = await fake.ask(MEMBER, "/ontap chi thi 05")
    question = await fake.next_message(MEMBER)
    marks: list[TelegramSent] = []
    first = question
    for n in range(1, 6):
        assert question.visible.startswith(f"Câu {n}/5 — theo “")
        assert "……" in question.visible and len(options(question.visible)) >= 3
        assert [label for label, _ in question.buttons] == [
            str(i) for i in sorted(options(question.visible))
        ]
        right = right_option(service, "telegram", str(MEMBER))
        pick = right if n % 2 else (right % len(question.buttons)) + 1  # right, wrong, …
        data = dict(question.buttons)[str(pick)]
        await fake.push(fake.press(question, data))
        mark = await fake.next_message(MEMBER)
        marks.append(mark)
        chosen = options(question.visible)
        if pick == right:
            assert mark.visible.startswith("✅ Đúng!")
        else:
            assert mark.visible.startswith(f"❌ Chưa đúng. Đáp án: {chosen[right]}.")
        # the cited sentence holds the right option, with its source
        sentence = mark.visible.splitlines()[1]
        assert chosen[right] in sentence and sentence.endswith("[1]")
        assert mark.visible.splitlines()[2].startswith("[1] ")
        question = await fake.next_message(MEMBER)
    await fake.push(fake.press(first, first.buttons[0][1]))  # an answered question's button
    await fake.wait_for(lambda: len(fake.callback_answers) == 6)
    history = await fake.ask(MEMBER, "/ontap")

    assert "Bắt đầu ôn tập: Chỉ thị 05-CT/TW (5 câu)" in intro.visible
    assert "Chọn đáp án bằng các nút" in intro.visible
    assert question.visible.startswith("Hoàn thành ôn tập Chỉ thị 05-CT/TW: 3/5 câu đúng")
    assert "không thuộc bài ôn tập" in fake.callback_answers[-1]["text"]
    assert len(fake.calls("editMessageReplyMarkup")) == 5  # answered: its buttons removed
    assert "Kết quả ôn tập gần đây" in history.visible and "3/5 câu đúng" in history.visible
    [result] = service.study.results("telegram", str(MEMBER))
    assert (result.status, result.correct, result.total) == ("finished", 3, 5)


async def test_a_quiz_on_zalo_by_numbered_replies_and_stopped_early(
    zalo: FakeZalo, zalo_bot: ZaloBot, service: ChatService
) -> None:
    member = fake_zalo.MEMBER
    intro = await zalo.ask(member, "/ontap nêu gương")
    first = await zalo.next_message(member)
    right = right_option(service, "zalo", member)
    mark = await zalo.ask(member, str(right))
    second = await zalo.next_message(member)
    out_of_range = await zalo.ask(member, "9")
    stopped = await zalo.ask(member, "/ontap dừng")
    after = await zalo.ask(member, "2")  # no quiz now: a question like any other

    assert "nhắn số của đáp án" in intro.text
    assert first.text.startswith("Câu 1/5") and "Nhắn số từ 1 đến" in first.text
    assert mark.text.startswith("✅ Đúng!") and second.text.startswith("Câu 2/5")
    assert "từ 1 đến" in out_of_range.text
    assert stopped.text == "Đã dừng ôn tập: 1/5 câu đúng."
    assert not after.text.startswith(("✅", "❌", "Câu", "Hãy nhắn số"))
    [result] = service.study.results("zalo", member)
    assert (result.status, result.correct) == ("stopped", 1)


async def test_nothing_to_study(fake: FakeTelegram, bot: TelegramBot) -> None:
    reply = await fake.ask(MEMBER, "/ontap Chỉ thị 99")
    usage = await fake.ask(MEMBER, "/ontap")

    assert "Chưa đủ nội dung" in reply.visible and "Chỉ thị 99" in reply.visible
    assert usage.visible.startswith("Ôn tập một văn bản") and "gần đây" not in usage.visible


async def test_a_chi_bo_group_gets_the_same_quiz_that_day(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    group = -100123
    first = await fake.ask(group, "/ontap Chỉ thị 05", user_id=MEMBER, chat_type="group")
    one = await fake.next_message(group)
    second = await fake.ask(group, "/ontap Chỉ thị 05", user_id=MEMBER + 1, chat_type="group")
    other = await fake.next_message(group)

    assert first.visible == second.visible
    assert one.visible == other.visible  # the same first question for both members
    assert day_seed("telegram", str(group), "Chỉ thị 05-CT/TW") != day_seed(
        "telegram", str(MEMBER), "Chỉ thị 05-CT/TW"
    )  # another chat, another quiz


async def test_in_a_zalo_group_a_number_answers_without_naming_the_bot(
    zalo: FakeZalo, zalo_bot: ZaloBot
) -> None:
    group, member = "g-chi-bo-1", fake_zalo.MEMBER
    await zalo.ask(group, "/ontap Chỉ thị 05", user_id=member, group=True)
    await zalo.next_message(group)  # the first question
    mark = await zalo.ask(group, "1", user_id=member, group=True)
    await zalo.next_message(group)  # the second question
    await zalo.say(group, "2", user_id="someone-else", group=True)  # not theirs: not for the bot
    stopped = await zalo.ask(group, "/ontap dừng", user_id=member, group=True)

    assert mark.text.startswith(("✅ Đúng!", "❌ Chưa đúng."))
    assert stopped.text.startswith("Đã dừng ôn tập:")
