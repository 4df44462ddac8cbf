"""Vietnamese text normalisation shared by articles and questions.

`normalize` gives one canonical form (NFC, tone mark on the traditional vowel: `hòa`, `thủy`)
and never changes the length of NFC text, so offsets computed on normalised text stay valid.
`fold` strips every diacritic (`đ` → `d`) for matching questions typed without them.
"""

from __future__ import annotations

import re
import unicodedata

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
_TOKEN = re.compile(r"[^\W_]+")


def _place_tone(syllable: str) -> str:
    """Move the tone mark of one NFC syllable to its traditional position."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = [c for c in decomposed if c in TONE_MARKS]
    if len(tones) != 1:
        return syllable
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    lower = bare.lower()
    start = 0
    qu = lower.startswith("qu") and len(lower) > 2
    gi = lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS
    if qu or gi:  # the u of qu and the i of gi belong to the consonant
        start = 2
    while start < len(lower) and lower[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(lower) and lower[end] in _VOWELS:
        end += 1
    if start == end:
        return syllable
    cluster = range(start, end)
    marked = [i for i in cluster if lower[i] in _MARKED_VOWELS]
    if marked:
        pos = marked[-1]  # "ươ" takes the tone on ơ
    elif end - start == 1:
        pos = start
    elif end < len(lower):  # closed syllable: the last vowel of the cluster
        pos = end - 1
    elif end - start == 2:  # open syllable: hòa, thủy, mía, túi
        pos = start
    else:  # three vowels: ngoài, khuỷu
        pos = start + 1
    out = bare[:pos] + unicodedata.normalize("NFC", bare[pos] + tones[0]) + bare[pos + 1 :]
    return out if len(out) == len(syllable) else syllable


def _toned_letters() -> str:
    letters = []
    for vowel in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY":
        for mark in TONE_MARKS:
            letters.append(unicodedata.normalize("NFC", vowel + mark))
    return "".join(letters)


# Only words with a tone mark and more than one vowel can have it misplaced.
_TONED_WORD = re.compile(rf"\w*[{_toned_letters()}]\w*")


def normalize(text: str) -> str:
    """NFC with canonical tone-mark placement; safe to apply twice."""
    text = unicodedata.normalize("NFC", text)
    return _TONED_WORD.sub(
        lambda m: _place_tone(m.group()) if len(m.group()) <= 8 else m.group(), text
    )


def fold(text: str) -> str:
    """Lower-case and strip all Vietnamese diacritics (`Đảng` → `dang`)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("ð", "d")  # ð: the look-alike Icelandic eth


def has_diacritics(text: str) -> bool:
    """True when any letter carries a Vietnamese diacritic (or is đ)."""
    return fold(text) != text.lower()


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of normalised text (letters and digits, no punctuation)."""
    return _TOKEN.findall(normalize(text).lower())


def folded_tokens(text: str) -> list[str]:
    """Word tokens with diacritics folded, for matching questions typed without them."""
    return _TOKEN.findall(fold(text))  # folding drops tone marks, wherever they sit
