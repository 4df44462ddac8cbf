"""Search results for a chat: further passages of an answer, `/tim`, `/nguon`, `/vanban`,
all through the answerer's search path (a reranker added there reaches each of them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.store import Store
from index.documents import Article
from retrieval.answering import MAX_QUESTION_CHARS, Answerer

PAGE_SIZE = 3
MAX_PAGES = 5
FOUND_ARTICLES = 10  # listed by `/tim`, from the FIND_PASSAGES best passages
FIND_PASSAGES = 50
DOCUMENT_LINES = 10  # of `/vanban`; the rest is counted


@dataclass(frozen=True)
class Passage:
    """A retrieved passage shown by "Thêm kết quả"."""

    doc_id: str
    title: str
    source: str
    url: str
    published_at: str
    text: str


@dataclass(frozen=True)
class Page:
    """One page of further results for a stored question."""

    question: str
    page: int
    passages: tuple[Passage, ...]
    has_more: bool


@dataclass(frozen=True)
class CorpusInfo:
    """What the bot knows: article count and the latest article date."""

    articles: int
    chunks: int
    latest: str  # ISO date of the newest dated article, or ""


class Results:
    """What the index holds and finds, for the chats."""

    def __init__(self, answerer: Answerer, store: Store) -> None:
        self.answerer = answerer
        self.store = store

    async def more(self, question_id: int, page: int) -> Page | None:
        """Further passages for a stored question, `PAGE_SIZE` per page, cited ones left out."""
        record = self.store.get(question_id)
        if record is None or not record.resolved or not 1 <= page <= MAX_PAGES:
            return None
        needed = PAGE_SIZE * page + len(record.citations) + 1
        result = await self.answerer.asearch(record.resolved, k=needed + PAGE_SIZE)
        quotes = [q for c in record.citations for q in c.quotes]
        fresh = [h for h in result.hits if not any(q in h.chunk.text for q in quotes)]
        start = PAGE_SIZE * (page - 1)
        passages = tuple(
            Passage(
                h.chunk.doc_id,
                h.article.title,
                h.article.source,
                h.article.url,
                h.article.published_at,
                h.chunk.text,
            )
            for h in fresh[start : start + PAGE_SIZE]
        )
        has_more = len(fresh) > start + PAGE_SIZE and page < MAX_PAGES
        return Page(record.question, page, passages, has_more)

    def info(self) -> CorpusInfo:
        """Article count and latest date of the index being served."""
        snap = self.answerer.snapshot()
        dates = [a.published_at for a in snap.articles.values() if a.published_at]
        return CorpusInfo(len(snap.articles), len(snap.chunks), max(dates, default=""))

    def articles(self) -> list[Article]:
        """Every indexed article, newest first (undated last)."""
        articles = list(self.answerer.snapshot().articles.values())
        return sorted(articles, key=lambda a: (a.published_at or "0000", a.title), reverse=True)

    def documents(self, keywords: str = "") -> list[str]:
        """`/vanban`: one line per document of the register (bot/documents.py), most
        mentioned first, under a title; at most DOCUMENT_LINES lines."""
        from bot.documents import entries, entry_line

        snapshot = self.answerer.snapshot()
        found = entries(snapshot, keywords)
        if not found:
            return [texts.NO_DOCUMENTS.format(keywords=texts.echo(keywords))]
        title = (texts.DOCUMENTS_FOUND if keywords else texts.DOCUMENTS).format(
            keywords=texts.echo(keywords), count=len(found)
        )
        lines = [title, *(f"• {entry_line(e, snapshot)}" for e in found[:DOCUMENT_LINES])]
        if len(found) > DOCUMENT_LINES:
            lines.append(texts.MORE_DOCUMENTS.format(count=len(found) - DOCUMENT_LINES))
        return lines

    async def find(self, keywords: str) -> list[Article]:
        """Articles whose text matches the keywords (folded BM25), best first; keywords past
        a question's length are not searched."""
        keywords = keywords[:MAX_QUESTION_CHARS]
        result = await self.answerer.asearch(keywords, k=FIND_PASSAGES, mode="lexical")
        found: dict[str, Article] = {}
        for hit in result.hits:
            found.setdefault(hit.chunk.doc_id, hit.article)
        return list(found.values())[:FOUND_ARTICLES]
