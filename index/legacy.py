"""Vietnamese typed in the pre-Unicode font encodings TCVN3 (ABC, `.VnTime`) and VNI.

Such text reaches us as Latin-1 look-alikes: "Ch\\xad¬ng tr×nh" for "Chương trình" (TCVN3),
"Coäng hoøa" for "Cộng hòa" (VNI). The conversion tables and the content detector are
viparse's (built from real government documents, and it leaves Unicode and other
languages alone); what is added here is a cheap filter so that Unicode text, which is
nearly all text, never pays for detection, the font rule for DOCX runs, and the upper case
of TCVN3 headings, which that encoding cannot write.
"""

from __future__ import annotations

import re

import viparse

TCVN3 = "tcvn3"
VNI = "vni"
NAMES = {TCVN3: "TCVN3 (ABC)", VNI: "VNI"}

# Letters only Unicode Vietnamese has (ă â đ ê ô ơ ư and every toned vowel): text holding
# them is already Unicode. Legacy text shows up as Latin-1 letters and signs instead.
_UNICODE_VIETNAMESE = re.compile("[ăĂđĐơƠưƯ\u1ea0-\u1ef9]")
_LATIN1 = re.compile("[\u00a1-\u00ff]")
_MIN_LATIN1_SHARE = 0.02  # of the characters: a legacy text has one in every few words
_WORD = re.compile(r"\w+")


def from_legacy(text: str) -> tuple[str, str | None]:
    """`text` in Unicode, and the legacy encoding it was found to be in (None: it was not)."""
    if not _might_be_legacy(text):
        return text, None
    encoding = viparse.detect_text_encoding(text)
    if encoding not in NAMES:
        return text, None
    return convert(text, encoding), encoding


def convert(text: str, encoding: str) -> str:
    """Convert text known to be in `encoding` (TCVN3 or VNI) to Unicode (NFC)."""
    core = text.strip()
    if not core:
        return text
    lead, tail = text[: text.index(core[0])], text[len(text.rstrip()) :]
    converted = lead + viparse.fix(core, encoding=encoding) + tail
    return _uppercase_headings(converted) if encoding == TCVN3 else converted


def font_encoding(font: str | None) -> str | None:
    """The legacy encoding a font name implies: `.VnTime` → TCVN3, `VNI-Times` → VNI."""
    name = re.sub(r"^[A-Z]{6}\+", "", font or "").upper()  # PDF subset tag, "ABCDEF+.VnTime"
    if name.startswith(".VN"):
        return TCVN3
    if name.startswith("VNI"):
        return VNI
    return None


def is_uppercase_font(font: str | None) -> bool:
    """`.VnTimeH`, `.VnArialH`: TCVN3 fonts that draw every letter as a capital."""
    name = (font or "").upper()
    return font_encoding(font) == TCVN3 and name.endswith("H")


def _might_be_legacy(text: str) -> bool:
    if _UNICODE_VIETNAMESE.search(text):
        return False
    return len(_LATIN1.findall(text)) >= _MIN_LATIN1_SHARE * max(len(text), 1)


def _uppercase_headings(text: str) -> str:
    """TCVN3 has no toned capitals: "CéNG HOµ" is a capitalised "CỘNG HOÀ" with toned
    lower-case letters among its capitals. A word whose unaccented letters are all capitals
    (two at least) is a capitalised word."""

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        plain = [c for c in word if c.isascii() and c.isalpha()]
        if len(plain) >= 2 and all(c.isupper() for c in plain) and not word.isupper():
            return word.upper()
        return word

    return _WORD.sub(fix, text)
