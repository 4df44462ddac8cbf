"""Follow-up questions: "chỉ thị đó ban hành khi nào?" read with the chat's previous question."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from index.references import extract_references, parse_question_references
from index.vietnamese import fold, has_diacritics, normalize

CONTEXT_SECONDS = 30 * 60  # a question older than this is no longer "the previous one"
SHORT_WORDS = 3  # "khi nào?", "ai ký?": too short to stand alone
MAX_CHARS = 1000  # the answerer's limit

_NOUNS = (
    "chỉ thị|nghị quyết|quy định|kết luận|văn bản|chương trình|đề án|kế hoạch|bài viết|bài"
    "|việc|vấn đề|nội dung|hội nghị|chủ trương|phong trào|mô hình|tài liệu"
)
_POINTERS = "đó|đấy|này|ấy|trên|nói trên|kể trên|vừa rồi|vừa nêu"
_BACK = re.compile(rf"\b(?:{_NOUNS})\s+(?:{_POINTERS})\b")
_BACK_FOLDED = re.compile(rf"\b(?:{fold(_NOUNS)})\s+(?:{fold(_POINTERS)})\b")
_ALONE = re.compile(r"\b(?:đó|đấy|ấy)\b")  # "ban hành khi nào đó?" — only with diacritics
_CONTRAST = re.compile(
    r"^(?:thế |vậy |the |vay )?con\s+(?:o |tai |voi |doi voi )?(?P<focus>.+?)\s+"
    r"(?:thi sao|thi the nao|the nao|nhu the nao|ra sao)\s*[?.!]*$"
)
# Capitalised runs that are institutions, not places: kept when a contrast swaps the place.
_INSTITUTIONS = (
    "bo chinh tri",
    "trung uong",
    "ban bi thu",
    "ban chap hanh",
    "ban thuong",
    "quoc hoi",
    "chinh phu",
    "nha nuoc",
    "mat tran",
    "uy ban",
    "ban to chuc",
    "ban tuyen giao",
)
_WORD = re.compile(r"\w+")


@dataclass
class _Previous:
    question: str
    at: float


class FollowUps:
    """Remembers each chat's last question and rewrites questions that refer back to it."""

    def __init__(self, ttl: float = CONTEXT_SECONDS) -> None:
        self.ttl = ttl
        self._last: dict[str, _Previous] = {}

    def resolve(self, chat: str, question: str, now: float | None = None) -> str:
        """The question to search: itself, or combined with the chat's previous question."""
        now = time.monotonic() if now is None else now
        previous = self._last.get(chat)
        if previous is None or now - previous.at > self.ttl:
            return question
        return combine(previous.question, question)

    def remember(self, chat: str, resolved: str, now: float | None = None) -> None:
        """Make `resolved` the chat's previous question."""
        self._last[chat] = _Previous(resolved, time.monotonic() if now is None else now)
        if len(self._last) > 50_000:
            oldest = sorted(self._last, key=lambda c: self._last[c].at)[:10_000]
            for stale in oldest:
                del self._last[stale]


def combine(previous: str, question: str) -> str:
    """`question` made self-contained with `previous`, or unchanged when it stands alone."""
    text = normalize(" ".join(question.split()))
    folded = fold(text)
    contrast = _CONTRAST.match(folded)
    if contrast:
        focus = text[contrast.start("focus") : contrast.end("focus")]
        return _clip(f"{_without_places(previous)} {focus}")
    if refers_back(text):
        return _clip(f"{text} {previous}")
    return question


def refers_back(text: str) -> bool:
    """True when a question points at an earlier one or is too short to stand alone."""
    lowered = text.lower()
    if has_diacritics(text):
        if _BACK.search(lowered) or _ALONE.search(lowered):
            return True
    elif _BACK_FOLDED.search(lowered):
        return True
    words = re.findall(r"\w+", lowered)
    return len(words) <= SHORT_WORDS and not parse_question_references(text)


def _without_places(question: str) -> str:
    """The previous question minus its proper names, keeping directives and institutions."""
    protected = [(start, end) for _, start, end in extract_references(question)]
    words = list(_WORD.finditer(question))
    drop: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and words[j].group()[0].isupper():
            j += 1
        if j - i >= 2:  # a run of two or more capitalised words: a name
            start, end = words[i].start(), words[j - 1].end()
            inside = any(s < end and start < e for s, e in protected)
            if not inside and not any(n in fold(question[start:end]) for n in _INSTITUTIONS):
                drop.append((start, end))
        i = max(j, i + 1)
    for start, end in reversed(drop):
        question = question[:start] + question[end:]
    return " ".join(question.split())


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS].rsplit(" ", 1)[0]
