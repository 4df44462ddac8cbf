"""Turn scraped article text into a title, a clean body and citation metadata.

Only whole lines that match known page furniture are dropped (share buttons, "Các tin khác",
bare photo credits); real sentences are never cut. Photo captions are kept because they often
name people and places, but a trailing credit ("… Bắc Giang. Ảnh: Tư liệu.") is removed, and a
line repeated twice in a row is kept once. Bylines ("Nguyễn Thanh", "Bài, ảnh: NGUYỄN HUY") stay
as the last paragraph: they are short, harmless and tell the reader who wrote the piece.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from index.documents import Official
from index.official import Parsed
from index.official import parse as official_header
from index.vietnamese import fold, normalize

# Whole lines of page navigation, compared without diacritics, case or a trailing colon.
_BOILERPLATE = frozenset(
    {
        "chia se",
        "chia se bai viet",
        "chia se facebook",
        "phan hoi",
        "gui phan hoi",
        "y kien ban doc",
        "binh luan",
        "gui binh luan",
        "cac tin khac",
        "tin khac",
        "tin lien quan",
        "bai lien quan",
        "bai viet lien quan",
        "tin cung chuyen muc",
        "moi nhat",
        "xem nhieu nhat",
        "doc nhieu nhat",
        "xem them",
        "in bai",
        "in bai viet",
        "gui bai viet",
        "ve dau trang",
        "len dau trang",
        "quay lai",
        "tro ve",
    }
)
_TAGS = re.compile(r"\s*(?:tags?|tu khoa)\s*:")
_BOILERPLATE_PATTERN = re.compile(
    r"binh luan\s*\(\d+\)"  # "Bình luận (3)"
    r"|(?:facebook|twitter|zalo|email)(?:\s*[|/,]\s*(?:facebook|twitter|zalo|email|in))*"
)
_PHOTO_CREDIT = re.compile(r"\(?\s*(?:ảnh|nguồn ảnh)(?:\s+minh họa)?\s*(?::[^.]{1,40})?\)?\.?")
_TRAILING_CREDIT = re.compile(
    r"(?P<caption>.*?[.!?…])\s*[(\[]?\s*ảnh\s*:\s*[^.()\[\]]{1,40}[)\]]?\.?"
    r"|(?P<caption2>.*?)\s*(?:[(\[]\s*ảnh\s*:\s*[^()\[\]]{1,40}[)\]]|[-–]\s+ảnh\s*:[^.]{1,40})\.?",
    re.IGNORECASE,
)
_TRAILING_PIPE = re.compile(r"(?:^|\s+)\|+$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u2060\ufeff"))
# Icelandic eth (Ð ð) is a common look-alike typed for Vietnamese Đ đ; it breaks search.
_TRANSLATE = {**_INVISIBLE, 0xD0: "Đ", 0xF0: "đ"}
_URL = re.compile(r"<?(https?://[^\s<>]+)>?")
_GLUED_SENTENCE = re.compile(r"(https?://\S+|www\.\S+)|([^\W\d_])\.([^\W\d_]{2})")
_SOURCE_LINE = re.compile(
    r"\(?\s*(?:theo\s+)?nguồn(?:\s+tin)?\b\s*(?P<rest>.*?)\s*\)?", re.IGNORECASE
)
_LIST_ITEM = re.compile(
    r"(?:[-•*+]|\d{1,2}[.)]|[a-zđ]\)|(?:Điều|Chương|CHƯƠNG|Mục|MỤC|Phần|PHẦN)\s+\w+[.:]?(?=\s|$))\s?"
)
_TERMINAL = ".!?…:;"

_DATE_PREFIX = r"(?:(?:cap nhat|ngay dang|dang luc|dang ngay|xuat ban)\s*:?\s*)?"
_WEEKDAY = r"(?:(?:thu\s+(?:hai|ba|tu|nam|sau|bay|[2-7])|chu\s+nhat|cn)\s*[,\-–]?\s*)?"
_TIME = (
    r"(?:(?:luc\s*)?\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s*(?:am|pm))?"
    r"(?:\s*\(?gmt\s*[+-]\s*\d{1,2}\)?)?)"
)
_DMY = r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})"
_DMY_WORDS = r"(?:ngay\s+)?(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s*(?:,|nam)\s*(?P<y>\d{4})"
_DATE_LINES = [
    re.compile(
        rf"{_DATE_PREFIX}{_WEEKDAY}(?:{_TIME}\s*[,\-–|]?\s*)?(?:ngay\s+)?{date}"
        rf"(?:\s*[,\-–|]?\s*{_TIME})?\s*"
    )
    for date in (_DMY, _DMY_WORDS)
]
_ISO_DATE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:z|[+-]\d{2}:?\d{2})?)?"
)


@dataclass(frozen=True)
class CleanedText:
    """An article's parts as found in its text: everything normalised, dates in ISO form."""

    title: str
    text: str
    source: str = ""
    url: str = ""
    published_at: str = ""
    official: Official | None = None
    ocr: bool = False  # read from page images


def clean_text_article(raw: str, *, title: str = "", wrapped: bool = False) -> CleanedText:
    """Split scraped article text into title, clean body, source, URL and publication date.

    Without `title`, the first line is the title (with a second heading-like line appended
    after ": ", as in "Kicker: Headline"). `wrapped` is for text whose lines were broken for
    layout (PDF): paragraphs are then rebuilt from line lengths instead of one per line.
    """
    parsed = official_header(raw.split("\n"), wrapped=wrapped)
    if parsed is not None:
        return _official_document(raw, parsed, wrapped)
    lines = [_tidy(line) for line in raw.split("\n")]
    content = [i for i, line in enumerate(lines) if line and not is_boilerplate(line)]

    published_at = ""
    for i in content[:3]:
        published_at = parse_date(lines[i])
        if published_at:
            content.remove(i)
            lines[i] = ""
            break

    source, url = "", ""
    for i in reversed(content[-2:]):
        found = _parse_source_line(lines[i])
        if found is None:
            break
        source, url = found[0] or source, found[1] or url
        content.remove(i)
        lines[i] = ""

    title = clean_title(title)
    if not title and content:
        first = lines[content[0]]
        title, lines[content[0]] = first, ""
        second = lines[content[1]] if len(content) > 1 else ""
        # (but "Điều 1. …" under a law's name is the law's text, not a subtitle)
        subtitle = _is_heading(second) and not _LIST_ITEM.match(second)
        if len(content) > 2 and _is_heading(first) and subtitle:
            title, lines[content[1]] = f"{first}: {second}", ""
    body = clean_body("\n".join(lines), wrapped=wrapped)
    first_paragraph = body.split("\n\n", 1)[0]
    if title and fold(first_paragraph) == fold(title):  # title repeated as the first paragraph
        body = body[len(first_paragraph) :].lstrip("\n")
    if not body and title:  # a one-paragraph text: keep it as the body
        body, title = title, title_from_text(title)
    if url and not source:
        source = source_from_url(url)
    return CleanedText(title, body, normalize(source), url, published_at)


def _official_document(raw: str, parsed: Parsed, wrapped: bool) -> CleanedText:
    """An official document: its header names it, its body is what lies between the header
    and the signer's block."""
    document = parsed.official
    fields = {
        name: normalize(value) if isinstance(value, str) else value
        for name, value in vars(document).items()
    }
    fields["recipients"] = tuple(normalize(r) for r in document.recipients)
    document = Official(**fields)
    lines = raw.split("\n")[parsed.body_start : parsed.body_end]
    body = clean_body("\n".join(lines), wrapped=wrapped)
    return CleanedText(
        title=clean_title(document.heading),
        text=body,
        source=document.issuer,
        published_at=document.date,
        official=document,
    )


def clean_body(text: str, *, wrapped: bool = False) -> str:
    """Drop page furniture and return normalised paragraphs separated by blank lines."""
    lines = []
    for raw_line in text.split("\n"):
        line = _tidy(raw_line)
        if line and is_boilerplate(line):
            continue
        lines.append(_strip_photo_credit(line) if line else line)
    paragraphs = _wrapped_paragraphs(lines) if wrapped else [line for line in lines if line]
    out: list[str] = []
    for paragraph in paragraphs:
        paragraph = _GLUED_SENTENCE.sub(_space_after_period, paragraph)
        if paragraph and (not out or out[-1] != paragraph):  # a caption repeated twice
            out.append(paragraph)
    return "\n\n".join(out)


def clean_title(title: str) -> str:
    """A title on one normalised line (HTML entities decoded, whitespace collapsed)."""
    return _tidy(title)


def is_boilerplate(line: str) -> bool:
    """True for a whole line of page furniture (share buttons, "Các tin khác", photo credit)."""
    if _TAGS.match(fold(line[:12])):
        return True
    if len(line) > 60:  # navigation lines are short; skip the costly checks for prose
        return False
    key = fold(line).strip(" :.»>|-–").strip()
    if key in _BOILERPLATE or _BOILERPLATE_PATTERN.fullmatch(key):
        return True
    return _PHOTO_CREDIT.fullmatch(normalize(line).lower().strip()) is not None


def parse_date(value: str) -> str:
    """ISO `YYYY-MM-DD` of a date line ("16/06/2013 - 20:09") or ISO timestamp, else ""."""
    key = fold(" ".join(value.split())).strip(" .")
    for pattern in (_ISO_DATE, *_DATE_LINES):
        m = pattern.fullmatch(key)
        if m:
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
            except ValueError:
                return ""
    return ""


def source_from_url(url: str) -> str:
    """The site's host name without "www.", e.g. "baolaocai.vn"."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def title_from_text(text: str, limit: int = 100) -> str:
    """A title made from the first sentence of `text`, cut at a word near `limit` characters."""
    first = " ".join(text.split("\n\n", 1)[0].split())
    m = re.search(r"[.!?…](?=\s|$)", first)
    sentence = first[: m.start()] if m else first
    if len(sentence) <= limit:
        return sentence
    cut = sentence.rfind(" ", 0, limit)
    return sentence[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def _tidy(line: str) -> str:
    if "&" in line:  # scraped text often keeps entities such as "th&ocirc;ng"
        line = html.unescape(line)
    line = " ".join(line.translate(_TRANSLATE).split())
    return normalize(_TRAILING_PIPE.sub("", line))


def _strip_photo_credit(line: str) -> str:
    if "ảnh" not in line.lower():
        return line
    m = _TRAILING_CREDIT.fullmatch(line)
    if m is None:
        return line
    return (m["caption"] or m["caption2"] or "").strip()


def _space_after_period(m: re.Match[str]) -> str:
    if m[1]:  # a URL: leave it alone
        return m[1]
    before, after = m[2], m[3]
    if before.islower() and after[0].isupper() and after[1].islower():
        return f"{before}. {after}"
    return m[0]


def _parse_source_line(line: str) -> tuple[str, str] | None:
    """(source, url) of a closing "Nguồn X: http://…" or bare URL line, else None."""
    bare = _URL.fullmatch(line)
    if bare:
        return source_from_url(bare[1]), bare[1]
    m = _SOURCE_LINE.fullmatch(normalize(line))
    if m is None:
        return None
    rest = m["rest"]
    url_match = _URL.search(rest)
    if url_match and not rest[url_match.end() :].strip():
        return rest[: url_match.start()].strip(" :-–"), url_match[1]
    if rest.startswith(":") and len(rest) <= 60 and not url_match:  # "Nguồn: Báo Nhân Dân"
        return rest.strip(" :."), ""
    return None


def _is_heading(line: str) -> bool:
    return 0 < len(line) <= 150 and line[-1] not in _TERMINAL + "," and line[0].isupper()


def _wrapped_paragraphs(lines: list[str]) -> list[str]:
    """Rejoin layout-wrapped lines (PDF): a line well short of the width closes a paragraph."""
    paragraphs: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line:
            block.append(line)
            continue
        if not block:
            continue
        width = max(len(b) for b in block)
        current: list[str] = []
        for part, following in zip(block, [*block[1:], ""], strict=True):
            current.append(part)
            next_word = following.split(" ", 1)[0]
            room = len(part) + 1 + len(next_word) <= width  # the next word would have fitted
            ends_sentence = part[-1] in _TERMINAL + '”"»)' and (
                len(part) < 0.8 * width or (room and next_word[:1].isupper())
            )
            heading = len(part) < 0.6 * width and next_word[:1].isupper()
            if not following or ends_sentence or heading or _LIST_ITEM.match(following):
                paragraphs.append(" ".join(current))
                current = []
        block = []
    return paragraphs
