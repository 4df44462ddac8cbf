"""Every metric on cases small enough to check by hand."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest

from evaluation.metrics import (
    abstained_rate_out_of_scope,
    all_gold_cited_rate,
    answer_contains_rate,
    answer_hit_rate,
    answer_in_passages,
    answered_rate_in_scope,
    citation_precision,
    cited_contains_rate,
    declines,
    first_gold_rank,
    latency_summary,
    mrr_at,
    normalize_answer,
    percentile,
    ranked_docs,
    recall_at,
    recall_ks,
    summarize,
    summarize_all,
    trap_safe,
    trap_safe_rate,
)
from evaluation.records import QuestionResult
from evaluation.runner import split_of


def make(
    gold: tuple[str, ...] = ("g",),
    docs: tuple[str, ...] = (),
    answers: tuple[str, ...] = (),
    texts: tuple[str, ...] | None = None,
    **fields: object,
) -> QuestionResult:
    base = QuestionResult(
        id="q1",
        question="Chỉ thị 05 nói gì?",
        question_type="",
        config="hybrid",
        condition="diacritics",
        gold_doc_ids=gold,
        answers=answers,
        retrieved_doc_ids=docs,
        retrieved_texts=texts if texts is not None else tuple(f"passage of {d}" for d in docs),
        answer_text="",
        abstained=False,
        cited_passages=(),
        quotes_verbatim=(),
        latency_ms=10.0,
    )
    return replace(base, **fields)


def out_of_scope(abstained: bool) -> QuestionResult:
    return make(gold=(), answers=(), abstained=abstained)


# --- answer normalisation


def test_normalize_answer_nfc_and_decomposed_are_equal() -> None:
    composed = "Hồ Chí Minh"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert normalize_answer(decomposed) == normalize_answer(composed) == "hồ chí minh"


def test_normalize_answer_case_and_whitespace() -> None:
    assert normalize_answer("  Ban   Chấp hành\n\tTrung ương ") == "ban chấp hành trung ương"


def test_normalize_answer_tone_placement() -> None:
    assert normalize_answer("Hoà bình") == normalize_answer("hòa bình") == "hòa bình"
    assert normalize_answer("thuỷ lợi") == normalize_answer("thủy lợi")


def test_normalize_answer_keeps_diacritics() -> None:
    assert normalize_answer("Đảng") != normalize_answer("Dang")


# --- document ranking


def test_ranked_docs_keeps_first_occurrence() -> None:
    assert ranked_docs(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]
    assert ranked_docs([]) == []


def test_first_gold_rank_is_one_based() -> None:
    assert first_gold_rank(make(docs=("g", "x"))) == 1
    assert first_gold_rank(make(docs=("x", "g"))) == 2


def test_first_gold_rank_counts_documents_not_passages() -> None:
    # passages: x, x, y, g → documents x, y, g: rank 3, not passage position 4
    assert first_gold_rank(make(docs=("x", "x", "y", "g"))) == 3


def test_gold_doc_seen_twice_keeps_its_first_rank() -> None:
    assert first_gold_rank(make(docs=("x", "g", "y", "g"))) == 2


def test_first_gold_rank_takes_the_best_of_several_gold() -> None:
    assert first_gold_rank(make(gold=("g1", "g2"), docs=("x", "g2", "g1"))) == 2


def test_first_gold_rank_none_when_missed_or_no_gold() -> None:
    assert first_gold_rank(make(docs=("x", "y"))) is None
    assert first_gold_rank(make(gold=(), docs=("x",))) is None


# --- recall and MRR


def test_gold_at_rank_two() -> None:
    results = [make(docs=("x", "g", "y"))]
    assert recall_at(results, 1) == 0.0
    assert recall_at(results, 2) == 1.0
    assert recall_at(results, 5) == 1.0
    assert mrr_at(results, 10) == 0.5


def test_recall_and_mrr_over_several_questions() -> None:
    results = [
        make(docs=("g",)),  # rank 1
        make(docs=("x", "y", "z", "g")),  # rank 4
        make(docs=("x",)),  # missed
        out_of_scope(abstained=True),  # no gold: not counted
    ]
    assert recall_at(results, 1) == pytest.approx(1 / 3)
    assert recall_at(results, 3) == pytest.approx(1 / 3)
    assert recall_at(results, 4) == pytest.approx(2 / 3)
    assert mrr_at(results, 10) == pytest.approx((1 + 1 / 4 + 0) / 3)
    assert mrr_at(results, 3) == pytest.approx(1 / 3)  # rank 4 is beyond k: counts 0


def test_recall_and_mrr_none_without_gold() -> None:
    assert recall_at([], 5) is None
    assert recall_at([out_of_scope(False)], 5) is None
    assert mrr_at([make(gold=(), answers=("x",))]) is None


# --- answers in passages, answer text and citations


def test_answer_in_passages_respects_k() -> None:
    result = make(docs=("a", "b"), texts=("không liên quan", "Về HOÀ BÌNH"), answers=("hòa bình",))
    assert not answer_in_passages(result, 1)
    assert answer_in_passages(result, 2)
    assert answer_hit_rate([result], 1) == 0.0
    assert answer_hit_rate([result], 2) == 1.0


def test_answer_hit_rate_only_counts_questions_with_answers() -> None:
    hit = make(docs=("a",), texts=("năm 2020",), answers=("2020",))
    no_answers = make(docs=("a",), texts=("năm 2020",))
    assert answer_hit_rate([hit, no_answers], 5) == 1.0
    assert answer_hit_rate([no_answers], 5) is None


def test_empty_answer_never_matches() -> None:
    assert not answer_in_passages(make(docs=("a",), answers=("  ",)), 5)


def test_answer_contains_rate_counts_abstentions_as_misses() -> None:
    results = [
        make(answers=("Chỉ thị 05",), answer_text="Theo chỉ thị   05, ..."),
        make(answers=("a", "năm 2021"), answer_text="Từ Năm 2021."),
        make(answers=("2020",), answer_text="Xin lỗi...", abstained=True),
        make(answers=("2019",), answer_text="năm 2018"),
        make(gold=("g",), answer_text="anything"),  # no answers: not counted
    ]
    assert answer_contains_rate(results) == 0.5
    assert answer_contains_rate([]) is None


def test_cited_contains_rate() -> None:
    results = [
        make(answers=("thủy lợi",), cited_passages=("x", "công trình thuỷ lợi")),
        make(answers=("thủy lợi",), cited_passages=("x",)),
        make(answers=("thủy lợi",), cited_passages=()),
        make(answers=("thủy lợi",), cited_passages=("THỦY LỢI",)),
    ]
    assert cited_contains_rate(results) == 0.5
    assert cited_contains_rate([make()]) is None


def test_citation_precision_pools_quotes() -> None:
    results = [
        make(quotes_verbatim=(True, True, False)),
        make(quotes_verbatim=(True,)),
        make(quotes_verbatim=()),
    ]
    assert citation_precision(results) == 0.75
    assert citation_precision([make()]) is None
    assert citation_precision([]) is None


# --- abstention


def test_answered_rate_in_scope() -> None:
    results = [
        make(abstained=False),
        make(gold=(), answers=("x",), abstained=True),  # in scope through answers alone
        make(abstained=False),
        make(abstained=False),
        out_of_scope(abstained=False),  # not in scope: ignored
    ]
    assert answered_rate_in_scope(results) == 0.75
    assert answered_rate_in_scope([out_of_scope(True)]) is None


def test_abstained_rate_out_of_scope() -> None:
    results = [out_of_scope(True), out_of_scope(False), out_of_scope(True), make(abstained=True)]
    assert abstained_rate_out_of_scope(results) == pytest.approx(2 / 3)
    assert abstained_rate_out_of_scope([make()]) is None


def test_in_scope() -> None:
    assert make(gold=("g",)).in_scope
    assert make(gold=(), answers=("a",)).in_scope
    assert not make(gold=(), answers=()).in_scope


# --- latency


def test_percentile_nearest_rank() -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    assert percentile(values, 50) == 20.0  # ceil(0.5 * 4) = 2nd
    assert percentile(values, 95) == 40.0  # ceil(3.8) = 4th
    assert percentile(list(range(1, 21)), 95) == 19  # exactly 19th of 20, no float drift
    assert percentile(list(range(1, 101)), 50) == 50
    assert percentile([7.0], 50) == 7.0
    assert percentile([], 50) is None


def test_latency_summary() -> None:
    results = [make(latency_ms=ms) for ms in (5.0, 1.0, 3.0, 100.0)]
    assert latency_summary(results) == {"p50": 3.0, "p95": 100.0, "max": 100.0, "mean": 27.25}
    empty = {"p50": None, "p95": None, "max": None, "mean": None}
    assert latency_summary([]) == empty


# --- summaries


def test_recall_ks() -> None:
    assert recall_ks(10) == (1, 5, 10)
    assert recall_ks(20) == (1, 5, 10, 20)
    assert recall_ks(3) == (1, 3)
    assert recall_ks(1) == (1,)


def test_summarize_hand_case() -> None:
    results = [
        make(docs=("x", "g"), answers=("hòa bình",), texts=("a", "hoà bình"), answer_text="a"),
        make(docs=("g",), quotes_verbatim=(True, False), latency_ms=30.0),
        out_of_scope(abstained=True),
    ]
    s = summarize(results)
    assert list(s) == [
        "questions",
        "with_gold",
        "with_answers",
        "out_of_scope",
        "recall@1",
        "recall@5",
        "recall@10",
        "mrr@10",
        "answer_in_top_k",
        "answer_in_top_5",
        "answer_contains",
        "cited_contains",
        "citation_precision",
        "answered_in_scope",
        "abstained_out_of_scope",
        "trap_safe",
        "all_gold_cited",
        "declines",
        "latency_ms",
    ]
    assert (s["questions"], s["with_gold"], s["with_answers"], s["out_of_scope"]) == (3, 2, 1, 1)
    assert (s["recall@1"], s["recall@5"], s["recall@10"], s["mrr@10"]) == (0.5, 1.0, 1.0, 0.75)
    assert s["answer_in_top_k"] == 1.0
    assert s["answer_in_top_5"] == 1.0
    assert s["answer_contains"] == 0.0
    assert s["cited_contains"] == 0.0
    assert s["citation_precision"] == 0.5
    assert s["answered_in_scope"] == 1.0
    assert s["abstained_out_of_scope"] == 1.0
    assert s["latency_ms"] == {"p50": 10.0, "p95": 30.0, "max": 30.0, "mean": 16.6667}


def test_answer_in_top_5_misses_an_answer_in_the_sixth_passage() -> None:
    texts = ("a", "b", "c", "d", "e", "hòa bình")
    s = summarize([make(docs=("g",) * 6, answers=("hòa bình",), texts=texts)])
    assert s["answer_in_top_k"] == 1.0
    assert s["answer_in_top_5"] == 0.0


def test_summarize_rounds_to_four_places() -> None:
    results = [make(docs=("g",)), make(docs=("x",)), make(docs=("x",))]
    assert summarize(results)["recall@1"] == 0.3333


def test_summarize_empty_group() -> None:
    s = summarize([])
    assert s["questions"] == 0
    assert s["recall@10"] is None
    assert s["answered_in_scope"] is None


def test_summarize_all_groups_by_config_condition_and_type() -> None:
    results = [
        make(config="bm25", condition="diacritics", docs=("g",), question_type="fact"),
        make(config="bm25", condition="diacritics", docs=("x",), question_type="list"),
        make(config="bm25", condition="no-diacritics", docs=("x", "g"), question_type="fact"),
        make(config="hybrid", condition="diacritics", docs=("g",), question_type="fact"),
    ]
    all_ = summarize_all(results)
    assert list(all_) == ["bm25", "hybrid"]
    assert list(all_["bm25"]) == ["diacritics", "no-diacritics"]
    bm25 = all_["bm25"]["diacritics"]
    assert bm25["overall"]["recall@1"] == 0.5
    assert list(bm25["by_type"]) == ["fact", "list"]
    assert bm25["by_type"]["fact"]["recall@1"] == 1.0
    assert bm25["by_type"]["list"]["recall@1"] == 0.0
    assert all_["bm25"]["no-diacritics"]["overall"]["mrr@10"] == 0.5


def test_summarize_all_without_types_has_no_by_type() -> None:
    all_ = summarize_all([make(docs=("g",))])
    assert list(all_["hybrid"]["diacritics"]) == ["overall"]


def test_summarize_all_keys_follow_k() -> None:
    s = summarize_all([make(docs=("x", "y", "g"))], k=3)["hybrid"]["diacritics"]["overall"]
    assert (s["recall@1"], s["recall@3"], s["mrr@3"]) == (0.0, 1.0, 0.3333)
    assert "recall@5" not in s


# --- per-question record


def test_to_json() -> None:
    result = make(
        docs=("a", "a", "g", "b", "c", "d", "e"),
        texts=("x" * 400, "hòa bình", "y", "z", "w", "v", "u"),
        answers=("Hoà bình",),
        answer_text="không",
        quotes_verbatim=(True,),
    )
    record = result.to_json(k=10)
    assert record["first_gold_rank"] == 2
    assert record["hit_at_k"] is True
    assert record["answer_in_passages"] is True
    assert record["answer_in_answer"] is False
    assert len(record["retrieved"]) == 5
    assert record["retrieved"][0] == {"doc_id": "a", "text": "x" * 300}
    assert record["retrieved_count"] == 7
    assert record["gold_doc_ids"] == ["g"]
    assert result.to_json(k=1)["hit_at_k"] is False


def test_to_json_undefined_checks_are_none() -> None:
    record = out_of_scope(abstained=True).to_json()
    assert record["in_scope"] is False
    assert record["hit_at_k"] is None
    assert record["first_gold_rank"] is None
    assert record["answer_in_passages"] is None
    assert record["answer_in_answer"] is None


CAN_THO = (("TP Cần Thơ", "67 đảng viên", "002"),)


@pytest.mark.parametrize(
    ("answer", "safe"),
    [
        ("", True),  # declined
        ("Hạ Long đã kết nạp 245 đảng viên mới [1]", True),  # another figure, its own
        ("Chọn và cử 67 đảng viên tham gia học cao cấp lý luận chính trị [1]", False),
        (
            "Các tài liệu hiện có không có thông tin này về Hạ Long. Bài viết về TP Cần Thơ "
            "cho biết: Chọn và cử 67 đảng viên tham gia học [1]",
            True,
        ),
        # The place named only after the figure does not attribute it.
        ("Đã cử 67 đảng viên đi học [1] Cần Thơ cũng vậy.", False),
    ],
)
def test_a_trap_is_safe_unless_another_place_s_value_reads_as_the_asked_one_s(
    answer: str, safe: bool
) -> None:
    result = make(gold=(), answer_text=answer, abstained=not answer, other_subjects=CAN_THO)
    assert trap_safe(result) is safe
    assert trap_safe_rate([result, make()]) == float(safe)  # questions without traps don't count


def test_list_questions_count_only_when_every_gold_article_is_cited() -> None:
    all_cited = make(gold=("a", "b"), cited_doc_ids=("b", "a", "c"))
    one_missing = make(gold=("a", "b", "c"), cited_doc_ids=("a", "b"))
    single = make(gold=("a",), cited_doc_ids=())  # one gold article: not a list question
    assert all_gold_cited_rate([all_cited, one_missing, single]) == 0.5
    assert all_gold_cited_rate([single]) is None


def test_declines_are_counted_by_reason() -> None:
    results = [
        make(abstained=True, reason="no_passage"),
        make(abstained=True, reason="no_passage"),
        make(abstained=True, reason="subject_not_found"),
        make(abstained=False),
    ]
    assert declines(results) == {"no_passage": 2, "subject_not_found": 1}


def test_the_split_is_half_of_any_set_and_fixed_by_the_id() -> None:
    ids = [f"set-{i:03d}" for i in range(400)]
    tune = [i for i in ids if split_of(i) == "tune"]
    assert 160 <= len(tune) <= 240
    assert [split_of(i) for i in ids] == [split_of(i) for i in ids]
    assert {split_of(i) for i in ids} == {"tune", "heldout"}
