"""Validate the in-domain question set about the five client articles (eval/indomain_qa.jsonl)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import ROOT
from tests.devset import (
    assert_common_schema,
    has_vietnamese_diacritics,
    nfc,
    read_rows,
    seed_texts,
)

QA_FILE = ROOT / "eval" / "indomain_qa.jsonl"

IN_SCOPE_TYPES = {"date", "number", "entity", "topic", "directive", "keyword"}
OUT_OF_SCOPE = "out_of_scope"
KEYS = {"id", "question", "answers", "gold_doc_ids", "question_type"}


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    return seed_texts()


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return read_rows(QA_FILE)


def test_schema_and_ids(items: list[dict]) -> None:
    assert_common_schema(items, "indomain", KEYS)
    for row in items:
        assert row["question_type"] in IN_SCOPE_TYPES | {OUT_OF_SCOPE}, row["id"]


def test_questions_are_nfc_vietnamese(items: list[dict]) -> None:
    for row in items:
        question = row["question"]
        assert question == nfc(question), row["id"]
        assert has_vietnamese_diacritics(question), row["id"]
    questions = [row["question"] for row in items]
    assert len(questions) == len(set(questions)), "duplicate questions"


def test_counts(items: list[dict]) -> None:
    types = Counter(row["question_type"] for row in items)
    in_scope = sum(n for t, n in types.items() if t != OUT_OF_SCOPE)
    assert in_scope >= 50
    assert types[OUT_OF_SCOPE] >= 15


def test_every_article_has_ten_questions(items: list[dict], articles: dict[str, str]) -> None:
    per_doc = Counter(doc for row in items for doc in row["gold_doc_ids"])
    for doc_id in articles:
        assert per_doc[doc_id] >= 10, doc_id


def test_in_scope_answers_are_verbatim(items: list[dict], articles: dict[str, str]) -> None:
    for row in items:
        if row["question_type"] == OUT_OF_SCOPE:
            continue
        assert row["answers"], row["id"]
        assert row["gold_doc_ids"], row["id"]
        assert len(row["gold_doc_ids"]) == len(set(row["gold_doc_ids"])), row["id"]
        for doc_id in row["gold_doc_ids"]:
            assert doc_id in articles, (row["id"], doc_id)
        gold_texts = [articles[d] for d in row["gold_doc_ids"]]
        for answer in row["answers"]:
            assert answer == nfc(answer), (row["id"], answer)
            assert any(nfc(answer) in text for text in gold_texts), (row["id"], answer)
        for doc_id in row["gold_doc_ids"]:
            text = articles[doc_id]
            assert any(nfc(a) in text for a in row["answers"]), (row["id"], doc_id)


def test_out_of_scope_are_empty(items: list[dict]) -> None:
    for row in items:
        if row["question_type"] == OUT_OF_SCOPE:
            assert row["answers"] == [], row["id"]
            assert row["gold_doc_ids"] == [], row["id"]
