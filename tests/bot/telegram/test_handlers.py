"""Members on Telegram: the real PTB Application against the fake Bot API (long polling)."""

from __future__ import annotations

from bot.service import ChatService
from bot.telegram.launch import TelegramBot
from tests.bot.conftest import MEMBER, QUESTION
from tests.bot.fake_telegram import BOT, FakeTelegram


async def test_start_help_and_the_command_menu(fake: FakeTelegram, bot: TelegramBot) -> None:
    start = await fake.ask(MEMBER, "/start")
    help_ = await fake.ask(MEMBER, "/help")

    assert "5 bài viết" in start.visible and "16/06/2013" in start.visible
    assert "/tim <từ khóa>" in start.visible and help_.visible == start.visible
    menus = {tuple(c["command"] for c in call["commands"]) for call in fake.commands}
    members = ("help", "tim", "vanban", "nguon", "theodoi", "huytheodoi", "ontap", "luu", "daluu")
    assert members in menus
    assert (*members, "stats", "reindex", "xoa", "themlienket") in menus
    described = {
        c["command"]: c["description"] for call in fake.commands for c in call["commands"]
    }
    assert described["theodoi"].startswith("Theo dõi") and described["luu"].startswith("Lưu")


async def test_a_question_gets_a_cited_html_answer_with_buttons(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    answer = await fake.ask(MEMBER, QUESTION)

    assert "10/9/2018" in answer.visible and "[1]" in answer.visible
    assert (
        "Nguồn:" in answer.visible
        and '<a href="http://baolaocai.vn/bai-viet/213010' in answer.text
    )
    assert answer.params["parse_mode"] == "HTML"
    assert answer.params["link_preview_options"] == {"is_disabled": True}
    assert [label for label, _ in answer.buttons] == [
        "Xem nguồn",
        "Thêm kết quả",
        "👍",
        "👎",
        "⭐ Lưu",
    ]
    assert fake.actions == [{"chat_id": str(MEMBER), "action": "typing"}]


async def test_sources_more_results_and_feedback_buttons(
    fake: FakeTelegram, bot: TelegramBot, service: ChatService
) -> None:
    answer = await fake.ask(MEMBER, QUESTION)
    data = dict(answer.buttons)

    await fake.push(fake.press(answer, data["Xem nguồn"]))
    sources = await fake.next_message(MEMBER)
    await fake.push(fake.press(answer, data["Thêm kết quả"]))
    more = await fake.next_message(MEMBER)
    await fake.push(fake.press(answer, data["👍"]))
    await fake.push(fake.press(answer, data["👎"], user_id=777))
    why = await fake.next_message(MEMBER)
    await fake.push(fake.press(why, dict(why.buttons)["Sai nguồn"], user_id=777))
    await fake.wait_for(lambda: len(fake.edits) == 1)

    assert "<b>Thành ủy ban hành Quy định số 03 ngày 10/9/2018" in sources.text
    assert "Các đoạn liên quan khác (trang 1)" in more.visible
    assert [label for label, _ in more.buttons] == ["Thêm kết quả"]
    assert [label for label, _ in why.buttons] == ["Sai nguồn", "Không liên quan", "Đã cũ"]
    assert "sai nguồn" in fake.edits[0].visible
    assert len(fake.callback_answers) == 5
    today, _ = service.store.today_and_week()
    assert (today.up, today.down, today.reasons) == (1, 1, {"source": 1})


async def test_find_and_list_the_corpus(fake: FakeTelegram, bot: TelegramBot) -> None:
    found = await fake.ask(MEMBER, "/tim Hạ Long")
    usage = await fake.ask(MEMBER, "/tim")
    corpus = await fake.ask(MEMBER, "/nguon")

    assert "1. TP Hạ Long tăng cường công tác xây dựng Đảng" in found.visible
    assert "/tim chỉ thị 05" in usage.visible
    assert (
        "Tài liệu hiện có (5 bài)" in corpus.visible and "000_779c702780cfd434" in corpus.visible
    )


async def test_the_register_of_documents(fake: FakeTelegram, bot: TelegramBot) -> None:
    everything = await fake.ask(MEMBER, "/vanban")
    filtered = await fake.ask(MEMBER, "/vanban chi thi 05")
    none = await fake.ask(MEMBER, "/vanban <không có>")

    assert everything.visible.startswith("Văn bản được nhắc đến trong tài liệu (")
    assert "… và" in everything.visible and "/vanban <từ khóa>" in everything.visible
    assert "Chỉ thị 05-CT/TW — về “đẩy mạnh học tập và làm theo" in filtered.visible
    assert "của Bộ Chính trị — 2 bài viết nhắc đến" in filtered.visible
    assert "Nghị quyết 09-NQ/TU" not in filtered.visible
    assert none.visible == "Không có văn bản nào có từ khóa “<không có>” trong tài liệu hiện có."


async def test_a_follow_up_in_the_same_chat(fake: FakeTelegram, bot: TelegramBot) -> None:
    await fake.ask(MEMBER, "Thành ủy Lào Cai ban hành Quy định số 03 về nội dung gì?")

    assert "10/9/2018" in (await fake.ask(MEMBER, "quy định đó ban hành khi nào?")).visible


async def test_bad_inputs_get_clear_replies(fake: FakeTelegram, bot: TelegramBot) -> None:
    empty = await fake.ask(MEMBER, " ")
    long = await fake.ask(MEMBER, "a" * 10_000)
    await fake.push(
        fake.update(
            fake.message(
                MEMBER,
                sticker={
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                },
            )
        )
    )
    sticker = await fake.next_message(MEMBER)
    await fake.push(
        fake.update(
            fake.message(
                MEMBER, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
            )
        )
    )
    photo = await fake.next_message(MEMBER)
    unknown = await fake.ask(MEMBER, "/khonglenh")

    assert "chưa nhập câu hỏi" in empty.visible
    assert "10.000 ký tự" in long.visible
    assert "tin nhắn chữ" in sticker.visible and photo.visible == sticker.visible
    assert "/help" in unknown.visible


async def test_markup_characters_in_questions_never_break_a_reply(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    for text in [
        "<b>Chỉ thị 05</b> & *Lào Cai* _nói gì_?",
        "a < b & c > d",
        "*_*_",
        "&amp; <script>",
    ]:
        reply = await fake.ask(MEMBER, text)
        assert reply.visible  # the fake parsed it as Telegram would: no 400
    assert fake.errors == []


async def test_groups_answer_only_when_mentioned_or_replied_to(
    fake: FakeTelegram, bot: TelegramBot
) -> None:
    group = -5000
    await fake.say(group, QUESTION, user_id=MEMBER, chat_type="group")
    mentioned = await fake.ask(
        group, f"@{BOT['username']} {QUESTION}", user_id=MEMBER, chat_type="group"
    )
    reply_to_bot = {
        "message_id": mentioned.message_id,
        "date": 0,
        "chat": {"id": group, "type": "group"},
        "from": BOT,
        "text": "x",
    }
    replied = await fake.ask(
        group,
        "chi thi 05 noi gi",
        user_id=MEMBER,
        chat_type="group",
        reply_to_message=reply_to_bot,
    )

    assert "10/9/2018" in mentioned.visible
    assert mentioned.params["reply_parameters"]["allow_sending_without_reply"] is True
    assert "Chỉ thị 05" in replied.visible
    assert fake.unread(group) == []  # the unaddressed question got no reply
    assert len(fake.to(group)) == 2
