"""What an article, a sentence or a question is about: the places it reports on.

An article about Party work reports on one place and its Party organisation ("TP Hạ Long",
"Đảng bộ thành phố Lào Cai", "Khối Cơ quan Dân chính Đảng TP Cần Thơ"); its sentences
report on that place unless they name another. A question that names a place must be
answered with sentences about that place: a figure of Cần Thơ quoted to a member who asked
about Hạ Long reads as Hạ Long's.

Places are matched by their name folded (no diacritics, lower case, no level word), so
"TP Hạ Long", "Thành ủy Hạ Long" and "thanh uy ha long" are all the place `ha long`. The
names are those of the 63 provinces and 696 districts before the 2025 mergers (the
`vietnam-provinces` package, 0.6): the articles use the names of their time, and every
province formed in 2025 kept one of those names. A commune, ward or district written after
its level word ("xã Tân Lập", "phường Hồng Gai") is a place too, listed or not.

A province and a city or district of the same name (tỉnh Lào Cai, TP Lào Cai) share a key:
telling them apart needs the level word, which members seldom type.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from index.vietnamese import fold, normalize

PROVINCE, DISTRICT, COMMUNE = 1, 2, 3

# Level words, folded, with the level they name (0: a city, province or district alike).
# "đảng bộ", "thành ủy" … may be followed by another ("Đảng bộ thành phố Lào Cai").
_LEVEL_WORDS = {
    "tinh": PROVINCE,
    "tinh uy": PROVINCE,
    "thanh pho": 0,
    "tp": 0,
    "thanh uy": 0,
    "huyen": DISTRICT,
    "huyen uy": DISTRICT,
    "quan": DISTRICT,
    "quan uy": DISTRICT,
    "thi xa": DISTRICT,
    "thi uy": DISTRICT,
    "xa": COMMUNE,
    "phuong": COMMUNE,
    "thi tran": COMMUNE,
    "dang bo": 0,
    "dang uy": 0,
    "ubnd": 0,
    "hdnd": 0,
    "uy ban nhan dan": 0,
    "hoi dong nhan dan": 0,
    "mttq": 0,
    "ban thuong vu": 0,
    "btv": 0,
    "cap uy": 0,
}
# How the first word of a level word must be written in text with diacritics: folded,
# "quan" is also quân ("Quân ủy Trung ương"), "xa" xa, "tinh" tình, "phuong" phương.
_WRITTEN = {
    "tinh": {"tỉnh"},
    "tinh uy": {"tỉnh"},
    "quan": {"quận"},
    "quan uy": {"quận"},
    "xa": {"xã"},
    "phuong": {"phường"},
    "huyen": {"huyện"},
    "huyen uy": {"huyện"},
    "thi xa": {"thị"},
    "thi uy": {"thị"},
    "thi tran": {"thị"},
    "thanh pho": {"thành"},
    "thanh uy": {"thành"},
}
# After these a name that is not in the list is still a place ("xã Tân Lập").
_NAMING_UNLISTED = {"huyen", "quan", "thi xa", "xa", "phuong", "thi tran"}
_NAMING_UNLISTED |= {"huyen uy", "quan uy", "thi uy"}  # districts merged before 2025 too
# Names members and journalists abbreviate.
_ALIASES = {
    "hn": "ha noi",
    "hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "thua thien hue": "hue",
    "ba ria vung tau": "ba ria vung tau",
    "vung tau": "vung tau",
}
# Listed names that are also common words or phrases once folded: "văn bản" (Văn Bàn), "là
# gì" (La Gi), "diễn biến" (Điện Biên), "hòa bình" (Hòa Bình). In a question typed in lower
# case they are a place only after a level word. The names the news corpora of ../shared/eval
# write in lower case more often than capitalised (printed by bench/common_place_names.py).
_COMMON_PHRASES = frozenset(
    {
        "an bien",
        "an duong",
        "an thi",
        "ba to",
        "bach thong",
        "bao thang",
        "binh gia",
        "cam thuy",
        "can duoc",
        "cao lanh",
        "cho don",
        "cho moi",
        "co do",
        "co to",
        "con co",
        "da bac",
        "dai tu",
        "dam doi",
        "dien bien",
        "dinh lap",
        "dinh quan",
        "do luong",
        "dong da",
        "dong hoa",
        "dong phu",
        "dong van",
        "dong xuan",
        "duc co",
        "duc pho",
        "duc trong",
        "duong kinh",
        "gia binh",
        "gia lam",
        "go cong",
        "go cong dong",
        "go dau",
        "hoa an",
        "hoa binh",
        "hoa thanh",
        "hon quan",
        "kien hai",
        "kien tuong",
        "la gi",
        "lam binh",
        "long dat",
        "luc nam",
        "luong tai",
        "ly nhan",
        "minh hoa",
        "nghia dan",
        "nhu thanh",
        "phu giao",
        "phu hoa",
        "song cong",
        "song ma",
        "tam duong",
        "tam nong",
        "tan thanh",
        "thanh ba",
        "thanh chuong",
        "thoi binh",
        "thong nhat",
        "thuan hoa",
        "thuan thanh",
        "tien du",
        "tieu can",
        "tinh bien",
        "tran de",
        "tri ton",
        "tu ky",
        "tu mo rong",
        "tuan giao",
        "tuong duong",
        "van ban",
        "van ho",
        "van lam",
        "van quan",
        "vi thanh",
        "vu ban",
        "vu thu",
    }
)
_TOKEN = re.compile(r"[^\W_]+")
_MAX_NAME = 4  # syllables


@dataclass(frozen=True)
class Place:
    """A place a text reports on."""

    key: str  # folded name without a level word: "ha long"
    name: str  # as listed, or as first written: "Hạ Long"
    level: int  # PROVINCE, DISTRICT or COMMUNE
    province: str = ""  # key of the province a listed district lies in

    def within(self, other: Place) -> bool:
        """Whether this place lies inside `other` (a district in its province)."""
        return self.level > other.level and (self.province == other.key or other.level > PROVINCE)


@dataclass(frozen=True)
class Mention:
    """A place as written in a text."""

    place: Place
    start: int
    end: int
    surface: str  # the words as written, level word included: "TP Hạ Long"
    name_start: int = -1  # where the name itself starts ("Hạ Long"); -1: at `start`


@dataclass(frozen=True)
class _Token:
    text: str
    folded: str
    start: int
    end: int

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()


@cache
def _divisions() -> list[dict]:
    """The package's provinces with their districts, read once."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    return json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))


@cache
def gazetteer() -> dict[str, Place]:
    """Every listed place by key; a province wins over a district of the same name."""
    places: dict[str, Place] = {}
    for province in _divisions():
        name = normalize(_strip_level(province["name"]))
        key = name_key(name)
        places[key] = Place(key, name, PROVINCE)
        for district in province["districts"]:
            dname = normalize(_strip_level(district["name"]))
            dkey = name_key(dname)
            if dkey in places and places[dkey].level == PROVINCE:
                continue
            if dkey in places:  # the same name in several provinces: province unknown
                places[dkey] = Place(dkey, dname, DISTRICT)
            else:
                places[dkey] = Place(dkey, dname, DISTRICT, key)
    for alias, key in _ALIASES.items():
        places.setdefault(alias, places.get(key) or Place(key, key.title(), PROVINCE))
    return places


@cache
def _written() -> dict[str, frozenset[str]]:
    """Every way a listed key is written with diacritics (lower case): `ha long` → {hạ long}."""
    names: dict[str, set[str]] = {}
    for province in _divisions():
        for raw in [province["name"], *(d["name"] for d in province["districts"])]:
            name = normalize(_strip_level(raw))
            names.setdefault(name_key(name), set()).add(" ".join(_TOKEN.findall(name.lower())))
    return {key: frozenset(found) for key, found in names.items()}


def _written_as_listed(
    tokens: list[_Token], i: int, size: int, key: str, strict: bool = False
) -> bool:
    """Whether words written with diacritics are the listed name's ("động giảng" is not
    Đông Giang); words written without any may be any name that folds to them, unless
    `strict`."""
    words = " ".join(t.text.lower() for t in tokens[i : i + size])
    if fold(words) == words and not strict:
        return True
    listed = _written().get(key)
    return listed is None or normalize(words) in listed


def _strip_level(name: str) -> str:
    for level in ("Thành phố ", "Tỉnh ", "Huyện ", "Quận ", "Thị xã "):
        if name.startswith(level):
            return name[len(level) :]
    return name


def name_key(name: str) -> str:
    """The folded key of a place name: `Bà Rịa - Vũng Tàu` → `ba ria vung tau`."""
    return " ".join(_TOKEN.findall(fold(name)))


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), fold(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _adjacent(text: str, left: _Token, right: _Token) -> bool:
    """Only spaces (or a dot, hyphen: "TP.HCM", "Bà Rịa - Vũng Tàu") between two tokens."""
    gap = text[left.end : right.start]
    return len(gap) <= 3 and all(c in " .-–\u00a0" for c in gap)


def _run(text: str, tokens: list[_Token], i: int, n: int) -> str | None:
    """The folded words i..i+n joined, if they are written next to each other."""
    if i + n > len(tokens):
        return None
    for a, b in zip(tokens[i : i + n - 1], tokens[i + 1 : i + n], strict=True):
        if not _adjacent(text, a, b):
            return None
    return " ".join(t.folded for t in tokens[i : i + n])


def _level_at(text: str, tokens: list[_Token], i: int, marked: bool) -> tuple[str, int] | None:
    """The longest level word starting at token i, and how many tokens it takes."""
    for n in (4, 3, 2, 1):
        words = _run(text, tokens, i, n)
        if words is None or words not in _LEVEL_WORDS:
            continue
        written = _WRITTEN.get(words)
        if marked and written and tokens[i].text.lower() not in written:
            return None
        return words, n
    return None


def mentions(
    text: str,
    known: dict[str, Place] | None = None,
    cased: bool = True,
    spelled: str | None = None,
) -> list[Mention]:
    """The places a text names, in order.

    `cased` text (articles, questions written with diacritics) names a place without a
    level word only in capitals ("Hà Nội"); in other text (a question typed in lower case or
    without diacritics) a listed name of two or more syllables is enough, unless it is also a
    common phrase, and written with diacritics it must be written as listed ("hoạt động
    giảng dạy" names no Đông Giang). `spelled` is text typed without diacritics as restored
    with them, word for word: a name it names without a level word must be spelled as listed
    there too ("hoat dong giang day"). `known` adds places seen elsewhere to the list.
    """
    places = gazetteer() if known is None else {**gazetteer(), **known}
    tokens = _tokens(text)
    restored = _tokens(spelled) if spelled is not None else None
    if restored is not None and [t.folded for t in restored] != [t.folded for t in tokens]:
        restored = None  # not word for word
    marked = fold(text) != text.lower()
    found: list[Mention] = []
    i = 0
    while i < len(tokens):
        mention, used = _leveled(text, tokens, i, places, marked, cased)
        if mention is None:
            mention, used = _bare(text, tokens, i, places, cased)
            if (
                mention is not None
                and restored is not None
                and not _written_as_listed(restored, i, used, mention.place.key, strict=True)
            ):
                mention, used = None, 0
        if mention is not None:
            found.append(mention)
            i += used
        else:
            i += 1
    return found


def _leveled(
    text: str,
    tokens: list[_Token],
    i: int,
    places: dict[str, Place],
    marked: bool,
    cased: bool,
) -> tuple[Mention | None, int]:
    level = _level_at(text, tokens, i, marked)
    if level is None:
        return None, 0
    words, n = level
    j = i + n
    while (more := _level_at(text, tokens, j, marked)) is not None and _adjacent(
        text, tokens[j - 1], tokens[j]
    ):
        words, n = more
        j += n
    if j >= len(tokens) or text[tokens[j - 1].end : tokens[j].start] not in (" ", "\u00a0"):
        return None, 0  # "Thành ủy - Chủ tịch": a name follows its level word after a space
    if cased and not tokens[j].capitalised:
        return None, 0
    for size in range(_MAX_NAME, 0, -1):
        key = _run(text, tokens, j, size)
        if key is not None and key in places and _written_as_listed(tokens, j, size, key):
            place = places[key]
            return _mention(text, tokens, i, j + size, place, j), j + size - i
    if words in _NAMING_UNLISTED and marked and tokens[j].capitalised:
        size = 1
        while (
            size < 3
            and j + size < len(tokens)
            and tokens[j + size].capitalised
            and _adjacent(text, tokens[j + size - 1], tokens[j + size])
        ):
            size += 1
        name = text[tokens[j].start : tokens[j + size - 1].end]
        level = _LEVEL_WORDS[words] or DISTRICT
        place = Place(name_key(name), name, level)
        return _mention(text, tokens, i, j + size, place, j), j + size - i
    return None, 0


def _bare(
    text: str, tokens: list[_Token], i: int, places: dict[str, Place], cased: bool
) -> tuple[Mention | None, int]:
    for size in range(_MAX_NAME, 0, -1):
        key = _run(text, tokens, i, size)
        if key is None or key not in places:
            continue
        capitalised = all(t.capitalised for t in tokens[i : i + size])
        if size == 1 and key not in _ALIASES and places[key].level != PROVINCE:
            continue  # "Chũ", "Vinh": one syllable is too often a word ("Chủ tịch")
        needs_capitals = cased or key in _COMMON_PHRASES or (size == 1 and key not in _ALIASES)
        if needs_capitals and not capitalised:
            continue
        if i + size < len(tokens) and tokens[i + size].capitalised and cased:
            continue  # part of a longer name: "Hà Nam Ninh", "Hồ Chí Minh" the person
        if not _written_as_listed(tokens, i, size, key):
            continue
        if i > 0 and tokens[i - 1].folded == "viet" and tokens[i].folded == "nam":
            continue  # "người Việt Nam định cư": not Nam Định
        return _mention(text, tokens, i, i + size, places[key]), size
    return None, 0


def _mention(
    text: str, tokens: list[_Token], i: int, j: int, place: Place, name: int | None = None
) -> Mention:
    start, end = tokens[i].start, tokens[j - 1].end
    return Mention(place, start, end, text[start:end], tokens[i if name is None else name].start)


def _person(mention: Mention) -> bool:
    """ "Hồ Chí Minh" without "thành phố" or "TP" before it is the man (tư tưởng Hồ Chí Minh)."""
    return mention.place.key == "ho chi minh" and name_key(mention.surface) == "ho chi minh"


def place_mentions(text: str, known: dict[str, Place] | None = None) -> list[Mention]:
    """`mentions` of cased text, without "Hồ Chí Minh" the man."""
    return [m for m in mentions(text, known) if not _person(m)]


def article_subject(
    title: str, text: str, source: str = "", known: dict[str, Place] | None = None
) -> tuple[Mention, ...]:
    """The places an article reports on, most prominent first (empty: national or none).

    Title mentions weigh 3, the lead's (first 600 characters) 2, the source's ("Báo Quảng
    Ninh") 1 and the body's 0.5 each (at most 3 in all); a place is a subject with at least
    2 and half the top weight. A province is dropped when one of its districts is a subject:
    an article about TP Hạ Long mentions Quảng Ninh without being about the province.
    """
    weight: Counter[str] = Counter()
    first: dict[str, Mention] = {}
    body: Counter[str] = Counter()
    for part, w in ((title, 3.0), (text[:600], 2.0), (source, 1.0)):
        for m in place_mentions(part, known):
            weight[m.place.key] += w
            first.setdefault(m.place.key, m)
    for m in place_mentions(text, known):
        body[m.place.key] += 1
        first.setdefault(m.place.key, m)
    for key, count in body.items():
        weight[key] += min(3.0, 0.5 * count)
    if not weight:
        return ()
    top = max(weight.values())
    chosen = [first[k] for k, w in weight.most_common() if w >= 2 and w >= top / 2]
    return tuple(
        m for m in chosen if not any(o.place.within(m.place) for o in chosen if o is not m)
    )


def sentence_subject(sentence: Iterable[Mention], article: Iterable[Mention]) -> frozenset[str]:
    """The place keys a sentence reports on.

    Its own places if it names any, together with the article's when all it names lie
    below them (a ward of the city the article is about); else the article's.
    """
    own = [m.place for m in sentence]
    whole = [m.place for m in article]
    if not own:
        return frozenset(p.key for p in whole)
    keys = {p.key for p in own}
    below = max((q.level for q in whole), default=COMMUNE)
    if whole and all(p.level > below or p.key in {q.key for q in whole} for p in own):
        keys |= {p.key for p in whole}
    return frozenset(keys)


def question_mentions(
    question: str, known: dict[str, Place] | None = None, restored: str | None = None
) -> list[Mention]:
    """The places a question names (with or without diacritics), where it names them.

    `restored` is a question typed without diacritics as the diacritic restorer reads it.
    """
    cased = fold(question) != question.lower() and any(c.isupper() for c in question[1:])
    spelled = restored if restored is not None and fold(question) == question.lower() else None
    found = mentions(question, known, cased=cased, spelled=spelled)
    return [m for m in found if not _person(m)]


def question_places(question: str, known: dict[str, Place] | None = None) -> tuple[Place, ...]:
    """The places a question names, each once."""
    seen: dict[str, Place] = {}
    for m in question_mentions(question, known):
        seen.setdefault(m.place.key, m.place)
    return tuple(seen.values())


def place_terms(key: str) -> frozenset[str]:
    """The lexical terms (index/lexical.py) that say a passage names a place: `ha_long`, or
    `hue` for a name of one syllable."""
    words = key.split()
    if len(words) == 1:
        return frozenset(words)
    return frozenset(f"{a}_{b}" for a, b in itertools.pairwise(words))
