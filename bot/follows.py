"""Following a document or a topic (`/theodoi Chỉ thị 05`, `/theodoi chuyển đổi số`): what
a follow names, which new article is about it and the notice its followers get (one cited
sentence and the link), and the follows, the notice queue and the articles already seen in
bot.sqlite. Sending the queue is bot/broadcast.py.

Whatever adds articles (an admin's upload or link, `/reindex`, a feed, `hoidap index build`
in another process) publishes a new index version; the broadcaster compares its articles
with those already seen and, in one transaction, marks the new ones seen and queues one
notice per following chat and article.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.database import Database, now
from bot.render import shorten
from index.chunking import split_sentences
from index.documents import Article
from index.references import (
    Reference,
    extract_references,
    matches,
    parse_canonical,
    parse_question_references,
)
from index.register import KIND_NAMES
from index.vietnamese import fold
from retrieval.answering import is_caption_or_heading
from retrieval.searcher import Snapshot

log = logging.getLogger(__name__)

MAX_FOLLOWS = 20  # per chat
TOPIC_CHARS = (2, 80)
TOPIC_MENTIONS = 2  # times a topic must occur in an article's text (once in its title is enough)
SENTENCE_CHARS = 500  # a notice's quoted sentence, at most
ATTEMPTS = 5  # a notice refused this many times (not for flood control) is given up
_SCHEMA = """
CREATE TABLE IF NOT EXISTS follows (
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    user TEXT NOT NULL,  -- who asked (in a group, one member for the group)
    kind TEXT NOT NULL,  -- document, topic
    key TEXT NOT NULL,  -- a document's canonical id ("05-CT", "NQTW4-XI"), a folded topic
    label TEXT NOT NULL,  -- as members read it: "Chỉ thị 05-CT/TW", "chuyển đổi số"
    since TEXT NOT NULL,
    PRIMARY KEY (channel, chat, key)
);
CREATE TABLE IF NOT EXISTS notices (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    body TEXT NOT NULL,  -- the Notice, as JSON
    queued_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',  -- pending, sent, failed, blocked
    sent_at TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    UNIQUE (channel, chat, doc_id)
);
CREATE INDEX IF NOT EXISTS notices_status ON notices (status, id);
CREATE TABLE IF NOT EXISTS seen_articles (
    doc_id TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS follow_state (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Followed:
    """What a chat follows."""

    kind: str  # "document" or "topic"
    key: str
    label: str

    @property
    def reference(self) -> Reference | None:
        """The document a document follow names."""
        return parse_canonical(self.key) if self.kind == "document" else None


@dataclass(frozen=True)
class Follow:
    """One chat following one thing."""

    channel: str
    chat: str
    user: str
    followed: Followed


@dataclass(frozen=True)
class Notice:
    """What a follower is sent about a new article: one cited sentence and the link."""

    labels: tuple[str, ...]  # what the chat follows that the article is about
    doc_id: str
    title: str
    source: str
    date: str  # ISO, or ""
    sentence: str
    url: str

    def to_json(self) -> str:
        """As stored in the queue."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Notice:
        """Back from the queue."""
        data = json.loads(raw)
        data["labels"] = tuple(data["labels"])
        return cls(**data)


@dataclass(frozen=True)
class Queued:
    """A notice waiting in the queue."""

    id: int
    channel: str
    chat: str
    notice: Notice
    attempts: int


def followed_of(text: str, snap: Snapshot | None = None) -> Followed | None:
    """What `/theodoi <text>` follows: the document it names ("ct05", "Chỉ thị 05-CT/TW",
    "nghị quyết trung ương 4 khóa XI"), else the topic; None if the text is neither."""
    words = " ".join(text.split())
    references = parse_question_references(words)
    if references:
        ref = references[0]
        return Followed("document", ref.canonical, _document_label(ref, snap))
    key = " ".join(re.findall(r"\w+", fold(words)))
    if not TOPIC_CHARS[0] <= len(key) <= TOPIC_CHARS[1]:
        return None
    return Followed("topic", key, words)


def _document_label(ref: Reference, snap: Snapshot | None) -> str:
    """The document as the corpus names it ("Chỉ thị 05-CT/TW"), else as the member did."""
    named = [e for c, e in snap.register.items() if matches(ref, c)] if snap else []
    if named:
        entry = max(named, key=lambda e: len(e.mentions))
        if entry.reference.issuer or entry.reference.plenum is not None:  # "05-CT/TW"
            return entry.name
    if ref.plenum is not None:
        term = f" khóa {ref.term}" if ref.term else ""
        return f"Nghị quyết Trung ương {ref.plenum}{term}"
    number = f"{ref.number:02d}" if ref.number is not None else ""
    return f"{KIND_NAMES.get(ref.kind, ref.kind)} {number}".strip()


def notice_for(snap: Snapshot, article: Article, followed: Followed) -> Notice | None:
    """The notice about `article` for a follower of `followed`; None if it is not about it."""
    sentence = _cited_sentence(snap, article, followed)
    if sentence is None:
        return None
    return Notice(
        (followed.label,),
        article.doc_id,
        article.title or article.doc_id,
        article.source,
        article.published_at,
        shorten(sentence, SENTENCE_CHARS),
        article.url,
    )


def _cited_sentence(snap: Snapshot, article: Article, followed: Followed) -> str | None:
    """The first sentence of the article that names what is followed (a caption or a heading
    only when nothing else does); None when the article is not about it."""
    sentences = [
        (article.text[a:b], is_caption_or_heading(article.text, a, b))
        for a, b in split_sentences(article.text)
    ]
    ref = followed.reference
    if ref is not None:
        if not _names_document(snap, article, ref):
            return None
        naming = [(s, aside) for s, aside in sentences if _names(s, ref)]
    else:
        words = r"\W+".join(re.escape(w) for w in followed.key.split())
        pattern = re.compile(rf"\b{words}\b")
        in_title = bool(pattern.search(fold(article.title)))
        naming = [(s, aside) for s, aside in sentences if pattern.search(fold(s))]
        if not in_title and len(naming) < TOPIC_MENTIONS:
            return None
    naming.sort(key=lambda item: item[1])  # real sentences first, order kept
    if naming:
        return naming[0][0]
    return next((s for s, aside in sentences if not aside), None) or article.title


def _names_document(snap: Snapshot, article: Article, ref: Reference) -> bool:
    """Whether the article is the document itself or one of its passages names it."""
    if any(a.doc_id == article.doc_id for a in snap.documents_named([ref])):
        return True
    return any(
        matches(ref, canonical)
        for row in snap.rows_of(article.doc_id)
        for canonical in snap.chunks[row].refs
    )


def _names(sentence: str, ref: Reference) -> bool:
    """Whether a sentence names the document."""
    return any(matches(ref, found.canonical) for found, _, _ in extract_references(sentence))


class FollowBook:
    """Follows, the notice queue and the articles already seen, in bot.sqlite."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path, _SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # -- follows ------------------------------------------------------------------------

    def follow(self, channel: str, chat: str, user: str, followed: Followed) -> bool:
        """Add a follow; False when the chat already follows it."""
        with self.db.tx() as db:
            changed = db.execute(
                "INSERT OR IGNORE INTO follows (channel, chat, user, kind, key, label, since) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (channel, chat, user, followed.kind, followed.key, followed.label, now()),
            ).rowcount
        return changed > 0

    def unfollow(self, channel: str, chat: str, key: str | None = None) -> int:
        """Remove one follow (or every follow of the chat, `key` None); how many went."""
        if key is None:
            return self.db.run(
                "DELETE FROM follows WHERE channel = ? AND chat = ?", (channel, chat)
            )
        return self.db.run(
            "DELETE FROM follows WHERE channel = ? AND chat = ? AND key = ?", (channel, chat, key)
        )

    def follows(self, channel: str | None = None, chat: str | None = None) -> list[Follow]:
        """The follows of a chat (or of everyone), oldest first."""
        rows = self.db.rows(
            "SELECT channel, chat, user, kind, key, label FROM follows "
            "WHERE (? IS NULL OR channel = ?) AND (? IS NULL OR chat = ?) ORDER BY since, rowid",
            (channel, channel, chat, chat),
        )
        return [Follow(r[0], r[1], r[2], Followed(r[3], r[4], r[5])) for r in rows]

    # -- articles seen and the queue ----------------------------------------------------

    def unseen(self, doc_ids: Iterable[str]) -> list[str] | None:
        """The articles not seen before, in the given order; None the first time ever (every
        article of the first index is taken as known: nobody is told about old ones)."""
        if self.db.row("SELECT 1 FROM follow_state WHERE name = 'baseline'") is None:
            return None
        seen = {r[0] for r in self.db.rows("SELECT doc_id FROM seen_articles")}
        return [d for d in doc_ids if d not in seen]

    def queue(self, doc_ids: Sequence[str], notices: Sequence[tuple[str, str, Notice]]) -> int:
        """Mark articles seen and queue their notices (channel, chat, notice) together;
        how many were queued (a chat gets one notice per article)."""
        at = now()
        with self.db.tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO follow_state (name, value) VALUES ('baseline', ?)", (at,)
            )
            db.executemany(
                "INSERT OR IGNORE INTO seen_articles (doc_id, seen_at) VALUES (?, ?)",
                [(d, at) for d in doc_ids],
            )
            queued = 0
            for channel, chat, notice in notices:
                queued += db.execute(
                    "INSERT OR IGNORE INTO notices (channel, chat, doc_id, body, queued_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (channel, chat, notice.doc_id, notice.to_json(), at),
                ).rowcount
        return queued

    def pending(self, channels: Iterable[str], limit: int = 200) -> list[Queued]:
        """Notices still to send on these channels, oldest first."""
        names = list(channels)
        if not names:
            return []
        marks = ", ".join("?" * len(names))
        rows = self.db.rows(
            "SELECT id, channel, chat, body, attempts FROM notices "
            f"WHERE status = 'pending' AND channel IN ({marks}) ORDER BY id LIMIT ?",
            (*names, limit),
        )
        return [Queued(r[0], r[1], r[2], Notice.from_json(r[3]), r[4]) for r in rows]

    def sent(self, notice_id: int) -> None:
        """The channel took the notice."""
        self.db.run(
            "UPDATE notices SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
            "WHERE id = ?",
            (now(), notice_id),
        )

    def refused(self, notice_id: int, error: str, give_up: bool) -> None:
        """The channel refused it: tried again later, or given up."""
        self.db.run(
            "UPDATE notices SET attempts = attempts + 1, error = ?, "
            "status = CASE WHEN ? THEN 'failed' ELSE status END WHERE id = ?",
            (error[:300], give_up, notice_id),
        )

    def blocked(self, channel: str, chat: str) -> int:
        """A chat blocked the bot: its follows and pending notices dropped; follows removed."""
        with self.db.tx() as db:
            db.execute(
                "UPDATE notices SET status = 'blocked' WHERE channel = ? AND chat = ? "
                "AND status = 'pending'",
                (channel, chat),
            )
            return db.execute(
                "DELETE FROM follows WHERE channel = ? AND chat = ?", (channel, chat)
            ).rowcount

    def counts(self) -> dict[str, int]:
        """Follows, following chats and notices by status, for /stats and the console."""
        follows, chats = self.db.row(
            "SELECT count(*), count(DISTINCT channel || ':' || chat) FROM follows"
        ) or (0, 0)
        by_status = dict(self.db.rows("SELECT status, count(*) FROM notices GROUP BY status"))
        return {"follows": follows, "chats": chats, **by_status}

    def topics(self, limit: int = 20) -> list[tuple[str, str, int]]:
        """(kind, label, chats) of what is followed, the most followed first."""
        rows = self.db.rows(
            "SELECT kind, min(label), count(*) FROM follows GROUP BY key "
            "ORDER BY count(*) DESC, min(label) LIMIT ?",
            (limit,),
        )
        return [(r[0], r[1], r[2]) for r in rows]
