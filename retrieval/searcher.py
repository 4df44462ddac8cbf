"""Hybrid search over the published index: dense + folded BM25 + directive references."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from index.chunking import split_sentences
from index.dense import DenseIndex
from index.documents import Article, Chunk, passage_text
from index.e5torch import release_free_memory
from index.embedders import Embedder
from index.errors import IndexCorrupt
from index.layout import (
    CHUNKS_DB,
    POINTER,
    RESTORER_FILE,
    SENTENCE_ROWS_FILE,
    SENTENCES_FILE,
)
from index.lexical import LexicalIndex, lexical_terms
from index.manifest import Manifest
from index.references import Reference, extract_references, matches, parse_question_references
from index.register import Entry, build_register
from index.restoration import Restorer
from index.store import read_version_db
from index.subjects import (
    Mention,
    Place,
    article_subject,
    place_mentions,
    place_terms,
    question_mentions,
    sentence_subject,
)
from index.versions import current_version
from index.vietnamese import has_diacritics, normalize
from retrieval.batching import QueryBatcher
from retrieval.fusion import combine, fuse

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical", "rrf"]

# Words that make a question a question; they carry no topic and are rare in articles,
# so BM25 would over-weight them.
# Folded forms only: words like "dau" (đâu/đầu) or "thi" (thì/thị) are kept on purpose.
QUESTION_WORDS = frozenset("gi nao ai sao bao nhieu the nhu khong hay a ha nhi vay la".split())
DEPTH = 100  # candidates taken from each ranking before fusion
# Hybrid search adds the two signals' scores, each scaled to [0, 1] over its candidates:
# share × dense + (1 - share) × BM25. Tuned on the public development sets with
# bench/tune_fusion.py: score fusion with a dense share of 0.3-0.5 beat weighted
# reciprocal-rank fusion on every set (ALQAC 2022 R@1 0.883 → 0.923, UIT 0.818 → 0.859,
# ALQAC 2023 MRR@10 0.942 → 0.951); 0.4 was best or within 0.01 of best everywhere. A
# question restored to diacritics reads as well as one typed with them; without a
# restorer the dense model sees bare "chi thi 05" and is close to noise, so it gets less.
DENSE_SHARE = {"diacritics": 0.4, "restored": 0.4, "none": 0.2}
# Passages that mention the directive the question names get this much on top.
REFERENCE_BONUS = 0.3


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with the article it belongs to."""

    row: int
    chunk: Chunk
    article: Article
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    reference_match: bool = False
    dense_score: float | None = None  # cosine with the question, if in the dense top DEPTH


@dataclass(frozen=True)
class Query:
    """A question prepared for every ranking."""

    text: str  # normalised
    dense_text: str  # what the dense model reads: the text, with diacritics restored if absent
    terms: tuple[str, ...]  # folded lexical terms without question words
    references: tuple[Reference, ...]
    diacritics: bool
    restored: bool = False  # diacritics were absent and restored for the dense model
    places: tuple[Place, ...] = ()  # the places it names (index/subjects.py)
    topic_terms: tuple[str, ...] = ()  # `terms` of the question without its place names
    # `topic_terms` without the levels that came with the names ("Thành ủy" of "Thành ủy Hạ
    # Long"): what a sentence must say to answer, as every passage of the place names them.
    fact_terms: tuple[str, ...] = ()
    # The dense model's vector of `dense_text` ("query: " prefix), once searched densely.
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        """How trustworthy the dense model's reading is: diacritics, restored or none."""
        return "diacritics" if self.diacritics else "restored" if self.restored else "none"


@dataclass
class SearchResult:
    """The ranked hits of one question and where the time went."""

    query: Query
    hits: list[Hit]
    snapshot: Snapshot  # the index version the hits' rows belong to
    timings: dict[str, float] = field(default_factory=dict)


def prepare(question: str, restorer: Restorer | None = None) -> Query:
    """Normalise a question and derive what each ranking needs."""
    text = normalize(" ".join(question.split()))
    diacritics = has_diacritics(text)
    restored = not diacritics and restorer is not None
    dense_text = restorer.restore(text) if restored and restorer else text
    named = question_mentions(text, restored=dense_text if restored else None)
    topic = fact = text
    for mention in reversed(named):  # "Hạ Long" goes; "Thành ủy" says what is asked of it
        topic = topic[: mention.name_start] + " . " + topic[mention.end :]
        fact = fact[: mention.start] + " . " + fact[mention.end :]
    return Query(
        text=text,
        dense_text=dense_text,
        terms=_topic(text),
        references=tuple(parse_question_references(text)),
        diacritics=diacritics,
        restored=restored,
        places=tuple({m.place.key: m.place for m in named}.values()),
        topic_terms=_topic(topic) if named else (),
        fact_terms=_topic(fact) if named else (),
    )


def _topic(text: str) -> tuple[str, ...]:
    """Folded lexical terms without question words."""
    return tuple(
        t for t in lexical_terms(text) if all(p not in QUESTION_WORDS for p in t.split("_"))
    )


# Rows whose terms and sentences a snapshot keeps computed (a question reads 30-40). A
# passage's term set is tens of kilobytes of strings: kept for every row ever read, an
# answerer on the 10k-chunk index grew from 511 to 904 MiB over 3,000 varied questions;
# bounded so, to 763 MiB (`auto`, docs/BENCHMARKS.md).
CACHED_ROWS = 1_000


class _Bounded(dict):
    """A dict emptied when it reaches `limit` entries: memory stays bounded, and the rows
    of the questions of the moment are computed again at most once per filling."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.limit:
            self.clear()
        super().__setitem__(key, value)


class Snapshot:
    """One loaded index version, immutable while it serves."""

    def __init__(self, directory: Path, embedder: Embedder) -> None:
        self.directory = directory
        self.manifest = Manifest.read(directory)
        self.manifest.check_embedder(embedder.id, embedder.dim, directory.parent.parent)
        try:
            self.articles, self.chunks = read_version_db(directory / CHUNKS_DB)
            self.dense = DenseIndex.load(directory)
            self.lexical = LexicalIndex.load(directory)
        except Exception as exc:  # any unreadable part means the version is unusable
            raise IndexCorrupt(f"cannot load index version {directory}: {exc}") from exc
        if len(self.dense) != len(self.chunks) or self.lexical.num_docs != len(self.chunks):
            raise IndexCorrupt(f"index version {directory} is inconsistent: rebuild it")
        self.sentence_vectors, self.sentence_rows = self._sentence_vectors(directory)
        restorer_file = directory / RESTORER_FILE
        self.restorer = Restorer.load(directory) if restorer_file.exists() else None
        self.rows_with_refs = [i for i, c in enumerate(self.chunks) if c.refs]
        self._register: dict[str, Entry] | None = None
        self._rows_of: dict[str, list[int]] | None = None
        self._documents: list[tuple[Article, tuple[str, ...]]] | None = None
        self._passage_terms: _Bounded[int, frozenset[str]] = _Bounded(CACHED_ROWS)
        self._sentences: _Bounded[int, list[tuple[int, int, frozenset[str]]]] = _Bounded(
            CACHED_ROWS
        )
        self._subjects: dict[str, tuple[Mention, ...]] = {}
        self._sentence_places: _Bounded[tuple[int, int], frozenset[str]] = _Bounded(
            CACHED_ROWS * 8
        )
        self.passages = [passage_text(self.articles[c.doc_id].title, c) for c in self.chunks]

    def _sentence_vectors(self, directory: Path) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The sentences' vectors (mapped, not read) and each chunk's first sentence."""
        if not (directory / SENTENCES_FILE).exists():
            return None, None  # built before sentence vectors: sentences scored by terms
        try:
            vectors = np.load(directory / SENTENCES_FILE, mmap_mode="r")
            rows = np.load(directory / SENTENCE_ROWS_FILE)
        except Exception as exc:
            raise IndexCorrupt(f"cannot load sentence vectors of {directory}: {exc}") from exc
        if (
            vectors.ndim != 2
            or vectors.shape[1] != self.manifest.dim
            or len(rows) != len(self.chunks) + 1
            or int(rows[-1]) != len(vectors)
        ):
            raise IndexCorrupt(f"sentence vectors of {directory} are inconsistent: rebuild it")
        return vectors, rows

    def sentence_cosines(self, row: int, vector: np.ndarray | None) -> np.ndarray | None:
        """Cosine of each sentence of a chunk (in `sentences(row)` order) with a query vector."""
        if vector is None or self.sentence_vectors is None or self.sentence_rows is None:
            return None
        block = self.sentence_vectors[self.sentence_rows[row] : self.sentence_rows[row + 1]]
        return np.asarray(block, dtype=np.float32) @ vector.reshape(-1)

    def passage_terms(self, row: int) -> frozenset[str]:
        """Lexical terms of a passage (title and text), computed once per row."""
        terms = self._passage_terms.get(row)
        if terms is None:
            terms = self._passage_terms[row] = frozenset(lexical_terms(self.passages[row]))
        return terms

    def sentences(self, row: int) -> list[tuple[int, int, frozenset[str]]]:
        """Sentence spans of a chunk with their lexical terms, computed once per row."""
        found = self._sentences.get(row)
        if found is None:
            text = self.chunks[row].text
            found = [(a, b, frozenset(lexical_terms(text[a:b]))) for a, b in split_sentences(text)]
            self._sentences[row] = found
        return found

    def documents(self) -> list[tuple[Article, tuple[str, ...]]]:
        """The official documents indexed as such, each with the canonical ids of its own
        reference ("05-CT/TW"), read from its heading once per version."""
        if self._documents is None:
            self._documents = [
                (a, tuple(ref.canonical for ref, _, _ in extract_references(a.official.heading)))
                for a in self.articles.values()
                if a.official is not None
            ]
        return self._documents

    def documents_named(self, references: Sequence[Reference]) -> list[Article]:
        """The official documents whose own number one of the references names."""
        return [
            article
            for article, own in self.documents()
            if any(matches(ref, c) for ref in references for c in own)
        ]

    def rows_of(self, doc_id: str) -> list[int]:
        """The rows of an article's chunks, in text order (the map is built once)."""
        if self._rows_of is None:
            rows: dict[str, list[int]] = {}
            for row, chunk in enumerate(self.chunks):
                rows.setdefault(chunk.doc_id, []).append(row)
            self._rows_of = rows
        return self._rows_of.get(doc_id, [])

    @property
    def register(self) -> dict[str, Entry]:
        """The register of documents the passages mention (index/register.py), read once."""
        if self._register is None:
            self._register = build_register(self.chunks, self.rows_with_refs)
        return self._register

    def subject(self, doc_id: str) -> tuple[Mention, ...]:
        """The places an article reports on (index/subjects.py), computed once per article."""
        found = self._subjects.get(doc_id)
        if found is None:
            article = self.articles[doc_id]
            found = self._subjects[doc_id] = article_subject(
                article.title, article.text, article.source
            )
        return found

    def sentence_places(self, row: int, start: int, end: int) -> frozenset[str]:
        """The place keys the sentence `start:end` of a chunk reports on."""
        key = (row, start)
        found = self._sentence_places.get(key)
        if found is None:
            chunk = self.chunks[row]
            own = place_mentions(chunk.text[start:end])
            found = self._sentence_places[key] = sentence_subject(own, self.subject(chunk.doc_id))
        return found

    def mentions_place(self, place: Place) -> bool:
        """Whether any passage holds the place's name (folded), with or without level."""
        return all(self.lexical.document_frequency(t) > 0 for t in place_terms(place.key))

    def rows_mentioning(self, references: tuple[Reference, ...]) -> list[int]:
        """Rows whose chunk mentions one of the references."""
        return [
            row
            for row in self.rows_with_refs
            if any(matches(ref, canon) for ref in references for canon in self.chunks[row].refs)
        ]


class Reranker(Protocol):
    """An optional last stage of every search: reorders the fused hits (e.g. a
    cross-encoder); `Searcher(reranker=…)` puts it behind answers, paging and `/tim`."""

    def rerank(self, query: Query, hits: list[Hit]) -> list[Hit]:
        """The hits in a new order (best first); may drop some."""
        ...


@dataclass
class _Search:
    """What the stages of one search hand on to each other."""

    query: Query
    snap: Snapshot
    timings: dict[str, float] = field(default_factory=dict)
    rankings: dict[str, list[int]] = field(default_factory=dict)  # each ranking's rows
    cosines: dict[int, float] = field(default_factory=dict)  # dense candidates' cosines
    lexical: np.ndarray | None = None  # BM25 score of every row
    mentioning: set[int] = field(default_factory=set)  # rows naming the question's directive
    bonus: dict[int, float] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return min(DEPTH, len(self.snap.chunks))


class Searcher:
    """Answers `search` from the newest published version, reloading when it changes."""

    def __init__(
        self, data_dir: Path, embedder: Embedder, reranker: Reranker | None = None
    ) -> None:
        self.data_dir = Path(data_dir)
        self.embedder = embedder
        self.reranker = reranker
        self.queries = QueryBatcher(embedder)
        self._snapshot: Snapshot | None = None
        self._pointer: tuple[int, int, int] | None = None  # CURRENT's identity when read
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The current version, loaded once; a newly published version is picked up here."""
        # Publishing replaces CURRENT (a new inode): one stat per question tells whether to
        # read it again, instead of opening and reading it every time.
        try:
            stat = os.stat(self.data_dir / POINTER)
            pointer = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except OSError:
            pointer = None
        snap = self._snapshot
        if snap is not None and pointer is not None and pointer == self._pointer:
            return snap
        directory = current_version(self.data_dir)
        if snap is not None and snap.directory == directory:
            self._pointer = pointer
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.directory != directory:
                started = time.perf_counter()
                self._snapshot = Snapshot(directory, self.embedder)
                release_free_memory()  # what reading the version left in the C heap
                log.info(
                    "loaded index %s (%d chunks) in %.2fs",
                    directory.name,
                    len(self._snapshot.chunks),
                    time.perf_counter() - started,
                )
            self._pointer = pointer
            return self._snapshot

    def search(self, question: str, k: int = 10, mode: Mode = "hybrid") -> SearchResult:
        """The k best passages for a question: candidates, fusion, then the optional rerank.

        Answers, "Thêm kết quả" and `/tim` all come through here, so a stage added here
        (a reranker) reaches each of them.
        """
        started = time.perf_counter()
        snap = self.snapshot()
        search = _Search(prepare(question, snap.restorer), snap)
        if len(snap.chunks):
            if mode in ("hybrid", "dense", "rrf"):
                self._dense_candidates(search)
            if mode in ("hybrid", "lexical", "rrf"):
                self._lexical_candidates(search)
            self._reference_matches(search, boost=mode == "hybrid")
            fused = self._fuse(search, mode, k)
            search.hits = self._hits(search, fused)
            if self.reranker is not None:
                t = time.perf_counter()
                search.hits = self.reranker.rerank(search.query, search.hits)[:k]
                search.timings["rerank_ms"] = (time.perf_counter() - t) * 1000
        search.timings["search_ms"] = (time.perf_counter() - started) * 1000
        return SearchResult(search.query, search.hits, snap, search.timings)

    # -- the stages of a search -------------------------------------------------------

    def _dense_candidates(self, search: _Search) -> None:
        """The DEPTH rows nearest the question's vector, with their cosines."""
        t = time.perf_counter()
        vector = self.queries.embed(search.query.dense_text).reshape(1, -1)
        search.query = dataclasses.replace(search.query, vector=vector[0])
        search.timings["embed_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        similarities, rows = search.snap.dense.search(vector, search.depth)
        search.rankings["dense"] = [int(r) for r in rows[0] if r >= 0]
        search.cosines = {
            int(r): float(s) for r, s in zip(rows[0], similarities[0], strict=True) if r >= 0
        }
        search.timings["dense_ms"] = (time.perf_counter() - t) * 1000

    def _lexical_candidates(self, search: _Search) -> None:
        """The DEPTH rows with the best BM25 scores for the question's terms (score > 0)."""
        t = time.perf_counter()
        lexical = search.snap.lexical.scores(search.query.terms)
        search.lexical = lexical
        top = np.argpartition(-lexical, search.depth - 1)[: search.depth]
        top = top[np.argsort(-lexical[top], kind="stable")]
        search.rankings["lexical"] = [int(r) for r in top if lexical[r] > 0]
        search.timings["lexical_ms"] = (time.perf_counter() - t) * 1000

    def _reference_matches(self, search: _Search, boost: bool) -> None:
        """Rows mentioning a directive the question names; with `boost`, the DEPTH of them
        with the best BM25 scores get REFERENCE_BONUS in the fusion."""
        if not search.query.references:
            return
        rows = search.snap.rows_mentioning(search.query.references)
        search.mentioning = set(rows)
        if boost and search.lexical is not None:
            lexical = search.lexical
            rows.sort(key=lambda r: -float(lexical[r]))
            search.bonus = dict.fromkeys(rows[:DEPTH], REFERENCE_BONUS)

    def _fuse(self, search: _Search, mode: Mode, k: int) -> list[tuple[int, float]]:
        """The k best (row, score): hybrid adds the scaled scores; the other modes rank one
        list, or fuse both by reciprocal rank (a baseline for the evaluation)."""
        if mode != "hybrid" or search.lexical is None:
            return fuse(search.rankings, dict.fromkeys(search.rankings, 1.0))[:k]
        share = DENSE_SHARE[search.query.kind]
        lexical = search.lexical
        scored = {
            "dense": search.cosines,
            "lexical": {row: float(lexical[row]) for row in search.rankings["lexical"]},
        }
        # BM25 scores are scaled from zero (no shared term), cosines from the weakest of the
        # candidates: a cosine of 0.80 is already far from unrelated.
        weights = {"dense": share, "lexical": 1 - share}
        return combine(scored, weights, search.bonus, floors={"lexical": 0.0})[:k]

    def _hits(self, search: _Search, fused: list[tuple[int, float]]) -> list[Hit]:
        """The fused rows as hits, with each ranking's rank of them."""
        snap = search.snap
        ranks = {
            name: {r: i for i, r in enumerate(rows, 1)} for name, rows in search.rankings.items()
        }
        return [
            Hit(
                row=row,
                chunk=snap.chunks[row],
                article=snap.articles[snap.chunks[row].doc_id],
                score=score,
                dense_rank=ranks.get("dense", {}).get(row),
                lexical_rank=ranks.get("lexical", {}).get(row),
                reference_match=row in search.mentioning,
                dense_score=search.cosines.get(row),
            )
            for row, score in fused
        ]

    async def asearch(self, question: str, k: int = 10, mode: Mode = "hybrid") -> SearchResult:
        """`search` off the event loop, for async callers such as the bots."""
        return await asyncio.to_thread(self.search, question, k, mode)
