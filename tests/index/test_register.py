"""The register of documents the sample articles mention (index/register.py)."""

from __future__ import annotations

import pytest

from index.chunking import chunk_article
from index.readers import read_paths
from index.references import parse_question_references
from index.register import Entry, build_register, lookup
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def register() -> tuple[dict[str, Entry], list]:
    chunks = [c for a in read_paths([CORPUS]).articles for c in chunk_article(a)]
    return build_register(chunks), chunks


def _values(facts) -> list[str]:
    return list(dict.fromkeys(f.value for f in facts))


def test_every_fact_is_read_verbatim_from_its_sentence(register) -> None:
    entries, chunks = register
    assert len(entries) >= 20
    for entry in entries.values():
        for fact in entry.titles + entry.dates + entry.issuers + entry.mentions:
            assert fact.value in chunks[fact.row].text[fact.start : fact.end]


def test_titles_dates_and_issuers_of_the_sample_documents(register) -> None:
    entries, _ = register
    assert _values(entries["05-CT/TW"].titles) == [
        "đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
    ]
    assert _values(entries["05-CT/TW"].issuers) == ["Bộ Chính trị"]
    assert _values(entries["NQTW4-XI"].titles) == [
        "Một số vấn đề cấp bách về xây dựng Đảng hiện nay"
    ]
    assert _values(entries["21-KL/TW"].titles)[0].startswith(
        "Tăng cường xây dựng, chỉnh đốn Đảng; ngăn chặn, đẩy lùi sự suy thoái"
    )
    assert _values(entries["03-QĐi"].dates) == ["ngày 10/9/2018"]
    assert _values(entries["09-NQ/TU"].dates) == ["ngày 27-2-2012"]
    assert _values(entries["19-NQ/TU"].issuers) == ["Ban Chấp hành Đảng bộ tỉnh"]
    # Both documents of "Hướng dẫn 07, 08-HD/TU" get the subject written once for them.
    assert entries["07-HD/TU"].titles[0].value == entries["08-HD/TU"].titles[0].value


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("ct05 cua bct ve gi", "05-CT/TW"),
        ("kl21 cua tw ve gi", "21-KL/TW"),
        ("nq09 ban hanh ngay nao", "09-NQ/TU"),
        ("Nghị quyết Trung ương 4 khóa XI nói về vấn đề gì?", "NQTW4-XI"),
    ],
)
def test_shorthand_questions_find_their_document(register, question: str, expected: str) -> None:
    entries, _ = register
    found = lookup(entries, parse_question_references(question))
    assert expected in [e.canonical for e in found]
    assert all(e.canonical != "05-CT/TW" for e in found) or expected == "05-CT/TW"
