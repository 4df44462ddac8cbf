"""The article and chunk types shared by every layer above the corpus."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

# Kinds of document known by their name rather than their number.
NAMED_KINDS = frozenset({"Luật", "Bộ luật", "Hiến pháp", "Pháp lệnh", "Điều lệ"})


def short_date(iso: str) -> str:
    """`2016-05-15` → `15/5/2016`, as citations write a document's date."""
    year, month, day = iso.split("-")
    return f"{int(day)}/{int(month)}/{year}"


def written_date(iso: str) -> str:
    """`2016-05-15` → `ngày 15 tháng 5 năm 2016`, as a document's header writes it."""
    year, month, day = iso.split("-")
    return f"ngày {int(day)} tháng {int(month)} năm {year}"


@dataclass(frozen=True)
class Official:
    """What an official document says of itself in its header and closing."""

    kind: str  # "Chỉ thị", "Nghị quyết", "Quy định", "Luật", …
    number: str  # "05-CT/TW", "45/2019/QH14"; "" when the document has none
    issuer: str  # "Bộ Chính trị", "Tỉnh ủy Quảng Ninh", "Quốc hội"
    date: str  # ISO date (YYYY-MM-DD), or ""
    place: str = ""  # "Hà Nội"
    title: str = ""  # "về đẩy mạnh học tập và làm theo …", or a law's name
    signer: str = ""  # "T/M Bộ Chính trị, Tổng Bí thư, Nguyễn Phú Trọng"
    recipients: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """How a citation names it: "Chỉ thị số 05-CT/TW", or a law by its name, "Luật
        Phòng, chống ma túy"."""
        if self.number and self.kind not in NAMED_KINDS:
            return f"{self.kind} số {self.number}"
        return f"{self.kind} {self.title}".strip()

    @property
    def heading(self) -> str:
        """Its kind, number and title, as its article's title: "Chỉ thị số 05-CT/TW về …"."""
        if self.kind in NAMED_KINDS or not self.number:
            return self.name
        return f"{self.name} {self.title}".strip()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Official | None:
        if not text:
            return None
        fields = json.loads(text)
        fields["recipients"] = tuple(fields.get("recipients", ()))
        return cls(**fields)


@dataclass(frozen=True)
class Article:
    """One cleaned article: normalised body text plus metadata for citations."""

    doc_id: str
    title: str
    text: str  # cleaned body, NFC + canonical tone marks, paragraphs separated by "\n\n"
    source: str = ""  # site or newspaper, e.g. "Báo Quảng Ninh" or "baolaocai.vn"
    url: str = ""
    published_at: str = ""  # ISO date (YYYY-MM-DD) when the text has one
    path: str = ""  # where it was read from, for reports
    official: Official | None = None  # the header of an official document, None for an article
    ocr: bool = False  # its text was read from page images (a scanned PDF)

    @property
    def content_hash(self) -> str:
        """Fingerprint of everything that would change the indexed chunks or citations."""
        h = hashlib.sha256()
        parts = [self.title, self.text, self.source, self.url, self.published_at]
        if self.official is not None:  # (articles hash as they did before documents had one)
            parts.append(self.official.to_json())
        if self.ocr:
            parts.append("ocr")
        for part in parts:
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class Chunk:
    """A passage of an article; `text == article.text[start:end]`."""

    doc_id: str
    ordinal: int  # 0-based position within the article
    text: str
    paragraph: int  # 1-based number of the paragraph the chunk starts in
    start: int  # character offsets in Article.text
    end: int
    refs: tuple[str, ...] = field(default=())  # canonical directive ids, e.g. "05-CT/TW"
    unit: str = ""  # an official document's unit: "Điều 5, khoản 2", "Mục II.3"; "" otherwise
    heading: str = ""  # the headings above the chunk that its text does not start with


def passage_text(article_title: str, chunk: Chunk) -> str:
    """What is embedded and lexically indexed for a chunk: its article's title, the headings
    it sits under, then the text."""
    parts = (article_title, chunk.heading, chunk.text)
    return "\n".join(part for part in parts if part)
