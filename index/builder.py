"""Builds and updates index versions: chunk, embed (cached by content), write, publish."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from index.chunking import chunk_article, split_sentences
from index.dense import DenseIndex
from index.documents import Article, Chunk, passage_text
from index.embedders import Embedder
from index.errors import IndexMismatch, IndexMissing
from index.layout import CACHE_FILE, CHUNKS_DB, SENTENCE_ROWS_FILE, SENTENCES_FILE
from index.lexical import LexicalIndex
from index.manifest import FORMAT_VERSION, Manifest
from index.restoration import Restorer
from index.store import VectorCache, read_version_db, text_key, write_version_db
from index.versions import current_version, new_staging_dir, publish, writer_lock
from index.vietnamese import fold

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What an index operation changed."""

    version: str = ""  # empty when nothing changed and no version was published
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # human-readable reasons
    # (new doc_id, old doc_id): an official document replaced by a newer one of its number
    replaced: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks whose vectors had to be computed (not in the cache)
    sentences_embedded: int = 0  # sentences whose vectors had to be computed
    seconds: float = 0.0
    embed_seconds: float = 0.0
    runtime: str = ""  # what embedded the new chunks (empty when all came from the cache)

    @property
    def changed(self) -> bool:
        """True when the published content differs from before."""
        return bool(self.added or self.updated or self.removed)


class IndexBuilder:
    """Writes new index versions into a data directory; one writer at a time."""

    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        progress: bool | None = None,
        cache_path: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.embedder = embedder
        self.progress = progress  # None: a progress bar only on a terminal
        # Told (what is embedded, how many done, of how many) after each batch, from the
        # embedding thread: the console's re-index page reads it.
        self.on_progress: Callable[[str, int, int], None] | None = None
        # Vectors are keyed by embedder and text, so several indexes may share one cache.
        self.cache_path = cache_path or self.data_dir / CACHE_FILE

    def build(self, articles: Iterable[Article]) -> BuildReport:
        """Make the index contain exactly these articles (a full rebuild that reuses vectors)."""
        with writer_lock(self.data_dir):
            previous = self._previous(check_embedder=False)
            report = BuildReport()
            wanted = self._dedupe(articles, {}, report)
            # A version from before sentence vectors is rebuilt even if nothing changed.
            force = previous is None or not has_sentence_vectors(current_version(self.data_dir))
            return self._apply(previous, wanted, report, force=force)

    def add(self, articles: Iterable[Article]) -> BuildReport:
        """Add or update articles, keeping every other article as it is."""
        with writer_lock(self.data_dir):
            previous = self._previous(check_embedder=True)
            report = BuildReport()
            existing = dict(previous[0]) if previous else {}
            wanted = self._dedupe(articles, existing, report)
            return self._apply(previous, {**existing, **wanted}, report)

    def remove(self, doc_ids: Iterable[str]) -> BuildReport:
        """Remove articles by doc_id; unknown ids are reported, not fatal."""
        with writer_lock(self.data_dir):
            previous = self._previous(check_embedder=True)
            if previous is None:
                raise IndexMissing(
                    f"no index in {self.data_dir}: nothing to remove "
                    f"(build one with `hoidap index build --data-dir {self.data_dir}`)"
                )
            report = BuildReport()
            remaining = dict(previous[0])
            for doc_id in doc_ids:
                if remaining.pop(doc_id, None) is None:
                    report.skipped.append(f"{doc_id}: no such article in the index")
            return self._apply(previous, remaining, report)

    # -- internals ---------------------------------------------------------------------

    def _previous(self, check_embedder: bool) -> tuple[dict[str, Article], list[Chunk]] | None:
        try:
            version = current_version(self.data_dir)
        except IndexMissing:
            return None
        try:
            manifest = Manifest.read(version)
        except IndexMismatch:  # an older index format
            if check_embedder:
                raise
            log.info("index format changed: rebuilding every version file")
            return None
        if manifest.embedder != self.embedder.id or manifest.dim != self.embedder.dim:
            if check_embedder:
                manifest.check_embedder(self.embedder.id, self.embedder.dim, self.data_dir)
            log.info("embedder changed from %s: rebuilding every vector", manifest.embedder)
            return None
        return read_version_db(version / CHUNKS_DB)

    @staticmethod
    def _dedupe(
        articles: Iterable[Article], existing: dict[str, Article], report: BuildReport
    ) -> dict[str, Article]:
        """Keep one article per content; an article already stored elsewhere is skipped."""
        by_hash = {a.content_hash: a.doc_id for a in existing.values()}
        by_number = {key: a for a in existing.values() if (key := _number_key(a))}
        wanted: dict[str, Article] = {}
        for article in articles:
            owner = by_hash.get(article.content_hash)
            if owner is not None and owner != article.doc_id:
                report.skipped.append(
                    f"{article.path or article.doc_id}: same content as article {owner}, "
                    "stored once"
                )
                continue
            key = _number_key(article)
            other = by_number.get(key) if key else None
            if other is not None and other.doc_id != article.doc_id:
                new, old = article.official, other.official
                assert new is not None and old is not None
                if new.date and old.date and new.date < old.date:
                    report.skipped.append(
                        f"{article.path or article.doc_id}: {new.name} of {new.date} is older "
                        f"than the indexed {other.doc_id} of {old.date}; not indexed"
                    )
                    continue
                existing.pop(other.doc_id, None)  # a new version of the same document
                wanted.pop(other.doc_id, None)
                report.replaced.append((article.doc_id, other.doc_id))
            if article.doc_id in wanted:
                old_article = wanted[article.doc_id]
                by_hash.pop(old_article.content_hash, None)
                report.skipped.append(
                    f"{article.path or article.doc_id}: doc_id {article.doc_id} given twice, "
                    "the later one is kept"
                )
            wanted[article.doc_id] = article
            by_hash[article.content_hash] = article.doc_id
            if key:
                by_number[key] = article
        return wanted

    def _apply(
        self,
        previous: tuple[dict[str, Article], list[Chunk]] | None,
        articles: dict[str, Article],
        report: BuildReport,
        force: bool = False,
    ) -> BuildReport:
        started = time.perf_counter()
        old_articles, old_chunks = previous or ({}, [])
        old_by_doc: dict[str, list[Chunk]] = {}
        for chunk in old_chunks:
            old_by_doc.setdefault(chunk.doc_id, []).append(chunk)

        chunks: list[Chunk] = []
        for doc_id, article in articles.items():
            old = old_articles.get(doc_id)
            if old is not None and old.content_hash == article.content_hash:
                report.unchanged.append(doc_id)
                chunks.extend(old_by_doc.get(doc_id, []))
                continue
            (report.updated if old is not None else report.added).append(doc_id)
            chunks.extend(chunk_article(article))
        report.removed = [d for d in old_articles if d not in articles]
        report.articles, report.chunks = len(articles), len(chunks)
        if not report.changed and not force:
            log.info("index unchanged: nothing to publish")
            report.seconds = time.perf_counter() - started
            return report

        titles = [articles[c.doc_id].title for c in chunks]
        texts = [passage_text(t, c) for t, c in zip(titles, chunks, strict=True)]
        vectors, report.embedded = self._vectors(texts, report)
        spans = [split_sentences(c.text) for c in chunks]
        sentences = [c.text[a:b] for c, found in zip(chunks, spans, strict=True) for a, b in found]
        sentence_vectors, report.sentences_embedded = self._vectors(sentences, report, "sentence")
        offsets = np.cumsum([0, *(len(found) for found in spans)], dtype=np.int64)
        ordered = list(articles.values())

        staging = new_staging_dir(self.data_dir)
        write_version_db(staging / CHUNKS_DB, ordered, chunks)
        dense = DenseIndex.build(vectors, self.embedder.dim)
        dense.save(staging)
        np.save(staging / SENTENCES_FILE, sentence_vectors.astype(np.float16))
        np.save(staging / SENTENCE_ROWS_FILE, offsets)
        LexicalIndex.build(texts).save(staging)
        Restorer.learn(texts).save(staging)
        report.seconds = time.perf_counter() - started
        Manifest(
            format_version=FORMAT_VERSION,
            embedder=self.embedder.id,
            dim=self.embedder.dim,
            articles=len(ordered),
            chunks=len(chunks),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            fingerprint=fingerprint(ordered),
            build_seconds=round(report.seconds, 3),
            runtime=report.runtime,
            dense_backend=dense.backend,
        ).write(staging)
        report.version = publish(self.data_dir, staging).name
        log.info(
            "index %s: %d articles, %d chunks (%d embedded, %d new sentences) in %.1fs",
            report.version,
            report.articles,
            report.chunks,
            report.embedded,
            report.sentences_embedded,
            report.seconds,
        )
        return report

    def _vectors(
        self, texts: Sequence[str], report: BuildReport, unit: str = "chunk"
    ) -> tuple[np.ndarray, int]:
        """Vectors for every text, and how many had to be embedded (not in the cache)."""
        cache = VectorCache(self.cache_path, self.embedder.id, self.embedder.dim)
        try:
            keys = [text_key(t) for t in texts]
            found = cache.get_many(keys)
            missing = list(dict.fromkeys(k for k in keys if k not in found))
            embedded = len(missing)
            if missing:
                log.info("embedding %d new %ss (%d cached)", len(missing), unit, len(found))
                text_of = dict(zip(keys, texts, strict=True))
                todo = [text_of[k] for k in missing]
                started = time.perf_counter()
                disable = None if self.progress is None else not self.progress
                desc = "embedding" if unit == "chunk" else f"embedding {unit}s"
                done = [0]
                with tqdm(total=len(todo), unit=unit, desc=desc, disable=disable) as bar:

                    def keep(positions: Sequence[int], batch: np.ndarray) -> None:
                        batch_keys = [missing[i] for i in positions]
                        cache.put_many(zip(batch_keys, batch, strict=True))
                        found.update(zip(batch_keys, batch, strict=True))
                        if bar.n == 0:  # the runtime is known once a batch is done
                            bar.set_postfix_str(self.embedder.describe(), refresh=False)
                        bar.update(len(batch))
                        done[0] += len(batch)  # (a disabled bar counts nothing)
                        if self.on_progress is not None:
                            self.on_progress(unit, done[0], len(todo))

                    self.embedder.embed(todo, "passage", on_batch=keep)
                seconds = time.perf_counter() - started
                report.embed_seconds += seconds
                report.runtime = self.embedder.describe()
                log.info(
                    "embedded %d %ss in %.1fs (%.1f/s) with %s",
                    len(todo),
                    unit,
                    seconds,
                    len(todo) / max(seconds, 1e-9),
                    report.runtime,
                )
        finally:
            cache.close()
        if not texts:
            return np.empty((0, self.embedder.dim), dtype=np.float32), embedded
        vectors = np.ascontiguousarray(np.stack([found[k] for k in keys]), dtype=np.float32)
        return vectors, embedded


def _number_key(article: Article) -> tuple[str, str, str] | None:
    """What makes two official documents the same one: kind, number and issuer."""
    official = article.official
    if official is None or not official.number:
        return None
    return official.kind, fold(official.number), fold(official.issuer)


def has_sentence_vectors(version: Path) -> bool:
    """Whether an index version holds its sentences' vectors (versions before them do not)."""
    return (version / SENTENCES_FILE).exists() and (version / SENTENCE_ROWS_FILE).exists()


def fingerprint(articles: Iterable[Article]) -> str:
    """Content fingerprint of a set of articles, independent of their order."""
    h = hashlib.sha256()
    for doc_id, content in sorted((a.doc_id, a.content_hash) for a in articles):
        h.update(f"{doc_id}\x00{content}\n".encode())
    return h.hexdigest()
