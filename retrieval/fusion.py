"""Weighted reciprocal-rank fusion of several rankings into one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RRF_K = 60


def fuse(
    rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float], k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(d) = sum of weight / (k + rank), best first.

    A ranking with a small weight can reorder near-ties of the others but cannot push their
    top results down, which matters when one signal is known to be weak for a query.
    """
    scores: dict[int, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 0.0)
        if weight <= 0:
            continue
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
