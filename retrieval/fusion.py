"""Weighted reciprocal-rank fusion of several rankings into one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RRF_K = 60


def fuse(
    rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float], k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(d) = sum of weight / (k + rank), best first.

    A ranking with a small weight w can reorder documents the others also found, but a
    document only it found scores at most w / (k + 1), below everything the full-weight
    rankings put in their top ~k / w; that matters when a signal is known to be weak.
    """
    scores: dict[int, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 0.0)
        if weight <= 0:
            continue
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
