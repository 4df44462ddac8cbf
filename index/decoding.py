"""Turn the raw bytes of a text file into a `str`, whatever Vietnamese encoding it was saved in.

Order: byte-order marks, strict UTF-8, BOM-less UTF-16, then the legacy Vietnamese Windows
code page (cp1258, which writes tone marks as separate combining characters) when the result
reads as Vietnamese, and finally charset-normalizer's best guess for other legacy code pages.
Text typed in the legacy Vietnamese font encodings TCVN3 and VNI, as bytes or already as
their Latin-1 look-alikes in a UTF-8 file, is converted to Unicode (`index.legacy`).
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata

from charset_normalizer import from_bytes

from index.errors import IngestError
from index.legacy import NAMES, from_legacy

log = logging.getLogger(__name__)

_BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # category Cc except \t\n\v\f\r
_MAX_CONTROL_SHARE = 0.01
BINARY_VI = "tệp có vẻ là dữ liệu nhị phân, không phải văn bản"
# Diacritics a Vietnamese letter can carry: the five tones, circumflex, breve and horn.
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_TYPOGRAPHY = frozenset("\u00a0\u00b0\u00ab\u00bb\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026")
_MIN_VIETNAMESE_SHARE = 0.9  # of the non-ASCII characters, for a cp1258 decoding to be believed


def decode(data: bytes, path: str) -> str:
    """Decode a text file's bytes to NFC text with `\\n` line ends, or raise `IngestError`."""
    if not data:
        raise IngestError(f"{path}: file is empty (0 bytes)", vi="tệp rỗng (0 byte)")
    text = _decode_with_bom(data, path)
    if text is None and b"\x00" in data:
        text = _decode_utf16_without_bom(data, path)
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data, path)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text, encoding = from_legacy(text)
    if encoding is not None:
        log.info("%s: converted from %s to Unicode", path, NAMES[encoding])
    if not text.strip():
        raise IngestError(f"{path}: file contains only whitespace", vi="tệp chỉ có khoảng trắng")
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise IngestError(
            f"{path}: looks like binary data (many control characters), not text", vi=BINARY_VI
        )
    return _CONTROL.sub("", text)


def _decode_with_bom(data: bytes, path: str) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                name = codec.removesuffix("-sig").upper()
                raise IngestError(
                    f"{path}: starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {e.start}); re-save it as UTF-8",
                    vi=f"tệp mở đầu bằng dấu BOM của {name} nhưng không đúng mã {name}: hãy lưu "
                    "lại dạng UTF-8",
                ) from e
    return None


def _decode_utf16_without_bom(data: bytes, path: str) -> str:
    """UTF-16 text has NUL high bytes for ASCII (and à, é, …) in every other position."""
    even, odd = data[0::2], data[1::2]
    even_nul = even.count(0) / max(len(even), 1)
    odd_nul = odd.count(0) / max(len(odd), 1)
    codec = None
    if odd_nul >= 0.3 and even_nul <= 0.05:
        codec = "utf-16-le"
    elif even_nul >= 0.3 and odd_nul <= 0.05:
        codec = "utf-16-be"
    if codec is not None and len(data) % 2 == 0:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            pass
        else:
            if _control_share(text) <= _MAX_CONTROL_SHARE:
                log.debug("%s: decoded as BOM-less %s", path, codec)
                return text
    raise IngestError(
        f"{path}: looks like binary data (contains NUL bytes), not text", vi=BINARY_VI
    )


def _decode_legacy(data: bytes, path: str) -> str:
    try:  # TCVN3 and VNI bytes, as the Windows code page shows them
        surface = data.decode("cp1252")
    except UnicodeDecodeError:
        surface = data.decode("latin-1")
    converted, encoding = from_legacy(surface)
    if encoding is not None:
        log.info("%s: converted from %s to Unicode", path, NAMES[encoding])
        return converted
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        pass
    else:
        if _looks_vietnamese(text):
            log.info("%s: not UTF-8, decoded as Windows-1258 (Vietnamese)", path)
            return text
    best = from_bytes(data).best()
    if best is None or best.chaos > 0.5:
        raise IngestError(
            f"{path}: cannot tell the text encoding (not UTF-8, UTF-16, Windows-1258, TCVN3 "
            "or VNI); re-save it as UTF-8",
            vi="không nhận ra bảng mã của tệp (không phải UTF-8, UTF-16, Windows-1258, TCVN3 "
            "hay VNI): hãy lưu lại dạng UTF-8",
        )
    log.warning("%s: not UTF-8, guessed encoding %s", path, best.encoding)
    return str(best)


def _looks_vietnamese(text: str) -> bool:
    """True when nearly every non-ASCII character is a Vietnamese letter or common typography."""
    foreign = [c for c in text if ord(c) > 127]
    if not foreign:
        return True
    good = sum(1 for c in foreign if c in _TYPOGRAPHY or _is_vietnamese_letter(c))
    return good / len(foreign) >= _MIN_VIETNAMESE_SHARE


def _is_vietnamese_letter(char: str) -> bool:
    if char in "đĐ":
        return True
    base, *marks = unicodedata.normalize("NFD", char)
    return base.isascii() and base.isalpha() and bool(marks) and set(marks) <= _VIETNAMESE_MARKS


def _control_share(text: str) -> float:
    return len(_CONTROL.findall(text)) / max(len(text), 1)
