"""Validate the faithfulness question set (eval/faithful_qa.jsonl) against both corpora.

The set is written against the five sample articles and the 510 news articles of early 2026;
traps ask a subject for a fact that only other subjects' articles state.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from tests.conftest import ROOT, SHARED_EVAL
from tests.devset import (
    assert_common_schema,
    fold,
    has_vietnamese_diacritics,
    nfc,
    read_rows,
    seed_texts,
)

QA_FILE = ROOT / "eval" / "faithful_qa.jsonl"
NEWS_FILE = SHARED_EVAL / "news_2026_corpus.jsonl"

TRAP = "trap"
OUT_OF_SCOPE = "out_of_scope"
ABBREV = "document_abbrev"
LIST = "list"
MIN_COUNTS = {
    TRAP: 20,
    "document": 20,
    ABBREV: 15,
    LIST: 10,
    "paraphrase": 15,
    OUT_OF_SCOPE: 15,
}
ANSWERABLE = set(MIN_COUNTS) - {TRAP, OUT_OF_SCOPE}
KEYS = {"id", "question", "answers", "gold_doc_ids", "question_type", "other_subjects"}
OTHER_KEYS = {"subject", "value", "doc_id"}
MAX_ANSWER_WORDS = 12
SUBJECT_PREFIX = re.compile(
    r"^(?:(?:Đảng bộ|Thành ủy|Tỉnh ủy|Huyện ủy|UBND|TP\.?|thành phố|tỉnh|huyện|quận)\s+)+",
    re.IGNORECASE,
)


def _subject_core(subject: str) -> str:
    """The place name of a subject, e.g. "TP Cần Thơ" -> "Cần Thơ"."""
    return SUBJECT_PREFIX.sub("", subject.strip())


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    texts = seed_texts()
    with NEWS_FILE.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            assert record["doc_id"] not in texts, record["doc_id"]
            texts[record["doc_id"]] = nfc(record["text"])
    assert len(texts) == 5 + 510
    return texts


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return read_rows(QA_FILE)


def test_schema_and_ids(items: list[dict]) -> None:
    assert_common_schema(items, "faithful", KEYS)
    for row in items:
        assert row["question_type"] in MIN_COUNTS, row["id"]
        assert isinstance(row["other_subjects"], list), row["id"]
        for other in row["other_subjects"]:
            assert isinstance(other, dict) and set(other) == OTHER_KEYS, row["id"]
            assert all(isinstance(v, str) and v.strip() for v in other.values()), row["id"]


def test_questions_are_nfc_and_unique(items: list[dict]) -> None:
    for row in items:
        question = row["question"]
        assert question == nfc(question), row["id"]
        if row["question_type"] != ABBREV:
            assert has_vietnamese_diacritics(question), row["id"]
    folded = [" ".join(fold(row["question"]).split()) for row in items]
    duplicates = [q for q, n in Counter(folded).items() if n > 1]
    assert not duplicates, duplicates


def test_counts(items: list[dict]) -> None:
    types = Counter(row["question_type"] for row in items)
    assert len(items) >= 100
    for question_type, minimum in MIN_COUNTS.items():
        assert types[question_type] >= minimum, (question_type, types[question_type])


def test_answers_are_verbatim_in_gold(items: list[dict], articles: dict[str, str]) -> None:
    for row in items:
        if row["question_type"] not in ANSWERABLE:
            continue
        assert row["answers"], row["id"]
        assert row["gold_doc_ids"], row["id"]
        assert row["other_subjects"] == [], row["id"]
        assert len(row["gold_doc_ids"]) == len(set(row["gold_doc_ids"])), row["id"]
        if row["question_type"] == LIST:
            assert len(row["gold_doc_ids"]) >= 2, row["id"]
        for doc_id in row["gold_doc_ids"]:
            assert doc_id in articles, (row["id"], doc_id)
        gold_texts = [articles[d] for d in row["gold_doc_ids"]]
        for answer in row["answers"]:
            assert answer == nfc(answer), (row["id"], answer)
            assert 1 <= len(answer.split()) <= MAX_ANSWER_WORDS, (row["id"], answer)
            assert any(answer in text for text in gold_texts), (row["id"], answer)
        for doc_id in row["gold_doc_ids"]:
            assert any(a in articles[doc_id] for a in row["answers"]), (row["id"], doc_id)


def test_traps_point_at_other_subjects(items: list[dict], articles: dict[str, str]) -> None:
    for row in items:
        if row["question_type"] != TRAP:
            continue
        assert row["answers"] == [], row["id"]
        assert row["gold_doc_ids"] == [], row["id"]
        assert row["other_subjects"], row["id"]
        question = fold(row["question"])
        for other in row["other_subjects"]:
            doc_id = other["doc_id"]
            assert doc_id in articles, (row["id"], doc_id)
            text = articles[doc_id]
            assert other["value"] == nfc(other["value"]), (row["id"], other)
            assert other["value"] in text, (row["id"], other)
            core = _subject_core(other["subject"])
            assert core, (row["id"], other)
            assert fold(core) in fold(text), (row["id"], other)
            assert fold(core) not in question, (row["id"], other)


def test_out_of_scope_are_empty(items: list[dict]) -> None:
    for row in items:
        if row["question_type"] == OUT_OF_SCOPE:
            assert row["answers"] == [], row["id"]
            assert row["gold_doc_ids"] == [], row["id"]
            assert row["other_subjects"] == [], row["id"]
