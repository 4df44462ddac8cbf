"""Feeds against a news site on 127.0.0.1: new items indexed once, a repeated or
republished item not again, a broken one kept with its reason, nothing fetched twice after
a restart, and a failing feed retried later and later."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.feeds import FeedBook, FeedPoller
from bot.service import ChatService
from tests.web_site import NEW_TITLE, FakeSite

ASKED = "Đảng bộ huyện Bát Xát đã cài sổ tay đảng viên điện tử cho bao nhiêu đảng viên?"
INTERVAL = 1800.0


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    with FakeSite() as running:
        yield running


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def polled(
    feeds: list[str], service: ChatService, db: Path, clock: Clock | None = None
) -> tuple[FeedBook, FeedPoller]:
    """A poller on bot.sqlite `db` after one round."""
    book = FeedBook(db)
    poller = FeedPoller(feeds, service.corpus, book, INTERVAL, clock or Clock())
    await poller.poll_round()
    return book, poller


async def test_new_items_are_indexed_once_and_never_again_after_a_restart(
    site: FakeSite, admin_service: ChatService, tmp_path: Path
) -> None:
    feed = site.url("/rss")
    book, _ = await polled([feed], admin_service, tmp_path / "bot.sqlite")

    items = book.items(feed)
    assert [status for _, status, _ in items] == ["added", "failed", "duplicate"]
    assert "lỗi 404" in items[1][2]
    (state,) = book.states([feed])
    assert (state.items, state.failures, state.last_error) == (1, 0, "")
    answer = await admin_service.answerer.aanswer(ASKED)
    assert "4.215" in answer.text
    assert [c.title for c in answer.citations][:1] == [NEW_TITLE]
    book.close()

    fetched = len([p for p in site.requests if p.startswith("/bai-viet/")])
    again, _ = await polled([feed], admin_service, tmp_path / "bot.sqlite")  # a restart
    assert len([p for p in site.requests if p.startswith("/bai-viet/")]) == fetched
    assert len(again.items(feed)) == 3
    snapshot = admin_service.answerer.snapshot()
    assert sum(a.title == NEW_TITLE for a in snapshot.articles.values()) == 1
    again.close()


async def test_a_failing_feed_is_tried_again_later_and_later(
    site: FakeSite, admin_service: ChatService, tmp_path: Path
) -> None:
    broken, not_a_feed = site.url("/khong-co"), site.url("/trang-chu")
    clock = Clock()
    book, poller = await polled([broken, not_a_feed], admin_service, tmp_path / "db", clock)
    first, home = book.states([broken, not_a_feed])
    assert (first.failures, first.next_poll) == (1, clock.now + INTERVAL)
    assert "lỗi 404" in first.last_error
    assert home.last_error == "địa chỉ này không phải nguồn tin RSS/Atom"

    asked = len(site.requests)
    clock.now += INTERVAL / 2  # not due yet: nothing is fetched
    await poller.poll_round()
    assert len(site.requests) == asked
    clock.now += INTERVAL / 2
    await poller.poll_round()
    second, _ = book.states([broken, not_a_feed])
    assert (second.failures, second.next_poll) == (2, clock.now + 2 * INTERVAL)
    book.close()


def test_feeds_must_be_web_addresses() -> None:
    from pydantic import ValidationError

    from bot.settings import Settings

    assert Settings(feeds="https://a.vn/rss, http://b.vn/feed").feeds == [
        "https://a.vn/rss",
        "http://b.vn/feed",
    ]
    with pytest.raises(ValidationError, match="not an http"):
        Settings(feeds="file:///etc/passwd")


async def test_the_console_shows_each_feed_and_hoidap_run_polls_them(
    site: FakeSite, admin_service: ChatService, tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    from bot.cli import _channels
    from bot.settings import Settings
    from bot.web.app import ConsoleConfig, create_app
    from tests.bot.web.conftest import TOKEN, csrf_of

    broken = site.url("/khong-co")
    book, poller = await polled([broken], admin_service, tmp_path / "bot.sqlite")
    config = ConsoleConfig("k" * 32, token=TOKEN, secure_cookie=False)
    with TestClient(create_app(admin_service, config, feeds=poller)) as client:
        token = csrf_of(client.get("/dang-nhap").text)
        client.post("/dang-nhap", data={"csrf": token, "mat_khau": TOKEN})
        page = client.get("/tai-lieu").text
    assert broken in page and "lỗi 1 lần liên tiếp: trang trả về lỗi 404" in page
    book.close()

    channels = _channels(
        Settings(data_dir=tmp_path, feeds=site.url("/rss")), admin_service, terminal=False
    )
    assert [c.channel for c in channels] == ["feeds"]
    channels[0].book.close()
