"""One canonical form for Vietnamese text, and diacritic folding."""

from __future__ import annotations

import unicodedata

import pytest

from index.vietnamese import fold, folded_tokens, has_diacritics, normalize, tokens


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("Thành uỷ", "Thành ủy"),
        ("hoá", "hóa"),
        ("Hoà Bình", "Hòa Bình"),
        ("TOÀ", "TÒA"),
        ("khoẻ", "khỏe"),
        ("hoàng", "hoàng"),  # closed syllable: both conventions agree
        ("khuyến", "khuyến"),
        ("quý", "quý"),  # the u of qu is a consonant
        ("già", "già"),
        ("người", "người"),
        ("ngoài", "ngoài"),
        ("khuỷu", "khuỷu"),
    ],
)
def test_tone_marks_get_one_canonical_place(variant: str, canonical: str) -> None:
    assert normalize(variant) == canonical
    assert normalize(unicodedata.normalize("NFD", variant)) == canonical


def test_normalize_keeps_length_and_is_idempotent() -> None:
    text = unicodedata.normalize(
        "NFC", "Thành uỷ Hoà Bình ban hành Chỉ thị số 05-CT/TW, 10/9/2018."
    )
    once = normalize(text)

    assert len(once) == len(text)
    assert normalize(once) == once


def test_fold_strips_every_diacritic_and_d_bar() -> None:
    assert fold("Đảng bộ Thành ủy Lào Cai") == "dang bo thanh uy lao cai"
    assert has_diacritics("chỉ thị 05") and not has_diacritics("chi thi 05")


def test_tokens_split_codes_and_dates_into_words() -> None:
    assert tokens("Chỉ thị 05-CT/TW (10/9/2018)") == [
        "chỉ",
        "thị",
        "05",
        "ct",
        "tw",
        "10",
        "9",
        "2018",
    ]
    assert folded_tokens("Nghị quyết TW4") == ["nghi", "quyet", "tw4"]
