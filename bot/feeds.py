"""Feeds (HOIDAP_FEEDS): RSS or Atom addresses polled on an interval, their new items
fetched, read and indexed like an admin's `/them <địa chỉ>`.

Every item's address is remembered in bot.sqlite with what became of it, so nothing is
fetched or indexed twice, across restarts too; an article whose text is already indexed
under another address is not added again (the index keeps one copy of identical content).
A feed that fails (unreachable, not a feed) is tried again later, waiting twice as long
after each failure, up to MAX_BACKOFF; an item that fails is kept with its reason and not
retried. The console shows each feed's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import feedparser

from bot.corpus import CorpusAdmin
from bot.database import Database, now
from index.documents import Article
from index.errors import IngestError
from index.fetching import check_url, fetch, fetch_article
from index.vietnamese import fold

log = logging.getLogger(__name__)

MAX_ITEMS = 50  # taken from one poll of one feed (the newest first, as feeds list them)
MAX_BACKOFF = 24 * 3600.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    last_poll TEXT NOT NULL DEFAULT '',
    last_ok TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    failures INTEGER NOT NULL DEFAULT 0,
    next_poll REAL NOT NULL DEFAULT 0,  -- time.time() of the next try
    items INTEGER NOT NULL DEFAULT 0  -- articles indexed from it
);
CREATE TABLE IF NOT EXISTS feed_items (
    url TEXT PRIMARY KEY,  -- the item's link
    feed TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    status TEXT NOT NULL,  -- added, unchanged (its text was already indexed), failed
    doc_id TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT ''  -- content_key of its article, when read
);
"""


@dataclass(frozen=True)
class FeedState:
    """One feed as the console shows it."""

    url: str
    last_poll: str
    last_ok: str
    last_error: str
    failures: int
    next_poll: float
    items: int


class FeedBook:
    """The feeds' and items' state in bot.sqlite (its own connection)."""

    def __init__(self, path: Path) -> None:
        self.database = Database(path, _SCHEMA)
        self._db, self._lock = self.database.connection, self.database.lock

    def close(self) -> None:
        self.database.close()

    def register(self, feeds: Sequence[str]) -> None:
        with self._lock:
            for url in feeds:
                self._db.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (url,))

    def due(self, feeds: Sequence[str], now: float) -> list[str]:
        with self._lock:
            rows = dict(self._db.execute("SELECT url, next_poll FROM feeds").fetchall())
        return [url for url in feeds if rows.get(url, 0.0) <= now]

    def seen(self, url: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM feed_items WHERE url = ?", (url,)).fetchone()
        return row is not None

    def item(
        self,
        feed: str,
        url: str,
        status: str,
        doc_id: str = "",
        reason: str = "",
        fingerprint: str = "",
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO feed_items (url, feed, seen_at, status, doc_id, reason, "
                "content) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (url, feed, now(), status, doc_id, reason, fingerprint),
            )
            if status == "added":
                self._db.execute("UPDATE feeds SET items = items + 1 WHERE url = ?", (feed,))

    def has_content(self, fingerprint: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM feed_items WHERE content = ? AND status IN ('added', 'unchanged')",
                (fingerprint,),
            ).fetchone()
        return row is not None

    def items(self, feed: str) -> list[tuple[str, str, str]]:
        """(url, status, reason) of a feed's items, in the order they were seen."""
        with self._lock:
            return self._db.execute(
                "SELECT url, status, reason FROM feed_items WHERE feed = ? ORDER BY rowid",
                (feed,),
            ).fetchall()

    def polled(self, feed: str, error: str, next_poll: float) -> None:
        with self._lock:
            if error:
                self._db.execute(
                    "UPDATE feeds SET last_poll = ?, last_error = ?, failures = failures + 1, "
                    "next_poll = ? WHERE url = ?",
                    (now(), error, next_poll, feed),
                )
            else:
                self._db.execute(
                    "UPDATE feeds SET last_poll = ?, last_ok = ?, last_error = '', "
                    "failures = 0, next_poll = ? WHERE url = ?",
                    (now(), now(), next_poll, feed),
                )

    def failures(self, feed: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT failures FROM feeds WHERE url = ?", (feed,)).fetchone()
        return int(row[0]) if row else 0

    def states(self, feeds: Sequence[str]) -> list[FeedState]:
        with self._lock:
            rows = {
                r[0]: FeedState(*r)
                for r in self._db.execute(
                    "SELECT url, last_poll, last_ok, last_error, failures, next_poll, items "
                    "FROM feeds"
                )
            }
        return [rows.get(url, FeedState(url, "", "", "", 0, 0.0, 0)) for url in feeds]


class FeedPoller:
    """A runner channel that polls the feeds until stopped."""

    channel = "feeds"

    def __init__(
        self,
        feeds: Sequence[str],
        corpus: CorpusAdmin,
        book: FeedBook,
        interval: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.feeds = [check_url(f) for f in feeds]
        self.corpus = corpus
        self.book = book
        self.interval = interval
        self.clock = clock
        self.finished = asyncio.Event()  # never set: the poller runs until stopped
        self.polls = 0  # rounds done, for tests and the console
        self.round_done = asyncio.Event()  # set after each round
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._indexed: set[str] = set()  # content_key of the articles indexed at a round's start
        book.register(self.feeds)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def status(self) -> str:
        return f"polling {len(self.feeds)} feed(s) every {self.interval / 60:g} min"

    def poll_now(self) -> None:
        """Wake the loop for a round now (the console's button; tests)."""
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            await self.poll_round()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._next_wait())

    def _next_wait(self) -> float:
        states = self.book.states(self.feeds)
        soonest = min((s.next_poll for s in states), default=self.clock() + self.interval)
        return max(1.0, min(self.interval, soonest - self.clock()))

    async def poll_round(self) -> None:
        """Poll every feed that is due; each new item fetched and indexed in turn."""
        due = self.book.due(self.feeds, self.clock())
        if due:  # the texts indexed now; those the round adds are in the book as added
            snap = await asyncio.to_thread(self.corpus.answerer.snapshot)
            self._indexed = {content_key(a) for a in snap.articles.values()}
        for feed in due:
            await self._poll(feed)
        self.polls += 1
        self.round_done.set()

    async def _poll(self, feed: str) -> None:
        try:
            page = await asyncio.to_thread(fetch, feed, None, FEED_TYPES | {"text/html"})
            parsed = feedparser.parse(page.body)
            if not parsed.entries and (parsed.bozo or not parsed.get("version")):
                raise IngestError(
                    f"{feed}: not an RSS or Atom feed",
                    vi="địa chỉ này không phải nguồn tin RSS/Atom",
                )
        except IngestError as exc:
            failures = self.book.failures(feed) + 1
            wait = min(MAX_BACKOFF, self.interval * 2 ** (failures - 1))
            log.warning(
                "feed %s failed (%d in a row), next try in %.0fs: %s", feed, failures, wait, exc
            )
            self.book.polled(feed, exc.vi or str(exc), self.clock() + wait)
            return
        links = [e.get("link", "") for e in parsed.entries[:MAX_ITEMS] if e.get("link")]
        for link in links:
            if self.book.seen(link):
                continue
            try:
                check_url(link)
            except IngestError as exc:
                self.book.item(feed, link, "failed", reason=exc.vi)
                continue
            try:
                article = await asyncio.to_thread(fetch_article, link)
            except IngestError as exc:
                log.info("feed %s: item %s refused: %s", feed, link, exc)
                self.book.item(feed, link, "failed", reason=exc.vi or str(exc))
                continue
            fingerprint = content_key(article)
            if fingerprint in self._indexed or self.book.has_content(fingerprint):
                self.book.item(feed, link, "duplicate", article.doc_id, fingerprint=fingerprint)
                continue
            result = await self.corpus.add_fetched(article)
            status = "failed" if not result.ok else "added" if result.changed else "unchanged"
            reason = "" if result.ok else result.text
            self.book.item(feed, link, status, result.doc_id, reason, fingerprint)
            log.info("feed %s: %s %s", feed, link, status)
        self.book.polled(feed, "", self.clock() + self.interval)


FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+json",
}


def content_key(article: Article) -> str:
    """The same article at two addresses has the same key: its title and text, folded."""
    text = " ".join(fold(f"{article.title}\n{article.text}").split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
