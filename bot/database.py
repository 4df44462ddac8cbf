"""One connection to bot.sqlite for a part of the bot that keeps its own tables (feeds,
follows, quizzes, saved answers): WAL, a lock for the threads that share it, short
transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class Database:
    """`bot.sqlite` opened with a schema (CREATE … IF NOT EXISTS statements)."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA busy_timeout=5000")  # other connections write too
        self.connection.executescript(schema)
        self.lock = threading.Lock()  # hold it around any use of `connection`

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.connection.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything in it lands, or nothing does."""
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query."""
        with self.lock:
            return self.connection.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        with self.lock:
            return self.connection.execute(sql, params).fetchone()

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement on its own; the number of rows it changed."""
        with self.lock:
            return self.connection.execute(sql, params).rowcount


def now() -> str:
    """The time stored in bot.sqlite: UTC, ISO, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")
