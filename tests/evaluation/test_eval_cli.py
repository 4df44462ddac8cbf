"""`hoidap eval` as an evaluator runs it: reports written, bad input reported precisely."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cli import main
from tests.conftest import CORPUS, ROOT

QUESTIONS = ROOT / "eval" / "indomain_qa.jsonl"
LAO_CAI = "000_779c702780cfd434"


def run_eval(data_dir: Path, out: Path, *args: str) -> int:
    return main(
        ["eval", *args, "--corpus", str(CORPUS), "--data-dir", str(data_dir), "--out", str(out)]
    )


def test_eval_writes_every_report_file(data_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report"

    code = run_eval(
        data_dir,
        out,
        str(QUESTIONS),
        "--compare",
        "bm25",
        "dense",
        "hybrid",
        "--both",
        "--limit",
        "12",
    )

    assert code == 0
    assert {p.name for p in out.iterdir()} >= {
        "metrics.json",
        "report.md",
        "report.html",
        "per_question.jsonl",
    }
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["results"]) == {"bm25", "dense", "hybrid"}
    assert set(metrics["results"]["hybrid"]) == {"diacritics", "no-diacritics"}
    hybrid = metrics["results"]["hybrid"]["diacritics"]["overall"]
    assert hybrid["questions"] == 12 and hybrid["recall@10"] > 0.9
    assert hybrid["citation_precision"] == 1.0
    lines = (out / "per_question.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 * 3 * 2
    stripped = [json.loads(line) for line in lines if '"no-diacritics"' in line]
    assert all("ị" not in record["question"] for record in stripped)
    assert "R@10" in (out / "report.md").read_text(encoding="utf-8")
    assert "hybrid" in capsys.readouterr().out


def test_eval_reuses_the_index_of_an_unchanged_corpus(data_dir: Path, tmp_path: Path) -> None:
    assert run_eval(data_dir, tmp_path / "r1", str(QUESTIONS), "--limit", "2") == 0
    assert run_eval(data_dir, tmp_path / "r2", str(QUESTIONS), "--limit", "2") == 0

    versions = list((data_dir / "eval").glob("*/versions/v*"))
    assert len(versions) == 1


def test_bad_question_lines_are_reported_with_file_and_line(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    questions = tmp_path / "q.jsonl"
    good = {
        "id": "a",
        "question": "Quy định số 03 ban hành ngày nào?",
        "answers": ["10/9/2018"],
        "gold_doc_ids": [LAO_CAI],
    }
    questions.write_text(
        "\n".join(
            [
                json.dumps(good, ensure_ascii=False),
                '{"id": "b", "question": ',
                json.dumps({"id": "c", "answers": []}),
                json.dumps({**good, "id": "d", "gold_doc_ids": ["khong-co"]}, ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    assert run_eval(data_dir, tmp_path / "r", str(questions)) == 0

    err = capsys.readouterr().err
    assert f"{questions}:2: not valid JSON" in err
    assert f"{questions}:3: missing or empty field 'question'" in err
    assert f"{questions}:4: gold doc_id khong-co not in the corpus" in err
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text(encoding="utf-8"))
    overall = metrics["results"]["hybrid"]["diacritics"]["overall"]
    assert overall["questions"] == 2  # a and d (d is still scored on its answer)
    assert overall["with_gold"] == 1


def test_missing_question_file_exits_non_zero(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert run_eval(data_dir, tmp_path / "r", str(tmp_path / "none.jsonl")) == 1

    err = capsys.readouterr().err
    assert "none.jsonl does not exist" in err and "Traceback" not in err
