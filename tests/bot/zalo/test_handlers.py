"""Members and admins on Zalo: the real client and bot against the fake Bot API (polling)."""

from __future__ import annotations

from pathlib import Path

from bot.ratelimit import RateLimiter
from bot.service import ChatService
from bot.zalo.launch import ZaloBot
from index.embedders import Embedder
from tests.bot.conftest import QUESTION, make_service, running, start_zalo_bot
from tests.bot.fake_zalo import ADMIN, MAX_TEXT, MEMBER, FakeZalo

GROUP = "g-7d1e4b"


async def test_a_question_gets_a_plain_text_cited_answer(
    zalo: FakeZalo, zalo_bot: ZaloBot
) -> None:
    answer = await zalo.ask(MEMBER, QUESTION)

    assert "10/9/2018" in answer.text and "[1]" in answer.text
    assert "Nguồn:\n[1] " in answer.text and "http://baolaocai.vn/bai-viet/213010" in answer.text
    assert "<" not in answer.text and "&amp;" not in answer.text  # plain text, no markup
    assert answer.text.rstrip().endswith("“đã cũ”).")  # how to give feedback
    assert zalo.actions == [{"chat_id": MEMBER, "action": "typing"}]
    assert zalo.calls("getUpdates")[0] == {"timeout": "2"}
    assert zalo.errors == []


async def test_start_help_find_and_list(zalo: FakeZalo, zalo_bot: ZaloBot) -> None:
    commands = ("/start", "/help", "/tim Hạ Long", "/tim", "/tim xyzxyz", "/nguon", "/khong")
    replies = [await zalo.ask(MEMBER, command) for command in commands]
    start, help_, found, usage, none, corpus, unknown = (r.text for r in replies)

    assert "5 bài viết" in start and "16/06/2013" in start and help_ == start
    assert "/tim <từ khóa>" in start and "👍" in start and "<b>" not in start
    assert "1. TP Hạ Long tăng cường công tác xây dựng Đảng" in found
    assert "/tim chỉ thị 05" in usage
    assert none == "Không tìm thấy bài nào có từ khóa “xyzxyz”."
    assert "Tài liệu hiện có (5 bài)" in corpus and "(mã 000_779c702780cfd434)" in corpus
    assert "/help" in unknown


async def test_the_register_of_documents(zalo: FakeZalo, zalo_bot: ZaloBot) -> None:
    everything = (await zalo.ask(MEMBER, "/vanban")).text
    filtered = (await zalo.ask(MEMBER, "/vanban nghi quyet 09")).text

    assert everything.startswith("Văn bản được nhắc đến trong tài liệu (")
    assert "• Chỉ thị 05-CT/TW — về “đẩy mạnh học tập" in everything
    assert len(everything) <= 2000
    assert "Nghị quyết 09-NQ/TU — về “tăng cường công tác xây dựng đảng" in filtered
    assert "ngày 27-2-2012" in filtered and len(filtered.splitlines()) == 2


async def test_follow_up_sources_and_more_results(zalo: FakeZalo, zalo_bot: ZaloBot) -> None:
    nothing = await zalo.ask(MEMBER, "/xemnguon")
    await zalo.ask(MEMBER, "Thành ủy Lào Cai ban hành Quy định số 03 về nội dung gì?")
    follow_up = await zalo.ask(MEMBER, "quy định đó ban hành khi nào?")
    sources = await zalo.ask(MEMBER, "/xemnguon")
    more = await zalo.ask(MEMBER, "/them")

    assert "Chưa có câu trả lời nào" in nothing.text
    assert "10/9/2018" in follow_up.text
    assert "Thành ủy ban hành Quy định số 03 ngày 10/9/2018" in sources.text
    assert "Các đoạn liên quan khác (trang 1)" in more.text


async def test_feedback_by_short_text_replies_is_stored(
    zalo: FakeZalo, zalo_bot: ZaloBot, service: ChatService
) -> None:
    early = await zalo.ask(MEMBER, "👍")
    await zalo.ask(MEMBER, QUESTION)
    other = "a93be0"
    await zalo.ask(other, "chi thi 05 noi gi")
    votes = ((MEMBER, "👍🏻"), (other, "👎"), (other, "Sai nguồn!"))
    replies = [(await zalo.ask(chat, text)).text for chat, text in votes]

    assert "Chưa có câu trả lời nào để góp ý" in early.text
    assert replies[0] == "Cảm ơn bạn đã góp ý! 👍"
    assert "Đã ghi nhận 👎" in replies[1] and "“sai nguồn”" in replies[1]
    assert replies[2] == "Cảm ơn bạn! Đã ghi nhận lý do: sai nguồn."
    today, _ = service.store.today_and_week()
    assert (today.questions, today.up, today.down, today.reasons) == (2, 1, 1, {"source": 1})


async def test_bad_inputs_get_clear_replies(zalo: FakeZalo, zalo_bot: ZaloBot) -> None:
    empty = await zalo.ask(MEMBER, "   ")
    long = await zalo.ask(MEMBER, "a" * 10_000)
    await zalo.push(
        zalo.update(MEMBER, event="message.sticker.received", sticker="s1", url="https://x"),
        zalo.update(MEMBER, event="message.image.received", photo_url="https://x/p.jpg"),
        zalo.update(MEMBER, event="message.unsupported.received"),
        {"event_name": "bot.added.to.group", "group": {"id": "g1"}, "extra": [1, 2]},
        {"event_name": "message.text.received", "message": {"text": "no chat"}},
        ["not", "an", "update"],  # type: ignore[list-item]
    )
    sticker = await zalo.next_message(MEMBER)
    image = await zalo.next_message(MEMBER)
    unsupported = await zalo.next_message(MEMBER)
    await zalo.ask(MEMBER, "/help")  # runs after everything above: nothing else was sent

    assert "chưa nhập câu hỏi" in empty.text
    assert "10.000 ký tự" in long.text
    assert "tin nhắn chữ" in sticker.text and image.text == unsupported.text == sticker.text
    assert zalo.unread(MEMBER) == [] and zalo.errors == []


async def test_a_list_of_updates_is_answered_in_order(zalo: FakeZalo, zalo_bot: ZaloBot) -> None:
    await zalo.push(
        zalo.update(MEMBER, "Thành ủy Lào Cai ban hành Quy định số 03 về nội dung gì?"),
        zalo.update(MEMBER + "x", QUESTION),
        zalo.update(MEMBER, "quy định đó ban hành khi nào?"),
    )
    first = await zalo.next_message(MEMBER)
    second = await zalo.next_message(MEMBER)
    other = await zalo.next_message(MEMBER + "x")

    assert "Quy định số 03" in first.text and "10/9/2018" in second.text
    assert "10/9/2018" in other.text


async def test_long_answers_are_split_below_2000_characters(
    zalo: FakeZalo, zalo_bot: ZaloBot
) -> None:
    for text in ("/nguon", "chi thi 05 noi gi", "/xemnguon"):
        await zalo.ask(MEMBER, text)

    assert all(0 < len(s.text) <= MAX_TEXT for s in zalo.sent) and zalo.errors == []


async def test_groups_answer_commands_and_mentions_only(zalo: FakeZalo, zalo_bot: ZaloBot) -> None:
    await zalo.say(GROUP, QUESTION, user_id=MEMBER, group=True)
    await zalo.push(zalo.update(GROUP, user_id=MEMBER, group=True, event="message.image.received"))
    mentioned = await zalo.ask(GROUP, f"@Hỏi đáp {QUESTION}", user_id=MEMBER, group=True)
    command = await zalo.ask(GROUP, "/hoi chi thi 05 noi gi", user_id=MEMBER, group=True)
    usage = await zalo.ask(GROUP, "/hoi", user_id=MEMBER, group=True)

    assert "10/9/2018" in mentioned.text and "Chỉ thị 05" in command.text
    assert "/hoi chỉ thị 05 nói gì?" in usage.text
    assert zalo.unread(GROUP) == [] and len(zalo.to(GROUP)) == 3


async def test_rate_limit_and_greetings(
    zalo: FakeZalo, zalo_bot: ZaloBot, service: ChatService
) -> None:
    # Time stands still: on a busy machine six answers may take longer than the 10 s in
    # which the limiter would give the member one question more.
    service.limiter = RateLimiter(6.0, 5, clock=lambda: 0.0)
    greeting = await zalo.ask(MEMBER, "Xin chào")
    replies = [(await zalo.ask(MEMBER, f"chi thi 05 noi gi {n}")).text for n in range(6)]

    assert "Xin chào!" in greeting.text
    assert "Bạn hỏi hơi nhanh" in replies[-1]  # a burst of 5, then 6 a minute
    assert all("Bạn hỏi hơi nhanh" not in r for r in replies[:5])


async def test_admins_stats_remove_and_reindex(
    zalo: FakeZalo, zalo_admin_bot: ZaloBot, admin_service: ChatService
) -> None:
    await zalo.ask(MEMBER, QUESTION)
    commands = ("/stats", "/xoa", "/xoa 004_e8034be9464bfe94", "/reindex")
    replies = [(await zalo.ask(ADMIN, command, timeout=60)).text for command in commands]
    rebuilt = await zalo.next_message(ADMIN, timeout=60)
    stats, usage, removed, working = replies

    assert "Hôm nay: 1 câu hỏi" in stats and "1 được trả lời" in stats
    assert "/xoa 000_779c702780cfd434" in usage
    assert "Đã xoá bài “TP Hạ Long tăng cường công tác xây dựng Đảng”" in removed
    assert "Đang lập lại chỉ mục" in working and "4 bài" in rebuilt.text
    assert admin_service.results.info().articles == 4


async def test_feedback_after_a_restart_reaches_the_answer_given_before_it(
    zalo: FakeZalo, seed_data_dir: Path, tmp_path: Path, embedder: Embedder
) -> None:
    db = tmp_path / "bot.sqlite"
    before = make_service(seed_data_dir, tmp_path / "corpus-unused", embedder, db)
    async with running(start_zalo_bot(zalo, before)):
        await zalo.ask(MEMBER, QUESTION)
    before.close()

    after = make_service(seed_data_dir, tmp_path / "corpus-unused", embedder, db)
    async with running(start_zalo_bot(zalo, after)):
        thanks = await zalo.ask(MEMBER, "👍")
        sources = await zalo.ask(MEMBER, "/xemnguon")

    assert thanks.text == "Cảm ơn bạn đã góp ý! 👍"
    assert "Thành ủy ban hành Quy định số 03 ngày 10/9/2018" in sources.text
    assert after.store.today_and_week()[0].up == 1
    after.close()
