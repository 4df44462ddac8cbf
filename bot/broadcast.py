"""Sending the follow notices (bot/follows.py): a runner channel that watches the index
for new articles, queues a notice per following chat, and drains the queue within each
channel's limits.

Telegram allows about 30 messages a second overall and one a second per chat; Zalo
publishes no figure and answers 429 when sent too much. Notices are paced below both, a
channel that says "wait" (flood control, 429) is waited for, and a notice is marked sent as
soon as its channel took it: a restart half-way sends the rest, nothing twice. A stop lets
the notice being sent finish. A chat that blocked the bot is dropped from every list.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from bot.follows import ATTEMPTS, Follow, FollowBook, Notice, Queued, notice_for
from index.errors import HoidapError
from retrieval.searcher import Snapshot

log = logging.getLogger(__name__)


class Blocked(HoidapError):
    """The member blocked the bot (or removed it from the group): stop writing there."""


class TryLater(HoidapError):
    """The channel asks to wait (flood control, 429) before sending anything more."""

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"try again in {seconds:.1f}s")
        self.seconds = seconds


# A channel's way of sending a notice to one chat; raises Blocked, TryLater or any HoidapError.
Sender = Callable[[str, Notice], Awaitable[None]]


class Broadcaster:
    """A runner channel: watches the index for new articles and sends the notices."""

    channel = "follows"

    def __init__(
        self,
        book: FollowBook,
        snapshot: Callable[[], Snapshot],
        senders: Mapping[str, Sender],
        per_second: Mapping[str, float] | None = None,
        per_chat_seconds: float = 1.0,
        check_seconds: float = 5.0,
        max_pause: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.book = book
        self.snapshot = snapshot
        self.senders = dict(senders)
        # Telegram allows ~30 messages/s overall and 1/s per chat; Zalo publishes no figure
        # and answers 429 when sent too much: both are paced below and wait when told.
        self.per_second = {"telegram": 25.0, "zalo": 10.0, **(per_second or {})}
        self.per_chat_seconds = per_chat_seconds
        self.check_seconds = check_seconds
        self.max_pause = max_pause  # a wait for the pace shorter than this stays in drain()
        self.clock = clock
        self.finished = asyncio.Event()  # never set: it runs until stopped
        self.rounds = 0  # index checks done (tests, the console)
        self.round_done = asyncio.Event()
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()  # cuts a pause short
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._version: Path | None = None
        self._next_send: dict[str, float] = {}  # channel -> earliest next send
        self._chat_next: dict[tuple[str, str], float] = {}

    def status(self) -> str:
        """Nothing to print: it runs alongside the bots."""
        return ""

    async def start(self) -> None:
        """Take the current index as known (the first time) and start watching."""
        self._stopping = False
        self._stopped.clear()
        await self.check()
        self._task = asyncio.create_task(self._loop(), name="follows")

    async def stop(self) -> None:
        """Finish the notice being sent, then stop: the rest wait in the queue."""
        self._stopping = True
        self._wake.set()
        self._stopped.set()
        if self._task is not None:
            await self._task

    def changed(self) -> None:
        """Look at the index now (an admin just changed it)."""
        self._wake.set()

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before the round: a change during it wakes the next one
            try:
                await self.check()
                await self.drain()
            except Exception:  # the watcher must outlive one bad round
                log.exception("follow notices: a round failed")
            self.rounds += 1
            self.round_done.set()
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle())

    def _idle(self) -> float:
        """Until the next look: the check interval, or sooner when a paced notice waits."""
        at = self.clock()
        self._chat_next = {k: v for k, v in self._chat_next.items() if v > at}
        waits = [v - at for v in (*self._next_send.values(), *self._chat_next.values()) if v > at]
        return max(0.05, min([self.check_seconds, *waits]))

    async def check(self) -> int:
        """Queue the notices for articles the index gained since the last look."""
        try:
            snap = await asyncio.to_thread(self.snapshot)
        except HoidapError as exc:
            log.debug("follow notices: no index to look at (%s)", exc)
            return 0
        if snap.directory == self._version:
            return 0
        unseen = self.book.unseen(snap.articles)
        follows = self.book.follows() if unseen else []
        notices = await asyncio.to_thread(_notices, snap, unseen or [], follows)
        queued = self.book.queue(list(snap.articles) if unseen is None else unseen, notices)
        self._version = snap.directory
        if unseen:
            log.info(
                "index %s: %d new article(s), %d notice(s) queued",
                snap.directory.name,
                len(unseen),
                queued,
            )
        return queued

    async def drain(self) -> int:
        """Send what is queued, paced; returns how many were sent. Between two notices it
        waits for the pace (at most `max_pause` at a time; a longer wait, such as a 429's,
        goes back to the loop, which looks at the index meanwhile)."""
        sent, paused = 0, False
        while not self._stopping:
            waiting = self.book.pending(self.senders)
            ready = [q for q in waiting if self._ready_in(q) <= 0]
            if not ready:
                pause = min((self._ready_in(q) for q in waiting), default=self.max_pause + 1)
                if paused or pause > self.max_pause:
                    return sent
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), timeout=pause)
                paused = True
                continue
            paused = False
            for queued in ready:
                if self._stopping:
                    break
                if self._ready_in(queued) > 0:  # its channel was told to wait meanwhile
                    continue
                sent += await self._send(queued)
        return sent

    def _ready_in(self, q: Queued) -> float:
        at = max(self._next_send.get(q.channel, 0.0), self._chat_next.get((q.channel, q.chat), 0))
        return at - self.clock()

    async def _send(self, q: Queued) -> int:
        started = self.clock()
        # the next slot follows this one's, not the end of this send: the pace is the rate
        slot = max(started, self._next_send.get(q.channel, started))
        self._next_send[q.channel] = slot + 1.0 / self.per_second.get(q.channel, 10.0)
        self._chat_next[(q.channel, q.chat)] = started + self.per_chat_seconds
        try:
            await self.senders[q.channel](q.chat, q.notice)
        except Blocked:
            dropped = self.book.blocked(q.channel, q.chat)
            log.info(
                "%s chat %s blocked the bot: %d follow(s) dropped", q.channel, q.chat, dropped
            )
            return 0
        except TryLater as exc:
            self._next_send[q.channel] = self.clock() + exc.seconds
            log.warning("%s asks to wait %.1fs before the next notice", q.channel, exc.seconds)
            return 0
        except HoidapError as exc:
            give_up = q.attempts + 1 >= ATTEMPTS
            self.book.refused(q.id, str(exc), give_up)
            self._chat_next[(q.channel, q.chat)] = self.clock() + 2.0 ** (q.attempts + 1)
            log.warning("notice %d to %s %s refused: %s", q.id, q.channel, q.chat, exc)
            return 0
        self.book.sent(q.id)
        return 1


def _notices(
    snap: Snapshot, doc_ids: Sequence[str], follows: Sequence[Follow]
) -> list[tuple[str, str, Notice]]:
    """(channel, chat, notice) for each new article and chat following something it is about
    (one notice per chat and article, naming everything it follows there). Whether an
    article is about a follow is worked out once however many chats follow it."""
    followed = {f.followed.key: f.followed for f in follows}
    out: list[tuple[str, str, Notice]] = []
    for doc_id in doc_ids:
        article = snap.articles[doc_id]
        about = {key: notice_for(snap, article, f) for key, f in followed.items()}
        per_chat: dict[tuple[str, str], Notice] = {}
        for f in follows:
            notice = about[f.followed.key]
            if notice is None:
                continue
            where = (f.channel, f.chat)
            if where in per_chat:  # the chat follows two things the article is about
                earlier = per_chat[where]
                notice = dataclasses.replace(earlier, labels=earlier.labels + notice.labels)
            per_chat[where] = notice
        out += [(channel, chat, n) for (channel, chat), n in per_chat.items()]
    return out
