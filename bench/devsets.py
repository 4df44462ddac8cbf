"""What the tuning scripts share: paths of the development sets and their indexes."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation.runner import corpus_slug, prepare_index  # noqa: E402
from index.embedders import Embedder  # noqa: E402
from index.layout import CACHE_FILE  # noqa: E402
from retrieval.searcher import Searcher  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
OWN_QUESTIONS = ROOT / "eval" / "indomain_qa.jsonl"
FAITHFUL = ROOT / "eval" / "faithful_qa.jsonl"
NEWS = [ROOT / "corpus", EVAL / "news_politics_2016_corpus.jsonl"]  # seeds among the news
NEWS_2026 = [ROOT / "corpus", EVAL / "news_2026_corpus.jsonl"]
ALQAC = [EVAL / "alqac2022_corpus.jsonl"]
ALQAC_2023 = [EVAL / "alqac2023_corpus.jsonl"]
UIT = [EVAL / "uit_regulation_corpus.jsonl"]
VIQUAD = [EVAL / "viquad_dev_corpus.jsonl"]


def searcher(data_dir: Path, embedder: Embedder, corpus: list[Path]) -> Searcher:
    """A searcher on the corpus, indexed into `<data_dir>/eval/<corpus>` as `hoidap eval` does."""
    target = data_dir / "eval" / corpus_slug(corpus)
    prepare_index(corpus, target, embedder, data_dir / CACHE_FILE)
    return Searcher(target, embedder)
