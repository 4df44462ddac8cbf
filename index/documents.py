"""The article and chunk types shared by every layer above the corpus."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One cleaned article: normalised body text plus metadata for citations."""

    doc_id: str
    title: str
    text: str  # cleaned body, NFC + canonical tone marks, paragraphs separated by "\n\n"
    source: str = ""  # site or newspaper, e.g. "Báo Quảng Ninh" or "baolaocai.vn"
    url: str = ""
    published_at: str = ""  # ISO date (YYYY-MM-DD) when the text has one
    path: str = ""  # where it was read from, for reports

    @property
    def content_hash(self) -> str:
        """Fingerprint of everything that would change the indexed chunks or citations."""
        h = hashlib.sha256()
        for part in (self.title, self.text, self.source, self.url, self.published_at):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class Chunk:
    """A passage of an article; `text == article.text[start:end]`."""

    doc_id: str
    ordinal: int  # 0-based position within the article
    text: str
    paragraph: int  # 1-based number of the paragraph the chunk starts in
    start: int  # character offsets in Article.text
    end: int
    refs: tuple[str, ...] = field(default=())  # canonical directive ids, e.g. "05-CT/TW"


def passage_text(article_title: str, chunk: Chunk) -> str:
    """What is embedded and lexically indexed for a chunk: its article's title, then the text."""
    return f"{article_title}\n{chunk.text}" if article_title else chunk.text
