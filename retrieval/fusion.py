"""Fusion of several rankings into one: by scaled scores (hybrid) or by ranks (plain RRF)."""

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


def combine(
    scored: Mapping[str, Mapping[int, float]],
    weights: Mapping[str, float],
    bonus: Mapping[int, float] | None = None,
    floors: Mapping[str, float] | None = None,
) -> list[tuple[int, float]]:
    """Fuse scored candidate sets: each set min-max scaled to [0, 1], then weighted and added.

    A set's lowest value maps to 0 unless `floors` gives the value that should (BM25: 0).
    Unlike rank fusion this keeps the margins: a passage far ahead in one signal stays
    ahead unless the other signal clearly disagrees, and a passage near the bottom of one
    set adds little. `bonus` adds a fixed amount to some ids (e.g. passages that mention
    the directive asked about). Best first; ties by id.
    """
    scores: dict[int, float] = dict(bonus or {})
    for name, values in scored.items():
        weight = weights.get(name, 0.0)
        if weight <= 0 or not values:
            continue
        high = max(values.values())
        low = (floors or {}).get(name, min(values.values()))
        span = high - low
        for doc, value in values.items():
            scaled = (value - low) / span if span > 0 else 1.0
            scores[doc] = scores.get(doc, 0.0) + weight * scaled
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
