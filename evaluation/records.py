"""One question run through one retrieval configuration in one condition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evaluation import metrics

PASSAGES_SHOWN = 5
PASSAGE_CHARS = 300


@dataclass(frozen=True)
class QuestionResult:
    """What the runner recorded for one question, configuration and condition."""

    id: str
    question: str  # as asked in this condition
    question_type: str  # "" when the questions file has none
    config: str  # "bm25" | "dense" | "hybrid" (any string)
    condition: str  # "diacritics" | "no-diacritics"
    gold_doc_ids: tuple[str, ...]
    answers: tuple[str, ...]
    retrieved_doc_ids: tuple[str, ...]  # one per retrieved passage, in rank order
    retrieved_texts: tuple[str, ...]  # the passage texts, same order
    answer_text: str
    abstained: bool
    cited_passages: tuple[str, ...]  # text of each cited passage
    quotes_verbatim: tuple[bool, ...]  # per quoted sentence: found verbatim in its passage
    latency_ms: float
    cited_doc_ids: tuple[str, ...] = ()  # the article of each citation
    reason: str = ""  # why the answerer abstained (Answer.reason)
    other_subjects: tuple[tuple[str, str, str], ...] = ()  # a trap's (subject, value, doc_id)

    @property
    def in_scope(self) -> bool:
        """True when the corpus is expected to answer this question."""
        return bool(self.answers or self.gold_doc_ids)

    def to_json(self, k: int = 10) -> dict[str, Any]:
        """A JSON-ready record for per_question.jsonl; checks that do not apply are None."""
        rank = metrics.first_gold_rank(self)
        retrieved = zip(self.retrieved_doc_ids, self.retrieved_texts, strict=False)
        return {
            "id": self.id,
            "question": self.question,
            "question_type": self.question_type,
            "config": self.config,
            "condition": self.condition,
            "in_scope": self.in_scope,
            "gold_doc_ids": list(self.gold_doc_ids),
            "answers": list(self.answers),
            "retrieved_count": len(self.retrieved_doc_ids),
            "retrieved": [
                {"doc_id": doc_id, "text": text[:PASSAGE_CHARS]}
                for doc_id, text in list(retrieved)[:PASSAGES_SHOWN]
            ],
            "answer_text": self.answer_text,
            "abstained": self.abstained,
            "cited_passages": list(self.cited_passages),
            "quotes_verbatim": list(self.quotes_verbatim),
            "latency_ms": self.latency_ms,
            "k": k,
            "hit_at_k": (rank is not None and rank <= k) if self.gold_doc_ids else None,
            "first_gold_rank": rank,
            "answer_in_passages": metrics.answer_in_passages(self, k) if self.answers else None,
            "answer_in_answer": metrics.answer_in_answer(self) if self.answers else None,
            "reason": self.reason,
            "cited_doc_ids": list(self.cited_doc_ids),
            "trap_safe": metrics.trap_safe(self) if self.other_subjects else None,
            "all_gold_cited": (
                metrics.all_gold_cited(self) if len(self.gold_doc_ids) > 1 else None
            ),
        }
