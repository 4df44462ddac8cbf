"""The dense index: the one module that imports FAISS, behind build, save, load, search."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from index.builder import IndexBuilder
from index.dense import BACKEND, DenseIndex
from index.embedders import Embedder
from index.manifest import Manifest
from index.readers import read_paths
from index.versions import current_version
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[2]


def unit_rows(n: int, dim: int, seed: int = 7) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_a_saved_index_finds_each_row_as_its_own_nearest(tmp_path: Path) -> None:
    rows = unit_rows(50, 16)
    DenseIndex.build(rows, 16).save(tmp_path)
    loaded = DenseIndex.load(tmp_path)

    similarities, found = loaded.search(rows[[3, 41]], 5)

    assert len(loaded) == 50
    assert found[:, 0].tolist() == [3, 41]
    assert np.allclose(similarities[:, 0], 1.0, atol=1e-5)
    assert (np.diff(similarities, axis=1) <= 1e-6).all()  # best first


def test_an_empty_index_pads_with_minus_one(tmp_path: Path) -> None:
    DenseIndex.build(np.zeros((0, 8), dtype=np.float32), 8).save(tmp_path)

    _, found = DenseIndex.load(tmp_path).search(unit_rows(1, 8), 3)

    assert found.tolist() == [[-1, -1, -1]]


def test_a_version_records_its_dense_backend(data_dir: Path, embedder: Embedder) -> None:
    IndexBuilder(data_dir, embedder, progress=False).build(read_paths([CORPUS]).articles)

    assert Manifest.read(current_version(data_dir)).dense_backend == BACKEND


def test_no_module_but_the_dense_index_imports_faiss() -> None:
    importers = []
    for package in ("bot", "retrieval", "index", "evaluation", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                if any(name.split(".")[0] == "faiss" for name in names):
                    importers.append(str(path.relative_to(ROOT)))

    assert importers == ["index/dense.py"]
