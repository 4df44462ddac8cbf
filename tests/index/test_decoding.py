import random
import unicodedata

import pytest

from index.decoding import decode
from index.errors import IngestError
from index.vietnamese import TONE_MARKS

TEXT = (
    "Nghị quyết Trung ương 4 khóa XII về tăng cường xây dựng, chỉnh đốn Đảng.\n"
    "Người đứng đầu phải gương mẫu, nêu gương về đạo đức, lối sống."
)


def encode_cp1258(text: str) -> bytes:
    """Encode like Windows does: precomposed base letters plus a combining tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = "".join(c for c in parts if c in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_cp1258_helper_round_trips() -> None:
    data = encode_cp1258(TEXT)
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == TEXT
    assert "\u0323".encode("cp1258") in data  # really uses a combining dot below


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
        encode_cp1258(TEXT),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-no-bom", "utf16be-no-bom", "cp1258"],
)
def test_decodes_vietnamese_in_every_supported_encoding(data: bytes) -> None:
    assert decode(data, "bai.txt") == TEXT


def test_cp1258_tone_marks_are_composed_so_words_can_be_found() -> None:
    text = decode(encode_cp1258(TEXT), "bai.txt")
    assert "Đảng" in text and "Nghị quyết" in text
    assert not any(unicodedata.combining(c) for c in text)


def test_windows_line_ends_become_newlines() -> None:
    text = decode("Dòng một\r\nDòng hai\rDòng ba".encode(), "a.txt")
    assert text == "Dòng một\nDòng hai\nDòng ba"


def test_other_legacy_code_pages_are_not_read_as_vietnamese() -> None:
    russian = "Коммунистическая партия Вьетнама приняла новую резолюцию о кадрах."
    assert decode(russian.encode("cp1251"), "ru.txt") == russian


def test_stray_control_characters_are_dropped() -> None:
    data = ("Chỉ thị 05 " * 20 + "\x1a").encode()
    assert decode(data, "a.txt") == "Chỉ thị 05 " * 20


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b" \n\t\r\n ", "only whitespace"),
        ("  \n".encode("utf-16"), "only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)), "binary"),
    ],
    ids=["zero-bytes", "whitespace", "utf16-whitespace", "png"],
)
def test_unusable_files_are_refused_with_the_path(data: bytes, reason: str) -> None:
    with pytest.raises(IngestError, match=reason) as excinfo:
        decode(data, "kho/bai-loi.txt")
    assert "kho/bai-loi.txt" in str(excinfo.value)


def test_undecodable_bytes_are_refused() -> None:
    rng = random.Random(7)
    noise = bytes(rng.randint(1, 255) for _ in range(3000))  # no NULs, not any real encoding
    with pytest.raises(IngestError, match=r"x\.txt.*(encoding|binary)"):
        decode(noise, "x.txt")


def test_bom_that_lies_is_refused() -> None:
    with pytest.raises(IngestError, match="UTF-8"):
        decode(b"\xef\xbb\xbf" + encode_cp1258(TEXT), "x.txt")
