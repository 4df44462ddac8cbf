"""The bot database: questions claimed once, outcomes, feedback and the stats figures."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.stats import number, stats_text
from bot.store import DECLINES, Status, Store
from retrieval import answering
from retrieval.answering import Answer, Citation


def test_a_channel_message_is_claimed_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.sqlite")

    first = store.claim("telegram", "1", "1", "câu hỏi", message="1:10")
    again = store.claim("telegram", "1", "1", "câu hỏi", message="1:10")
    other_channel = store.claim("zalo", "1", "1", "câu hỏi", message="1:10")

    assert first is not None and again is None and other_channel is not None


def test_outcomes_and_feedback_are_counted_for_today_and_the_week(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.sqlite")
    answered = store.claim("telegram", "1", "7", "a")
    abstained = store.claim("telegram", "1", "7", "b")
    limited = store.claim("telegram", "1", "7", "c")
    store.claim("telegram", "1", "7", "d")  # never finished: counted as not answered
    store.finish(answered, "answered", text="x", latency_ms=120.0)
    store.finish(abstained, "abstained", text="y", latency_ms=80.0)
    store.finish(limited, "rate_limited", text="chờ")
    assert store.vote(answered, "7", +1)
    assert store.vote(abstained, "8", -1, "irrelevant")
    assert store.vote(abstained, "8", -1)  # pressing 👎 again keeps the reason
    assert not store.vote(9999, "7", +1)

    today, week = store.today_and_week()

    assert (today.questions, today.answered, today.abstained) == (4, 1, 1)
    assert (today.refused, today.failed, today.up, today.down) == (1, 1, 1, 1)
    assert today.reasons == {"irrelevant": 1}
    assert week == today
    assert store.period(datetime.now(UTC) + timedelta(minutes=1)).questions == 0


def test_stats_text_names_every_figure_in_vietnamese(tmp_path: Path, seed_data_dir: Path) -> None:
    store = Store(tmp_path / "bot.sqlite")
    qid = store.claim("telegram", "1", "7", "a")
    store.finish(qid, "answered", text="x", latency_ms=1500.0)
    store.vote(qid, "7", -1, "outdated")

    text = stats_text(store, seed_data_dir)

    assert "Hôm nay: 1 câu hỏi" in text and "7 ngày qua: 1 câu hỏi" in text
    assert "1 được trả lời" in text and "👎 1 (đã cũ: 1)" in text
    assert "1,50 giây" in text
    assert "5 bài" in text and "đoạn" in text and "lập lúc" in text
    assert number(12345.5, 1) == "12.345,5"


def _declined(reason: str) -> Answer:
    return Answer("q", "Xin lỗi…", abstained=True, citations=(), hits=(), reason=reason)


def test_declines_are_stored_with_their_reason_and_shown_on_stats(
    tmp_path: Path, seed_data_dir: Path
) -> None:
    store = Store(tmp_path / "bot.sqlite")
    for reason in ("subject_not_found", "subject_not_found", "no_passage"):
        store.finish(store.claim("zalo", "1", "7", reason), "abstained", _declined(reason))

    today, _ = store.today_and_week()
    text = stats_text(store, seed_data_dir)

    assert today.declines == {"subject_not_found": 2, "no_passage": 1}
    assert (
        "3 không tìm thấy (địa phương, đơn vị không có trong tài liệu: 2, "
        "không có đoạn nào trả lời: 1)"
    ) in text


def test_every_decline_reason_of_the_answerer_reads_in_vietnamese_on_stats(
    tmp_path: Path, seed_data_dir: Path
) -> None:
    store = Store(tmp_path / "bot.sqlite")
    for reason in answering.REASONS:
        store.finish(store.claim("zalo", "1", "7", reason), "abstained", _declined(reason))

    text = stats_text(store, seed_data_dir)

    assert all(f"{DECLINES[reason]}: 1" in text for reason in answering.REASONS), text
    assert not any(reason in text for reason in answering.REASONS)  # no bare code shown


def test_a_database_from_before_decline_reasons_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE questions (id INTEGER PRIMARY KEY, asked_at TEXT NOT NULL, "
        "channel TEXT NOT NULL, chat TEXT NOT NULL, user TEXT NOT NULL, message TEXT, "
        "question TEXT NOT NULL, resolved TEXT NOT NULL DEFAULT '', status TEXT NOT NULL "
        "DEFAULT 'pending', answer TEXT NOT NULL DEFAULT '', abstained INTEGER, "
        "citations TEXT NOT NULL DEFAULT '[]', latency_ms REAL);"
        "INSERT INTO questions (asked_at, channel, chat, user, question, status, answer) "
        "VALUES ('2026-01-01T00:00:00+00:00', 'telegram', '1', '7', 'cũ', 'answered', 'x');"
    )
    old.commit()
    old.close()

    store = Store(path)
    qid = store.claim("telegram", "1", "7", "mới")
    store.finish(qid, "abstained", _declined("outdated"))

    assert store.get(1).question == "cũ"  # nothing lost
    assert store.today_and_week()[0].declines == {"outdated": 1}


def test_an_outcome_is_set_once_and_an_undelivered_reply_keeps_the_answer(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "bot.sqlite")
    qid = store.claim("telegram", "1", "7", "ct05 noi gi")
    quote = "Chỉ thị 05 về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
    cited = Citation(1, "chi-thi-05", "Bài A", "Báo B", "https://b.vn/a", 3, (quote,), quote)
    answer = Answer("ct05 noi gi", f"{quote} [1]", abstained=False, citations=(cited,), hits=())
    assert store.finish(qid, Status.ANSWERED, answer, resolved="Chỉ thị 05 nói gì")

    assert not store.finish(qid, Status.FAILED, text="reply not delivered")  # no overwrite
    store.undelivered(qid)
    record = store.get(qid)

    assert record is not None and record.status == Status.ANSWERED and record.undelivered
    assert record.answer == answer.text and record.citations == answer.citations
    assert record.resolved == "Chỉ thị 05 nói gì"
    today, _ = store.today_and_week()
    assert (today.answered, today.failed, today.undelivered) == (1, 0, 1)


def test_stats_count_every_status(tmp_path: Path, seed_data_dir: Path) -> None:
    store = Store(tmp_path / "bot.sqlite")
    for status in Status:
        qid = store.claim("zalo", "1", "7", str(status))
        if status != Status.PENDING:
            store.finish(qid, status, text="x")
    store.undelivered(qid)

    today, _ = store.today_and_week()
    counted = today.answered + today.abstained + today.greetings + today.refused + today.failed

    assert today.questions == len(Status) == counted
    text = stats_text(store, seed_data_dir)
    assert "1 lời chào" in text and "1 trả lời không gửi được" in text


def test_a_chat_s_last_answer_outlives_the_process(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.sqlite")
    first = store.claim("zalo", "c1", "7", "a")
    second = store.claim("zalo", "c1", "7", "b")
    store.remember("zalo", "c1", first)
    store.remember("zalo", "c1", second, page=2)
    store.close()

    reopened = Store(tmp_path / "bot.sqlite")

    assert reopened.last("zalo", "c1") == (second, 2)
    assert reopened.last("telegram", "c1") is None and reopened.last("zalo", "c2") is None


def test_an_old_database_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite"
    with sqlite3.connect(path) as db:  # bot.sqlite as the first release wrote it
        db.execute(
            "CREATE TABLE questions (id INTEGER PRIMARY KEY, asked_at TEXT NOT NULL, "
            "channel TEXT NOT NULL, chat TEXT NOT NULL, user TEXT NOT NULL, message TEXT, "
            "question TEXT NOT NULL, resolved TEXT NOT NULL DEFAULT '', status TEXT NOT NULL "
            "DEFAULT 'pending', answer TEXT NOT NULL DEFAULT '', abstained INTEGER, "
            "citations TEXT NOT NULL DEFAULT '[]', latency_ms REAL)"
        )
        db.execute(
            "INSERT INTO questions (asked_at, channel, chat, user, question, status, answer) "
            "VALUES ('2026-12-01T00:00:00+00:00', 'telegram', '1', '7', 'q', 'answered', 'x')"
        )

    store = Store(path)
    store.undelivered(1)

    record = store.get(1)
    assert record is not None and record.answer == "x" and record.undelivered
