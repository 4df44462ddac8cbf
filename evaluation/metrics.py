"""Retrieval and answer metrics over QuestionResults: pure functions, checkable by hand.

Conventions:
- Ranks are 1-based and document-level: the passage ranking is collapsed to documents by
  keeping each document's first (best) passage, so a document seen twice keeps its first rank.
- A rate over an empty group (no question with gold documents, no quote, …) is None, never 0.
- Answers match after `normalize_answer` on both sides: canonical Vietnamese form (NFC, tone
  mark on the traditional vowel), lower case, whitespace collapsed. Diacritics are kept.
- Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at
  1-based rank ceil(p * n / 100), so it is always a latency that was actually measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from index.vietnamese import normalize

if TYPE_CHECKING:
    from evaluation.records import QuestionResult

DIGITS = 4


def normalize_answer(text: str) -> str:
    """The form answers and passages are compared in: canonical, lower-case, single-spaced."""
    return " ".join(normalize(text).lower().split())


def _contains_answer(text: str, answers: Iterable[str]) -> bool:
    haystack = normalize_answer(text)
    # an answer that normalises to "" would match every text, so it never counts
    return any(needle and needle in haystack for needle in map(normalize_answer, answers))


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def ranked_docs(doc_ids: Iterable[str]) -> list[str]:
    """Documents in rank order, each at the rank of its first passage."""
    return list(dict.fromkeys(doc_ids))


def first_gold_rank(result: QuestionResult) -> int | None:
    """1-based rank of the first gold document, or None if none was retrieved."""
    gold = set(result.gold_doc_ids)
    for rank, doc_id in enumerate(ranked_docs(result.retrieved_doc_ids), start=1):
        if doc_id in gold:
            return rank
    return None


def _with_gold(results: Iterable[QuestionResult]) -> list[QuestionResult]:
    return [r for r in results if r.gold_doc_ids]


def _with_answers(results: Iterable[QuestionResult]) -> list[QuestionResult]:
    return [r for r in results if r.answers]


def recall_at(results: Iterable[QuestionResult], k: int) -> float | None:
    """Share of questions with gold documents whose first gold document ranks within k."""
    ranks = [first_gold_rank(r) for r in _with_gold(results)]
    return _share([rank is not None and rank <= k for rank in ranks])


def mrr_at(results: Iterable[QuestionResult], k: int = 10) -> float | None:
    """Mean of 1/rank of the first gold document (0 beyond k), over questions with gold."""
    ranks = [first_gold_rank(r) for r in _with_gold(results)]
    if not ranks:
        return None
    return sum(1 / rank for rank in ranks if rank is not None and rank <= k) / len(ranks)


def answer_in_passages(result: QuestionResult, k: int) -> bool:
    """True when one of the first k retrieved passages contains a gold answer."""
    return any(_contains_answer(text, result.answers) for text in result.retrieved_texts[:k])


def answer_in_answer(result: QuestionResult) -> bool:
    """True when the bot's answer text contains a gold answer."""
    return _contains_answer(result.answer_text, result.answers)


def answer_in_citations(result: QuestionResult) -> bool:
    """True when one of the cited passages contains a gold answer."""
    return any(_contains_answer(text, result.answers) for text in result.cited_passages)


def answer_hit_rate(results: Iterable[QuestionResult], k: int) -> float | None:
    """Share of questions with answers where a gold answer is in the first k passages."""
    return _share([answer_in_passages(r, k) for r in _with_answers(results)])


def answer_contains_rate(results: Iterable[QuestionResult]) -> float | None:
    """Share of questions with answers whose answer text contains one (abstaining misses)."""
    return _share([answer_in_answer(r) for r in _with_answers(results)])


def cited_contains_rate(results: Iterable[QuestionResult]) -> float | None:
    """Share of questions with answers where a cited passage contains one."""
    return _share([answer_in_citations(r) for r in _with_answers(results)])


def citation_precision(results: Iterable[QuestionResult]) -> float | None:
    """Verbatim quotes / all quotes, pooled over the questions; None when nothing was quoted."""
    flags = [flag for r in results for flag in r.quotes_verbatim]
    return _share(flags)


def trap_safe(result: QuestionResult) -> bool:
    """No other place's value for the asked fact is stated as if it were the asked place's.

    Safe when the answer holds none of the other places' values, or names, before each value
    it holds, the place that value belongs to ("Bài viết về TP Cần Thơ cho biết: … 67 …").
    """
    from index.subjects import place_mentions, question_places

    answer = normalize(result.answer_text)
    for subject, value, _ in result.other_subjects:
        at = answer.lower().find(normalize(value).lower())  # quotes are verbatim
        if at < 0:
            continue
        wanted = {p.key for p in question_places(subject)}
        before = answer[:at]
        named = {m.place.key for m in place_mentions(before)}
        if not wanted or not wanted <= named:
            return False
    return True


def trap_safe_rate(results: Iterable[QuestionResult]) -> float | None:
    """Share of trap questions (with other places' values) answered safely."""
    return _share([trap_safe(r) for r in results if r.other_subjects])


def all_gold_cited(result: QuestionResult) -> bool:
    """Every gold document is among the cited ones (list questions: every place that has it)."""
    return set(result.gold_doc_ids) <= set(result.cited_doc_ids)


def all_gold_cited_rate(results: Iterable[QuestionResult]) -> float | None:
    """Share of questions with two or more gold documents that cite all of them."""
    return _share([all_gold_cited(r) for r in results if len(r.gold_doc_ids) > 1])


def declines(results: Iterable[QuestionResult]) -> dict[str, int]:
    """How many questions were declined for each reason."""
    counts: dict[str, int] = {}
    for r in results:
        if r.abstained:
            counts[r.reason or "unknown"] = counts.get(r.reason or "unknown", 0) + 1
    return dict(sorted(counts.items()))


def answered_rate_in_scope(results: Iterable[QuestionResult]) -> float | None:
    """Share of in-scope questions the bot answered instead of abstaining."""
    return _share([not r.abstained for r in results if r.in_scope])


def abstained_rate_out_of_scope(results: Iterable[QuestionResult]) -> float | None:
    """Share of out-of-scope questions the bot rightly abstained on."""
    return _share([r.abstained for r in results if not r.in_scope])


def percentile(values: Sequence[float], p: int) -> float | None:
    """Nearest-rank p-th percentile (0 < p <= 100) of values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))  # ceil without float error
    return ordered[rank - 1]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def latency_summary(results: Iterable[QuestionResult]) -> dict[str, float | None]:
    """p50, p95 (nearest-rank), max and mean latency in milliseconds."""
    values = [r.latency_ms for r in results]
    mean = sum(values) / len(values) if values else None
    summary = {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values, default=None),
        "mean": mean,
    }
    return {name: _round(value) for name, value in summary.items()}


def recall_ks(k: int) -> tuple[int, ...]:
    """The cut-offs reported for depth k: 1, 5 and 10 where below k, then k itself."""
    return (*(n for n in (1, 5, 10) if n < k), k)


def summarize(
    results: Iterable[QuestionResult], ks: Sequence[int] = (1, 5, 10), k: int = 10
) -> dict[str, Any]:
    """All metrics for one group of results, under stable keys."""
    results = list(results)
    summary: dict[str, Any] = {
        "questions": len(results),
        "with_gold": len(_with_gold(results)),
        "with_answers": len(_with_answers(results)),
        "out_of_scope": sum(not r.in_scope for r in results),
    }
    for n in ks:
        summary[f"recall@{n}"] = _round(recall_at(results, n))
    summary[f"mrr@{k}"] = _round(mrr_at(results, k))
    summary["answer_in_top_k"] = _round(answer_hit_rate(results, k))
    summary["answer_in_top_5"] = _round(answer_hit_rate(results, min(5, k)))
    summary["answer_contains"] = _round(answer_contains_rate(results))
    summary["cited_contains"] = _round(cited_contains_rate(results))
    summary["citation_precision"] = _round(citation_precision(results))
    summary["answered_in_scope"] = _round(answered_rate_in_scope(results))
    summary["abstained_out_of_scope"] = _round(abstained_rate_out_of_scope(results))
    summary["trap_safe"] = _round(trap_safe_rate(results))
    summary["all_gold_cited"] = _round(all_gold_cited_rate(results))
    summary["declines"] = declines(results)
    summary["latency_ms"] = latency_summary(results)
    return summary


def group_results(
    results: Iterable[QuestionResult],
) -> dict[str, dict[str, list[QuestionResult]]]:
    """Results by configuration, then condition, both in order of first appearance."""
    groups: dict[str, dict[str, list[QuestionResult]]] = {}
    for r in results:
        groups.setdefault(r.config, {}).setdefault(r.condition, []).append(r)
    return groups


def summarize_all(results: Iterable[QuestionResult], k: int = 10) -> dict[str, Any]:
    """{config: {condition: {"overall": summary, "by_type": {type: summary}}}}.

    Configurations and conditions keep the runner's order; types are sorted. "by_type" is
    present only when some question has a type.
    """
    results = list(results)
    ks = recall_ks(k)
    typed = any(r.question_type for r in results)
    summary: dict[str, Any] = {}
    for config, conditions in group_results(results).items():
        for condition, group in conditions.items():
            entry: dict[str, Any] = {"overall": summarize(group, ks, k)}
            if typed:
                types = sorted({r.question_type for r in group})
                entry["by_type"] = {
                    t: summarize([r for r in group if r.question_type == t], ks, k) for t in types
                }
            summary.setdefault(config, {})[condition] = entry
    return summary
