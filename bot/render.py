"""What every renderer shares: message sizes, joining blocks under a limit, shortening,
and the plain-text answer (the terminal, `hoidap ask`, Zalo)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import texts
from retrieval.answering import Answer, Citation

if TYPE_CHECKING:
    from bot.follows import Notice
    from bot.saved import SavedAnswer
    from bot.study import Asked

KEPT_ANSWER_CHARS = 400  # of each saved answer `/daluu` shows

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


def quiz_lines(asked: Asked) -> list[str]:
    """A quiz question: where it comes from, the sentence with its blank, the numbered options."""
    q = asked.question
    source = f" ({q.source})" if q.source else ""
    lines = [f"Câu {asked.n}/{asked.total} — theo “{q.title}”{source}, {q.where}:", q.prompt]
    lines += [f"{n}. {option}" for n, option in enumerate(q.options, start=1)]
    return lines


def graded_lines(asked: Asked, right: bool) -> list[str]:
    """A marked answer: right or not, the right option, and the sentence it is quoted from."""
    q = asked.question
    mark = texts.STUDY_RIGHT if right else texts.STUDY_WRONG.format(answer=q.answer)
    source = ", ".join(p for p in (q.source, q.where) if p)
    lines = [mark, f"“{q.sentence}” [1]", f"[1] {q.title}" + (f" — {source}" if source else "")]
    return lines + ([q.url] if q.url else [])


def kept_blocks(answers: Sequence[SavedAnswer]) -> list[str]:
    """`/daluu`: each kept answer, numbered, with the day it was kept and its sources."""
    blocks = [texts.SAVED_TITLE.format(count=len(answers))]
    for n, kept in enumerate(answers, start=1):
        lines = [f"{n}. {kept.question} ({texts.day(kept.saved_at[:10])})"]
        lines.append(shorten(kept.answer, KEPT_ANSWER_CHARS))
        for citation in kept.citations:
            lines.append(source_line(citation) + (f"\n    {citation.url}" if citation.url else ""))
        blocks.append("\n".join(lines))
    blocks.append("Gõ /boluu <số thứ tự> để xoá một câu khỏi danh sách.")
    return blocks


def notice_lines(notice: Notice) -> list[str]:
    """A follower's notice: what it is about, the title, source and date, the cited
    sentence, the link, how to stop."""
    about = ", ".join(f"“{label}”" for label in notice.labels)
    date = texts.day(notice.date) if notice.date else ""
    where = ", ".join(p for p in (notice.source, date) if p)
    lines = [f"🔔 Bài mới về {about} mà bạn theo dõi:", notice.title]
    if where:
        lines.append(where)
    lines.append(f"“{notice.sentence}” [1]")
    lines.append(f"[1] {notice.title}" + (f" — {notice.source}" if notice.source else ""))
    if notice.url:
        lines.append(notice.url)
    lines.append(f"Gõ /huytheodoi {notice.labels[0]} để thôi nhận tin này.")
    return lines
