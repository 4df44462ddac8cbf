"""Plain-text rendering of answers, for the terminal (and any channel without markup)."""

from __future__ import annotations

from retrieval.answering import Answer, Citation


def source_line(citation: Citation) -> str:
    """`[n] Title — Source, đoạn p` on one line."""
    where = ", ".join(part for part in (citation.source, f"đoạn {citation.paragraph}") if part)
    return f"[{citation.number}] {citation.title or citation.doc_id} — {where}"


def plain_text(answer: Answer) -> str:
    """The answer followed by its numbered sources with links."""
    if answer.abstained:
        return answer.text
    lines = [answer.text, "", "Nguồn:"]
    for citation in answer.citations:
        lines.append(source_line(citation))
        if citation.url:
            lines.append(f"    {citation.url}")
    return "\n".join(lines)
