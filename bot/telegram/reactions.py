"""Which answer a Telegram message belongs to, so that a reaction (👍, 👎) put on any of
the answer's messages counts as feedback on it; kept in bot.sqlite."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.database import Database, now

VOTES = {"👍": 1, "👎": -1}  # the reactions that are feedback; any other is not
_SCHEMA = """
CREATE TABLE IF NOT EXISTS telegram_answers (
    chat TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    sent_at TEXT NOT NULL,
    PRIMARY KEY (chat, message_id)
);
"""


class AnswerMessages:
    """The messages each answer was sent as."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path, _SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def record(self, chat: str, message_ids: Iterable[int], question_id: int) -> None:
        """The answer to `question_id` went out as these messages."""
        at = now()
        with self.db.tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO telegram_answers (chat, message_id, question_id, "
                "sent_at) VALUES (?, ?, ?, ?)",
                [(chat, m, question_id, at) for m in message_ids],
            )

    def question(self, chat: str, message_id: int) -> int | None:
        """The question whose answer this message is part of, or None."""
        row = self.db.row(
            "SELECT question_id FROM telegram_answers WHERE chat = ? AND message_id = ?",
            (chat, message_id),
        )
        return None if row is None else int(row[0])


def vote_of(emojis: Iterable[str]) -> int:
    """The vote a set of reactions means: 👍 +1, 👎 -1, neither (or both) 0."""
    votes = {VOTES[e] for e in emojis if e in VOTES}
    return votes.pop() if len(votes) == 1 else 0
