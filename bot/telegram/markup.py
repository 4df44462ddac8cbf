"""Telegram HTML for answers, sources and lists: every text escaped, split below 4,096 chars."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Sequence
from html import escape

from bot import texts
from bot.blocks import About, Articles, Block, Graded, Kept, Lines, Passages, Say, Sources
from bot.follows import Notice
from bot.render import (
    OCR_NOTE,
    graded_lines,
    join,
    kept_blocks,
    notice_lines,
    quiz_lines,
    shorten,
    size,
)
from bot.results import CorpusInfo, Page
from bot.service import Reply
from bot.study import Asked
from index.documents import Article
from retrieval.answering import Answer, Citation

log = logging.getLogger(__name__)

LIMIT = 4096  # Telegram's limit on a message's text, in UTF-16 code units
MARGIN = 96  # room for a "(tiếp)" marker and safety
TIPS = (
    "Dưới mỗi câu trả lời: “Xem nguồn” để đọc nguyên đoạn trích, “Thêm kết quả” để xem "
    "thêm, ⭐ để lưu, 👍/👎 (nút hoặc thả cảm xúc) để góp ý. Trong nhóm, hãy nhắc tên tôi "
    "(@) hoặc trả lời tin nhắn của tôi; ở cuộc trò chuyện bất kỳ, gõ @tên_bot rồi câu hỏi "
    "để chia sẻ câu trả lời vào đó."
)
_TAG = re.compile(r"<[^>]*>")


def link(title: str, url: str) -> str:
    """An escaped `<a>` when there is a URL, else the escaped title."""
    if not url.startswith(("http://", "https://")):
        return escape(title)
    return f'<a href="{escape(url, quote=True)}">{escape(title)}</a>'


def reply_messages(reply: Reply) -> list[str]:
    """What a question got: the answer with its sources, or the message saying why not."""
    return answer_messages(reply.answer) if reply.answer else plain(reply.text)


def answer_messages(answer: Answer) -> list[str]:
    """The answer with its `[n]` markers, then a "Nguồn" block; one or more messages."""
    blocks = list(_pieces(answer.text))
    if not answer.abstained and answer.citations:
        blocks.append("<b>Nguồn:</b>\n" + "\n".join(_source_line(c) for c in answer.citations))
    return split(blocks)


def sources_messages(citations: Sequence[Citation]) -> list[str]:
    """Each cited passage in full, with the quoted sentences in bold."""
    if not citations:
        return [texts.NO_SOURCES]
    blocks = []
    for c in citations:
        blocks.append(_source_line(c))
        blocks.extend(_pieces(c.passage, bold=c.quotes))
    return split(blocks)


def page_messages(page: Page) -> list[str]:
    """One page of "Thêm kết quả"."""
    if not page.passages:
        return [texts.NO_MORE]
    blocks = [f"<b>{texts.MORE_TITLE.format(page=page.page)}</b>"]
    for n, p in enumerate(page.passages, start=(page.page - 1) * len(page.passages) + 1):
        where = ", ".join(escape(x) for x in (p.source, _date(p.published_at)) if x)
        blocks.append(
            f"{n}. {link(p.title or p.doc_id, p.url)}" + (f" — {where}" if where else "")
        )
        blocks.extend(_pieces(shorten(p.text, texts.PASSAGE_PREVIEW_CHARS)))
    return split(blocks)


def about(info: CorpusInfo) -> str:
    """`/start` and `/help`: what the bot knows and how to ask."""
    return texts.about(info, TIPS, bold=lambda text: f"<b>{text}</b>", escape=escape)


def article_list(title: str, articles: Iterable[Article], total: int | None = None) -> list[str]:
    """A numbered list of articles: title (linked), source, date and doc_id."""
    articles = list(articles)
    blocks = [f"<b>{escape(title)}</b>"]
    for n, a in enumerate(articles, start=1):
        where = ", ".join(escape(x) for x in (a.source, _date(a.published_at)) if x)
        line = f"{n}. {link(a.title or a.doc_id, a.url)}"
        blocks.append(
            line + (f" — {where}" if where else "") + f" (mã <code>{escape(a.doc_id)}</code>)"
        )
    if total is not None and total > len(articles):
        blocks.append(f"… và {total - len(articles)} bài khác. Dùng /tim &lt;từ khóa&gt; để tìm.")
    return split(blocks, separator="\n")


def render(reply: Sequence[Block]) -> list[str]:
    """A reply's blocks as Telegram HTML messages, each under the limit."""
    messages: list[str] = []
    for block in reply:
        match block:
            case Say(text):
                messages += plain(text)
            case About(info):
                messages.append(about(info))
            case Articles(title, articles, total):
                messages += article_list(title, articles, total)
            case Lines(lines):
                messages += split([escape(line) for line in lines], "\n")
            case Sources(citations):
                messages += sources_messages(citations)
            case Passages(page):
                messages += page_messages(page)
            case Asked() as asked:
                lines = [escape(line) for line in quiz_lines(asked)]
                lines[1] = f"<b>{lines[1]}</b>"
                messages += split(["\n".join(lines[:2]), "\n".join(lines[2:])])
            case Graded(asked, _, right):
                lines = [escape(line) for line in graded_lines(asked, right)]
                messages += split(["\n".join(lines)])
            case Kept(answers):
                messages += split([escape(b) for b in kept_blocks(answers)])
            case Notice() as notice:
                lines = [escape(line) for line in notice_lines(notice)]
                lines[1] = f"<b>{link(notice.title, notice.url)}</b>"
                messages += split(["\n".join(lines)])
    return bounded(messages)


def bounded(messages: Sequence[str]) -> list[str]:
    """The messages, each within Telegram's limit: the rare one over it (a block that could
    not be split, such as a hostile title or link) is sent as its visible text, split."""
    out: list[str] = []
    for message in messages:
        if size(message) <= LIMIT:
            out.append(message)
        else:
            log.warning("a %d-unit reply was over the limit: sent as plain text", size(message))
            out += plain(html.unescape(_TAG.sub("", message)))
    return out


def plain(text: str) -> list[str]:
    """Escaped plain text, split like any other reply."""
    return split(list(_pieces(text)))


def split(
    blocks: Sequence[str], separator: str = "\n\n", limit: int = LIMIT - MARGIN
) -> list[str]:
    """Join HTML blocks into messages under Telegram's limit, breaking only between blocks."""
    return join(blocks, separator, limit)


def _source_line(c: Citation) -> str:
    if c.document:
        issuer = ", ".join(escape(x) for x in (c.source, OCR_NOTE if c.ocr else "") if x)
        tail = f" — {issuer}" if issuer else ""
        return f"[{c.number}] {escape(c.where)} — {link(c.document, c.url)}{tail}"
    where = ", ".join(escape(x) for x in (c.source, c.where, OCR_NOTE if c.ocr else "") if x)
    return f"[{c.number}] {link(c.title or c.doc_id, c.url)} — {where}"


def _pieces(text: str, bold: Sequence[str] = (), limit: int = LIMIT - 2 * MARGIN) -> Iterable[str]:
    """Escaped paragraphs of plain text (quotes in bold), each cut under the limit."""
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        for part in _cut(paragraph.strip(), limit):
            yield _emphasise(part, bold) if bold else escape(part)


def _cut(text: str, limit: int) -> Iterable[str]:
    """Plain text in pieces whose escaped size is under `limit`, cut at spaces when possible."""
    while size(escape(text)) > limit:
        n = limit
        while size(escape(text[:n])) > limit:
            n = n * 4 // 5
        cut = text.rfind(" ", 0, n)
        cut = cut if cut > n // 2 else n
        yield text[:cut]
        text = text[cut:].lstrip()
    if text:
        yield text


def _emphasise(text: str, quotes: Sequence[str]) -> str:
    spans = sorted({(i, i + len(q)) for q in quotes if q for i in _find_all(text, q)})
    out, at = [], 0
    for start, end in spans:
        if start < at:
            continue
        out += [escape(text[at:start]), f"<b>{escape(text[start:end])}</b>"]
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def _find_all(text: str, needle: str) -> Iterable[int]:
    start = text.find(needle)
    while start >= 0:
        yield start
        start = text.find(needle, start + 1)


def _date(iso: str) -> str:
    return texts.day(iso)
