"""Following a document or a topic, through the fake Bot APIs: the notice arrives once, a
restart half-way sends the rest and nothing twice, a 429 is waited out, a member who blocked
the bot is dropped."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from bot.broadcast import Broadcaster, Sender
from bot.follows import FollowBook, Notice, followed_of
from bot.service import ChatService
from bot.telegram.launch import TelegramBot
from bot.zalo.handlers import notice_sender
from bot.zalo.launch import ZaloBot
from index.documents import Article
from retrieval.answering import Answerer
from tests.bot import fake_zalo
from tests.bot.conftest import ADMIN, MEMBER
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.fake_zalo import FakeZalo

NEW_TITLE = "Quận ủy Ba Đình sơ kết 5 năm thực hiện Chỉ thị 05"
NEW_ARTICLE = (
    f"{NEW_TITLE}\n\nNgày 12/6/2021, Quận ủy Ba Đình tổ chức hội nghị sơ kết 5 năm thực hiện "
    "Chỉ thị số 05-CT/TW của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, "
    "phong cách Hồ Chí Minh.\n\nCác chi bộ đã đưa nội dung học tập vào sinh hoạt định kỳ hằng "
    "tháng, gắn với nhiệm vụ chính trị của từng đơn vị.\n"
)
OTHER_ARTICLE = (
    "Phường Trúc Bạch ra mắt mô hình dân vận khéo\n\nPhường Trúc Bạch ra mắt mô hình dân vận "
    "khéo trong vận động nhân dân giữ gìn vệ sinh môi trường, được đông đảo bà con hưởng ứng.\n"
)


@contextlib.asynccontextmanager
async def broadcasting(
    service: ChatService, senders: Mapping[str, Sender], book: FollowBook | None = None, **kw: Any
) -> AsyncIterator[Broadcaster]:
    """A started Broadcaster on the service's index, told of admins' changes."""
    broadcaster = Broadcaster(
        book or service.follows, service.answerer.snapshot, senders, check_seconds=30.0, **kw
    )
    await broadcaster.start()
    service.corpus.listeners.append(broadcaster.changed)
    try:
        yield broadcaster
    finally:
        service.corpus.listeners.remove(broadcaster.changed)
        await broadcaster.stop()


async def upload(fake: FakeTelegram, name: str, text: str) -> str:
    """An admin sends a file; the admin's last reply (the index report)."""
    await fake.push(fake.update(fake.document(ADMIN, name, text.encode())))
    await fake.next_message(ADMIN)  # "Đang xử lý tệp…"
    return (await fake.next_message(ADMIN, timeout=60)).visible


async def settled(broadcaster: Broadcaster) -> None:
    """Wait until the broadcaster has done a whole round (checked and sent) that began after
    this call: the one in progress may have looked at the index before it changed."""
    target = broadcaster.rounds + 2
    while broadcaster.rounds < target:
        broadcaster.round_done.clear()
        broadcaster.changed()
        await asyncio.wait_for(broadcaster.round_done.wait(), 20)


async def test_a_follower_gets_one_notice_when_an_article_about_it_is_indexed(
    fake: FakeTelegram, admin_bot: TelegramBot, admin_service: ChatService
) -> None:
    follow = await fake.ask(MEMBER, "/theodoi ct05")
    topic = await fake.ask(MEMBER + 1, "/theodoi chuyển đổi số")
    listed = await fake.ask(MEMBER, "/theodoi")
    again = await fake.ask(MEMBER, "/theodoi Chỉ thị 05")
    async with broadcasting(admin_service, {"telegram": admin_bot.sender()}) as broadcaster:
        assert "thêm:" in await upload(fake, "ba-dinh.txt", NEW_ARTICLE)
        notice = await fake.next_message(MEMBER)
        assert "thêm:" in await upload(fake, "truc-bach.txt", OTHER_ARTICLE)
        await settled(broadcaster)
        reindex = await fake.ask(ADMIN, "/reindex")
        await fake.next_message(ADMIN, timeout=60)
        await settled(broadcaster)

    assert "Đã theo dõi Chỉ thị 05-CT/TW" in follow.visible
    assert "Đã theo dõi chủ đề “chuyển đổi số”" in topic.visible
    assert "1. Chỉ thị 05-CT/TW (văn bản)" in listed.visible
    assert "đã theo dõi “Chỉ thị 05-CT/TW” rồi" in again.visible
    assert "Đang lập lại chỉ mục" in reindex.visible
    # title (linked), date, the cited sentence naming the directive, how to stop
    assert "🔔 Bài mới về “Chỉ thị 05-CT/TW”" in notice.visible
    assert NEW_TITLE in notice.visible
    assert "“Ngày 12/6/2021, Quận ủy Ba Đình tổ chức hội nghị sơ kết" in notice.visible
    assert "/huytheodoi Chỉ thị 05-CT/TW" in notice.visible
    # once: not again for the other article, nor after the re-index; none for the topic
    assert fake.unread(MEMBER) == []
    assert not any("🔔" in m.visible for m in fake.to(MEMBER + 1))
    assert admin_service.follows.counts()["sent"] == 1


async def test_unfollow_by_name_number_or_all(fake: FakeTelegram, admin_bot: TelegramBot) -> None:
    await fake.ask(MEMBER, "/theodoi Chỉ thị 05")
    await fake.ask(MEMBER, "/theodoi nêu gương")
    await fake.ask(MEMBER, "/theodoi Quy định 03")
    by_name = await fake.ask(MEMBER, "/huytheodoi chi thi 05")
    by_number = await fake.ask(MEMBER, "/huytheodoi 1")
    unknown = await fake.ask(MEMBER, "/huytheodoi Kết luận 21")
    everything = await fake.ask(MEMBER, "/huytheodoi tất cả")
    empty = await fake.ask(MEMBER, "/theodoi")

    assert "Đã thôi theo dõi “Chỉ thị 05-CT/TW”" in by_name.visible
    assert "Đã thôi theo dõi “nêu gương”" in by_number.visible
    assert "không theo dõi" in unknown.visible and "1. Quy định" in unknown.visible
    assert "Đã thôi theo dõi 1 mục" in everything.visible
    assert "chưa theo dõi" in empty.visible


def new_articles(service: ChatService, count: int) -> None:
    """Index `count` new articles naming Chỉ thị 05 (as an admin would, without a chat)."""
    articles = [
        Article(
            f"moi-{n}",
            f"Bài mới {n} về Chỉ thị 05",
            f"Chi bộ số {n} học tập Chỉ thị số 05-CT/TW của Bộ Chính trị trong sinh hoạt tháng.",
            source="Báo thử",
            url=f"https://example.org/moi-{n}",
            published_at="2024-03-02",
        )
        for n in range(count)
    ]
    service.corpus.builder.add(articles)


async def test_a_restart_half_way_sends_the_rest_and_nothing_twice(
    fake: FakeTelegram, admin_bot: TelegramBot, admin_service: ChatService
) -> None:
    followers = [MEMBER + n for n in range(4)]
    for chat in followers:
        await fake.ask(chat, "/theodoi Chỉ thị 05")
    senders = {"telegram": admin_bot.sender()}
    frozen = 1000.0  # a clock that never moves: after one notice the pacing holds the rest
    async with broadcasting(admin_service, senders, clock=lambda: frozen) as first:
        new_articles(admin_service, 1)
        first.changed()
        await fake.next_message(followers[0])
        await settled(first)
    # stopped (a restart) after one notice: the others wait in bot.sqlite
    book = FollowBook(admin_service.store.path)
    try:
        counts = book.counts()
        assert counts["sent"] == 1 and counts["pending"] == 3
        async with broadcasting(admin_service, senders, book=book) as second:
            for chat in followers[1:]:
                await fake.next_message(chat)
            await settled(second)
    finally:
        book.close()

    assert [len([m for m in fake.to(c) if "🔔" in m.visible]) for c in followers] == [1, 1, 1, 1]


async def test_flood_control_is_waited_out_and_a_blocked_member_dropped(
    fake: FakeTelegram, admin_bot: TelegramBot, admin_service: ChatService
) -> None:
    followers = [MEMBER + n for n in range(3)]
    for chat in followers:
        await fake.ask(chat, "/theodoi Chỉ thị 05")
    fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")  # the first
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    async with broadcasting(admin_service, {"telegram": admin_bot.sender()}) as broadcaster:
        new_articles(admin_service, 2)
        broadcaster.changed()
        for chat in followers[1:]:
            first = await fake.next_message(chat)
            second = await fake.next_message(chat)
            assert {"Bài mới 0 về Chỉ thị 05", "Bài mới 1 về Chỉ thị 05"} == {
                line for m in (first, second) for line in m.visible.splitlines()[1:2]
            }
        await settled(broadcaster)

    assert not any("🔔" in m.visible for m in fake.to(followers[0]))
    assert admin_service.follows.follows("telegram", str(followers[0])) == []
    assert len(admin_service.follows.follows()) == 2
    assert ("sendMessage", 429, "Too Many Requests: retry after 1") in fake.errors
    counts = admin_service.follows.counts()
    assert counts["sent"] == 4 and counts["blocked"] == 2 and "pending" not in counts


async def test_blocking_the_bot_drops_the_members_follows(
    fake: FakeTelegram, admin_bot: TelegramBot, admin_service: ChatService
) -> None:
    await fake.ask(MEMBER, "/theodoi Chỉ thị 05")
    await fake.push(fake.blocked_by(MEMBER))
    await fake.wait_for(lambda: admin_service.follows.follows() == [])


async def test_zalo_follower_is_notified_once_through_a_429(
    zalo: FakeZalo, zalo_admin_bot: ZaloBot, admin_service: ChatService
) -> None:
    member = fake_zalo.MEMBER
    follow = await zalo.ask(member, "/theodoi chi thi 05")
    sender = notice_sender(zalo_admin_bot.client, retry_seconds=0.2)
    zalo.fail("sendMessage", 429, "Too Many Requests")
    async with broadcasting(admin_service, {"zalo": sender}) as broadcaster:
        new_articles(admin_service, 1)
        broadcaster.changed()
        notice = await zalo.next_message(member)
        await settled(broadcaster)

    assert "Đã theo dõi Chỉ thị 05-CT/TW" in follow.text
    assert notice.text.startswith("🔔 Bài mới về “Chỉ thị 05-CT/TW”")
    assert "https://example.org/moi-0" in notice.text and len(notice.text) <= 2000
    assert zalo.unread(member) == [] and ("sendMessage", 429, "Too Many Requests") in zalo.errors


async def test_zalo_member_who_blocked_the_bot_is_dropped(
    zalo: FakeZalo, zalo_admin_bot: ZaloBot, admin_service: ChatService
) -> None:
    await zalo.ask(fake_zalo.MEMBER, "/theodoi Chỉ thị 05")
    zalo.fail("sendMessage", 403, "Forbidden: user has blocked the bot")
    sender = notice_sender(zalo_admin_bot.client)
    async with broadcasting(admin_service, {"zalo": sender}) as broadcaster:
        new_articles(admin_service, 1)
        await settled(broadcaster)

    assert admin_service.follows.follows() == []
    assert admin_service.follows.counts()["blocked"] == 1


def test_the_first_index_is_taken_as_known(tmp_path: Path, admin_service: ChatService) -> None:
    book = FollowBook(tmp_path / "bot.sqlite")
    try:
        assert book.unseen(["a", "b"]) is None  # first look: nobody told about old articles
        book.queue(["a", "b"], [])
        assert book.unseen(["a", "b", "c"]) == ["c"]
    finally:
        book.close()


def test_what_a_follow_names() -> None:
    assert followed_of("ct05 cua bct") == dataclasses.replace(
        followed_of("Chỉ thị 05"), label="Chỉ thị 05"
    )
    assert followed_of("Chỉ thị 05").kind == "document"
    assert followed_of("nghị quyết trung ương 4 khóa XII").key == "NQTW4-XII"
    topic = followed_of("  Chuyển đổi   số ")
    assert topic is not None and (topic.kind, topic.key, topic.label) == (
        "topic",
        "chuyen doi so",
        "Chuyển đổi số",
    )
    assert followed_of("?") is None and followed_of("x" * 200) is None


async def test_notices_are_paced_per_channel_and_per_chat(
    tmp_path: Path, seed_answerer: Answerer
) -> None:
    """The pacing itself, on a clock the test moves (the channels' own paths are above)."""
    book = FollowBook(tmp_path / "bot.sqlite")
    now = [0.0]
    sent: list[tuple[float, str, str]] = []

    async def record(chat: str, notice: Notice) -> None:
        sent.append((now[0], chat, notice.doc_id))

    notice = Notice(("Chỉ thị 05-CT/TW",), "a", "Bài A", "Báo", "", "Câu.", "")
    later = dataclasses.replace(notice, doc_id="b")
    queued = [("telegram", chat, notice) for chat in ("1", "2", "3")] + [("telegram", "1", later)]
    broadcaster = Broadcaster(
        book, seed_answerer.snapshot, {"telegram": record}, per_second={"telegram": 2.0},
        max_pause=0.0, clock=lambda: now[0],
    )  # fmt: skip
    try:
        assert book.queue(["a", "b"], queued) == 4
        drained = []
        for at in (0.0, 0.25, 0.5, 1.0, 1.5, 2.0):
            now[0] = at
            drained.append(await broadcaster.drain())
    finally:
        book.close()

    # two a second on the channel, and chat 1's second notice a second after its first
    assert drained == [1, 0, 1, 1, 1, 0]
    assert sent == [(0.0, "1", "a"), (0.5, "2", "a"), (1.0, "3", "a"), (1.5, "1", "b")]
