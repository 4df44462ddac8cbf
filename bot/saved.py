"""Answers a member keeps (⭐ on Telegram, `/luu` anywhere) and reads again with `/daluu`:
the question, the answer and its sources, as they were sent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.database import Database, now
from bot.store import citations_from_json
from retrieval.answering import Citation

MAX_SAVED = 200  # per member; the oldest go first
_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_answers (
    channel TEXT NOT NULL,
    user TEXT NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    saved_at TEXT NOT NULL,
    PRIMARY KEY (channel, user, question_id)
);
"""


@dataclass(frozen=True)
class SavedAnswer:
    """One kept answer."""

    question_id: int
    saved_at: str
    question: str
    answer: str
    citations: tuple[Citation, ...]


class SavedBook:
    """Saved answers in bot.sqlite, beside the questions they point to."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path, _SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def save(self, channel: str, user: str, question_id: int) -> bool:
        """Keep an answered question for a member; False if it was kept already or is not
        an answer."""
        with self.db.tx() as db:
            answered = db.execute(
                "SELECT 1 FROM questions WHERE id = ? AND status = 'answered'", (question_id,)
            ).fetchone()
            if answered is None:
                return False
            added = db.execute(
                "INSERT OR IGNORE INTO saved_answers (channel, user, question_id, saved_at) "
                "VALUES (?, ?, ?, ?)",
                (channel, user, question_id, now()),
            ).rowcount
            db.execute(
                "DELETE FROM saved_answers WHERE channel = ? AND user = ? AND question_id NOT IN "
                "(SELECT question_id FROM saved_answers WHERE channel = ? AND user = ? "
                "ORDER BY saved_at DESC, rowid DESC LIMIT ?)",
                (channel, user, channel, user, MAX_SAVED),
            )
        return added > 0

    def saved(self, channel: str, user: str, limit: int = MAX_SAVED) -> list[SavedAnswer]:
        """A member's kept answers, the newest first."""
        rows = self.db.rows(
            "SELECT s.question_id, s.saved_at, q.question, q.answer, q.citations "
            "FROM saved_answers s JOIN questions q ON q.id = s.question_id "
            "WHERE s.channel = ? AND s.user = ? ORDER BY s.saved_at DESC, s.rowid DESC LIMIT ?",
            (channel, user, limit),
        )
        return [SavedAnswer(r[0], r[1], r[2], r[3], citations_from_json(r[4])) for r in rows]

    def remove(self, channel: str, user: str, question_id: int) -> bool:
        """Forget one kept answer; False if it was not kept."""
        removed = self.db.run(
            "DELETE FROM saved_answers WHERE channel = ? AND user = ? AND question_id = ?",
            (channel, user, question_id),
        )
        return removed > 0

    def count(self) -> tuple[int, int]:
        """(answers kept, members keeping some), for /stats."""
        row = self.db.row(
            "SELECT count(*), count(DISTINCT channel || ':' || user) FROM saved_answers"
        )
        return (row[0], row[1]) if row else (0, 0)
