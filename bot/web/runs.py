"""Evaluation runs as the console shows them: the reports in the reports directory, and a
run of a question set on the served index, in the background, with its progress."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluation.report import write_report
from evaluation.runner import CONDITIONS, check_gold_ids, evaluate, load_questions
from index.errors import HoidapError
from retrieval.answering import Answerer

log = logging.getLogger(__name__)

RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
K = 10
HEADLINE = (  # (metrics.json key, what the console calls it)
    ("recall@10", "R@10"),
    ("mrr@10", "MRR@10"),
    ("answered_in_scope", "trả lời (trong phạm vi)"),
    ("answer_contains", "câu trả lời chứa đáp án"),
    ("abstained_out_of_scope", "từ chối (ngoài phạm vi)"),
)


@dataclass(frozen=True)
class Run:
    """One report directory: when, what was asked, and its headline figures."""

    name: str
    date: str
    questions_file: str
    questions: int
    figures: list[tuple[str, str, dict[str, float | None]]]  # (config, condition, key → value)
    has_html: bool


def list_runs(reports_dir: Path) -> list[Run]:
    """The runs whose metrics.json can be read, the newest first; others are skipped."""
    runs = []
    if not reports_dir.is_dir():
        return runs
    for folder in reports_dir.iterdir():
        metrics = folder / "metrics.json"
        if not RUN_NAME.fullmatch(folder.name) or not metrics.is_file():
            continue
        try:
            data = json.loads(metrics.read_text(encoding="utf-8"))
            info, results = data["run"], data["results"]
            figures = [
                (config, condition, {key: summary["overall"].get(key) for key, _ in HEADLINE})
                for config, by_condition in results.items()
                for condition, summary in by_condition.items()
            ]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("console: unreadable evaluation report %s: %s", metrics, exc)
            continue
        runs.append(
            Run(
                name=folder.name,
                date=str(info.get("date", "")),
                questions_file=Path(str(info.get("questions_file", ""))).name,
                questions=int(info.get("questions", 0)),
                figures=figures,
                has_html=(folder / "report.html").is_file(),
            )
        )
    return sorted(runs, key=lambda r: (r.date, r.name), reverse=True)


def report_file(reports_dir: Path, name: str) -> Path | None:
    """A run's report.html, only for a run name of the reports directory itself."""
    if not RUN_NAME.fullmatch(name):
        return None
    path = (reports_dir / name / "report.html").resolve()
    if path.parent.parent != reports_dir.resolve() or not path.is_file():
        return None
    return path


@dataclass
class Job:
    """A console job run in the background, one at a time: whether it runs, since when, how
    far (done of total)."""

    running: bool = False
    started: float = 0.0
    done: int = 0
    total: int = 0
    task: asyncio.Task[None] | None = None

    def begin(self) -> None:
        self.running, self.started, self.done, self.total = True, time.monotonic(), 0, 0

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    @property
    def seconds(self) -> int:
        return int(time.monotonic() - self.started)


@dataclass
class EvalJob(Job):
    """The console's evaluation run."""

    questions_file: str = ""
    name: str = ""  # the report written, when it ended well
    error: str = ""

    def start(self, questions: Path, answerer: Answerer, reports_dir: Path) -> None:
        self.begin()
        self.questions_file, self.name, self.error = questions.name, "", ""

        async def run() -> None:
            try:
                self.name = await asyncio.to_thread(self._run, questions, answerer, reports_dir)
            except HoidapError as exc:
                self.error = str(exc)
            except Exception as exc:  # said on the page; nothing else is touched
                log.exception("console: evaluation failed")
                self.error = f"{type(exc).__name__}: {exc}"
            finally:
                self.running = False

        self.task = asyncio.create_task(run())

    def _run(self, path: Path, answerer: Answerer, reports_dir: Path) -> str:
        started = time.perf_counter()
        questions, problems = load_questions(path)
        questions, gold = check_gold_ids(questions, set(answerer.snapshot().articles), path)
        if not questions:
            raise HoidapError(f"no question of {path.name} can be scored on this index")
        conditions = list(CONDITIONS)
        results = evaluate(
            questions, answerer, ("hybrid",), conditions, k=K, progress=False,
            on_progress=self._progress,
        )  # fmt: skip
        manifest = answerer.snapshot().manifest
        now = datetime.now(UTC)
        name = f"{now:%Y%m%d-%H%M%S}-{path.stem}"[:100]
        run_info: dict[str, Any] = {
            "command": f"console: {path.name}",
            "questions_file": str(path),
            "questions": len(questions),
            "split": "all",
            "corpus": [],
            "index": {
                "dir": str(answerer.snapshot().directory),
                "articles": manifest.articles,
                "chunks": manifest.chunks,
                "embedder": manifest.embedder,
                "built_with": manifest.runtime,
            },
            "runtime": answerer.searcher.embedder.describe(),
            "k": K,
            "configs": ["hybrid"],
            "conditions": conditions,
            "date": now.isoformat(timespec="seconds"),
            "total_seconds": round(time.perf_counter() - started, 1),
            "problems": [str(p) for p in problems + gold],
        }
        write_report(reports_dir / name, results, run_info, k=K)
        log.info("console: evaluation of %s written to %s", path.name, reports_dir / name)
        return name
