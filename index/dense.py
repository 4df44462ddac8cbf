"""The dense index: a chunk vector per row, searched by inner product (cosine: the vectors
are L2-normalised). The only module that imports FAISS; another vector store replaces it
here, behind `build`, `save`, `load` and `search`."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.layout import DENSE_FILE

BACKEND = "faiss.IndexFlatIP"  # recorded in each version's manifest


class DenseIndex:
    """Exact inner-product search over the chunk vectors of one index version."""

    backend = BACKEND

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int) -> DenseIndex:
        """An index of `vectors` (rows × `dim`, float32), row i being chunk i."""
        index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def save(self, directory: Path) -> None:
        """Write the index into a version directory."""
        faiss.write_index(self._index, str(directory / DENSE_FILE))

    @classmethod
    def load(cls, directory: Path) -> DenseIndex:
        """Read the index `save` wrote."""
        return cls(faiss.read_index(str(directory / DENSE_FILE)))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, rows) of the `k` nearest rows of each query vector; -1 pads rows.

        One question's search is a fraction of a millisecond on one core; an OpenMP team of
        FAISS's in the calling thread would slow the embedder (index/embedders.py).
        """
        faiss.omp_set_num_threads(1)
        return self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
