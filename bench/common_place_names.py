"""Listed place names that are also common words, as `index/subjects.py` needs them.

    .venv/bin/python bench/common_place_names.py

A name of two or more syllables (folded) is printed when the news corpora of ../shared/eval
write it in lower case at least 3 times and more often than capitalised: "văn bản"
(Văn Bàn), "là gì" (La Gi), "cần được" (Cần Đước), "hòa bình" (Hòa Bình). In a question
typed in lower case, such a name is a place only after a level word. The printed set is
`_COMMON_PHRASES` in index/subjects.py.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.subjects import gazetteer, name_key  # noqa: E402

CORPORA = ("news_politics_2016_corpus.jsonl", "news_2026_corpus.jsonl")


def main() -> None:
    keys = {k for k in gazetteer() if len(k.split()) >= 2}
    lower, capital = Counter(), Counter()
    for name in CORPORA:
        for line in (ROOT.parent / "shared" / "eval" / name).open(encoding="utf-8"):
            words = json.loads(line)["text"].split()
            words = [w.strip(".,;:!?()“”\"'") for w in words]
            folded = [name_key(w) for w in words]
            for n in (2, 3):
                for i in range(len(words) - n + 1):
                    key = " ".join(folded[i : i + n])
                    if key not in keys:
                        continue
                    if all(w[:1].isupper() for w in words[i : i + n]):
                        capital[key] += 1
                    elif all(w.islower() for w in words[i : i + n]):
                        lower[key] += 1
    common = sorted(k for k in keys if lower[k] >= 3 and lower[k] > capital[k])
    print(f"{len(common)} of {len(keys)} names of two or more syllables")
    print(json.dumps(common, ensure_ascii=False))


if __name__ == "__main__":
    main()
