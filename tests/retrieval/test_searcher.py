"""Hybrid search on the sample corpus: folded lexical matching and directive references."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.vietnamese import fold
from retrieval.searcher import Searcher, Snapshot, prepare

LAO_CAI = "000_779c702780cfd434"
HA_LONG = "004_e8034be9464bfe94"
CAN_THO = "002_1171500456b67287"


@pytest.fixture(scope="module")
def searcher(seed_data_dir: Path, embedder) -> Searcher:
    return Searcher(seed_data_dir, embedder)


def test_question_words_are_not_search_terms() -> None:
    query = prepare("Chỉ thị 05 nói về gì?")

    assert "gi" not in query.terms
    assert {"chi", "thi", "05", "chi_thi"} <= set(query.terms)
    assert [r.key for r in query.references] == ["CT-5"]


@pytest.mark.parametrize(
    "question", ["chi thi 05 noi gi", "CT05 của Bộ Chính trị", "chỉ thị số 5"]
)
def test_a_loosely_named_directive_finds_passages_that_mention_it(
    searcher: Searcher, question: str
) -> None:
    hits = searcher.search(question, k=5).hits

    assert hits[0].reference_match
    assert "Chỉ thị" in hits[0].chunk.text and "05" in hits[0].chunk.text


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?", LAO_CAI),
        ("Hạ Long đổi mới ban hành nghị quyết, chỉ thị thế nào?", HA_LONG),
        ("Khối Cơ quan Dân chính Đảng Cần Thơ khắc phục khuyết điểm sau NQTW4", CAN_THO),
    ],
)
def test_questions_without_diacritics_find_the_same_article(
    searcher: Searcher, question: str, doc_id: str
) -> None:
    with_marks = searcher.search(question, k=3).hits
    without = searcher.search(fold(question), k=3).hits

    assert with_marks[0].chunk.doc_id == doc_id
    assert without[0].chunk.doc_id == doc_id


@pytest.mark.parametrize("mode", ["dense", "lexical", "rrf", "hybrid"])
def test_each_mode_ranks_hits_and_reports_timings(searcher: Searcher, mode) -> None:
    result = searcher.search("Quy định số 03 Thành ủy Lào Cai", k=4, mode=mode)

    assert len(result.hits) == 4
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)
    assert result.timings["search_ms"] > 0
    assert ("embed_ms" in result.timings) == (mode != "lexical")


def test_a_question_without_diacritics_is_restored_for_the_dense_model(
    searcher: Searcher,
) -> None:
    query = searcher.search("chi thi 05 noi gi", k=1).query

    assert query.restored and query.kind == "restored"
    assert query.dense_text == "chỉ thị 05 nói gì"
    assert "chi_thi" in query.terms  # lexical search keeps the folded terms


def test_a_snapshot_keeps_a_bounded_number_of_rows_computed(searcher: Searcher) -> None:
    snap = searcher.snapshot()
    fresh = Snapshot(snap.directory, searcher.embedder)
    for cache in (fresh._passage_terms, fresh._sentences):
        cache.limit = 10
    rows = range(len(fresh.chunks))
    assert len(rows) > 30

    terms = [fresh.passage_terms(r) for r in rows]
    sentences = [fresh.sentences(r) for r in rows]

    assert len(fresh._passage_terms) <= 10 and len(fresh._sentences) <= 10
    assert terms == [snap.passage_terms(r) for r in rows]  # what is dropped is recomputed
    assert sentences == [snap.sentences(r) for r in rows]
