"""The register of documents: every Party and state document the corpus mentions.

For each document (by its canonical id, index/references.py) the register keeps what the
passages say of it, each fact with the sentence it was read from:

- its subject or title: "về “Tăng cường xây dựng, chỉnh đốn Đảng…”", "về đẩy mạnh học tập
  và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", or a quoted title right after it
  ("Nghị quyết … (khóa XI) “Một số vấn đề cấp bách về xây dựng Đảng hiện nay”");
- its date of issue, written with it ("Quy định số 03 ngày 10/9/2018");
- its issuer, written with it ("của Bộ Chính trị", "của Ban Chấp hành Đảng bộ tỉnh");
- every passage that mentions it.

Values are verbatim substrings of the sentence they come from, so an answer built from the
register quotes and cites exactly like any other. Two passages that disagree give two
values, both kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from index.chunking import split_sentences
from index.documents import Chunk
from index.references import Reference, extract_references, matches

KIND_NAMES = {
    "CT": "Chỉ thị",
    "NQ": "Nghị quyết",
    "KL": "Kết luận",
    "QĐi": "Quy định",
    "QĐ": "Quyết định",
    "ĐA": "Đề án",
    "KH": "Kế hoạch",
    "CTr": "Chương trình",
    "HD": "Hướng dẫn",
    "TB": "Thông báo",
    "QC": "Quy chế",
}

_DATE = re.compile(
    r"ngày\s+(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})"
    r"|ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
    re.IGNORECASE,
)
_ISSUER = re.compile(
    r"(?:của|do)\s+((?:Ban Thường vụ|Ban Chấp hành|BCH|Ban Bí thư|Bộ Chính trị|Trung ương|"
    r"Tỉnh ủy|Thành ủy|Huyện ủy|Quận ủy|Thị ủy|Đảng ủy|Quốc hội|Chính phủ|Thủ tướng)"
    r"[^,;.:()“”\"]{0,60}?)(?=\s+(?:về|ngày|nhằm|với|gắn|và)\b|[,;.:()“”\"]|$)",
)
_QUOTED = re.compile(r"\s*(?:\(\s*[^()]{0,30}\)\s*)?,?\s*(?:về\s+)?[“\"]([^”\"]{4,300})[”\"]")
_ABOUT = re.compile(
    r"\s*(?:,\s*)?(?:của\s+[^,;.“]{2,60}?\s+)?về\s+((?:việc\s+)?[^;.“”()]{4,200}?)"
    r"(?=\s+(?:với|nhằm|gắn|để|góp phần)\b|[;.()]|,\s+(?:Chỉ thị|Nghị quyết|Kết luận|Quy định)|$)"
)


@dataclass(frozen=True)
class Fact:
    """One thing a passage says of a document, and where: `value` is in `sentence`."""

    value: str
    row: int  # the chunk's row in the index
    start: int  # the sentence, as offsets in the chunk's text
    end: int


@dataclass
class Entry:
    """What the corpus says of one document."""

    canonical: str  # "05-CT/TW", "NQTW4-XI"
    reference: Reference
    titles: list[Fact] = field(default_factory=list)
    dates: list[Fact] = field(default_factory=list)
    issuers: list[Fact] = field(default_factory=list)
    mentions: list[Fact] = field(default_factory=list)  # value: the reference as written

    @property
    def name(self) -> str:
        """How a member reads it: "Chỉ thị 05-CT/TW", "Nghị quyết Trung ương 4 khóa XI"."""
        ref = self.reference
        if ref.plenum is not None:
            term = f" khóa {ref.term}" if ref.term else ""
            return f"Nghị quyết Trung ương {ref.plenum}{term}"
        return f"{KIND_NAMES.get(ref.kind, ref.kind)} {self.canonical}"

    def docs(self, chunks: Sequence[Chunk]) -> list[str]:
        """The articles that mention it, in the order they were first seen."""
        return list(dict.fromkeys(chunks[f.row].doc_id for f in self.mentions))


def build_register(chunks: Sequence[Chunk], rows: Iterable[int] | None = None) -> dict[str, Entry]:
    """The register of the documents the chunks (or the given rows of them) mention."""
    register: dict[str, Entry] = {}
    seen: set[tuple[str, int, int]] = set()  # chunks overlap: a sentence is read once
    for row in range(len(chunks)) if rows is None else rows:
        chunk = chunks[row]
        if not chunk.refs:
            continue
        for start, end in split_sentences(chunk.text):
            where = (chunk.doc_id, chunk.start + start, chunk.start + end)
            if where in seen:
                continue
            seen.add(where)
            sentence = chunk.text[start:end]
            for ref, a, b in extract_references(sentence):
                entry = register.get(ref.canonical)
                if entry is None:
                    entry = register[ref.canonical] = Entry(ref.canonical, ref)
                _read(entry, sentence, a, b, row, start, end)
    return register


def _read(entry: Entry, sentence: str, a: int, b: int, row: int, start: int, end: int) -> None:
    """The facts one mention of a document gives."""
    written = sentence[a:b]
    entry.mentions.append(Fact(written, row, start, end))
    if m := _DATE.search(written):
        entry.dates.append(Fact(m[0], row, start, end))
    after = sentence[b:]
    issuer = _ISSUER.search(written) or _ISSUER.match(after.lstrip())
    if issuer:
        entry.issuers.append(Fact(issuer[1].strip(), row, start, end))
    title = _QUOTED.match(after) or _ABOUT.match(after)
    if title:
        entry.titles.append(Fact(title[1].strip(), row, start, end))


def lookup(register: dict[str, Entry], references: Iterable[Reference]) -> list[Entry]:
    """The entries a question's references name, the most mentioned first."""
    found: dict[str, Entry] = {}
    for ref in references:
        for canonical, entry in register.items():
            if matches(ref, canonical):
                found[canonical] = entry
    return sorted(found.values(), key=lambda e: -len(e.mentions))
