"""SQLite storage: the articles and chunks of one version, and the embedding cache."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from index.documents import Article, Chunk, Official

_SCHEMA = """
CREATE TABLE articles (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL,
    url TEXT NOT NULL, published_at TEXT NOT NULL, path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    official TEXT NOT NULL DEFAULT '',  -- an official document's header (JSON), '' for an article
    ocr INTEGER NOT NULL DEFAULT 0  -- 1: its text was read from page images
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY,  -- the chunk's row in the dense and lexical indexes
    doc_id TEXT NOT NULL REFERENCES articles(doc_id), ordinal INTEGER NOT NULL,
    text TEXT NOT NULL, paragraph INTEGER NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, refs TEXT NOT NULL,  -- canonical reference ids, space-separated
    unit TEXT NOT NULL DEFAULT '', heading TEXT NOT NULL DEFAULT ''
);
CREATE INDEX chunks_doc ON chunks(doc_id);
"""


def write_version_db(path: Path, articles: Sequence[Article], chunks: Sequence[Chunk]) -> None:
    """Write a new chunks database; row i of `chunks` becomes row i of every index."""
    db = sqlite3.connect(path)
    try:
        db.executescript(_SCHEMA)
        db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    a.doc_id,
                    a.title,
                    a.text,
                    a.source,
                    a.url,
                    a.published_at,
                    a.path,
                    a.content_hash,
                    a.official.to_json() if a.official else "",
                    int(a.ocr),
                )
                for a in articles
            ),
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (i, c.doc_id, c.ordinal, c.text, c.paragraph, c.start, c.end, *_structure(c))
                for i, c in enumerate(chunks)
            ),
        )
        db.commit()
    finally:
        db.close()


def read_version_db(path: Path) -> tuple[dict[str, Article], list[Chunk]]:
    """Read every article (by doc_id) and every chunk (in row order) of a version."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        # A version written before official documents has neither column: read "" for them.
        official = "official" if _has_column(db, "articles", "official") else "''"
        ocr = "ocr" if _has_column(db, "articles", "ocr") else "0"
        structure = "unit, heading" if _has_column(db, "chunks", "unit") else "'', ''"
        articles = {
            row[0]: Article(*row[:7], official=Official.from_json(row[7]), ocr=bool(row[8]))
            for row in db.execute(
                "SELECT doc_id, title, text, source, url, published_at, path, "
                f"{official}, {ocr} FROM articles"
            )
        }
        chunks = [
            Chunk(doc_id, ordinal, text, paragraph, start, end, tuple(refs.split()), unit, heading)
            for doc_id, ordinal, text, paragraph, start, end, refs, unit, heading in db.execute(
                f'SELECT doc_id, ordinal, text, paragraph, start, "end", refs, {structure} '
                "FROM chunks ORDER BY row"
            )
        ]
    finally:
        db.close()
    return articles, chunks


def read_documents(path: Path) -> list[tuple[str, Official, bool, int]]:
    """The official documents of a version without loading its chunks: (doc_id, header,
    read by OCR, number of units), by date."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not _has_column(db, "articles", "official"):
            return []
        ocr = "a.ocr" if _has_column(db, "articles", "ocr") else "0"
        unit = "c.unit" if _has_column(db, "chunks", "unit") else "''"
        rows = db.execute(
            f"SELECT a.doc_id, a.official, {ocr}, COUNT(DISTINCT {unit}) FROM articles a "
            "JOIN chunks c ON c.doc_id = a.doc_id WHERE a.official != '' "
            "GROUP BY a.doc_id ORDER BY a.published_at, a.doc_id"
        ).fetchall()
    finally:
        db.close()
    return [(doc_id, Official.from_json(o), bool(r), n) for doc_id, o, r, n in rows]


def _structure(chunk: Chunk) -> tuple[str, str, str]:
    return " ".join(chunk.refs), chunk.unit, chunk.heading


def _has_column(db: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})"))


def text_key(text: str) -> str:
    """Cache key of an embedded text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """Embeddings by content, per embedder, so no text is ever embedded twice."""

    def __init__(self, path: Path, embedder_id: str, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (embedder TEXT NOT NULL, key TEXT NOT NULL, "
            "vector BLOB NOT NULL, PRIMARY KEY (embedder, key)) WITHOUT ROWID"
        )
        self._embedder = embedder_id
        self._dim = dim

    def get_many(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among `keys`."""
        found: dict[str, np.ndarray] = {}
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for key, blob in self._db.execute(
                f"SELECT key, vector FROM vectors WHERE embedder = ? AND key IN ({marks})",
                (self._embedder, *part),
            ):
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape == (self._dim,):
                    found[key] = vector
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store vectors and commit, so a killed build keeps what it already embedded."""
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
            ((self._embedder, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in items),
        )
        self._db.commit()

    def close(self) -> None:
        """Close the database."""
        self._db.close()
