"""Diacritic restoration for questions typed without them, learned from the indexed text.

Members often type "chi thi 05 noi gi". The lexical index matches folded syllables anyway,
but the dense model reads "chi thi" as something else than "chỉ thị" (cosine about 0.83),
so its ranking of such a question is close to noise. A syllable bigram model counted over
the indexed chunks restores the most likely spelling ("chỉ thị 05 nói gì") with a Viterbi
pass over the few spellings each folded syllable has in the corpus: microseconds a
syllable, and every spelling it can produce occurs in the corpus.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from index.layout import RESTORER_FILE
from index.vietnamese import fold

_TOKEN = re.compile(r"[^\W_]+")
NUMBER = "<num>"  # numbers are context too: "5 năm", not "5 nam"
_INTERPOLATION = 0.8  # weight of the bigram estimate against the unigram one
_MIN_BIGRAM = 2  # rarer bigrams are dropped from the saved model (noise, and size)
# Articles state things; questions ask them. These phrases teach the model how members ask,
# which the articles themselves rarely show ("nói gì", not "nội gi").
QUESTION_PHRASES = (
    "nói gì; nói về gì; nói về vấn đề gì; là gì; là ai; làm gì; có gì; gì; những gì; "
    "bao nhiêu; bao giờ; khi nào; lúc nào; ngày nào; năm nào; tháng nào; ở đâu; đâu; "
    "nào; những nào; như thế nào; thế nào; ra sao; vì sao; tại sao; có không; "
    "có phải không; được không; đúng không; ban hành khi nào; ban hành ngày nào; "
    "quy định gì; về nội dung gì; nhằm mục đích gì; mục tiêu gì; ai ký; của ai; "
    "nói gì về; thì sao; còn thì sao; chỉ thị; nghị quyết; kết luận; quy định"
)
_PHRASE_WEIGHT = 20


class Restorer:
    """Restores diacritics of folded syllables with a corpus bigram model."""

    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int]) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams  # "prev next" → count
        self.total = max(1, sum(unigrams.values()))
        self.spellings: dict[str, list[str]] = {}
        for word in unigrams:
            self.spellings.setdefault(fold(word), []).append(word)

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Restorer:
        """Count syllables and adjacent pairs in already normalised text."""
        unigrams: Counter[str] = Counter()
        bigrams: Counter[str] = Counter()
        for text in texts:
            words = [_token_key(t) for t in _TOKEN.findall(text.lower())]
            unigrams.update(words)
            bigrams.update(f"{a} {b}" for a, b in itertools.pairwise(words))
        for phrase in QUESTION_PHRASES.split(";"):
            words = phrase.split()
            for _ in range(_PHRASE_WEIGHT):
                unigrams.update(words)
                bigrams.update(f"{a} {b}" for a, b in itertools.pairwise(words))
        kept = {pair: n for pair, n in bigrams.items() if n >= _MIN_BIGRAM}
        return cls(dict(unigrams), kept)

    def save(self, directory: Path) -> None:
        """Write the model next to the other index files."""
        data = {"unigrams": self.unigrams, "bigrams": self.bigrams}
        (directory / RESTORER_FILE).write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> Restorer:
        """Read a model written by `save`."""
        data = json.loads((directory / RESTORER_FILE).read_text(encoding="utf-8"))
        return cls(data["unigrams"], data["bigrams"])

    def _log_prob(self, previous: str | None, word: str) -> float:
        unigram = (self.unigrams.get(word, 0) + 0.1) / self.total
        if previous is None:
            return math.log(unigram)
        pair = self.bigrams.get(f"{previous} {word}", 0)
        bigram = pair / self.unigrams.get(previous, 1)
        return math.log(_INTERPOLATION * bigram + (1 - _INTERPOLATION) * unigram)

    def restore(self, text: str) -> str:
        """The text with diacritics put back on syllables the corpus knows; the rest as is."""
        matches = list(_TOKEN.finditer(text))
        if not matches:
            return text
        options = [
            self.spellings.get(fold(m.group()), [_token_key(m.group().lower())]) for m in matches
        ]
        # Viterbi over tokens; punctuation between two tokens breaks the chain.
        best: list[dict[str, tuple[float, str | None]]] = []
        for i, candidates in enumerate(options):
            joined = i > 0 and text[matches[i - 1].end() : matches[i].start()].strip() == ""
            column: dict[str, tuple[float, str | None]] = {}
            for word in candidates:
                if i == 0:
                    column[word] = (self._log_prob(None, word), None)
                    continue
                column[word] = max(
                    (score + self._log_prob(prev if joined else None, word), prev)
                    for prev, (score, _) in best[-1].items()
                )
            best.append(column)
        words: list[str] = []
        word = max(best[-1], key=lambda w: best[-1][w][0])
        for column in reversed(best):
            words.append(word)
            word = column[word][1] or ""
        words.reverse()
        out = []
        last = 0
        for match, word in zip(matches, words, strict=True):
            out.append(text[last : match.start()])
            out.append(match.group() if word == NUMBER else _same_case(match.group(), word))
            last = match.end()
        out.append(text[last:])
        return "".join(out)


def _token_key(token: str) -> str:
    return NUMBER if token.isdigit() else token


def _same_case(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
