"""Rank fusion and score fusion, computed by hand."""

from __future__ import annotations

import pytest

from retrieval.fusion import combine, fuse


def test_equal_weights_is_plain_rrf() -> None:
    fused = dict(fuse({"a": [1, 2], "b": [2, 3]}, {"a": 1.0, "b": 1.0}, k=60))

    assert fused[2] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1] == pytest.approx(1 / 61)
    assert fused[3] == pytest.approx(1 / 62)
    assert [doc for doc, _ in fuse({"a": [1, 2], "b": [2, 3]}, {"a": 1, "b": 1})] == [2, 1, 3]


def test_what_only_a_weak_ranking_found_stays_below_the_strong_results() -> None:
    strong = [10, 11, 12, 13]
    weak = [20, 21, 13, 12]

    fused = [
        doc for doc, _ in fuse({"lexical": strong, "dense": weak}, {"lexical": 1.0, "dense": 0.2})
    ]

    assert fused[:4] == [12, 13, 10, 11]  # agreement of both rankings reorders the top
    assert fused[4:] == [20, 21]  # the weak ranking alone cannot lift a document above them


def test_zero_weight_rankings_are_ignored() -> None:
    assert fuse({"a": [1], "b": [2]}, {"a": 1.0, "b": 0.0}) == [(1, pytest.approx(1 / 61))]


def test_combine_scales_each_signal_to_unit_range_then_weights_them() -> None:
    dense = {1: 0.90, 2: 0.85, 3: 0.80}  # scaled: 1.0, 0.5, 0.0
    lexical = {2: 10.0, 4: 5.0}  # scaled from the floor 0: 1.0, 0.5

    fused = dict(
        combine(
            {"dense": dense, "lexical": lexical},
            {"dense": 0.4, "lexical": 0.6},
            floors={"lexical": 0.0},
        )
    )

    assert fused[1] == pytest.approx(0.4)
    assert fused[2] == pytest.approx(0.4 * 0.5 + 0.6)
    assert fused[3] == pytest.approx(0.0)
    assert fused[4] == pytest.approx(0.3)


def test_combine_keeps_a_clear_winner_that_rank_fusion_would_demote() -> None:
    # BM25 finds passage 1 far ahead of everything; the dense model ranks it third, close
    # behind two passages BM25 barely matched.
    lexical = {1: 30.0, 2: 3.0, 3: 2.5}
    dense = {2: 0.86, 3: 0.859, 1: 0.858, 4: 0.80}
    weights = {"dense": 0.4, "lexical": 0.6}

    by_score = [doc for doc, _ in combine({"dense": dense, "lexical": lexical}, weights)]
    by_rank = [doc for doc, _ in fuse({"dense": list(dense), "lexical": list(lexical)}, weights)]

    assert by_score[0] == 1
    assert by_rank[0] == 2


def test_combine_adds_the_bonus_and_handles_a_single_candidate() -> None:
    fused = combine({"dense": {7: 0.9}}, {"dense": 0.4}, bonus={8: 0.3})

    assert fused == [(7, pytest.approx(0.4)), (8, pytest.approx(0.3))]
