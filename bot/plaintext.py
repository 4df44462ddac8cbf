"""Plain-text replies for channels without markup (Zalo), split at paragraphs below a limit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot import texts
from bot.blocks import About, Articles, Block, Graded, Kept, Lines, Passages, Say, Sources
from bot.follows import Notice
from bot.render import (
    answer_blocks,
    graded_lines,
    join,
    kept_blocks,
    notice_lines,
    quiz_lines,
    shorten,
    size,
    source_line,
)
from bot.results import CorpusInfo, Page
from bot.study import Asked
from index.documents import Article
from retrieval.answering import Answer, Citation

LIMIT = 2000  # Zalo's limit on a message's text

TIPS = (
    "Lệnh khác: /hoi <câu hỏi> (dùng trong nhóm), /xemnguon — đọc nguyên đoạn trích của câu "
    "trả lời vừa rồi, /them — xem thêm kết quả, /luu — lưu câu trả lời vừa rồi.\n\n"
    "Góp ý cho câu trả lời vừa rồi bằng cách nhắn 👍 hoặc 👎, hoặc nhắn lý do: “sai nguồn”, "
    "“không liên quan”, “đã cũ”. Trong nhóm, hãy gọi tên tôi hoặc bắt đầu bằng lệnh, "
    "ví dụ: /hoi chỉ thị 05 nói gì?"
)
QUIZ_HINT = "Nhắn số từ 1 đến {last} để trả lời (/ontap dừng để kết thúc)."
FEEDBACK_HINT = "Góp ý: nhắn 👍 hoặc 👎 (hoặc “sai nguồn”, “không liên quan”, “đã cũ”)."


def messages(blocks: Iterable[str], limit: int = LIMIT, separator: str = "\n\n") -> list[str]:
    """Join text blocks into messages under `limit`, breaking between paragraphs."""
    pieces = [piece for block in blocks for piece in _paragraphs(block, limit)]
    return [m for m in join(pieces, separator, limit) if m.strip()]


def render(reply: Sequence[Block], limit: int = LIMIT, tips: str = TIPS) -> list[str]:
    """A reply's blocks as plain-text messages, each under `limit`; `/help` ends with the
    channel's `tips`."""
    out: list[str] = []
    for block in reply:
        match block:
            case Say(text):
                out += plain(text, limit)
            case About(info):
                out += plain(texts.about(info, tips), limit)
            case Articles(title, articles, total):
                out += article_list(title, articles, total, limit)
            case Lines(lines):
                out += messages(list(lines), limit, separator="\n")
            case Sources(citations):
                out += sources_messages(citations, limit)
            case Passages(page):
                out += page_messages(page, limit)
            case Asked() as asked:
                lines = quiz_lines(asked)
                lines.append(QUIZ_HINT.format(last=len(asked.question.options)))
                out += messages(["\n".join(lines[:2]), "\n".join(lines[2:])], limit)
            case Graded(asked, _, right):
                out += messages(["\n".join(graded_lines(asked, right))], limit)
            case Kept(answers):
                out += messages(kept_blocks(answers), limit)
            case Notice() as notice:
                out += messages(["\n".join(notice_lines(notice))], limit)
    return bounded(out, limit)


def bounded(texts_: Sequence[str], limit: int = LIMIT) -> list[str]:
    """The messages, each within `limit`: one over it is split like any other text."""
    return [piece for t in texts_ for piece in ([t] if size(t) <= limit else plain(t, limit))]


def plain(text: str, limit: int = LIMIT) -> list[str]:
    """A text reply, split like any other."""
    return messages([text], limit)


def answer_messages(answer: Answer, hint: str = "", limit: int = LIMIT) -> list[str]:
    """The answer with its `[n]` markers, its sources with links, and an optional hint."""
    return messages([*answer_blocks(answer), *([hint] if hint else [])], limit)


def sources_messages(citations: Sequence[Citation], limit: int = LIMIT) -> list[str]:
    """Each cited passage in full, under its source line."""
    if not citations:
        return [texts.NO_SOURCES]
    blocks = []
    for c in citations:
        blocks += [source_line(c) + (f"\n    {c.url}" if c.url else ""), c.passage]
    return messages(blocks, limit)


def page_messages(page: Page, limit: int = LIMIT) -> list[str]:
    """One page of further passages."""
    if not page.passages:
        return [texts.NO_MORE]
    blocks = [texts.MORE_TITLE.format(page=page.page)]
    for n, p in enumerate(page.passages, start=(page.page - 1) * len(page.passages) + 1):
        blocks.append(_article_line(n, p.title or p.doc_id, p.source, p.published_at, p.url))
        blocks.append(shorten(p.text, texts.PASSAGE_PREVIEW_CHARS))
    return messages(blocks, limit)


def article_list(
    title: str, articles: Iterable[Article], total: int | None = None, limit: int = LIMIT
) -> list[str]:
    """A numbered list of articles: title, source, date, doc_id and link."""
    articles = list(articles)
    blocks = [title]
    for n, a in enumerate(articles, start=1):
        line = _article_line(n, a.title or a.doc_id, a.source, a.published_at, "")
        blocks.append(f"{line} (mã {a.doc_id})" + (f"\n    {a.url}" if a.url else ""))
    if total is not None and total > len(articles):
        blocks.append(f"… và {total - len(articles)} bài khác. Dùng /tim <từ khóa> để tìm.")
    return messages(blocks, limit, separator="\n")


def about(info: CorpusInfo) -> str:
    """`/start` and `/help` in plain text."""
    return texts.about(info, TIPS)


def _article_line(n: int, title: str, source: str, published_at: str, url: str) -> str:
    where = ", ".join(x for x in (source, texts.day(published_at)) if x)
    return f"{n}. {title}" + (f" — {where}" if where else "") + (f"\n    {url}" if url else "")


def _paragraphs(text: str, limit: int) -> Iterable[str]:
    """Paragraphs of `text`, each cut under `limit` at a line break or space when possible."""
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        paragraph = paragraph.strip()
        while size(paragraph) > limit:
            n = limit
            while size(paragraph[:n]) > limit:
                n = n * 4 // 5
            cut = max(paragraph.rfind("\n", 0, n), paragraph.rfind(" ", 0, n))
            cut = cut if cut > n // 2 else n
            yield paragraph[:cut].rstrip()
            paragraph = paragraph[cut:].lstrip()
        if paragraph:
            yield paragraph
