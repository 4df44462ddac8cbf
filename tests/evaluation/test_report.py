"""The report files of a small synthetic run: 2 questions × 2 configs × 2 conditions."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evaluation.metrics import summarize_all
from evaluation.records import QuestionResult
from evaluation.report import write_report

SCRIPT_QUESTION = "Chỉ thị <script>alert(1)</script> nói gì?"


def result(qid: str, config: str, condition: str, docs: tuple[str, ...]) -> QuestionResult:
    first = qid == "q1"
    return QuestionResult(
        id=qid,
        question="Hòa bình là gì?" if first else SCRIPT_QUESTION,
        question_type="fact" if first else "list",
        config=config,
        condition=condition,
        gold_doc_ids=("d1",) if first else ("d2",),
        answers=("hòa bình",) if first else (),
        retrieved_doc_ids=docs,
        retrieved_texts=tuple(
            f"về Hoà Bình trong {d}" if d[0] == "d" else f"khác {d}" for d in docs
        ),
        answer_text="Hoà bình là ..." if docs and first else "",
        abstained=not docs,
        cited_passages=(),
        quotes_verbatim=(True, False) if config == "hybrid" else (),
        latency_ms=10.0 if config == "bm25" else 40.0,
    )


RESULTS = [
    result("q1", "bm25", "diacritics", ("x", "d1")),  # rank 2
    result("q2", "bm25", "diacritics", ("d2",)),  # rank 1
    result("q1", "hybrid", "diacritics", ("d1",)),  # rank 1
    result("q2", "hybrid", "diacritics", ("d2", "x")),  # rank 1
    result("q1", "bm25", "no-diacritics", ("x", "y")),  # missed
    result("q2", "bm25", "no-diacritics", ("d2",)),  # rank 1
    result("q1", "hybrid", "no-diacritics", ("x", "x", "d1")),  # rank 2
    result("q2", "hybrid", "no-diacritics", ("y", "z", "y", "w", "v")),  # missed
]
RUN = {
    "questions": Path("shared/eval/qa.jsonl"),
    "corpus": ["corpus"],
    "k": 10,
    "configs": ["bm25", "hybrid"],
    "conditions": ["diacritics", "no-diacritics"],
    "date": "2025-01-01T00:00:00",
    "total_seconds": 12.34,
    "problems": ["one", "two"],
}


VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "line", "rect", "path", "polyline"})


class Checker(HTMLParser):
    """Collects tags and fails on a closing tag that does not match the open one."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def report(tmp_path: Path) -> tuple[Path, dict]:
    return tmp_path, write_report(tmp_path / "run", RESULTS, RUN, k=10)


def test_writes_the_four_files(report: tuple[Path, dict]) -> None:
    out = report[0] / "run"
    for name in ("metrics.json", "report.md", "report.html", "per_question.jsonl"):
        assert (out / name).is_file(), name


def test_metrics_json_matches_summarize_all(report: tuple[Path, dict]) -> None:
    tmp_path, returned = report
    on_disk = json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))
    assert on_disk == returned
    assert on_disk["results"] == summarize_all(RESULTS, 10)
    assert on_disk["run"]["questions"] == "shared/eval/qa.jsonl"
    bm25 = on_disk["results"]["bm25"]["diacritics"]["overall"]
    assert (bm25["recall@1"], bm25["recall@5"], bm25["mrr@10"]) == (0.5, 1.0, 0.75)
    hybrid_nd = on_disk["results"]["hybrid"]["no-diacritics"]["overall"]
    assert (hybrid_nd["recall@1"], hybrid_nd["recall@10"], hybrid_nd["mrr@10"]) == (0, 0.5, 0.25)
    assert hybrid_nd["citation_precision"] == 0.5
    assert bm25["citation_precision"] is None
    assert list(on_disk["results"]["bm25"]["diacritics"]["by_type"]) == ["fact", "list"]


def test_markdown_tables(report: tuple[Path, dict]) -> None:
    md = (report[0] / "run" / "report.md").read_text(encoding="utf-8")
    assert "- Total time: 12.3 s" in md
    assert "- Problems: 2" in md
    assert "## Condition: diacritics" in md
    assert "## Condition: no-diacritics" in md
    # config, n, R@1, R@5, R@10, MRR@10, answer in top 10, answer contains, cited contains,
    # citation precision, answered, abstained, trap safe, all gold cited, p50, p95
    row = "| bm25 | 2 | 0.500 | 1.000 | 1.000 | 0.750 | 1.000 | 1.000 | 0.000 | – | 1.000 | – |"
    row += " – | – |"
    assert row + " 10.0 | 10.0 |" in md
    assert "| hybrid | 2 | 0.000 | 0.500 | 0.500 | 0.250 | 1.000 |" in md
    assert "## Conditions side by side" in md
    assert "| R@10 (diacritics) | R@10 (no-diacritics) |" in md
    assert "| bm25 | 1.000 | 0.500 | 0.750 | 0.500 | 1.000 | 0.000 |" in md
    assert "## By question type: diacritics" in md
    assert "| fact | bm25 | 1 | 0.000 | 1.000 | 1.000 | 0.500 |" in md


def test_markdown_failures_of_hybrid(report: tuple[Path, dict]) -> None:
    md = (report[0] / "run" / "report.md").read_text(encoding="utf-8")
    failures = md.split("## Failures: hybrid", 1)[1]
    assert "(1 of 4)" in failures.splitlines()[0]
    assert "| q2 | no-diacritics |" in failures
    assert "| d2 | y, z, w |" in failures
    assert "| q1 |" not in failures
    assert "Chỉ thị &lt;script&gt;alert(1)&lt;/script&gt; nói gì?" in failures


def test_html_is_self_contained_and_well_formed(report: tuple[Path, dict]) -> None:
    page = (report[0] / "run" / "report.html").read_text(encoding="utf-8")
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    assert page.count("<svg") >= 2
    assert "<table" in page
    assert "script" not in checker.seen
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "stroke-dasharray" in page  # the no-diacritics lines
    assert "0.750" in page


def test_html_escapes_question_text(report: tuple[Path, dict]) -> None:
    page = (report[0] / "run" / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "Chỉ thị &lt;script&gt;alert(1)&lt;/script&gt; nói gì?" in page


def test_per_question_jsonl(report: tuple[Path, dict]) -> None:
    lines = (report[0] / "run" / "per_question.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(RESULTS)
    assert "Hòa bình là gì?" in lines[0]  # ensure_ascii=False
    assert records[0]["first_gold_rank"] == 2
    assert records[7]["hit_at_k"] is False
    assert records[7]["retrieved"][0] == {"doc_id": "y", "text": "khác y"}


def test_single_condition_has_no_side_by_side(tmp_path: Path) -> None:
    write_report(tmp_path, RESULTS[:4], {}, k=10)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "side by side" not in md
    assert "- Configurations: bm25, hybrid" in md
    assert "## Failures: hybrid, gold document not in top 10 (0 of 2)" in md
