"""References to Party and state documents: Chỉ thị 05-CT/TW, Nghị quyết Trung ương 4 (khóa XI)…

Canonical ids (stored in `Chunk.refs`):

- numbered documents: `NN-KIND/ISSUER`, number zero-padded to two digits, issuer left out when
  unknown: `05-CT/TW`, `09-NQ/TU`, `21-KL/TW`, `06-ĐA/TU`, `01-CTr/TU`, `03-QĐi`.
- Central Committee plenum resolutions: `NQTW<plenum>-<term>` or `NQTW<plenum>` when the term
  (khóa, upper-case roman) is not written: `NQTW4-XI`, `NQTW4`.

Kinds: CT chỉ thị, NQ nghị quyết, KL kết luận, QĐi quy định, QĐ quyết định, ĐA đề án,
KH kế hoạch, CTr chương trình, HD hướng dẫn, TB thông báo, QC quy chế.
Issuers: TW (Bộ Chính trị, Ban Bí thư, Trung ương), TU (Tỉnh ủy, Thành ủy), HU (Huyện ủy,
Quận ủy, Thị ủy), ĐU (Đảng ủy), or whatever a written code says after the slash.

Quy định and Quyết định are different kinds, decided by the written word: the Party writes
`-QĐi/` for a Quy định since 2018 but `-QĐ/` for older ones, so "Quy định số 101-QĐ/TW" is QĐi
and a bare code `101-QĐ/TW` is QĐ. A question's bare "QĐ 03" could mean either, so it gets
the wildcard kind `QĐ*`, which `matches` accepts for both.

Keys (`Reference.key`) are loose: kind family and number only, leading zeros dropped:
`CT-5`, `NQ-9`, `QĐ-3` (QĐi, QĐ and QĐ* share the family QĐ), plenums `NQTW-4`.
`matches` is the precise check: kind and number (or plenum) must agree, issuer and term only
when both the question and the stored id give one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from index.vietnamese import fold

ANY_QD = "QĐ*"  # question-only kind: "QĐ 03" may be a quy định or a quyết định

# Written names of document kinds, as they look after `fold`.
_KIND_WORDS = {
    "chi thi": "CT",
    "nghi quyet": "NQ",
    "ket luan": "KL",
    "quy dinh": "QĐi",
    "quyet dinh": "QĐ",
    "de an": "ĐA",
    "ke hoach": "KH",
    "chuong trinh": "CTr",
    "chuong trinh hanh dong": "CTr",
    "huong dan": "HD",
    "thong bao": "TB",
    "quy che": "QC",
}
# Kind codes inside document numbers ("05-CT/TW"), folded; longest first for the regex.
_KIND_CODES = {
    "ctr": "CTr",
    "ct": "CT",
    "nq": "NQ",
    "kl": "KL",
    "qdi": "QĐi",
    "qd": "QĐ",
    "da": "ĐA",
    "kh": "KH",
    "hd": "HD",
    "tb": "TB",
    "qc": "QC",
}
# Abbreviations users type in questions ("CT05", "nq 09"); "da", "hd", "tb" are left out
# because folded they collide with common words ("đã 2 lần").
_QUESTION_ABBREVIATIONS = {"ctr": "CTr", "ct": "CT", "nq": "NQ", "kl": "KL", "kh": "KH"}
_QUESTION_ABBREVIATIONS |= {"qdi": "QĐi", "qd": ANY_QD}

# Who issued a document, when named in words after it ("Chỉ thị 05 của Bộ Chính trị").
_ORGS = (
    (r"bo chinh tri|ban bi thu|(?:ban chap hanh|bch)\s+(?:trung uong|tw)|trung uong", "TW"),
    (r"(?:ban thuong vu\s+|btv\s+)?(?:tinh uy|thanh uy)", "TU"),
    (r"(?:ban thuong vu\s+|btv\s+)?(?:huyen uy|quan uy|thi uy)", "HU"),
    (r"(?:ban thuong vu\s+|btv\s+)?dang uy", "ĐU"),
)
_ORG_PATTERNS = [(re.compile(pattern), issuer) for pattern, issuer in _ORGS]
_ISSUER_FIXES = {"DU": "ĐU", "DUK": "ĐUK"}  # folding lost the Đ

_WORD = "|".join(sorted(_KIND_WORDS, key=len, reverse=True))
_CODE_KIND = "|".join(_KIND_CODES)
_CODE_SHAPE = rf"\s*-\s*(?:{_CODE_KIND})\s*/\s*[a-z]{{1,5}}\b"
_CODE = rf"\s*-\s*(?P<code>{_CODE_KIND})\s*/\s*(?P<issuer>[a-z]{{1,5}})\b"
_DATE = (
    r"\s*,?\s*ngay\s+\d{1,2}(?:\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}"
    r"|\s+thang\s+\d{1,2}\s+nam\s+\d{4})"
)
_ORG = "|".join(pattern for pattern, _ in _ORGS)

# "Chỉ thị số 05-CT/TW", "Quy định số 03 ngày 10/9/2018", "Hướng dẫn 07, 08-HD/TU",
# "Chỉ thị 05 của Bộ Chính trị". A list of numbers is only taken when a code follows it.
_NUMBERED = re.compile(
    rf"\b(?P<word>{_WORD})\s+(?P<so>so\s*:?\s*)?"
    r"(?P<num>\d{1,4})(?!\d|[.,]\d)"
    rf"(?P<more>(?:\s*(?:,|va)\s*\d{{1,4}})+(?={_CODE_SHAPE}))?"
    rf"(?:{_CODE})?"
    rf"(?:{_DATE})?"
    rf"(?:\s*,?\s*(?:cua|do)\s+(?P<org>{_ORG}))?"
)
# A code on its own: "05-CT/TW".
_BARE_CODE = re.compile(rf"(?<![\w/.-])(?P<num>\d{{1,4}}){_CODE}")
# Words that make a number a duration or a year, not a document: "kế hoạch 5 năm".
_NOT_A_NUMBER = re.compile(r"\s*(?:(?:nam|thang|tuan|lan|nguoi)\b|%)")

# Plenum resolutions: "Nghị quyết Trung ương 4 (khóa XI)", "Nghị quyết TW4", "NQTW4",
# "Nghị quyết Hội nghị lần thứ 4 Ban Chấp hành Trung ương Đảng (khóa XI)".
_NUMERAL = r"\d{1,2}(?!\d)|[ivxl]{1,6}\b"
_ORDINAL = r"(?:muoi\s+)?(?:nhat|mot|hai|ba|bon|tu|lam|nam|sau|bay|tam|chin)\b|muoi\b"
_TERM = r"[ivxl]{1,6}\b|\d{1,2}(?!\d)"
_PLENUM_BODY = (
    r"(?:hoi nghi\s+)?(?:"
    rf"(?:trung uong|tw)\s*(?:lan\s+)?thu\s+(?P<n1>{_NUMERAL}|{_ORDINAL})"
    rf"|(?:trung uong|tw)\s*(?P<n2>{_NUMERAL})"
    rf"|(?:lan\s+)?thu\s+(?P<n3>{_NUMERAL}|{_ORDINAL})\s+(?:cua\s+)?(?:ban chap hanh|bch)\s+"
    r"(?:trung uong|tw)(?:\s+dang(?:\s+cong san viet nam)?)?"
    r")"
    rf"(?:\s*,?\s*\(?\s*khoa\s+(?P<terms>(?:{_TERM})(?:\s*(?:,|va|-)\s*(?:{_TERM}))*)(?:\s*\))?)?"
)
_PLENUM = re.compile(rf"\b(?:nghi quyet|nq)\s*{_PLENUM_BODY}")
_QUESTION_PLENUM = re.compile(rf"\b(?:(?:nghi quyet|nq)\s*)?{_PLENUM_BODY}")  # "trung uong 4"

_QUESTION_ABBREVIATION = re.compile(
    rf"\b(?P<abbr>{'|'.join(_QUESTION_ABBREVIATIONS)})\s*(?:so\s*)?(?P<num>\d{{1,4}})(?!\d|[.,]\d)"
)

_ORDINALS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "lam": 5, "nam": 5}
_ORDINALS |= {"sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}
_CANONICAL_PLENUM = re.compile(r"NQTW(\d+)(?:-([IVXL]+))?")
_CANONICAL_NUMBERED = re.compile(r"(\d+)-([^/]+)(?:/(.+))?")


@dataclass(frozen=True)
class Reference:
    """One document a text or question refers to."""

    kind: str  # see the module docstring: "CT", "NQ", "QĐi", …
    number: int | None = None
    issuer: str | None = None  # "TW", "TU", "HU", "ĐU", …
    plenum: int | None = None  # Hội nghị Trung ương lần thứ N
    term: str | None = None  # khóa, upper-case roman: "XI"

    @property
    def canonical(self) -> str:
        """The id stored in the index: `05-CT/TW`, `03-QĐi`, `NQTW4-XI`."""
        if self.plenum is not None:
            return f"NQTW{self.plenum}" + (f"-{self.term}" if self.term else "")
        number = f"{self.number:02d}" if self.number is not None else "?"
        return f"{number}-{self.kind}" + (f"/{self.issuer}" if self.issuer else "")

    @property
    def key(self) -> str:
        """Loose id for matching: kind family and number, `CT-5`, `QĐ-3`, `NQTW-4`."""
        if self.plenum is not None:
            return f"NQTW-{self.plenum}"
        family = "QĐ" if self.kind in ("QĐi", ANY_QD) else self.kind
        return f"{family}-{self.number}"


def parse_canonical(canonical: str) -> Reference | None:
    """The reference a canonical id stands for, or None if it is not one."""
    if m := _CANONICAL_PLENUM.fullmatch(canonical):
        return Reference("NQ", issuer="TW", plenum=int(m[1]), term=m[2])
    if m := _CANONICAL_NUMBERED.fullmatch(canonical):
        return Reference(m[2], int(m[1]), m[3])
    return None


def matches(question_ref: Reference, chunk_ref_canonical: str) -> bool:
    """True when a stored id satisfies a question's reference.

    Kind and number (or plenum) must agree; issuer and term only when both sides give one, since
    "Quy định số 03" in an article may well be the question's "quy định 03 của Thành ủy".
    """
    found = parse_canonical(chunk_ref_canonical)
    if found is None:
        return False
    if question_ref.plenum is not None or found.plenum is not None:
        return found.plenum == question_ref.plenum and _agree(question_ref.term, found.term)
    if question_ref.kind == ANY_QD:
        same_kind = found.kind in ("QĐ", "QĐi", ANY_QD)
    else:
        same_kind = found.kind == question_ref.kind
    return (
        same_kind
        and found.number == question_ref.number
        and _agree(question_ref.issuer, found.issuer)
    )


def _agree(asked: str | None, stored: str | None) -> bool:
    """Optional parts agree unless both are known and differ."""
    return asked is None or stored is None or asked == stored


def extract_references(text: str) -> list[tuple[Reference, int, int]]:
    """References in normalised article text with their (start, end) offsets, in order."""
    return _scan(_fold_same_length(text), text)


def parse_question_references(question: str) -> list[Reference]:
    """Deduplicated references mentioned loosely in a question: "chi thi 05", "NQTW4"."""
    refs = [ref for ref, _, _ in _scan(fold(question), None)]
    return list(dict.fromkeys(refs))


def stated_subject(question: str) -> str:
    """What the question says the named directive is about: "Nghị quyết 21 về công tác dân
    số…" → "cong tac dan so…" (folded, to the end of the question); "" when it says nothing."""
    folded = fold(question)
    ends = [end for _, _, end in _scan(folded, None)]
    if not ends:
        return ""
    rest = re.split(r"[?(]", folded[max(ends) :], maxsplit=1)[0]  # "… về gì? (câu 2)"
    found = re.search(r"\bve\s+(.+)$", rest)
    return found[1] if found else ""


def _scan(folded: str, original: str | None) -> list[tuple[Reference, int, int]]:
    """All references in folded text; `original` (same offsets) is None for a question."""
    question = original is None
    found: list[tuple[int, int, list[Reference]]] = []
    for m in _NUMBERED.finditer(folded):
        found.append((m.start(), m.end(), _numbered(m, folded)))
    for m in _BARE_CODE.finditer(folded):
        kind = _code_kind(m["code"], question)
        found.append((m.start(), m.end(), [Reference(kind, int(m["num"]), _issuer(m["issuer"]))]))
    for m in (_QUESTION_PLENUM if question else _PLENUM).finditer(folded):
        found.append((m.start(), m.end(), _plenums(m, original)))
    if question:
        for m in _QUESTION_ABBREVIATION.finditer(folded):
            refs = [] if _looks_like_quantity(m, folded, "num") else [_abbreviation(m)]
            found.append((m.start(), m.end(), refs))
    # Where matches overlap, the one starting first (then the longest) wins.
    found.sort(key=lambda item: (item[0], -item[1]))
    out: list[tuple[Reference, int, int]] = []
    taken_until = -1
    for start, end, refs in found:
        if refs and start >= taken_until:
            out.extend((ref, start, end) for ref in refs)
            taken_until = end
    return out


def _numbered(m: re.Match[str], folded: str) -> list[Reference]:
    """References from one "Chỉ thị số 05-CT/TW của …" match; [] when the number is not one."""
    if not m["so"] and not m["code"] and _looks_like_quantity(m, folded, "num"):
        return []
    kind = _KIND_WORDS[re.sub(r"\s+", " ", m["word"])]
    if m["code"]:
        code_kind = _KIND_CODES[m["code"]]
        # The written word tells a Quy định from a Quyết định; otherwise trust the code.
        kind = kind if code_kind == "QĐ" and kind in ("QĐ", "QĐi") else code_kind
    issuer = _issuer(m["issuer"]) if m["issuer"] else _org_issuer(m["org"])
    numbers = [int(m["num"])] + [int(n) for n in re.findall(r"\d+", m["more"] or "")]
    return [Reference(kind, number, issuer) for number in numbers]


def _plenums(m: re.Match[str], original: str | None) -> list[Reference]:
    """One reference per term named in a plenum match ("khóa XI, XII" gives two)."""
    group = next(g for g in ("n1", "n2", "n3") if m[g])
    plenum = _plenum_number(m[group])
    if plenum is None or (original is not None and not _upper_if_roman(m, group, original)):
        return []
    terms: list[str] = []
    if m["terms"]:
        for t in re.finditer(_TERM, m["terms"]):
            start = m.start("terms") + t.start()
            written = original[start : start + len(t[0])] if original is not None else t[0]
            if t[0].isdigit():
                terms.append(_to_roman(int(t[0])))
            elif original is None or written.isupper():
                terms.append(t[0].upper())
    return [Reference("NQ", None, "TW", plenum, term) for term in terms or [None]]


def _abbreviation(m: re.Match[str]) -> Reference:
    """A question's "CT05", "nq 09", "QĐ 03"."""
    return Reference(_QUESTION_ABBREVIATIONS[m["abbr"]], int(m["num"]))


def _looks_like_quantity(m: re.Match[str], folded: str, group: str) -> bool:
    """True for "kế hoạch 5 năm", "chương trình 2020": a duration or a year, not a number."""
    number = int(m[group])
    return 1900 <= number <= 2100 or bool(_NOT_A_NUMBER.match(folded, m.end(group)))


def _code_kind(code: str, question: bool) -> str:
    """Kind from a code; a question's bare "-QĐ/" may be either quy định or quyết định."""
    kind = _KIND_CODES[code]
    return ANY_QD if question and kind == "QĐ" else kind


def _issuer(code: str) -> str:
    """Issuer code as written after the slash, upper-case, with its Đ restored."""
    upper = code.upper()
    return _ISSUER_FIXES.get(upper, upper)


def _org_issuer(org: str | None) -> str | None:
    """Issuer code for an organisation named in words ("bo chinh tri" → "TW")."""
    if org is None:
        return None
    return next(issuer for pattern, issuer in _ORG_PATTERNS if pattern.fullmatch(org))


def _plenum_number(word: str) -> int | None:
    """4 from "4", "iv" or "tu"; "muoi hai" is 12."""
    if word.isdigit():
        return int(word)
    if word[0] in _ROMAN and set(word) <= set(_ROMAN):
        return _from_roman(word)
    parts = word.split()
    if len(parts) == 2:
        return 10 + _ORDINALS[parts[1]]
    return _ORDINALS.get(word)


def _upper_if_roman(m: re.Match[str], group: str, original: str) -> bool:
    """Roman numerals count only when written upper-case ("Trung ương IV", not "… vì")."""
    word = m[group]
    if word.isdigit() or not set(word) <= set(_ROMAN):
        return True
    return original[m.start(group) : m.end(group)].isupper()


def _from_roman(numeral: str) -> int:
    """Value of a lower-case roman numeral."""
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))


def _to_roman(number: int) -> str:
    """Upper-case roman numeral for a term number (1–89)."""
    out = ""
    for value, letters in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV")):
        while number >= value:
            out, number = out + letters, number - value
    return out + "I" * number


def _fold_same_length(text: str) -> str:
    """`fold` character by character, so offsets into the result are offsets into `text`."""
    return "".join(_fold_char(c) for c in text)


@cache
def _fold_char(c: str) -> str:
    """One folded character, or the character itself when folding would change the length."""
    folded = fold(c)
    return folded if len(folded) == 1 else c
