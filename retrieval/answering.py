"""Extractive answers: the sentences that answer a question, each cited, or an honest no."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from index.chunking import split_paragraphs
from index.errors import BadQuestion
from index.references import extract_references, matches
from retrieval.searcher import Hit, Mode, Query, Searcher, Snapshot

NOT_FOUND = (
    "Xin lỗi, tôi không tìm thấy thông tin này trong các tài liệu hiện có. "
    "Bạn có thể hỏi lại với tên văn bản (ví dụ: “Chỉ thị 05”) hoặc từ khóa cụ thể hơn."
)
# Share of the question's topic weight (idf of folded syllables and bigrams) that one of the
# top passages must contain before we answer; below it the documents do not cover the
# question. Chosen on the in-domain question set (eval/indomain_qa.jsonl): in-scope
# questions rarely fall below 0.25, off-topic ones (prices, weather, sport) rarely reach it.
MIN_COVERAGE = 0.25
MAX_SENTENCES = 3
MAX_CHARS = 700
PASSAGES_READ = 5
BIGRAM_WEIGHT = 1.5
MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True)
class Citation:
    """A numbered source: the article, the paragraph, and the verbatim quotes taken from it."""

    number: int
    doc_id: str
    title: str
    source: str
    url: str
    paragraph: int
    quotes: tuple[str, ...]
    passage: str  # the cited paragraph; every quote occurs in it verbatim


@dataclass(frozen=True)
class Answer:
    """What the bot says to a question, with its citations and the passages it read."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Candidate:
    hit_rank: int
    hit: Hit
    start: int  # offset in the chunk
    end: int
    score: float
    coverage: float

    @property
    def text(self) -> str:
        return self.hit.chunk.text[self.start : self.end]


class Answerer:
    """Searches, picks the sentences that answer, and cites them."""

    def __init__(self, searcher: Searcher, k: int = 5) -> None:
        self.searcher = searcher
        self.k = k

    def answer(self, question: str, k: int | None = None, mode: Mode = "hybrid") -> Answer:
        """Answer one question from the current index; BadQuestion if empty or too long."""
        if not question.strip():
            raise BadQuestion("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise BadQuestion(
                f"the question has {len(question)} characters; the limit is {MAX_QUESTION_CHARS}"
            )
        started = time.perf_counter()
        result = self.searcher.search(question, k=max(k or self.k, PASSAGES_READ), mode=mode)
        snap = result.snapshot  # not the current one: a newer version may have been published
        t = time.perf_counter()
        chosen = _choose_sentences(result.query, result.hits[:PASSAGES_READ], snap)
        if result.query.references and not any(h.reference_match for h in result.hits):
            chosen = []  # the question names a document that no article mentions
        text, citations = _compose(chosen)
        timings = dict(result.timings)
        timings["answer_ms"] = (time.perf_counter() - t) * 1000
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return Answer(
            question=question,
            text=text if citations else NOT_FOUND,
            abstained=not citations,
            citations=tuple(citations),
            hits=tuple(result.hits[: k or self.k]),
            timings=timings,
        )

    async def aanswer(self, question: str, k: int | None = None, mode: Mode = "hybrid") -> Answer:
        """`answer` off the event loop."""
        return await asyncio.to_thread(self.answer, question, k, mode)


def _term_weights(query: Query, snap: Snapshot) -> dict[str, float]:
    weights = {}
    for term in query.terms:
        weight = snap.lexical.idf(term)
        weights[term] = weight * (BIGRAM_WEIGHT if "_" in term else 1.0)
    return weights


def _coverage(weights: dict[str, float], terms: frozenset[str]) -> float:
    """Share of the question's topic weight whose terms occur among `terms`."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in terms) / total


def _choose_sentences(query: Query, hits: list[Hit], snap: Snapshot) -> list[_Candidate]:
    """The best few sentences of the top passages, if the passages are about the question."""
    weights = _term_weights(query, snap)
    relevance = max((_coverage(weights, snap.passage_terms(h.row)) for h in hits[:3]), default=0)
    named = any(h.reference_match for h in hits)
    if relevance < MIN_COVERAGE and not named:
        return []
    candidates: list[_Candidate] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits):
        for start, end, terms in snap.sentences(hit.row):
            where = (hit.chunk.doc_id, hit.chunk.start + start)
            if where in seen:  # chunks overlap by a sentence
                continue
            seen.add(where)
            coverage = _coverage(weights, terms)
            names_reference = hit.reference_match and any(
                matches(ref, found.canonical)
                for ref in query.references
                for found, _, _ in extract_references(hit.chunk.text[start:end])
            )
            if coverage > 0 or names_reference:
                score = coverage + (0.3 if names_reference else 0.0) - 0.02 * rank
                candidates.append(_Candidate(rank, hit, start, end, score, coverage))
    candidates.sort(key=lambda c: -c.score)
    chosen: list[_Candidate] = []
    length = 0
    for candidate in candidates:
        if len(chosen) == MAX_SENTENCES or candidate.score < 0.7 * candidates[0].score:
            break
        if chosen and length + len(candidate.text) > MAX_CHARS:
            continue
        chosen.append(candidate)
        length += len(candidate.text)
    return chosen


def _compose(chosen: list[_Candidate]) -> tuple[str, list[Citation]]:
    """Answer text with `[n]` after each sentence, and one citation per cited paragraph."""
    numbers: dict[tuple[str, int], int] = {}
    passages: dict[int, str] = {}
    quotes: dict[int, list[str]] = {}
    first_hit: dict[int, Hit] = {}
    parts = []
    for candidate in chosen:
        chunk = candidate.hit.chunk
        article = candidate.hit.article
        offset = chunk.start + candidate.start
        paragraphs = split_paragraphs(article.text)
        index = next(i for i, (s, e) in enumerate(paragraphs) if s <= offset < e)
        paragraph = index + 1
        key = (chunk.doc_id, paragraph)
        number = numbers.setdefault(key, len(numbers) + 1)
        quotes.setdefault(number, []).append(candidate.text)
        first_hit.setdefault(number, candidate.hit)
        passages.setdefault(number, article.text[slice(*paragraphs[index])])
        parts.append(f"{candidate.text} [{number}]")
    citations = []
    for (doc_id, paragraph), number in numbers.items():
        hit = first_hit[number]
        citations.append(
            Citation(
                number=number,
                doc_id=doc_id,
                title=hit.article.title,
                source=hit.article.source,
                url=hit.article.url,
                paragraph=paragraph,
                quotes=tuple(quotes[number]),
                passage=passages[number],
            )
        )
    return " ".join(parts), citations
