"""What the tests of our question sets share: reading them and the texts they are about.

Written apart from the code under test (index/vietnamese.py), so a fault there cannot make
a question file look valid.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from tests.conftest import CORPUS


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics, as the evaluator does."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def has_vietnamese_diacritics(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(ch) for ch in decomposed) or "đ" in text.lower()


def seed_texts() -> dict[str, str]:
    """The five sample articles by doc_id (their file names), NFC."""
    texts = {p.stem: nfc(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))}
    assert len(texts) == 5
    return texts


def read_rows(path: Path) -> list[dict]:
    """The question file's rows; every line a JSON object in NFC, none blank."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"blank line {number}"
        assert line == nfc(line), f"line {number} is not NFC"
        row = json.loads(line)
        assert isinstance(row, dict), f"line {number} is not an object"
        rows.append(row)
    return rows


def assert_common_schema(items: list[dict], prefix: str, keys: set[str]) -> None:
    """Ids numbered `<prefix>-001` on, exactly `keys`, a question, answers and gold ids."""
    ids = [row["id"] for row in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert ids == [f"{prefix}-{i:03d}" for i in range(1, len(items) + 1)]
    for row in items:
        assert set(row) == keys, row["id"]
        assert isinstance(row["question"], str) and row["question"].strip(), row["id"]
        assert isinstance(row["answers"], list), row["id"]
        assert all(isinstance(a, str) and a.strip() for a in row["answers"]), row["id"]
        assert isinstance(row["gold_doc_ids"], list), row["id"]
        assert all(isinstance(d, str) for d in row["gold_doc_ids"]), row["id"]
