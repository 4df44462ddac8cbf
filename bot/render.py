"""Plain-text rendering of answers, for the terminal (and any channel without markup)."""

from __future__ import annotations

from retrieval.answering import Answer, Citation


def source_line(citation: Citation) -> str:
    """`[n] Title — Source, đoạn p` on one line."""
    where = ", ".join(part for part in (citation.source, f"đoạn {citation.paragraph}") if part)
    return f"[{citation.number}] {citation.title or citation.doc_id} — {where}"


def answer_blocks(answer: Answer) -> list[str]:
    """The answer, then (unless it abstains) a "Nguồn:" block with one line and link each."""
    if answer.abstained:
        return [answer.text]
    lines = ["Nguồn:"]
    for citation in answer.citations:
        lines.append(source_line(citation))
        if citation.url:
            lines.append(f"    {citation.url}")
    return [answer.text, "\n".join(lines)]


def plain_text(answer: Answer) -> str:
    """The answer followed by its numbered sources with links."""
    return "\n\n".join(answer_blocks(answer))
