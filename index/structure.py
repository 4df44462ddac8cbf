"""The units of an official document's body, so it is chunked and cited by them.

Laws and regulations: Phần › Chương › Mục › **Điều N.** › khoản 1. › điểm a). Directives and
resolutions: Roman-numbered sections (I., II. …) › **numbered points** (1., 2. …) › 1.1. or
a). A leaf unit is an Điều, or a point (or a section without points); what comes before
the first is the preamble. Headings (Chương II / TIÊU CHUẨN, II. NỘI DUNG …) belong to no
leaf: they are carried by the leaves under them as their heading path.

Works on an article's cleaned text, one paragraph a line, and gives offsets into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.paragraphs import split_paragraphs

HEADING_CHARS = 150  # a heading is short and ends without a sentence's punctuation
OWN_HEADING_CHARS = 100  # how much of a point's first sentence names it in a heading path
PATH = " › "

_PART = re.compile(r"(?:PHẦN|Phần)\s+(?:THỨ|thứ)?\s*([IVXLC]+|\d+|[^\W\d_]+)\b")
_CHAPTER = re.compile(r"(?:CHƯƠNG|Chương)\s+([IVXLC]+|\d+)\b")
_SECTION = re.compile(r"(?:MỤC|Mục)\s+(\d+|[IVXLC]+)\b")
_ARTICLE = re.compile(r"Điều\s+(\d+[a-zđ]?)\s*[.:]")
_ROMAN = re.compile(r"([IVXLC]{1,6})\s*[.\-–]\s+\S")
_POINT = re.compile(r"(\d{1,2})\s*[.)]\s+\S")
_SUBPOINT = re.compile(r"(\d{1,2}(?:\.\d{1,2})+)\.?\s+\S")
_LETTER = re.compile(r"([a-zđ])\s*\)\s+\S")


@dataclass(frozen=True)
class Part:
    """A khoản, a sub-point or an điểm within a leaf: where it starts, and how it is cited."""

    start: int
    label: str  # appended to its leaf's label: ", khoản 2", ".1", ", điểm a"


@dataclass(frozen=True)
class Unit:
    """A leaf: an Điều, a point, a section without points, or the preamble ("" label)."""

    start: int
    end: int
    label: str  # "Điều 5", "Mục II.3", "Mục 2"; "" for the preamble
    context: str  # the headings above it: "Chương II. TIÊU CHUẨN"
    own: str  # its own heading: "Điều 3. Tiêu chuẩn chung", "3. Về phong cách Hồ Chí Minh"
    parts: tuple[Part, ...] = ()

    @property
    def heading(self) -> str:
        """Its whole heading path, for a passage of it that does not start with its own."""
        return PATH.join(p for p in (self.context, self.own) if p)

    def label_of(self, start: int, end: int) -> str:
        """How a passage `start:end` of this unit is cited: "Điều 5, khoản 2", "Điều 5,
        khoản 2–3", or the unit's label when it holds the unit's start or no part."""
        if not self.label:
            return ""
        inside = [p for p in self.parts if start <= p.start < end]
        before = [p for p in self.parts if p.start <= start]
        if start <= self.start or not (inside or before):
            return self.label
        first = before[-1] if before else inside[0]
        last = inside[-1] if inside else first
        if last is first or not first.label.startswith(", khoản"):
            return self.label + first.label
        return f"{self.label}{first.label}–{last.label.rsplit(' ', 1)[-1]}"


MIN_ARTICLES = 3  # "Điều 1.", "Điều 2.", "Điều 3." in order: a law's text, header or not


def document_units(text: str, official: bool) -> list[Unit]:
    """The units of an official document, or of a text laid out in Điều (a law pasted
    without its header); [] for an article, whose numbered lists are only lists."""
    if official:
        return units(text)
    if "Điều" not in text:
        return []
    numbers = [m.group(1) for _, _, p in _paragraphs(text) if (m := _ARTICLE.match(p))]
    ordered = [n for n in numbers if n.isdigit()]
    if len(ordered) < MIN_ARTICLES or [int(n) for n in ordered] != sorted(map(int, ordered)):
        return []
    return units(text)


def _paragraphs(text: str) -> list[tuple[int, int, str]]:
    return [(s, e, text[s:e]) for s, e in split_paragraphs(text)]


@dataclass
class _Open:
    """The leaf being read; `start` is None until its first paragraph of text."""

    start: int | None
    label: str
    own: str
    context: str
    parts: list[Part] = field(default_factory=list)


def units(text: str) -> list[Unit]:
    """The leaf units of a document body, in order; [] when it has no structure at all."""
    paragraphs = _paragraphs(text)
    law_style = any(_ARTICLE.match(p) for _, _, p in paragraphs)
    found: list[Unit] = []
    context: dict[str, str] = {}  # level → heading text, outermost first
    roman = ""
    leaf: _Open | None = None  # the unit being read
    last_end = 0
    skip_next = False

    def close(end: int) -> None:
        nonlocal leaf
        if leaf is not None and leaf.start is not None and end > leaf.start:
            found.append(
                Unit(leaf.start, end, leaf.label, leaf.context, leaf.own, tuple(leaf.parts))
            )
        leaf = None

    def open_leaf(start: int | None, label: str, own: str) -> None:
        nonlocal leaf
        leaf = _Open(start, label, own, PATH.join(v for v in context.values() if v))

    for k, (start, end, p) in enumerate(paragraphs):
        if skip_next:
            skip_next = False
            continue
        following = paragraphs[k + 1][2] if k + 1 < len(paragraphs) else ""
        level = _heading_level(p, law_style)
        if level == "roman" and not _is_heading(p):  # "II. Sentence …": a section in a line
            close(last_end)
            roman = _ROMAN.match(p).group(1)
            _set_context(context, level, "")
            open_leaf(start, f"Mục {roman}", _own(p))
            last_end = end
            continue
        if level is not None and _is_heading(p):
            close(last_end)
            name = p
            if _is_bare_marker(p, level) and _is_heading(following) and following.isupper():
                name, skip_next = f"{p}. {following}", True
            _set_context(context, level, name)
            if level == "roman":
                roman = _ROMAN.match(p).group(1)
                open_leaf(None, f"Mục {roman}", "")  # starts at the text under the heading
            continue
        if leaf is not None and leaf.start is None:
            leaf.start = start
        if law_style and (m := _ARTICLE.match(p)):
            close(last_end)
            open_leaf(start, f"Điều {m.group(1)}", _own(p, whole=True))
        elif law_style and leaf is not None and leaf.label.startswith("Điều"):
            if m := _POINT.match(p):
                leaf.parts.append(Part(start, f", khoản {m.group(1)}"))
            elif (m := _LETTER.match(p)) and not leaf.parts:  # an Điều of điểm alone
                leaf.parts.append(Part(start, f", điểm {m.group(1)}"))
        elif not law_style and (m := _POINT.match(p)) and not _SUBPOINT.match(p):
            close(last_end)
            number = f"{roman}.{m.group(1)}" if roman else m.group(1)
            open_leaf(start, f"Mục {number}", _own(p))
        elif not law_style and leaf is not None and leaf.label:
            if m := _SUBPOINT.match(p):
                number = m.group(1).split(".", 1)[1]
                leaf.parts.append(Part(start, f".{number}"))
            elif m := _LETTER.match(p):
                leaf.parts.append(Part(start, f", điểm {m.group(1)}"))
        elif leaf is None:
            open_leaf(start, "", "")
        last_end = end
    close(last_end)
    if all(not u.label for u in found):
        return []
    return found


def _heading_level(paragraph: str, law_style: bool) -> str | None:
    if _PART.match(paragraph):
        return "part"
    if _CHAPTER.match(paragraph):
        return "chapter"
    if law_style and _SECTION.match(paragraph):
        return "section"
    if not law_style and _ROMAN.match(paragraph):
        return "roman"
    return None


_LEVELS = ("part", "chapter", "section", "roman")


def _set_context(context: dict[str, str], level: str, name: str) -> None:
    """A heading replaces the one of its level and clears those below it."""
    for lower in _LEVELS[_LEVELS.index(level) :]:
        context.pop(lower, None)
    context[level] = name
    for key in sorted(context, key=_LEVELS.index):  # keep them outermost first
        context[key] = context.pop(key)


def _is_heading(paragraph: str) -> bool:
    return 0 < len(paragraph) <= HEADING_CHARS and paragraph[-1] not in ".;,"


def _is_bare_marker(paragraph: str, level: str) -> bool:
    """ "Chương II", "PHẦN THỨ NHẤT": the number alone, its name on the next line."""
    pattern = {"part": _PART, "chapter": _CHAPTER, "section": _SECTION}.get(level)
    return (
        pattern is not None
        and (m := pattern.match(paragraph)) is not None
        and (not paragraph[m.end() :].strip(" .:-–"))
    )


def _own(paragraph: str, whole: bool = False) -> str:
    """A unit's own heading: an Điều's whole title line, or a point's first words."""
    if whole:
        return paragraph if len(paragraph) <= HEADING_CHARS else paragraph[:OWN_HEADING_CHARS]
    cut = re.search(r"[:.;]", paragraph[4:])
    end = 4 + cut.start() if cut else len(paragraph)
    return paragraph[: min(end, OWN_HEADING_CHARS)].rstrip()


def unit_at(found: list[Unit], offset: int) -> Unit | None:
    """The unit holding character `offset`, if any."""
    for unit in found:
        if unit.start <= offset < unit.end:
            return unit
    return None
