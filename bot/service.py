"""The chat core, for every channel: questions and follow-ups, feedback, what a chat's
last answer is; search results (bot/results.py) and corpus administration
(bot/corpus.py) hang off it as `results` and `corpus`; what members follow, study and
keep (bot/follows.py, bot/study.py, bot/saved.py) as `follows`, `study` and `saved`, in
the same bot.sqlite."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from bot.corpus import CorpusAdmin
from bot.follows import FollowBook
from bot.followup import FollowUps
from bot.ratelimit import RateLimiter
from bot.results import Results
from bot.saved import SavedBook
from bot.stats import number
from bot.store import Status, Store
from bot.study import StudyBook
from index.builder import IndexBuilder
from index.errors import HoidapError
from index.vietnamese import fold
from retrieval.answering import ANSWER_THREADS, MAX_QUESTION_CHARS, Answer, Answerer, Citation

log = logging.getLogger(__name__)

GREETINGS = frozenset({"chao", "xin chao", "chao ban", "hello", "hi", "alo", "cam on", "thanks"})


@dataclass(frozen=True)
class Reply:
    """The outcome of one question: an answer, or a message saying why there is none."""

    status: Status
    text: str  # what to show when there is no answer
    answer: Answer | None = None
    question_id: int | None = None


class ChatService:
    """The channel-agnostic bot: Telegram, Zalo and the tests all call these methods."""

    def __init__(
        self,
        answerer: Answerer,
        builder: IndexBuilder,
        corpus_dir: Path,
        store: Store,
        per_minute: float = 6.0,
        burst: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.answerer = answerer
        self.store = store
        self.results = Results(answerer, store)
        self.corpus = CorpusAdmin(answerer, builder, corpus_dir, store)
        self.follows = FollowBook(store.path)
        self.study = StudyBook(store.path)
        self.saved = SavedBook(store.path)
        self.limiter = RateLimiter(per_minute, burst, clock)
        self.followups = FollowUps()
        self._clock = clock
        # Questions answered at once: as many as the answerer has threads, so that those of
        # a busy moment reach the query embedder together and are embedded as one batch.
        self._answering = asyncio.Semaphore(ANSWER_THREADS)

    def close(self) -> None:
        """Close bot.sqlite (every part's connection)."""
        for book in (self.follows, self.study, self.saved, self.store):
            book.close()

    # -- members --------------------------------------------------------------------

    async def ask(
        self,
        channel: str,
        chat: str,
        user: str,
        text: str,
        message: str | None = None,
        rate_limited: bool = True,
    ) -> Reply | None:
        """Answer a question; None when this channel message was already handled.

        `rate_limited=False` for a channel whose one user is trusted (the terminal)."""
        started = time.perf_counter()
        question = text.strip()
        qid = self.store.claim(channel, chat, user, question, message)
        if qid is None:
            log.info("%s message %s already handled: not answering twice", channel, message)
            return None
        if not question or len(question) > MAX_QUESTION_CHARS:
            reply = texts.EMPTY if not question else texts.TOO_LONG
            reply = reply.format(length=number(len(question)), limit=number(MAX_QUESTION_CHARS))
            self.store.finish(qid, Status.REJECTED, text=reply)
            return Reply(Status.REJECTED, reply, question_id=qid)
        if " ".join(fold(question).strip("!.? ").split()) in GREETINGS:
            self.store.finish(qid, Status.GREETING, text=texts.GREETING)
            return Reply(Status.GREETING, texts.GREETING, question_id=qid)
        wait = self.limiter.take(f"{channel}:{user}") if rate_limited else 0.0
        if wait > 0:
            reply = texts.SLOW_DOWN.format(seconds=max(1, round(wait)))
            self.store.finish(qid, Status.RATE_LIMITED, text=reply)
            return Reply(Status.RATE_LIMITED, reply, question_id=qid)
        resolved = self.followups.resolve(chat, question, self._clock())
        try:
            async with self._answering:
                answer = await self.answerer.aanswer(resolved)
        except HoidapError:
            log.exception("question %d could not be answered", qid)
            self.store.finish(qid, Status.FAILED, text=texts.FAILED, resolved=resolved)
            return Reply(Status.FAILED, texts.FAILED, question_id=qid)
        self.followups.remember(chat, resolved, self._clock())
        status = Status.DECLINED if answer.abstained else Status.ANSWERED
        latency = (time.perf_counter() - started) * 1000
        self.store.finish(qid, status, answer, resolved=resolved, latency_ms=latency)
        if resolved != question:
            log.info("question %d read as a follow-up: %r", qid, resolved)
        return Reply(status, answer.text, answer, qid)

    def undelivered(self, question_id: int) -> None:
        """Mark a question whose reply did not (fully) reach the member; the answer stays."""
        self.store.undelivered(question_id)

    def remember(self, channel: str, chat: str, question_id: int, page: int = 0) -> None:
        """The answer (and page of passages) the chat's next feedback or "more" is about."""
        self.store.remember(channel, chat, question_id, page)

    def last(self, channel: str, chat: str) -> tuple[int, int] | None:
        """(question id, page) of the chat's last answer, or None."""
        return self.store.last(channel, chat)

    def citations(self, question_id: int) -> tuple[Citation, ...] | None:
        """The citations of a stored answer ("Xem nguồn"), or None if unknown."""
        record = self.store.get(question_id)
        return None if record is None else record.citations

    def feedback(
        self,
        question_id: int,
        user: str,
        vote: int,
        reason: str | None = None,
        via: str = "button",
    ) -> bool:
        """Store a 👍 (+1) or 👎 (-1) with an optional reason code; False if unknown. A vote
        of 0 withdraws the one given `via` (a reaction taken back)."""
        if vote == 0:
            return self.store.unvote(question_id, user, via)
        return self.store.vote(question_id, user, vote, reason, via)
