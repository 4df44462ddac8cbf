"""Runs a question set through the answerer under several configurations and conditions."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from evaluation.records import QuestionResult
from index.builder import IndexBuilder, fingerprint
from index.embedders import Embedder
from index.errors import HoidapError, IndexMismatch, IndexMissing
from index.manifest import Manifest
from index.readers import Problem, read_paths
from index.versions import current_version
from index.vietnamese import fold
from retrieval.answering import Answerer
from retrieval.searcher import Mode, Searcher

log = logging.getLogger(__name__)

CONFIGS: dict[str, Mode] = {
    "bm25": "lexical",
    "dense": "dense",
    "rrf": "rrf",  # plain reciprocal-rank fusion of the two: the naive baseline
    "hybrid": "hybrid",
}
CONDITIONS = ("diacritics", "no-diacritics")
# Passages retrieved per document wanted, so that the first k distinct documents are known.
PASSAGES_PER_DOCUMENT = 4


@dataclass(frozen=True)
class EvalQuestion:
    """One question of a `*_qa.jsonl` file."""

    id: str
    question: str
    answers: tuple[str, ...]
    gold_doc_ids: tuple[str, ...]
    question_type: str = ""
    line: int = 0
    # A trap's other places that hold the asked fact: (subject, value, doc_id) each.
    other_subjects: tuple[tuple[str, str, str], ...] = ()

    @property
    def split(self) -> str:
        """ "tune" or "heldout": a fixed half of any question set, by a hash of the id."""
        return split_of(self.id)


SPLITS = ("tune", "heldout")


def split_of(question_id: str) -> str:
    """Which half of its set a question is in: tuning is done on one, reported on both."""
    digest = hashlib.sha256(question_id.encode("utf-8")).digest()
    return SPLITS[digest[0] & 1]


def strip_diacritics(text: str) -> str:
    """The question as typed on a phone without Vietnamese diacritics, case kept."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D")


def load_questions(path: Path) -> tuple[list[EvalQuestion], list[Problem]]:
    """Read a question file; malformed lines are reported with file:line and skipped."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HoidapError(f"question file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HoidapError(f"cannot read question file {path}: {exc}") from exc
    questions: list[EvalQuestion] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(path), f"not valid JSON ({exc.msg})", number))
            continue
        problem = _check_question(item, seen)
        if problem:
            problems.append(Problem(str(path), problem, number))
            continue
        seen.add(item["id"])
        questions.append(
            EvalQuestion(
                id=item["id"],
                question=unicodedata.normalize("NFC", item["question"]),
                answers=tuple(item.get("answers") or ()),
                gold_doc_ids=tuple(item.get("gold_doc_ids") or ()),
                question_type=str(item.get("question_type") or ""),
                line=number,
                other_subjects=tuple(
                    (o["subject"], o["value"], o.get("doc_id", ""))
                    for o in item.get("other_subjects") or ()
                ),
            )
        )
    return questions, problems


def _check_question(item: object, seen: set[str]) -> str:
    if not isinstance(item, dict):
        return "a question must be a JSON object"
    for name in ("id", "question"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            return f"missing or empty field {name!r}"
    for name in ("answers", "gold_doc_ids"):
        value = item.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"field {name!r} must be a list of strings"
    others = item.get("other_subjects", [])
    if not isinstance(others, list) or not all(
        isinstance(o, dict)
        and isinstance(o.get("subject"), str)
        and isinstance(o.get("value"), str)
        for o in others
    ):
        return 'field \'other_subjects\' must be a list of {"subject", "value"} objects'
    if item["id"] in seen:
        return f"duplicate question id {item['id']!r}"
    return ""


def check_gold_ids(
    questions: list[EvalQuestion], known: set[str], path: Path
) -> tuple[list[EvalQuestion], list[Problem]]:
    """Drop gold ids the corpus lacks (reported); a question left with nothing to score goes."""
    kept: list[EvalQuestion] = []
    problems: list[Problem] = []
    for q in questions:
        missing = [d for d in q.gold_doc_ids if d not in known]
        if not missing:
            kept.append(q)
            continue
        problems.append(
            Problem(str(path), f"gold doc_id {', '.join(missing)} not in the corpus", q.line)
        )
        gold = tuple(d for d in q.gold_doc_ids if d in known)
        if gold or q.answers:
            kept.append(dataclasses.replace(q, gold_doc_ids=gold))
    return kept, problems


def prepare_index(
    corpus: Sequence[Path], data_dir: Path, embedder: Embedder, cache: Path | None = None
) -> tuple[Manifest, list[Problem]]:
    """Build an index of the corpus in data_dir, or reuse it when the content is the same."""
    result = read_paths(corpus)
    if not result.articles:
        raise HoidapError(f"no article could be read from {', '.join(map(str, corpus))}")
    wanted = fingerprint(result.articles)
    try:
        manifest = Manifest.read(current_version(data_dir))
        if manifest.fingerprint == wanted and manifest.embedder == embedder.id:
            log.info("reusing the index in %s (same content)", data_dir)
            return manifest, result.problems
    except (IndexMissing, IndexMismatch):  # none yet, or an older format: build it
        pass
    IndexBuilder(data_dir, embedder, cache_path=cache).build(result.articles)
    return Manifest.read(current_version(data_dir)), result.problems


def evaluate(
    questions: Sequence[EvalQuestion],
    answerer: Answerer,
    configs: Sequence[str] = ("hybrid",),
    conditions: Sequence[str] = ("diacritics",),
    k: int = 10,
    progress: bool | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[QuestionResult]:
    """Answer every question in every configuration and condition; `on_progress(done,
    total)` after each."""
    results: list[QuestionResult] = []
    total = len(questions) * len(configs) * len(conditions)
    disable = None if progress is None else not progress
    with tqdm(total=total, unit="q", desc="evaluating", disable=disable) as bar:
        for condition in conditions:
            for config in configs:
                mode = CONFIGS[config]
                for q in questions:
                    asked = (
                        q.question if condition == "diacritics" else strip_diacritics(q.question)
                    )
                    results.append(_one(q, asked, answerer, config, condition, mode, k))
                    bar.update()
                    if on_progress is not None:
                        on_progress(len(results), total)
    return results


def _one(
    q: EvalQuestion,
    asked: str,
    answerer: Answerer,
    config: str,
    condition: str,
    mode: Mode,
    k: int,
) -> QuestionResult:
    started = time.perf_counter()
    # Documents are ranked by their best passage; several passages of one article would
    # otherwise crowd the others out of the first k documents.
    answer = answerer.answer(asked, k=k * PASSAGES_PER_DOCUMENT, mode=mode)
    latency = (time.perf_counter() - started) * 1000
    return QuestionResult(
        id=q.id,
        question=asked,
        question_type=q.question_type,
        config=config,
        condition=condition,
        gold_doc_ids=q.gold_doc_ids,
        answers=q.answers,
        retrieved_doc_ids=tuple(h.chunk.doc_id for h in answer.hits),
        retrieved_texts=tuple(h.chunk.text for h in answer.hits),
        answer_text=answer.text,
        abstained=answer.abstained,
        cited_passages=tuple(c.passage for c in answer.citations),
        cited_doc_ids=tuple(c.doc_id for c in answer.citations),
        reason=answer.reason,
        other_subjects=q.other_subjects,
        quotes_verbatim=tuple(quote in c.passage for c in answer.citations for quote in c.quotes),
        latency_ms=latency,
    )


def corpus_slug(corpus: Sequence[Path]) -> str:
    """A directory name for the index of a corpus given as paths."""
    names = "+".join(fold(p.stem or p.name) for p in corpus)
    return "".join(c if c.isalnum() or c in "+-_" else "-" for c in names)[:120]


def build_answerer(data_dir: Path, embedder: Embedder, k: int) -> Answerer:
    """An answerer on the index in data_dir."""
    return Answerer(Searcher(data_dir, embedder), k=k)
