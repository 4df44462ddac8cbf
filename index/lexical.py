"""BM25 over diacritic-folded syllables and syllable bigrams.

Vietnamese words are mostly two syllables ("chỉ thị", "nghị quyết"), so bigrams of adjacent
syllables give word-level precision without a word segmenter. Every token is folded
(`Đảng` → `dang`), so a question typed without diacritics matches the same tokens.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from index.layout import BM25_DIR
from index.vietnamese import folded_tokens

log = logging.getLogger(__name__)


def lexical_terms(text: str) -> list[str]:
    """Folded syllables followed by their adjacent bigrams (`chi`, `thi`, `chi_thi`)."""
    words = folded_tokens(text)
    return words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]


class LexicalIndex:
    """A bm25s index whose row i is chunk i, with document frequencies for term weighting."""

    def __init__(self, retriever: bm25s.BM25) -> None:
        self._bm25 = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict
        indptr = np.asarray(retriever.scores["indptr"])
        self._df = np.diff(indptr)
        self.num_docs = int(retriever.scores["num_docs"])

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """Index passages (title and body text of each chunk)."""
        retriever = bm25s.BM25()
        retriever.index([lexical_terms(t) for t in texts], show_progress=False)
        return cls(retriever)

    def save(self, directory: Path) -> None:
        """Write the index into `directory/bm25`."""
        self._bm25.save(str(directory / BM25_DIR), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read the index written by `save`; its score matrix is mapped, not read.

        A question reads only its terms' columns: at 10k chunks mapping kept 21 MB of the
        matrix out of resident memory (docs/BENCHMARKS.md).
        """
        retriever = bm25s.BM25.load(
            str(directory / BM25_DIR), show_progress=False, verbosity=0, mmap=True
        )
        return cls(retriever)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms."""
        known = [t for t in terms if t in self._vocab]
        if not known or self.num_docs == 0:
            return np.zeros(self.num_docs, dtype=np.float32)
        return self._bm25.get_scores(known)

    def document_frequency(self, term: str) -> int:
        """How many passages hold the term."""
        token_id = self._vocab.get(term)
        return int(self._df[token_id]) if token_id is not None and token_id < len(self._df) else 0

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term absent from the corpus gets the highest."""
        df = self.document_frequency(term)
        return math.log(1 + (self.num_docs - df + 0.5) / (df + 0.5))
