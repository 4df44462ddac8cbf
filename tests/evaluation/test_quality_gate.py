"""Quality gate: a fixed slice of the evaluation sets must not fall below the stored baseline.

The baseline lives in tests/data/quality_baseline.json with the commit that set it. After a
deliberate change in quality, refresh it with

    HOIDAP_UPDATE_QUALITY_BASELINE=1 .venv/bin/pytest tests/evaluation/test_quality_gate.py

and commit the file with the change. CI never sets that variable.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from evaluation.metrics import summarize_all
from evaluation.runner import CONDITIONS, evaluate, load_questions, prepare_index
from index.layout import CACHE_FILE
from retrieval.answering import Answerer
from retrieval.searcher import Searcher
from tests.conftest import CORPUS, ROOT, SHARED_EVAL

BASELINE = ROOT / "tests" / "data" / "quality_baseline.json"
TOLERANCE = 0.01
GATED = (
    "recall@1",
    "recall@5",
    "recall@10",
    "mrr@10",
    "answer_in_top_k",
    "answer_contains",
    "answered_in_scope",
    "abstained_out_of_scope",
    "trap_safe",  # faithful set: no other place's figure given as the asked place's
    "all_gold_cited",  # questions with several gold articles: every one cited
)
NEWS_DISTRACTORS = 30
ALQAC_QUESTIONS = 40
ALQAC_ARTICLES = 120

pytestmark = pytest.mark.slow


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), "utf-8")
    return path


def _slices(tmp: Path) -> dict[str, tuple[Path, list[Path]]]:
    """Each set's questions file and corpus paths: small enough to embed in CI."""
    news = _jsonl(SHARED_EVAL / "news_politics_2016_corpus.jsonl")[:NEWS_DISTRACTORS]
    indomain = (
        ROOT / "eval" / "indomain_qa.jsonl",
        [CORPUS, _write_jsonl(tmp / "news.jsonl", news)],
    )
    questions = _jsonl(SHARED_EVAL / "alqac2022_qa.jsonl")[:ALQAC_QUESTIONS]
    gold = {d for q in questions for d in q["gold_doc_ids"]}
    articles = _jsonl(SHARED_EVAL / "alqac2022_corpus.jsonl")
    chosen = [a for i, a in enumerate(articles) if a["doc_id"] in gold or i < ALQAC_ARTICLES]
    alqac = (
        _write_jsonl(tmp / "alqac_q.jsonl", questions),
        [_write_jsonl(tmp / "alqac_c.jsonl", chosen)],
    )
    faithful_questions = _jsonl(ROOT / "eval" / "faithful_qa.jsonl")
    named = {d for q in faithful_questions for d in q["gold_doc_ids"]} | {
        o["doc_id"] for q in faithful_questions for o in q.get("other_subjects") or []
    }
    news_2026 = _jsonl(SHARED_EVAL / "news_2026_corpus.jsonl")
    faithful = (
        ROOT / "eval" / "faithful_qa.jsonl",
        [
            CORPUS,
            _write_jsonl(
                tmp / "news_2026.jsonl",
                [
                    a
                    for i, a in enumerate(news_2026)
                    if a["doc_id"] in named or i < NEWS_DISTRACTORS
                ],
            ),
        ],
    )
    return {"indomain": indomain, "alqac2022": alqac, "faithful": faithful}


def _measure(
    name: str, questions_file: Path, corpus: list[Path], tmp: Path, cache: Path, embedder
) -> dict:
    data_dir = tmp / name
    prepare_index(corpus, data_dir, embedder, cache=cache)
    questions, problems = load_questions(questions_file)
    assert not problems
    answerer = Answerer(Searcher(data_dir, embedder))
    results = evaluate(questions, answerer, ("hybrid",), CONDITIONS, k=10, progress=False)
    summary = summarize_all(results, k=10)["hybrid"]
    return {condition: summary[condition]["overall"] for condition in CONDITIONS}


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory, seed_data_dir: Path, embedder) -> dict:
    tmp = tmp_path_factory.mktemp("quality")
    cache = tmp / CACHE_FILE
    cache.parent.mkdir(parents=True)
    cache.write_bytes((seed_data_dir / CACHE_FILE).read_bytes())
    return {
        name: _measure(name, questions, corpus, tmp, cache, embedder)
        for name, (questions, corpus) in _slices(tmp).items()
    }


def _update_baseline(measured: dict) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    gated = {
        name: {cond: {m: by_cond[cond][m] for m in GATED} for cond in CONDITIONS}
        for name, by_cond in measured.items()
    }
    BASELINE.write_text(
        json.dumps(
            {"set_after_commit": commit, "tolerance": TOLERANCE, "sets": gated},
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize("name", ["indomain", "alqac2022", "faithful"])
def test_quality_does_not_drop_below_the_baseline(
    measured: dict, name: str, condition: str
) -> None:
    if os.environ.get("HOIDAP_UPDATE_QUALITY_BASELINE") == "1":
        _update_baseline(measured)
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))["sets"][name][condition]
    now = measured[name][condition]

    dropped = {
        metric: (now[metric], floor)
        for metric, floor in baseline.items()
        if floor is not None and (now[metric] is None or now[metric] < floor - TOLERANCE)
    }
    assert not dropped, f"{name}/{condition} fell below the baseline (now, baseline): {dropped}"
    assert now["citation_precision"] == 1.0
