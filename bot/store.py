"""The bot's SQLite database: every question, its answer and citations, latency and feedback."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path

from bot.database import Database, now
from retrieval import answering
from retrieval.answering import Answer, Citation

# Vietnam has one time zone and no daylight saving: "today" for /stats is a Vietnamese day.
VIETNAM = timezone(timedelta(hours=7))
REASONS = {"source": "sai nguồn", "irrelevant": "không liên quan", "outdated": "đã cũ"}
# Why questions were declined (retrieval/answering.py REASONS), as admins read them.
DECLINES = {
    answering.NO_PASSAGE: "không có đoạn nào trả lời",
    answering.SUBJECT_NOT_FOUND: "địa phương, đơn vị không có trong tài liệu",
    answering.SUBJECT_ELSEWHERE: "chỉ có thông tin của nơi khác",
    answering.DOCUMENT_NOT_FOUND: "văn bản không có trong tài liệu",
    answering.OUTDATED: "chỉ có bài đã cũ",
    answering.UNIT_NOT_FOUND: "văn bản không có điều, mục được hỏi",
}


class Status(StrEnum):
    """What became of a question. Set once, from PENDING; the stored values are those of
    every bot.sqlite written so far. Whether the reply reached the member is kept apart
    (`Store.undelivered`), so a failed delivery never erases the answer."""

    PENDING = "pending"  # claimed, not yet answered (or the bot stopped meanwhile)
    ANSWERED = "answered"
    DECLINED = "abstained"  # "not found", with Answer.reason in the decline column
    GREETING = "greeting"
    RATE_LIMITED = "rate_limited"
    REJECTED = "rejected"  # empty or too long
    FAILED = "failed"  # the answerer raised: the member got the apology


_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    user TEXT NOT NULL,
    message TEXT,
    question TEXT NOT NULL,
    resolved TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    answer TEXT NOT NULL DEFAULT '',
    abstained INTEGER,
    citations TEXT NOT NULL DEFAULT '[]',
    latency_ms REAL,
    decline TEXT NOT NULL DEFAULT '',  -- why it was declined (Answer.reason)
    undelivered INTEGER NOT NULL DEFAULT 0  -- 1: the reply (or part of it) did not arrive
);
CREATE UNIQUE INDEX IF NOT EXISTS questions_message ON questions (channel, message)
    WHERE message IS NOT NULL;
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE TABLE IF NOT EXISTS feedback (
    question_id INTEGER NOT NULL REFERENCES questions (id),
    user TEXT NOT NULL,
    at TEXT NOT NULL,
    vote INTEGER NOT NULL,
    reason TEXT,
    via TEXT NOT NULL DEFAULT 'button',  -- button, text (Zalo), reaction (Telegram)
    PRIMARY KEY (question_id, user)
);
-- The answer a chat's next "👍", "/them" or "/xemnguon" refers to (channels whose replies
-- carry no buttons: Zalo), and how many of its pages of passages were shown.
CREATE TABLE IF NOT EXISTS last_answers (
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    page INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (channel, chat)
);
"""
# Columns added after the first release, with their definitions, for older bot.sqlite files.
_ADDED_COLUMNS = {
    ("questions", "decline"): "TEXT NOT NULL DEFAULT ''",
    ("questions", "undelivered"): "INTEGER NOT NULL DEFAULT 0",
    ("feedback", "via"): "TEXT NOT NULL DEFAULT 'button'",
}


@dataclass(frozen=True)
class Record:
    """One stored question with what the bot answered."""

    id: int
    chat: str
    user: str
    question: str
    resolved: str  # the question as searched, with the chat's context
    status: Status
    answer: str
    citations: tuple[Citation, ...]
    undelivered: bool = False


@dataclass(frozen=True)
class Period:
    """Counts over one period (today or the last 7 days)."""

    questions: int = 0
    answered: int = 0
    abstained: int = 0
    greetings: int = 0
    refused: int = 0  # rate-limited or unreadable questions
    failed: int = 0  # errors and questions never answered
    undelivered: int = 0  # replies (answers included) that did not reach the member
    up: int = 0
    down: int = 0
    reactions: int = 0  # of the votes, those given as Telegram reactions
    reasons: dict[str, int] = field(default_factory=dict)
    declines: dict[str, int] = field(default_factory=dict)  # abstained, by Answer.reason
    median_ms: float | None = None
    p95_ms: float | None = None


class Store:
    """Thread-safe access to `bot.sqlite`; every call is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.database = Database(path, _SCHEMA)
        self.path = self.database.path
        self._db, self._lock = self.database.connection, self.database.lock
        self._tx = self.database.tx
        for (table, name), definition in _ADDED_COLUMNS.items():
            columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if name not in columns:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")

    def close(self) -> None:
        """Close the database."""
        self.database.close()

    def claim(
        self, channel: str, chat: str, user: str, question: str, message: str | None = None
    ) -> int | None:
        """Record a new question; None if this channel message was already claimed."""
        try:
            with self._tx() as db:
                cursor = db.execute(
                    "INSERT INTO questions (asked_at, channel, chat, user, message, question) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (now(), channel, chat, user, message, question),
                )
        except sqlite3.IntegrityError:
            return None
        return int(cursor.lastrowid or 0)

    def finish(
        self,
        question_id: int,
        status: Status,
        answer: Answer | None = None,
        text: str = "",
        resolved: str = "",
        latency_ms: float | None = None,
    ) -> bool:
        """Store the outcome of a claimed question: answer (or `text`), citations, the
        question as searched. Only a pending question takes an outcome; False otherwise."""
        if status == Status.PENDING:
            raise ValueError("a question's outcome cannot be 'pending'")
        citations = [asdict(c) for c in answer.citations] if answer else []
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE questions SET status = ?, answer = ?, abstained = ?, citations = ?, "
                "resolved = ?, latency_ms = ?, decline = ? WHERE id = ? AND status = ?",
                (
                    str(status),
                    answer.text if answer else text,
                    None if answer is None else int(answer.abstained),
                    json.dumps(citations, ensure_ascii=False),
                    resolved,
                    latency_ms,
                    answer.reason if answer else "",
                    question_id,
                    str(Status.PENDING),
                ),
            )
        return cursor.rowcount == 1

    def undelivered(self, question_id: int) -> None:
        """Mark a reply that did not (fully) reach the member; its answer stays stored."""
        with self._tx() as db:
            db.execute("UPDATE questions SET undelivered = 1 WHERE id = ?", (question_id,))

    def remember(self, channel: str, chat: str, question_id: int, page: int = 0) -> None:
        """The answer (and page of passages) a chat's next feedback or "/them" refers to."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO last_answers (channel, chat, question_id, page, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, chat) DO UPDATE SET "
                "question_id = excluded.question_id, page = excluded.page, at = excluded.at",
                (channel, chat, question_id, page, now()),
            )

    def last(self, channel: str, chat: str) -> tuple[int, int] | None:
        """(question id, page) of a chat's last answer, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT question_id, page FROM last_answers WHERE channel = ? AND chat = ?",
                (channel, chat),
            ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def get(self, question_id: int) -> Record | None:
        """One stored question, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, chat, user, question, resolved, status, answer, citations, "
                "undelivered FROM questions WHERE id = ?",
                (question_id,),
            ).fetchone()
        if row is None:
            return None
        citations = citations_from_json(row[7])
        return Record(
            *row[:5],
            status=Status(row[5]),
            answer=row[6],
            citations=citations,
            undelivered=bool(row[8]),
        )

    def vote(
        self,
        question_id: int,
        user: str,
        vote: int,
        reason: str | None = None,
        via: str = "button",
    ) -> bool:
        """Store (or change) a user's 👍 (+1) or 👎 (-1) and optional reason; False if unknown.
        `via`: how it was given (button, text, reaction)."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone():
                db.execute(
                    "INSERT INTO feedback (question_id, user, at, vote, reason, via) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (question_id, user) DO UPDATE SET "
                    "at = excluded.at, vote = excluded.vote, via = excluded.via, "
                    "reason = coalesce(excluded.reason, CASE WHEN feedback.vote = excluded.vote "
                    "THEN feedback.reason END)",
                    (question_id, user, now(), vote, reason, via),
                )
                return True
        return False

    def unvote(self, question_id: int, user: str, via: str) -> bool:
        """Withdraw a user's vote given `via` (a reaction taken back); False if none."""
        with self._tx() as db:
            gone = db.execute(
                "DELETE FROM feedback WHERE question_id = ? AND user = ? AND via = ?",
                (question_id, user, via),
            ).rowcount
        return gone > 0

    def period(self, since: datetime) -> Period:
        """Counts of questions and feedback asked at or after `since`."""
        start = since.astimezone(UTC).isoformat(timespec="seconds")
        with self._lock:
            counts = dict(
                self._db.execute(
                    "SELECT status, count(*) FROM questions WHERE asked_at >= ? GROUP BY status",
                    (start,),
                ).fetchall()
            )
            latencies = [
                r[0]
                for r in self._db.execute(
                    "SELECT latency_ms FROM questions WHERE asked_at >= ? AND latency_ms "
                    "IS NOT NULL AND status IN (?, ?) ORDER BY latency_ms",
                    (start, str(Status.ANSWERED), str(Status.DECLINED)),
                )
            ]
            votes = dict(
                self._db.execute(
                    "SELECT f.vote, count(*) FROM feedback f JOIN questions q "
                    "ON q.id = f.question_id WHERE q.asked_at >= ? GROUP BY f.vote",
                    (start,),
                ).fetchall()
            )
            (reactions,) = self._db.execute(
                "SELECT count(*) FROM feedback f JOIN questions q ON q.id = f.question_id "
                "WHERE q.asked_at >= ? AND f.via = 'reaction'",
                (start,),
            ).fetchone()
            reasons = dict(
                self._db.execute(
                    "SELECT f.reason, count(*) FROM feedback f JOIN questions q "
                    "ON q.id = f.question_id WHERE q.asked_at >= ? AND f.vote < 0 "
                    "AND f.reason IS NOT NULL GROUP BY f.reason",
                    (start,),
                ).fetchall()
            )
            declines = dict(
                self._db.execute(
                    "SELECT decline, count(*) FROM questions WHERE asked_at >= ? "
                    "AND status = ? GROUP BY decline",
                    (start, str(Status.DECLINED)),
                ).fetchall()
            )
            (undelivered,) = self._db.execute(
                "SELECT count(*) FROM questions WHERE asked_at >= ? AND undelivered = 1",
                (start,),
            ).fetchone()
        return Period(
            questions=sum(counts.values()),
            answered=counts.get(Status.ANSWERED, 0),
            abstained=counts.get(Status.DECLINED, 0),
            greetings=counts.get(Status.GREETING, 0),
            refused=counts.get(Status.RATE_LIMITED, 0) + counts.get(Status.REJECTED, 0),
            failed=counts.get(Status.FAILED, 0) + counts.get(Status.PENDING, 0),
            undelivered=undelivered,
            up=votes.get(1, 0),
            down=votes.get(-1, 0),
            reactions=reactions,
            reasons=reasons,
            declines=declines,
            median_ms=latencies[len(latencies) // 2] if latencies else None,
            p95_ms=_p95(latencies),
        )

    def today_and_week(self, now: datetime | None = None) -> tuple[Period, Period]:
        """Counts since midnight (Vietnam time) and over the last 7 days."""
        now = (now or datetime.now(UTC)).astimezone(VIETNAM)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return self.period(midnight), self.period(now - timedelta(days=7))

    def log(self, f: LogFilter, limit: int = 50, offset: int = 0) -> tuple[list[LogEntry], int]:
        """The questions that pass the filter, newest first, and how many pass in all."""
        where, params = _where(f)
        with self._lock:
            (total,) = self._db.execute(
                f"SELECT count(*) FROM questions q WHERE {where}", params
            ).fetchone()
            rows = self._db.execute(
                "SELECT q.id, q.asked_at, q.channel, q.chat, q.user, q.question, q.resolved, "
                "q.status, q.answer, q.citations, q.latency_ms, q.decline, q.undelivered, "
                "(SELECT count(*) FROM feedback u WHERE u.question_id = q.id AND u.vote > 0), "
                "(SELECT count(*) FROM feedback d WHERE d.question_id = q.id AND d.vote < 0), "
                "(SELECT group_concat(r.reason, ' ') FROM feedback r WHERE r.question_id = q.id "
                "AND r.vote < 0 AND r.reason IS NOT NULL) "
                f"FROM questions q WHERE {where} ORDER BY q.id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        entries = [
            LogEntry(
                id=row[0],
                asked_at=datetime.fromisoformat(row[1]).astimezone(VIETNAM),
                channel=row[2],
                chat=row[3],
                user=row[4],
                question=row[5],
                resolved=row[6],
                status=Status(row[7]),
                answer=row[8],
                citations=citations_from_json(row[9]),
                latency_ms=row[10],
                decline=row[11],
                undelivered=bool(row[12]),
                up=row[13],
                down=row[14],
                reasons=tuple((row[15] or "").split()),
            )
            for row in rows
        ]
        return entries, int(total)

    def daily(self, days: int, now: datetime | None = None) -> list[Day]:
        """The last `days` Vietnamese days, oldest first, every day present (zeros included)."""
        today = (now or datetime.now(UTC)).astimezone(VIETNAM).date()
        first = today - timedelta(days=days - 1)
        with self._lock:
            rows = self._db.execute(
                "SELECT date(asked_at, '+7 hours') AS day, status, latency_ms FROM questions "
                "WHERE date(asked_at, '+7 hours') >= ?",
                (first.isoformat(),),
            ).fetchall()
            votes = self._db.execute(
                "SELECT date(q.asked_at, '+7 hours'), f.vote, count(*) FROM feedback f "
                "JOIN questions q ON q.id = f.question_id WHERE date(q.asked_at, '+7 hours') >= ? "
                "GROUP BY 1, 2",
                (first.isoformat(),),
            ).fetchall()
        counts: dict[str, dict[str, int]] = {}
        latencies: dict[str, list[float]] = {}
        for day, status, latency in rows:
            kind = {Status.ANSWERED: "answered", Status.DECLINED: "declined"}.get(Status(status))
            per = counts.setdefault(day, {"answered": 0, "declined": 0, "other": 0})
            per[kind or "other"] += 1
            if kind and latency is not None:
                latencies.setdefault(day, []).append(latency)
        voted: dict[tuple[str, int], int] = {(d, v): n for d, v, n in votes}
        out = []
        for k in range(days):
            day = (first + timedelta(days=k)).isoformat()
            times = sorted(latencies.get(day, []))
            out.append(
                Day(
                    day=first + timedelta(days=k),
                    **counts.get(day, {}),
                    median_ms=times[len(times) // 2] if times else None,
                    p95_ms=_p95(times),
                    up=voted.get((day, 1), 0),
                    down=voted.get((day, -1), 0),
                )
            )
        return out

    def channels(self) -> list[str]:
        """The channels questions came from."""
        with self._lock:
            return [
                r[0] for r in self._db.execute("SELECT DISTINCT channel FROM questions ORDER BY 1")
            ]


@dataclass(frozen=True)
class LogFilter:
    """Which questions the admin console's log shows (every field optional)."""

    channel: str = ""
    since: date | None = None  # Vietnamese days, inclusive
    until: date | None = None
    declined: bool = False
    disliked: bool = False  # with at least one 👎
    decline: str = ""  # why it was declined (Answer.reason)
    text: str = ""  # in the question (as written)


@dataclass(frozen=True)
class LogEntry:
    """One question as the console lists it: what was asked, answered and said of it."""

    id: int
    asked_at: datetime  # Vietnam time
    channel: str
    chat: str
    user: str
    question: str
    resolved: str
    status: Status
    answer: str
    citations: tuple[Citation, ...]
    latency_ms: float | None
    decline: str
    undelivered: bool
    up: int
    down: int
    reasons: tuple[str, ...]  # of the 👎 given


@dataclass(frozen=True)
class Day:
    """One Vietnamese day of questions, for the console's plots."""

    day: date
    answered: int = 0
    declined: int = 0
    other: int = 0  # greetings, refused, failed
    median_ms: float | None = None
    p95_ms: float | None = None
    up: int = 0
    down: int = 0
    reactions: int = 0  # of the votes, those given as Telegram reactions


def _where(f: LogFilter) -> tuple[str, list[object]]:
    clauses, params = ["1"], []
    if f.channel:
        clauses.append("q.channel = ?")
        params.append(f.channel)
    if f.since:
        clauses.append("date(q.asked_at, '+7 hours') >= ?")
        params.append(f.since.isoformat())
    if f.until:
        clauses.append("date(q.asked_at, '+7 hours') <= ?")
        params.append(f.until.isoformat())
    if f.declined or f.decline:
        clauses.append("q.status = ?")
        params.append(str(Status.DECLINED))
    if f.decline:
        clauses.append("q.decline = ?")
        params.append(f.decline)
    if f.disliked:
        clauses.append(
            "EXISTS (SELECT 1 FROM feedback d WHERE d.question_id = q.id AND d.vote < 0)"
        )
    if f.text:
        clauses.append("instr(lower(q.question), lower(?)) > 0")
        params.append(f.text)
    return " AND ".join(clauses), params


def citations_from_json(raw: str) -> tuple[Citation, ...]:
    """The citations column, back as Citations."""
    return tuple(Citation(**{**c, "quotes": tuple(c["quotes"])}) for c in json.loads(raw))


def _p95(ordered: list[float]) -> float | None:
    """The 95th percentile of sorted values (nearest rank), None of none."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]
