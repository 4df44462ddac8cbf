"""Official documents: the header and closing of a directive, resolution, regulation or law.

A Party document (Quy định 66-QĐ/TW on their form) opens with the issuing body and the
Party's name, a number and a place and date, its kind and title, and closes with the
signer's block and "Nơi nhận"; a state document has the national motto instead of the
Party's name. Extracted from DOCX, PDF or TXT, the two header columns arrive on one line
(joined by " | " from a table, or by a run of spaces) or on lines of their own:

    BAN CHẤP HÀNH TRUNG ƯƠNG | ĐẢNG CỘNG SẢN VIỆT NAM
    Số 05-CT/TW | Hà Nội, ngày 15 tháng 5 năm 2016
    CHỈ THỊ
    CỦA BỘ CHÍNH TRỊ
    về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh
    … body …
    T/M BỘ CHÍNH TRỊ
    TỔNG BÍ THƯ
    Nguyễn Phú Trọng
    Nơi nhận:
    - Các tỉnh ủy, thành ủy, …

`parse` returns the header's fields and where the body lies, or None for a text that is
not such a document (an article about one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.documents import Official
from index.vietnamese import fold

HEADER_LINES = 30  # the header is within the first lines
CLOSING_LINES = 40  # and the signer's block and "Nơi nhận" within the last
HEADER_LINE_CHARS = 250  # a header's line holds two short columns at most
TITLE_WIDTH = 0.85  # of a PDF's widest line: a wider line is the body's, not the title's

# Document kinds, by the capitalised word(s) of their heading, folded.
KINDS = {
    "chi thi": "Chỉ thị",
    "nghi quyet": "Nghị quyết",
    "ket luan": "Kết luận",
    "quy dinh": "Quy định",
    "quyet dinh": "Quyết định",
    "huong dan": "Hướng dẫn",
    "thong tri": "Thông tri",
    "thong bao": "Thông báo",
    "ke hoach": "Kế hoạch",
    "chuong trinh": "Chương trình",
    "de an": "Đề án",
    "bao cao": "Báo cáo",
    "quy che": "Quy chế",
    "dieu le": "Điều lệ",
    "luat": "Luật",
    "bo luat": "Bộ luật",
    "hien phap": "Hiến pháp",
    "nghi dinh": "Nghị định",
    "thong tu": "Thông tư",
    "phap lenh": "Pháp lệnh",
}
_MOTTOS = (
    "dang cong san viet nam",
    "cong hoa xa hoi chu nghia viet nam",
    "doc lap - tu do - hanh phuc",
    "doc lap – tu do – hanh phuc",
)
_CELL_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{3,}")
_RULE = re.compile(r"[\s*_\-–—=~.·•]+")
_NUMBER = re.compile(
    r"(?:(?P<kind>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)?) )?số\s*:?\s*"
    r"(?P<number>\d+[\w/.\-–]*[\w])",
    re.I,
)
_DATE = re.compile(
    r"^(?:(?P<place>[^\W\d_][^,\d]{1,40}),\s*)?ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})"
    r"\s+năm\s+(?P<y>\d{4})",
    re.I,
)
_DATE_IN = re.compile(
    r"(?:[^\W\d_]+\s){0,3}[^\W\d_]+,\s*(?P<date>ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})",
    re.I,
)
_OF_ISSUER = re.compile(r"^(?:của|CỦA)\s+(?P<issuer>.+)$")
# "T/M BỘ CHÍNH TRỊ", "TM. BAN THƯỜNG VỤ", "K/T BÍ THƯ", "Q. CHỦ TỊCH": the signer's block.
_ON_BEHALF = re.compile(r"^(?:T/?M|K/?T|TL|TUQ|Q)\.?\s+\S", re.I)
_SIGNER_ROLE = re.compile(
    r"^(?:(?:PHÓ\s+)?(?:TỔNG\s+)?BÍ\s+THƯ|(?:PHÓ\s+)?CHỦ\s+TỊCH(?:\s+QUỐC\s+HỘI)?|"
    r"(?:PHÓ\s+)?THỦ\s+TƯỚNG|(?:THỨ\s+TRƯỞNG|BỘ\s+TRƯỞNG)|TRƯỞNG\s+BAN|CHÁNH\s+VĂN\s+PHÒNG)\b"
)
_SIGNED = re.compile(r"\(\s*(?:đã\s+ký(?:\s+và\s+đóng\s+dấu)?|ký\s+tên)\s*\)\.?", re.I)
_RECIPIENTS = re.compile(r"^Nơi\s+nhận\s*:?\s*(?P<rest>.*)$", re.I)
_BODY_START = re.compile(r"^(?:Căn\s+cứ|Thực\s+hiện|Xét\s+đề\s+nghị|Trong\s+những\s+năm)\b")
_STRUCTURE_START = re.compile(
    r"^(?:Điều\s+\d|Chương\s+[IVXLC\d]|Phần\s+|[IVXLC]+[.\-–]\s|\d+[.)]\s)"
)
_ISSUER_WORDS = (
    "ban chap hanh",
    "bo chinh tri",
    "ban bi thu",
    "tinh uy",
    "thanh uy",
    "huyen uy",
    "quan uy",
    "thi uy",
    "dang uy",
    "dang bo",
    "ban thuong vu",
    "uy ban",
    "quoc hoi",
    "chinh phu",
    "bo ",
    "ban to chuc",
    "ban tuyen giao",
    "ban dan van",
    "ban kiem tra",
    "uy ban kiem tra",
    "van phong",
    "hoi dong",
    "chi bo",
)


@dataclass(frozen=True)
class Parsed:
    """An official document's header, and the lines (0-based, end exclusive) of its body."""

    official: Official
    body_start: int
    body_end: int


def parse(lines: list[str], wrapped: bool = False) -> Parsed | None:
    """The header and closing of an official document whose text is `lines`, or None.
    `wrapped`: the lines were broken for layout (PDF), so a title line as wide as the body's
    lines is the body's."""
    cells = [
        (i, cell)
        for i, line in enumerate(lines[:HEADER_LINES])
        if len(line) <= HEADER_LINE_CHARS  # (a paragraph of text is no header's line)
        for cell in _cells(line)
    ]
    issuers: list[str] = []
    number = kind = place = date = ""
    kind_line = -1
    for i, cell in cells:
        folded = fold(cell)
        if kind_line >= 0:
            break
        if folded in _MOTTOS or _RULE.fullmatch(cell):
            continue
        if m := _DATE.match(cell):
            place = (m["place"] or "").strip()
            date = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
            continue
        if (m := _NUMBER.match(cell)) and len(cell) < 60 and not number:
            number = m["number"].replace("–", "-")
            if m["kind"] and fold(m["kind"]) in KINDS:
                kind = KINDS[fold(m["kind"])]
            continue
        if cell.isupper() and fold(cell) in KINDS:
            kind, kind_line = KINDS[fold(cell)], i
            continue
        if cell.isupper() and any(word in folded for word in _ISSUER_WORDS) and not number:
            issuers.append(cell)
    if kind_line < 0 or not (number or date):
        return None
    width = max(map(len, lines)) if wrapped else 0
    title_lines, body_start = _title(lines, kind_line + 1, width)
    issuer = _title_case_body(issuers[-1]) if issuers else ""
    if title_lines and (m := _OF_ISSUER.match(title_lines[0])):
        issuer = _with_place(_title_case_body(m["issuer"]), issuer)
        title_lines = title_lines[1:]
    # "LUẬT / BẢO HIỂM XÃ HỘI": a law's name, or a resolution's conference, in capitals
    title = " ".join(_title_case_body(line) for line in title_lines)
    body_end, signer, recipients = _closing(lines, body_start)
    official = Official(
        kind=kind,
        number=number,
        issuer=issuer,
        date=date,
        place=place,
        title=title,
        signer=signer,
        recipients=recipients,
    )
    return Parsed(official, body_start, body_end)


def _with_place(body: str, committee: str) -> str:
    """ "Ban Thường vụ Thành ủy" of the header's "Thành ủy Hà Nội" is "Ban Thường vụ Thành
    ủy Hà Nội": the committee named with its place."""
    level = " ".join(body.split()[-2:])
    if committee.startswith(level + " ") and len(body.split()) > 2:
        return body + committee[len(level) :]
    return body


def _cells(line: str) -> list[str]:
    """The columns of a header or closing line: apart by " | " or spaces, or, from a PDF,
    run together and told apart by what they are (a motto, a number, a place and date)."""
    return [part for cell in _CELL_SPLIT.split(line.strip()) for part in _split(cell) if part]


def _split(cell: str) -> list[str]:
    cell = cell.strip()
    folded = fold(cell)
    if len(folded) != len(cell):  # (a combining mark): one character for each
        folded = "".join((fold(c) or " ")[:1] for c in cell)
    for motto in _MOTTOS:
        k = folded.find(motto)
        if k >= 0 and len(motto) < len(cell):
            end = k + len(motto)
            return [*_split(cell[:k]), cell[k:end], *_split(cell[end:])]
    m = _DATE_IN.search(cell)
    if m and m.start() > 0:
        start = m.start("date")
        # Capitalised words before the place are the header's: "THÀNH ỦY LÀO CAI Lào Cai, …"
        for word in re.finditer(r"\S+", cell[m.start() : m.start("date")]):
            if not word.group().isupper():
                start = m.start() + word.start()
                break
        return [*_split(cell[:start]), cell[start:]]
    return [cell]


def _title(lines: list[str], start: int, width: int) -> tuple[list[str], int]:
    """The title's lines after the kind's heading, and where the body starts. A title is
    set apart and centred: with `width`, a line near that width is the body's."""
    title: list[str] = []
    i = start
    while i < len(lines) and len(title) < 4:
        line = lines[i].strip()
        if not line:
            if title:
                i += 1
                break
            i += 1
            continue
        if (
            _RULE.fullmatch(line)
            or _BODY_START.match(line)
            or _STRUCTURE_START.match(line)
            or len(line) > 250
            or (width and len(line) >= TITLE_WIDTH * width)
            or (title and line[-1] in ".:;" and not title[-1].isupper())
        ):
            break
        title.append(line)
        i += 1
    while i < len(lines) and (not lines[i].strip() or _RULE.fullmatch(lines[i].strip())):
        i += 1
    return title, i


def _closing(lines: list[str], body_start: int) -> tuple[int, str, tuple[str, ...]]:
    """Where the body ends, the signer ("T/M Bộ Chính trị, Tổng Bí thư, Nguyễn Phú Trọng")
    and the recipients, from the signer's block and "Nơi nhận" near the end."""
    end = len(lines)
    recipients: list[str] = []
    offices: list[str] = []
    name = ""
    listing = False
    for i in range(max(body_start, len(lines) - CLOSING_LINES), len(lines)):
        for cell in _cells(_SIGNED.sub("   ", lines[i])):
            if m := _RECIPIENTS.match(cell):
                end, listing, cell = min(end, i), True, m["rest"]
                if not cell:
                    continue
            if _ON_BEHALF.match(cell) or (_SIGNER_ROLE.match(cell) and cell.isupper()):
                end = min(end, i)
                offices.append(_title_case_body(cell))
            elif offices and not name and _is_name(cell):
                name = cell
            elif listing:
                item = cell.lstrip("-–•+ ").strip()
                if offices and not name and (tail := _name_at_end(item)):
                    name, item = tail, item[: -len(tail)]
                if item := item.strip().rstrip(";,.").strip():
                    recipients.append(item)
    signer = [*offices, name] if name else offices
    return end, ", ".join(signer), tuple(recipients)


def _name_at_end(text: str) -> str:
    """A signer's name run into a recipient's line by a PDF: "- Như Điều 2, Dương Văn Thống"."""
    words = text.split()
    k = len(words)
    while k > 0 and _is_name_word(words[k - 1]):
        k -= 1
    if 2 <= len(words) - k <= 5 and (k == 0 or words[k - 1].endswith(",")):
        return " ".join(words[k:])
    return ""


def _is_name_word(word: str) -> bool:
    return word.isalpha() and word[:1].isupper() and word[1:].islower()


def _is_name(cell: str) -> bool:
    """A person's name as signed: two to five capitalised words."""
    words = cell.split()
    return 2 <= len(words) <= 5 and all(_is_name_word(w) for w in words)


def _title_case_body(name: str) -> str:
    """A body or a title written in capitals, as it is written in a sentence: 'BỘ CHÍNH TRỊ'
    → 'Bộ Chính trị', 'TỈNH ỦY QUẢNG NINH' → 'Tỉnh ủy Quảng Ninh', 'T/M BAN THƯỜNG VỤ' →
    'T/M Ban Thường vụ'. Known bodies and titles take their capitals; the words after a
    place's level word are the place's name."""
    name = " ".join(name.split())
    if not name.isupper():
        return name
    words = name.lower().split()
    folded = [fold(w) for w in words]
    upper = [False] * len(words)
    upper[0] = True
    for phrase, caps in _CASED:
        n = len(phrase)
        for k in range(len(words) - n + 1):
            if tuple(folded[k : k + n]) == phrase:
                for j, cap in enumerate(caps):
                    upper[k + j] = upper[k + j] or cap
    for k, word in enumerate(folded):
        after = folded[k - 1] if k else ""
        level = (
            word in _LEVEL_WORDS
            or (word == "uy" and after in _UY_AFTER)
            or (word == "pho" and after == "thanh")
        )
        if level and k + 1 < len(words) and folded[k + 1] not in (*_LEVEL_WORDS, "uy"):
            for j in range(k + 1, len(words)):
                upper[j] = True
            break
    out = []
    for k, word in enumerate(words):
        if "/" in word or _ROMAN.fullmatch(word.upper()) or (k == 0 and word.endswith(".")):
            out.append(word.upper())  # T/M, K/T, TM., khóa XIII
        else:
            out.append(word[:1].upper() + word[1:] if upper[k] else word)
    return " ".join(out)


def _phrase(cased: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    words = cased.split()
    return tuple(fold(w) for w in words), tuple(w[:1].isupper() for w in words)


# How the bodies and offices that head documents are written in a sentence.
_CASED = [
    _phrase(p)
    for p in (
        "Ban Chấp hành Trung ương Đảng",
        "Ban Chấp hành Trung ương",
        "Bộ Chính trị",
        "Ban Bí thư",
        "Tổng Bí thư",
        "Bí thư",
        "Ban Thường vụ",
        "Thường trực",
        "Trung ương",
        "Quốc hội",
        "Chính phủ",
        "Ban Tổ chức",
        "Ban Tuyên giáo",
        "Ban Dân vận",
        "Ban Nội chính",
        "Ủy ban Kiểm tra",
        "Tỉnh ủy",
        "Thành ủy",
        "Huyện ủy",
        "Quận ủy",
        "Thị ủy",
        "Đảng ủy",
        "Đảng bộ",
        "Chủ tịch",
        "Thủ tướng",
        "Văn phòng",
        "Ủy ban nhân dân",
        "Hội đồng nhân dân",
    )
]
_ROMAN = re.compile(r"[IVXLC]{2,7}")  # (not "I", "V" or "X" alone: a word may be one)
# After these, the rest of a body's name is a place's: "… tỉnh Lào Cai", "Tỉnh ủy Quảng Ninh".
_LEVEL_WORDS = frozenset({"tinh", "huyen", "quan", "xa", "phuong"})
_UY_AFTER = frozenset({"tinh", "thanh", "huyen", "quan", "thi"})  # Tỉnh ủy, Thành ủy, …
