"""Weighted reciprocal-rank fusion, computed by hand."""

from __future__ import annotations

import pytest

from retrieval.fusion import fuse


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
