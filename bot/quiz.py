"""Quiz questions made from the indexed text: a sentence with its number, date, name or
quoted title left blank, the right option and wrong ones of the same kind drawn from the
corpus.

Correct by construction: the right option is the blanked text of the cited sentence,
verbatim; it occurs there once; no wrong option occurs in the sentence or means the same
(same folded text, same number); and every option is of the blank's kind ("… đảng viên"
gets numbers that counted đảng viên elsewhere, "ngày …" gets dates written the same way).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from index.chunking import split_sentences
from index.references import Reference, extract_references, matches
from index.vietnamese import fold
from retrieval.answering import is_caption_or_heading
from retrieval.searcher import Snapshot

QUESTIONS = 5  # a study session
OPTIONS = 4  # at most; 3 at least
BLANK = "……"
WORDS = (8, 70)  # a question sentence's length in words
_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_NAME_WORD = rf"[{_UPPER}][^\W\d_]*"
_PATTERNS: dict[str, re.Pattern[str]] = {
    # a quoted title: the words between the quotes
    "title": re.compile(r"“([^“”]{12,160})”"),
    # dates, written with / or - (the options are written as the right one is)
    "date": re.compile(r"(?<=ngày )(\d{1,2}/\d{1,2}/\d{4})\b", re.IGNORECASE),
    "date-": re.compile(r"(?<=ngày )(\d{1,2}-\d{1,2}-\d{4})\b", re.IGNORECASE),
    "month": re.compile(r"(?<=tháng )(\d{1,2}/\d{4})\b", re.IGNORECASE),
    "month-": re.compile(r"(?<=tháng )(\d{1,2}-\d{4})\b", re.IGNORECASE),
    "year": re.compile(r"(?<=năm )((?:19|20)\d{2})\b(?![/-]\d)", re.IGNORECASE),
    # a person named as "đồng chí Nguyễn Văn A"
    "person": re.compile(rf"(?<=[đĐ]ồng chí )({_NAME_WORD}(?: {_NAME_WORD}){{1,3}})"),
    # a count: the number, then the word it counts (kept for the options' kind)
    "count": re.compile(
        r"(?<![\d/.,-])(\d{1,3}(?:\.\d{3})+|\d{2,})(?![\d/.,-])(?=\s+([^\W\d_]{2,}))"
    ),
    "percent": re.compile(r"(?<![\d/.,-])(\d{1,3}(?:,\d{1,2})?)(?=\s?%)"),
}
# Words after a number that do not say what it counts ("năm 2016 và …").
_NOT_UNITS = frozenset(
    "va cua la den voi co duoc trong tai theo tu nam thang ngay so nhu khi da cho ve".split()
)
# What comes before a quoted title (a scare quote, “một thứ vũ khí”, is not one).
_TITLE_CUE = re.compile(
    r"\b(?:chu de|ve|nghi quyet|chi thi|ket luan|quy dinh|de an|chuong trinh|ke hoach|"
    r"phong trao|cuoc van dong|cuoc thi|khau hieu|tac pham|cuon sach|sach|mo hinh|"
    r"hoi thao|hoi nghi|chuyen de|(?:-|/)(?:nq|ct|kl|qd|da|kh)/\w+)\W{0,3}$"
)
TITLE_WORDS = (3, 40)
# How far a wrong option may be from the right one and still be plausible.
NUMBER_RATIO = 5.0  # a count between a fifth and five times the right one
YEARS = 30  # a date or year within 30 years of the right one
TITLE_RATIO = 3.0  # a title between a third and three times the right one's words
_TAIL = re.compile(r"\s+(?:của|ngày|do|về)\s+|,|\s+\(")
_KIND_OF = {"date-": "date", "month": "date", "month-": "date", "year": "date"}
_KIND_OF["percent"] = "count"


@dataclass(frozen=True)
class Question:
    """One quiz question: the prompt, the options, and the sentence that answers it."""

    kind: str  # title, date, person, count, document
    prompt: str  # the sentence with BLANK in place of the answer
    options: tuple[str, ...]
    correct: int  # index of the right option
    sentence: str  # the cited sentence, verbatim
    doc_id: str
    title: str
    source: str
    url: str
    where: str  # "đoạn 4", or an official document's unit "Điều 5, khoản 2"

    @property
    def answer(self) -> str:
        """The right option."""
        return self.options[self.correct]

    def to_dict(self) -> dict[str, object]:
        """As stored with a quiz."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Question:
        """Back from storage."""
        return cls(**{**data, "options": tuple(data["options"])})  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Blank:
    """A span of a sentence that could be asked, and the class its options come from."""

    kind: str
    klass: str  # options share it: "count:dang", "date", "document:CT", …
    start: int
    end: int
    value: str
    same: str  # equal for two values that mean the same (see `_same`)


class QuizMaker:
    """Questions from one index version; the option pools are read once per version."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self._pools: dict[str, list[tuple[str, str]]] | None = None

    @property
    def pools(self) -> dict[str, list[tuple[str, str]]]:
        """Every blankable value of the corpus by class, in corpus order, deduplicated."""
        if self._pools is None:
            pools: dict[str, dict[str, str]] = defaultdict(dict)
            for article in self.snap.articles.values():
                for a, b in split_sentences(article.text):
                    for blank in blanks(article.text[a:b]):
                        pools[blank.klass].setdefault(blank.same, blank.value)
            self._pools = {k: [(same, v) for same, v in d.items()] for k, d in pools.items()}
        return self._pools

    def questions(
        self,
        rows: Sequence[int],
        count: int = QUESTIONS,
        seed: int = 0,
        about: Sequence[Reference] = (),
    ) -> list[Question]:
        """Up to `count` questions from the sentences of these rows (those naming one of
        `about` first), of varied kinds, each from another sentence."""
        rng = random.Random(seed)
        candidates = list(self.candidates(rows, rng))
        rng.shuffle(candidates)
        if about:  # stable: still shuffled within each group
            candidates.sort(key=lambda q: not any(_names(q.sentence, r) for r in about))
        chosen: list[Question] = []
        used: set[str] = set()
        kinds: dict[str, int] = defaultdict(int)
        for per_kind in (-(-count // 3), count):  # varied kinds first, then whatever is left
            for q in candidates:
                if len(chosen) == count:
                    break
                if q.sentence in used or kinds[q.kind] >= per_kind:
                    continue
                chosen.append(q)
                used.add(q.sentence)
                kinds[q.kind] += 1
        return chosen

    def candidates(self, rows: Sequence[int], rng: random.Random) -> Iterable[Question]:
        """Every question the rows' sentences give (one per sentence), in text order."""
        seen: set[tuple[str, int]] = set()
        for row in rows:
            chunk = self.snap.chunks[row]
            article = self.snap.articles[chunk.doc_id]
            for a, b in split_sentences(chunk.text):
                where = (chunk.doc_id, chunk.start + a)
                if where in seen:
                    continue  # chunks overlap by a sentence
                seen.add(where)
                if is_caption_or_heading(article.text, chunk.start + a, chunk.start + b):
                    continue
                sentence = chunk.text[a:b]
                if not WORDS[0] <= len(sentence.split()) <= WORDS[1]:
                    continue
                place = chunk.unit or f"đoạn {chunk.paragraph}"
                question = self._question(sentence, rng, article, place)
                if question is not None:
                    yield question

    def _question(self, sentence: str, rng: random.Random, article, where: str) -> Question | None:
        spans = list(blanks(sentence))
        rng.shuffle(spans)
        for blank in spans:
            if sentence.count(blank.value) != 1:
                continue  # the blank would not say which one is meant
            wrong = self._wrong(blank, sentence, rng)
            if len(wrong) < OPTIONS - 2:
                continue
            options = [blank.value, *wrong]
            rng.shuffle(options)
            return Question(
                blank.kind,
                sentence[: blank.start] + BLANK + sentence[blank.end :],
                tuple(options),
                options.index(blank.value),
                sentence,
                article.doc_id,
                article.title or article.doc_id,
                article.source,
                article.url,
                where,
            )
        return None

    def _wrong(self, blank: _Blank, sentence: str, rng: random.Random) -> list[str]:
        """Up to OPTIONS - 1 values of the blank's class, none meaning the same as the
        answer or each other, none written in the sentence."""
        folded = fold(sentence)
        taken = {blank.same}
        pool = list(self.pools.get(blank.klass, ()))
        rng.shuffle(pool)
        out: list[str] = []
        for key, written in pool:
            value = _written_as(blank, written)
            if key in taken or fold(value) in folded or not _plausible(blank, key, value):
                continue
            taken.add(key)
            out.append(value)
            if len(out) == OPTIONS - 1:
                break
        return out


def blanks(sentence: str) -> Iterable[_Blank]:
    """The spans of a sentence a question could leave blank, not overlapping: documents
    ("Chỉ thị số 05-CT/TW") first, then titles, dates, people and counts."""
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for ref, a, b in extract_references(sentence):
        # "Chỉ thị số 07-CT/TU ngày 30-12-2011 của …": the name only (its date may be asked)
        b = a + len(_TAIL.split(sentence[a:b], maxsplit=1)[0].rstrip(" ,"))
        if ref.plenum is None and ref.number is not None and free(a, b):
            taken.append((a, b))
            yield _Blank("document", f"document:{ref.kind}", a, b, sentence[a:b], ref.key)
    for name, pattern in _PATTERNS.items():
        for m in pattern.finditer(sentence):
            a, b = m.span(1)
            if not free(a, b):
                continue
            unit = fold(m[2]) if name == "count" else ""
            if unit in _NOT_UNITS:
                continue
            if name == "title" and not _is_title(sentence, a, m[1]):
                continue
            taken.append((a, b))
            kind = _KIND_OF.get(name, name)
            klass = f"count:{unit}" if unit else name.rstrip("-")  # dates: either way
            yield _Blank(kind, klass, a, b, m[1], _same(kind, m[1]))


def _is_title(sentence: str, start: int, quoted: str) -> bool:
    """Whether a quoted text is a title: of a few words, after what names one ("chủ đề",
    "Nghị quyết … ", "phong trào", "về")."""
    if not TITLE_WORDS[0] <= len(quoted.split()) <= TITLE_WORDS[1]:
        return False
    if _TITLE_CUE.search(fold(sentence[max(0, start - 40) : start - 1])):
        return True
    # right after a document's name: "Nghị quyết Trung ương 4 (khóa XI) “…”"
    return any(0 <= start - end <= 15 for _, _, end in extract_references(sentence[:start]))


def _written_as(blank: _Blank, value: str) -> str:
    """A date written the way the right one is ("30-12-2011" for "ngày 15-5-2016")."""
    if blank.kind != "date":
        return value
    return value.replace("/", "-") if "-" in blank.value else value.replace("-", "/")


def _plausible(blank: _Blank, same: str, value: str) -> bool:
    """Whether a wrong option is near enough the right one to be worth weighing: a count of
    the same order, a year of the same period, a title of about the same length."""
    if blank.kind == "count":
        right, wrong = float(blank.same), float(same)
        return right > 0 and wrong > 0 and 1 / NUMBER_RATIO <= wrong / right <= NUMBER_RATIO
    if blank.kind == "date":  # the year: the last four digits of any date
        return abs(int(value[-4:]) - int(blank.value[-4:])) <= YEARS
    if blank.kind == "title":
        ratio = len(value.split()) / len(blank.value.split())
        return 1 / TITLE_RATIO <= ratio <= TITLE_RATIO
    return True


def _same(kind: str, value: str) -> str:
    """What two values share when they mean the same: the number, the day, the words."""
    if kind == "count":
        return value.replace(".", "").replace(",", ".")
    if kind == "date":
        return "/".join(str(int(p)) for p in re.split(r"[/-]", value))
    return " ".join(re.findall(r"\w+", fold(value)))


def _names(sentence: str, ref: Reference) -> bool:
    return any(matches(ref, found.canonical) for found, _, _ in extract_references(sentence))
