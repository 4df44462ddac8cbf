"""Sentences and passages: how an article is cut into the chunks the index stores.

A paragraph is a non-blank line: readers separate paragraphs with "\\n\\n", and a lone "\\n"
is treated the same, so a line break always ends a sentence. Sentences never break inside
numbers and codes (22.500, 25,3%, 10/9/2018, 05-CT/TW, TP.HCM), after an abbreviation
(TP., ThS., PGS., Q.) or after a list marker ("1. Đổi mới …"), but do break where a period
is glued to the next sentence ("vững mạnh.Xác định").

Chunks pack whole sentences greedily: a chunk closes before the sentence that would take it
past `max_words`, or once it has `target_words` and its paragraph ends. The next chunk starts
with the last `overlap_sentences` sentence(s) of the previous one, as long as they are short
(at most half the target) and still leave room; a short tail joins the chunk before it when it
fits. A sentence longer than `max_words` is cut at word boundaries, at a comma or semicolon
near the target when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.documents import Article, Chunk
from index.paragraphs import split_paragraphs
from index.paragraphs import trim as _trim
from index.references import extract_references
from index.structure import Unit, document_units

__all__ = ["chunk_article", "split_paragraphs", "split_sentences"]
_TERMINAL = re.compile(r"[.!?…]+[”’\"»)\]]*")  # end of a sentence, closing quotes included
_WORD = re.compile(r"\S+")
_OPENERS = "“‘\"'«([{"
_CLOSERS = "”’\"'»)]}"
# Tokens after which a period does not end a sentence (single capitals like "Q." too).
_ABBREVIATIONS = frozenset(
    {"TP", "Tp", "tp", "TX", "Tx", "TT", "ThS", "Ths", "TS", "PGS", "GS", "BS", "KS", "CN"}
    | {"NCS", "Th", "Tr", "tr", "St", "NXB", "Nxb", "Mr", "Mrs", "Dr", "No"}
)
_LIST_MARKER = re.compile(r"\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6}|[a-zđ]")
_UNIT_WORDS = frozenset({"Điều", "Chương", "Mục", "Phần", "Khoản"})
_BREAK_AFTER = ",;:"  # preferred places to cut an overlong sentence


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end exclusive) over `text`, trimmed of surrounding whitespace."""
    return [span for start, end in split_paragraphs(text) for span in _sentences(text, start, end)]


def chunk_article(
    article: Article, target_words: int = 150, max_words: int = 200, overlap_sentences: int = 1
) -> list[Chunk]:
    """Cut an article into overlapping passages of whole sentences, ~target_words long."""
    if not 0 < target_words <= max_words or overlap_sentences < 0:
        raise ValueError(
            f"need 0 < target_words <= max_words and overlap_sentences >= 0, got "
            f"{target_words=}, {max_words=}, {overlap_sentences=}"
        )
    units = _units(article.text, target_words, max_words)
    if leaves := document_units(article.text, official=article.official is not None):
        return _chunk_units(article, units, leaves, target_words, max_words, overlap_sentences)
    chunks = []
    for ordinal, group in enumerate(_pack(units, target_words, max_words, overlap_sentences)):
        chunks.append(_chunk(article, ordinal, group))
    return chunks


def _chunk_units(
    article: Article,
    units: list[_Unit],
    leaves: list[Unit],
    target_words: int,
    max_words: int,
    overlap_sentences: int,
) -> list[Chunk]:
    """An official document's chunks: each Điều or point on its own (never padded with a
    neighbour across a heading), a long one cut with its headings repeated, each labelled
    with the unit it holds ("Điều 5, khoản 2")."""
    chunks: list[Chunk] = []
    for leaf in leaves:
        inside = [u for u in units if leaf.start <= u.start < leaf.end]
        for group in _pack(inside, target_words, max_words, overlap_sentences):
            start, end = group[0].start, group[-1].end
            heading = leaf.context if start <= leaf.start else leaf.heading
            label = leaf.label_of(start, end)
            chunks.append(_chunk(article, len(chunks), group, label, heading))
    return chunks


def _chunk(
    article: Article, ordinal: int, group: list[_Unit], unit: str = "", heading: str = ""
) -> Chunk:
    start, end = group[0].start, group[-1].end
    body = article.text[start:end]
    found = {ref.canonical for ref, _, _ in extract_references(body)}
    if article.official is not None:  # every passage of a document is about the document
        found |= {ref.canonical for ref, _, _ in extract_references(article.official.heading)}
    refs = tuple(sorted(found))
    return Chunk(
        article.doc_id, ordinal, body, group[0].paragraph, start, end, refs, unit, heading
    )


@dataclass(frozen=True)
class _Unit:
    """A sentence, or a piece of an overlong one: what chunks are packed from."""

    start: int
    end: int
    words: int
    paragraph: int  # 1-based
    ends_paragraph: bool
    whole: bool  # False for a piece of a sentence cut because it was too long


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans within one trimmed paragraph."""
    spans = []
    sentence_start = start
    for m in _TERMINAL.finditer(text, start, end):
        if m.end() >= end:
            break
        following = _next_sentence(text, m, end)
        if following is None or _continues(text, sentence_start, m):
            continue
        spans.append(_trim(text, sentence_start, m.end()))
        sentence_start = following
    spans.append(_trim(text, sentence_start, end))
    return [(s, e) for s, e in spans if s < e]


def _next_sentence(text: str, m: re.Match[str], end: int) -> int | None:
    """Where a sentence would start after terminal punctuation `m`, or None if none does."""
    i = m.end()
    if text[i].isspace():
        while i < end and text[i].isspace():
            i += 1
        if i == end:
            return None
        c = text[i]
        return i if c.isupper() or c.isdigit() or c in _OPENERS else None
    # "vững mạnh.Xác định": a missing space, but only before a capitalised word.
    if text[i].isupper() and i + 1 < end and text[i + 1].islower():
        return i
    return None


def _continues(text: str, sentence_start: int, m: re.Match[str]) -> bool:
    """True when the period in `m` belongs to an abbreviation or a list marker."""
    if m.group().rstrip(_CLOSERS) != ".":
        return False
    token_start = m.start()
    while token_start > sentence_start and not text[token_start - 1].isspace():
        token_start -= 1
    token = text[token_start : m.start()].lstrip(_OPENERS).rstrip(_CLOSERS)
    last = token.rsplit(".", 1)[-1]
    if last in _ABBREVIATIONS or (len(last) == 1 and last.isupper()):
        return True
    before = text[sentence_start:token_start].rstrip()
    if before in _UNIT_WORDS and token.isdigit():
        return True  # "Điều 5. Quyền của đảng viên": a unit's heading, not a sentence's end
    at_list_start = not before or before[-1] in ":;"
    return at_list_start and _LIST_MARKER.fullmatch(token) is not None


def _count_words(text: str, start: int, end: int) -> int:
    """Whitespace-separated tokens in the span."""
    return len(text[start:end].split())


def _units(text: str, target_words: int, max_words: int) -> list[_Unit]:
    """Sentences of the whole text, overlong ones cut into pieces of at most max_words."""
    units = []
    for paragraph, (p_start, p_end) in enumerate(split_paragraphs(text), start=1):
        sentences = _sentences(text, p_start, p_end)
        for i, (start, end) in enumerate(sentences):
            last = i == len(sentences) - 1
            words = _count_words(text, start, end)
            if words <= max_words:
                units.append(_Unit(start, end, words, paragraph, last, whole=True))
                continue
            pieces = _cut_sentence(text, start, end, target_words, max_words)
            for k, (a, b) in enumerate(pieces):
                ends = last and k == len(pieces) - 1
                units.append(_Unit(a, b, _count_words(text, a, b), paragraph, ends, whole=False))
    return units


def _cut_sentence(
    text: str, start: int, end: int, target_words: int, max_words: int
) -> list[tuple[int, int]]:
    """Pieces of an overlong sentence, cut between words, preferably after , ; or :."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    pieces = []
    i = 0
    while len(words) - i > max_words:
        # A piece is words[i:k]; look for punctuation between half the target and the maximum.
        lowest = i + max(1, target_words // 2)
        candidates = [
            k
            for k in range(lowest, i + max_words + 1)
            if text[words[k - 1][0] : words[k - 1][1]].rstrip(_CLOSERS)[-1:] in _BREAK_AFTER
        ]
        if candidates:
            k = min(candidates, key=lambda k: (abs(k - i - target_words), -k))
        else:
            k = i + target_words
        pieces.append((words[i][0], words[k - 1][1]))
        i = k
    pieces.append((words[i][0], words[-1][1]))
    return pieces


def _pack(
    units: list[_Unit], target_words: int, max_words: int, overlap_sentences: int
) -> list[list[_Unit]]:
    """Group units into chunks, each starting with the overlap carried from the previous one."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    previous: list[_Unit] = []  # the chunk just closed, to carry overlap from
    for unit in units:
        if current and _total(current) + unit.words > max_words:
            groups.append(current)
            previous, current = current, []
        if not current and previous:
            current = _overlap(previous, unit, overlap_sentences, target_words, max_words)
            previous = []
        current.append(unit)
        if unit.ends_paragraph and _total(current) >= target_words:
            groups.append(current)
            previous, current = current, []
    if current:
        groups.append(current)
    if len(groups) > 1:  # a short tail (a byline, a source URL) joins the chunk before it
        before, last = groups[-2], groups[-1]
        fresh = [u for u in last if u.start >= before[-1].end]
        if _total(fresh) < target_words // 3 and _total(before) + _total(fresh) <= max_words:
            groups[-2:] = [before + fresh]
    return groups


def _overlap(
    previous: list[_Unit], unit: _Unit, count: int, target_words: int, max_words: int
) -> list[_Unit]:
    """The last whole sentences of `previous` to repeat before `unit`, if they fit."""
    # Never the whole previous chunk: it either had target_words (more than the cap below)
    # or did not fit with `unit`.
    tail: list[_Unit] = []
    for u in reversed(previous):
        if len(tail) == count or not u.whole:
            break
        tail.insert(0, u)
    while tail and (_total(tail) > target_words // 2 or _total(tail) + unit.words > max_words):
        tail.pop(0)
    return tail


def _total(units: list[_Unit]) -> int:
    """Words in a list of units."""
    return sum(u.words for u in units)
