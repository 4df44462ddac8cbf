"""Study sessions (`/ontap Chỉ thị 05`): a short quiz on a document or a topic, one
question at a time, each answer shown with its cited sentence, a score at the end; every
session and answer kept in bot.sqlite per member."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.database import Database, now
from bot.quiz import QUESTIONS, Question, QuizMaker
from bot.store import VIETNAM
from index.references import Reference, matches, parse_question_references
from index.vietnamese import fold
from retrieval.searcher import Searcher, Snapshot

TOPIC_HITS = 12  # passages a topic's quiz is made from
_SCHEMA = """
CREATE TABLE IF NOT EXISTS quizzes (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    user TEXT NOT NULL,
    subject TEXT NOT NULL,  -- what the member asked to study, as named for them
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active',  -- active, finished, stopped
    total INTEGER NOT NULL,
    correct INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS quizzes_player ON quizzes (channel, chat, user, status);
CREATE TABLE IF NOT EXISTS quiz_questions (
    quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
    n INTEGER NOT NULL,  -- 1-based
    body TEXT NOT NULL,  -- the Question, as JSON
    chosen INTEGER,  -- the option the member chose, NULL until answered
    answered_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (quiz_id, n)
);
"""


@dataclass(frozen=True)
class Asked:
    """A question of a session, as sent."""

    quiz_id: int
    n: int
    total: int
    subject: str
    question: Question


@dataclass(frozen=True)
class Answered:
    """What a member's choice gave: right or not, and what comes next."""

    asked: Asked
    chosen: int
    right: bool
    following: Asked | None  # the next question; None when the session is over
    correct: int  # right answers so far
    total: int


@dataclass(frozen=True)
class Result:
    """One finished (or stopped) session, for a member's history and the console."""

    quiz_id: int
    channel: str
    user: str
    subject: str
    started_at: str
    status: str
    correct: int
    total: int


class StudyBook:
    """Sessions and their questions in bot.sqlite."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path, _SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def start(
        self, channel: str, chat: str, user: str, subject: str, questions: list[Question]
    ) -> Asked:
        """A new session (the member's unfinished one in this chat is stopped)."""
        with self.db.tx() as db:
            db.execute(
                "UPDATE quizzes SET status = 'stopped', finished_at = ? WHERE channel = ? "
                "AND chat = ? AND user = ? AND status = 'active'",
                (now(), channel, chat, user),
            )
            quiz_id = db.execute(
                "INSERT INTO quizzes (channel, chat, user, subject, started_at, total) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (channel, chat, user, subject, now(), len(questions)),
            ).lastrowid
            db.executemany(
                "INSERT INTO quiz_questions (quiz_id, n, body) VALUES (?, ?, ?)",
                [
                    (quiz_id, n, json.dumps(q.to_dict(), ensure_ascii=False))
                    for n, q in enumerate(questions, start=1)
                ],
            )
        assert quiz_id is not None
        return Asked(quiz_id, 1, len(questions), subject, questions[0])

    def active(self, channel: str, chat: str, user: str) -> Asked | None:
        """The member's session in this chat and its current question, if one is going on."""
        row = self.db.row(
            "SELECT id FROM quizzes WHERE channel = ? AND chat = ? AND user = ? "
            "AND status = 'active' ORDER BY id DESC LIMIT 1",
            (channel, chat, user),
        )
        return None if row is None else self._current(row[0])

    def _current(self, quiz_id: int) -> Asked | None:
        row = self.db.row(
            "SELECT q.n, q.body, z.total, z.subject FROM quiz_questions q JOIN quizzes z "
            "ON z.id = q.quiz_id WHERE q.quiz_id = ? AND q.chosen IS NULL ORDER BY q.n LIMIT 1",
            (quiz_id,),
        )
        if row is None:
            return None
        return Asked(quiz_id, row[0], row[2], row[3], Question.from_dict(json.loads(row[1])))

    def answer(
        self, channel: str, chat: str, user: str, at: tuple[int, int] | None, chosen: int
    ) -> Answered | None:
        """Record the member's choice for the current question of their session (`at`, the
        quiz id and question number of a button, must be that question: an old button is not
        an answer); None when there is no such question or the option does not exist."""
        current = self.active(channel, chat, user)
        if current is None or at not in (None, (current.quiz_id, current.n)):
            return None
        if not 0 <= chosen < len(current.question.options):
            return None
        right = chosen == current.question.correct
        with self.db.tx() as db:
            done = db.execute(
                "UPDATE quiz_questions SET chosen = ?, answered_at = ? WHERE quiz_id = ? "
                "AND n = ? AND chosen IS NULL",
                (chosen, now(), current.quiz_id, current.n),
            ).rowcount
            if not done:  # the same button pressed twice at once
                return None
            db.execute(
                "UPDATE quizzes SET correct = correct + ? WHERE id = ?",
                (int(right), current.quiz_id),
            )
            correct = db.execute(
                "SELECT correct FROM quizzes WHERE id = ?", (current.quiz_id,)
            ).fetchone()[0]
            if current.n == current.total:
                db.execute(
                    "UPDATE quizzes SET status = 'finished', finished_at = ? WHERE id = ?",
                    (now(), current.quiz_id),
                )
        following = self._current(current.quiz_id) if current.n < current.total else None
        return Answered(current, chosen, right, following, correct, current.total)

    def stop(self, channel: str, chat: str, user: str) -> Result | None:
        """End the member's session early; its result so far, or None if none was going on."""
        current = self.active(channel, chat, user)
        if current is None:
            return None
        self.db.run(
            "UPDATE quizzes SET status = 'stopped', finished_at = ? WHERE id = ?",
            (now(), current.quiz_id),
        )
        return self.results(quiz_id=current.quiz_id)[0]

    def results(
        self,
        channel: str | None = None,
        user: str | None = None,
        quiz_id: int | None = None,
        limit: int = 100,
    ) -> list[Result]:
        """Sessions, newest first: a member's, or everyone's (the console)."""
        rows = self.db.rows(
            "SELECT id, channel, user, subject, started_at, status, correct, total FROM quizzes "
            "WHERE (? IS NULL OR channel = ?) AND (? IS NULL OR user = ?) "
            "AND (? IS NULL OR id = ?) ORDER BY id DESC LIMIT ?",
            (channel, channel, user, user, quiz_id, quiz_id, limit),
        )
        return [Result(*r) for r in rows]

    def by_subject(self, limit: int = 50) -> list[tuple[str, int, int, float | None]]:
        """(subject, sessions, finished, mean share right of the finished), most studied first."""
        return [
            (r[0], r[1], r[2] or 0, r[3])
            for r in self.db.rows(
                "SELECT subject, count(*), sum(status = 'finished'), avg(CASE WHEN status = "
                "'finished' THEN 1.0 * correct / total END) FROM quizzes GROUP BY subject "
                "ORDER BY count(*) DESC, subject LIMIT ?",
                (limit,),
            )
        ]

    def counts(self) -> dict[str, float]:
        """Sessions started and finished, members, the mean share of right answers."""
        started, finished, members, share = self.db.row(
            "SELECT count(*), sum(status = 'finished'), count(DISTINCT channel || ':' || user), "
            "avg(CASE WHEN status = 'finished' THEN 1.0 * correct / total END) FROM quizzes"
        ) or (0, 0, 0, None)
        return {
            "started": started or 0,
            "finished": finished or 0,
            "members": members or 0,
            "share": share if share is not None else -1.0,
        }


@dataclass(frozen=True)
class Material:
    """What a session is made from: the rows, what it is called, the documents it is about."""

    subject: str
    rows: list[int]
    about: tuple[Reference, ...]


def material(snap: Snapshot, searcher: Searcher, wanted: str) -> Material | None:
    """The passages to study `wanted` from: an indexed document's own text, else the
    passages that mention the document, else (a topic) the passages search finds."""
    references = parse_question_references(wanted)
    if references:
        documents = snap.documents_named(references)
        if documents:
            doc = documents[0]
            name = doc.official.name if doc.official is not None else doc.title
            return Material(name or doc.title, snap.rows_of(doc.doc_id), tuple(references))
        rows = snap.rows_mentioning(tuple(references))
        if not rows:
            return None
        docs = list(dict.fromkeys(snap.chunks[r].doc_id for r in rows))
        named = [e for c, e in snap.register.items() if any(matches(r, c) for r in references)]
        subject = named[0].name if named else " ".join(wanted.split())
        # the whole articles that mention it: their other sentences report on it too
        return Material(subject, [r for d in docs for r in snap.rows_of(d)], tuple(references))
    if not fold(wanted).strip():
        return None
    result = searcher.search(wanted, k=TOPIC_HITS)
    rows = [hit.row for hit in result.hits]
    return Material(" ".join(wanted.split()), rows, ()) if rows else None


_makers: dict[Path, QuizMaker] = {}  # the served version's (its option pools are read once)


def make_questions(snap: Snapshot, found: Material, seed: int) -> list[Question]:
    """The session's questions; the same seed gives the same questions."""
    maker = _makers.get(snap.directory)
    if maker is None:
        _makers.clear()
        maker = _makers[snap.directory] = QuizMaker(snap)
    return maker.questions(found.rows, QUESTIONS, seed, found.about)


def day_seed(channel: str, chat: str, subject: str, today: date | None = None) -> int:
    """One quiz per chat, subject and day: every member of a chi bộ's group who studies the
    same document that day answers the same questions (their scores compare), and a member
    who tries again the same day retries the same questions."""
    day = (today or datetime.now(VIETNAM).date()).isoformat()
    digest = hashlib.sha256(f"{channel}\x00{chat}\x00{fold(subject)}\x00{day}".encode())
    return int.from_bytes(digest.digest()[:4], "big")
