"""Paragraphs: the non-blank lines of a text, which chunking and structure both read."""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]+")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of `text`, trimmed of surrounding whitespace."""
    spans = (trim(text, m.start(), m.end()) for m in _LINE.finditer(text))
    return [(start, end) for start, end in spans if start < end]


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
