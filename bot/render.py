"""What every renderer shares: message sizes, joining blocks under a limit, shortening,
and the plain-text answer (the terminal, `hoidap ask`, Zalo)."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.answering import Answer, Citation

OCR_NOTE = "văn bản nhận dạng từ ảnh chụp"  # said of a document whose text was OCRed


def source_line(citation: Citation) -> str:
    """`[n] Title — Source, đoạn p` on one line; an official document's as `[n] Điều 5,
    khoản 2 — Quy định số 37-QĐ/TW (ngày 25/10/2021) — Bộ Chính trị`."""
    if citation.document:
        issuer = ", ".join(p for p in (citation.source, OCR_NOTE if citation.ocr else "") if p)
        tail = f" — {issuer}" if issuer else ""
        return f"[{citation.number}] {citation.where} — {citation.document}{tail}"
    ocr = OCR_NOTE if citation.ocr else ""
    where = ", ".join(part for part in (citation.source, citation.where, ocr) if part)
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


def size(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts (an emoji counts twice); never less
    than the characters, so a text within it is within a limit on characters too."""
    return len(text.encode("utf-16-le")) // 2


def join(blocks: Sequence[str], separator: str, limit: int) -> list[str]:
    """Blocks joined into messages of at most `limit` (by `size`), breaking only between
    blocks (a block over the limit is its own message: cut it first)."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if current and size(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages or [""]


def shorten(text: str, limit: int) -> str:
    """`text` cut at the last space before `limit` characters, with " …"."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
