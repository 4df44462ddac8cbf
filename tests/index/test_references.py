"""References to directives and resolutions, in article text and in users' questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.references import (
    ANY_QD,
    Reference,
    extract_references,
    matches,
    parse_canonical,
    parse_question_references,
    stated_subject,
)
from index.vietnamese import normalize

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def found(text: str) -> list[tuple[str, str]]:
    """(canonical id, matched text) for each reference in `text`."""
    text = normalize(text)
    return [(ref.canonical, text[start:end]) for ref, start, end in extract_references(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Theo Chỉ thị số 05-CT/TW.", [("05-CT/TW", "Chỉ thị số 05-CT/TW")]),
        (
            "Triển khai Chỉ thị 05 của Bộ Chính trị góp phần",
            [("05-CT/TW", "Chỉ thị 05 của Bộ Chính trị")],
        ),
        ("Chỉ thị 12 của Ban Bí thư về", [("12-CT/TW", "Chỉ thị 12 của Ban Bí thư")]),
        ("Nghị quyết 15 của Trung ương", [("15-NQ/TW", "Nghị quyết 15 của Trung ương")]),
        (
            "Kết luận 01 của BCH Trung ương",
            [("01-KL/TW", "Kết luận 01 của BCH Trung ương")],
        ),
        (
            "Chỉ thị 10 của Ban Thường vụ Tỉnh ủy",
            [("10-CT/TU", "Chỉ thị 10 của Ban Thường vụ Tỉnh ủy")],
        ),
        ("Nghị quyết 03 của Huyện ủy", [("03-NQ/HU", "Nghị quyết 03 của Huyện ủy")]),
        ("Kế hoạch 12 của Quận ủy", [("12-KH/HU", "Kế hoạch 12 của Quận ủy")]),
        ("Nghị quyết 04 của Đảng ủy Khối", [("04-NQ/ĐU", "Nghị quyết 04 của Đảng ủy")]),
        ("Ban hành Nghị quyết số 09-NQ/TU ngày", [("09-NQ/TU", "Nghị quyết số 09-NQ/TU")]),
        ("Điển hình như Nghị quyết 05-NQ/TU về", [("05-NQ/TU", "Nghị quyết 05-NQ/TU")]),
        ("Kết luận số 21-KL/TW về", [("21-KL/TW", "Kết luận số 21-KL/TW")]),
        (
            "Thành ủy ban hành Quy định số 03 ngày 10/9/2018 về tiêu chuẩn",
            [("03-QĐi", "Quy định số 03 ngày 10/9/2018")],
        ),
        ("Quyết định số 15 về việc", [("15-QĐ", "Quyết định số 15")]),
        ("Quy định số 101-QĐ/TW về", [("101-QĐi/TW", "Quy định số 101-QĐ/TW")]),
        ("Quy định 08-QĐi/TW về", [("08-QĐi/TW", "Quy định 08-QĐi/TW")]),
        ("Quyết định số 99-QĐ/TU về", [("99-QĐ/TU", "Quyết định số 99-QĐ/TU")]),
        ("Thành ủy có Đề án số 06-ĐA/TU ngày", [("06-ĐA/TU", "Đề án số 06-ĐA/TU")]),
        (
            "đã có Kế hoạch số 20-KH/TU ngày 25-8-2011,",
            [("20-KH/TU", "Kế hoạch số 20-KH/TU ngày 25-8-2011")],
        ),
        (
            "Hội nghị tổng kết Chương trình 01 của Thành uỷ Hà Nội",
            [("01-CTr/TU", "Chương trình 01 của Thành ủy")],
        ),
        (
            "Chương trình hành động số 15-CTr/TU",
            [("15-CTr/TU", "Chương trình hành động số 15-CTr/TU")],
        ),
        ("Thông báo số 12-TB/TW", [("12-TB/TW", "Thông báo số 12-TB/TW")]),
        (
            "có Hướng dẫn 07, 08-HD/TU về",
            [("07-HD/TU", "Hướng dẫn 07, 08-HD/TU"), ("08-HD/TU", "Hướng dẫn 07, 08-HD/TU")],
        ),
        ("triển khai lộ trình Đề án 25, nhất là", [("25-ĐA", "Đề án 25")]),
        (
            "thực hiện Nghị quyết Trung ương 4 (khóa XI) gắn với",
            [("NQTW4-XI", "Nghị quyết Trung ương 4 (khóa XI)")],
        ),
        (
            "Nghị quyết Trung ương 4 (khóa XI, XII), Kết luận số 21-KL/TW",
            [
                ("NQTW4-XI", "Nghị quyết Trung ương 4 (khóa XI, XII)"),
                ("NQTW4-XII", "Nghị quyết Trung ương 4 (khóa XI, XII)"),
                ("21-KL/TW", "Kết luận số 21-KL/TW"),
            ],
        ),
        (
            "Nghị quyết Hội nghị lần thứ 4 Ban Chấp hành Trung ương Đảng (khóa XI) “Một số",
            [
                (
                    "NQTW4-XI",
                    "Nghị quyết Hội nghị lần thứ 4 Ban Chấp hành Trung ương Đảng (khóa XI)",
                )
            ],
        ),
        (
            "như: Nghị quyết TW4, Nghị quyết TW6 (khóa XII) gắn với",
            [("NQTW4", "Nghị quyết TW4"), ("NQTW6-XII", "Nghị quyết TW6 (khóa XII)")],
        ),
        (
            "với Nghị quyết Trung ương IV khóa XII nhằm",
            [("NQTW4-XII", "Nghị quyết Trung ương IV khóa XII")],
        ),
        (
            "Nghị quyết Hội nghị Trung ương lần thứ tư khóa XII",
            [("NQTW4-XII", "Nghị quyết Hội nghị Trung ương lần thứ tư khóa XII")],
        ),
        ("sau kiểm điểm theo tinh thần NQTW4 của", [("NQTW4", "NQTW4")]),
        ("theo NQ TW 4 và", [("NQTW4", "NQ TW 4")]),
        ("Bộ Chính trị ban hành 05-CT/TW về", [("05-CT/TW", "05-CT/TW")]),
        ("theo 09-NQ/TU và 21-KL/TW", [("09-NQ/TU", "09-NQ/TU"), ("21-KL/TW", "21-KL/TW")]),
        ("Hàn Quốc 한국 học tập Chỉ thị số 05-CT/TW", [("05-CT/TW", "Chỉ thị số 05-CT/TW")]),
    ],
)
def test_extract_references(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "triển khai các chỉ thị, nghị quyết của Đảng",
        "như: Quy định rõ chế độ, trách nhiệm học tập",
        "ban hành Kế hoạch tổ chức nghiên cứu, tổng kết thực tiễn",
        "Quy định về chức năng, nhiệm vụ của chi bộ thôn",
        "thực hiện nghị quyết đại hội đảng các cấp nhiệm kỳ 2020-2025",
        "xây dựng kế hoạch 5 năm và chương trình 2 tháng",
        "Kế hoạch 2021 của ngành",
        "Đề án 1.000 cán bộ",
        "ít nhất 2 đến 3 nghị quyết chuyên đề",
        "Nghị quyết Trung ương vì vậy rất quan trọng",
        "Nghị quyết Trung ương năm 2020",
        "Hội nghị lần thứ 4 Ban Chấp hành Trung ương",
        "nhiệm kỳ 2015 - 2020 đạt 25,3%",
    ],
)
def test_generic_words_are_not_references(text: str) -> None:
    assert found(text) == []


def test_rule_number_is_not_taken_from_its_date() -> None:
    [(ref, _, _)] = extract_references(normalize("Quy định số 03 ngày 10/9/2018"))
    assert ref == Reference("QĐi", 3)


def test_roman_terms_must_be_upper_case_in_articles() -> None:
    assert found("Nghị quyết Trung ương 4 khóa xi nói") == [
        ("NQTW4", "Nghị quyết Trung ương 4 khóa xi")
    ]


@pytest.mark.parametrize(
    ("ref", "canonical", "key"),
    [
        (Reference("CT", 5, "TW"), "05-CT/TW", "CT-5"),
        (Reference("NQ", 9, "TU"), "09-NQ/TU", "NQ-9"),
        (Reference("KL", 21, "TW"), "21-KL/TW", "KL-21"),
        (Reference("QĐi", 3), "03-QĐi", "QĐ-3"),
        (Reference("QĐ", 3, "TU"), "03-QĐ/TU", "QĐ-3"),
        (Reference(ANY_QD, 3), "03-QĐ*", "QĐ-3"),
        (Reference("ĐA", 6, "TU"), "06-ĐA/TU", "ĐA-6"),
        (Reference("KH", 20, "TU"), "20-KH/TU", "KH-20"),
        (Reference("CTr", 1, "TU"), "01-CTr/TU", "CTr-1"),
        (Reference("QĐi", 101, "TW"), "101-QĐi/TW", "QĐ-101"),
        (Reference("NQ", None, "TW", 4, "XI"), "NQTW4-XI", "NQTW-4"),
        (Reference("NQ", None, "TW", 4), "NQTW4", "NQTW-4"),
    ],
)
def test_canonical_and_key(ref: Reference, canonical: str, key: str) -> None:
    assert ref.canonical == canonical
    assert ref.key == key
    assert parse_canonical(canonical) == ref


@pytest.mark.parametrize("canonical", ["", "CT", "abc-", "NQTW", "NQTWx-XI"])
def test_parse_canonical_rejects_junk(canonical: str) -> None:
    assert parse_canonical(canonical) is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Chỉ thị 05 nói gì?", ["05-CT"]),
        ("chi thi 05 noi gi", ["05-CT"]),
        ("CT05 là gì", ["05-CT"]),
        ("nội dung CT 05", ["05-CT"]),
        ("chi thi so 5", ["05-CT"]),
        ("CHỈ THỊ SỐ 05", ["05-CT"]),
        ("NQ 09 của Hà Nội", ["09-NQ"]),
        ("nq09", ["09-NQ"]),
        ("nghị quyết trung ương 4 yêu cầu gì", ["NQTW4"]),
        ("nghi quyet tw4", ["NQTW4"]),
        ("NQTW4", ["NQTW4"]),
        ("nq tw 4", ["NQTW4"]),
        ("tinh thần trung ương 4 khóa XII", ["NQTW4-XII"]),
        ("nghi quyet trung uong 4 khoa 12", ["NQTW4-XII"]),
        ("nghị quyết trung ương iv khóa xi", ["NQTW4-XI"]),
        ("Kết luận 21", ["21-KL"]),
        ("ket luan so 21", ["21-KL"]),
        ("quy dinh 03", ["03-QĐi"]),
        ("quyết định 03", ["03-QĐ"]),
        ("QĐ 03", ["03-QĐ*"]),
        ("QD 03", ["03-QĐ*"]),
        ("qđi 08", ["08-QĐi"]),
        ("05-CT/TW là gì", ["05-CT/TW"]),
        ("05-ct/tw", ["05-CT/TW"]),
        ("03-QĐ/TW", ["03-QĐ*/TW"]),
        ("chỉ thị 05 của bộ chính trị", ["05-CT/TW"]),
        ("chi thi 05 va nghi quyet 09", ["05-CT", "09-NQ"]),
        ("CT05 hay chỉ thị 05", ["05-CT"]),
        ("đảng viên cần làm gì", []),
        ("ke hoach 5 nam", []),
        ("đã 2 lần nhắc", []),
    ],
)
def test_parse_question_references(question: str, expected: list[str]) -> None:
    assert [ref.canonical for ref in parse_question_references(question)] == expected


@pytest.mark.parametrize(
    ("question", "canonical", "expected"),
    [
        ("chỉ thị 05", "05-CT/TW", True),
        ("CT5", "05-CT/TU", True),
        ("chỉ thị 05", "05-NQ/TW", False),
        ("chỉ thị 05", "06-CT/TW", False),
        ("chỉ thị 05 của bộ chính trị", "05-CT/TW", True),
        ("chỉ thị 05 của bộ chính trị", "05-CT/TU", False),
        ("05-CT/TW", "05-CT/TW", True),
        ("NQ 09", "09-NQ/TU", True),
        ("nghị quyết trung ương 4", "NQTW4-XI", True),
        ("nghị quyết trung ương 4", "NQTW4", True),
        ("nghị quyết trung ương 4 khóa XII", "NQTW4-XII", True),
        ("nghị quyết trung ương 4 khóa XII", "NQTW4-XI", False),
        ("nghị quyết trung ương 4 khóa XII", "NQTW4", True),  # term unknown in the text
        ("quy định 03 của thành ủy", "03-QĐi", True),  # issuer unknown in the text
        ("quy định 03 của thành ủy", "03-QĐi/TU", True),
        ("quy định 03 của thành ủy", "03-QĐi/TW", False),
        ("nghi quyet tw4", "NQTW6-XII", False),
        ("nghi quyet tw4", "04-NQ/TW", False),
        ("nq 04", "NQTW4", False),
        ("quy dinh 03", "03-QĐi", True),
        ("quy dinh 03", "03-QĐ/TU", False),
        ("quyết định 03", "03-QĐ/TU", True),
        ("quyết định 03", "03-QĐi", False),
        ("QĐ 03", "03-QĐi", True),
        ("QD 03", "03-QĐ/TU", True),
        ("QD 03", "03-CT/TU", False),
        ("chi thi 05", "not an id", False),
    ],
)
def test_matches(question: str, canonical: str, expected: bool) -> None:
    [ref] = parse_question_references(question)
    assert matches(ref, canonical) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("000_", {"05-CT/TW", "NQTW4-XII", "03-QĐi"}),
        ("001_", {"NQTW4-XI", "NQTW4-XII", "21-KL/TW", "10-CT/TU", "26-CT/TU"}),
        ("002_", {"NQTW4-XI", "NQTW4"}),
        (
            "003_",
            {"01-CTr/TU", "NQTW4-XI", "03-CT/TW", "20-KH/TU", "06-ĐA/TU", "07-HD/TU"}
            | {"08-HD/TU", "09-NQ/TU", "07-CT/TU", "07-ĐA/TU"},
        ),
        ("004_", {"NQTW4", "NQTW6-XII", "19-NQ/TU", "05-CT/TW", "05-NQ/TU", "07-NQ/TU", "25-ĐA"}),
    ],
)
def test_seed_references(name: str, expected: set[str]) -> None:
    text = normalize(next(CORPUS.glob(f"{name}*.txt")).read_text(encoding="utf-8"))
    refs = extract_references(text)
    assert {ref.canonical for ref, _, _ in refs} == expected
    assert [start for _, start, _ in refs] == sorted(start for _, start, _ in refs)
    # Every id parses back to its reference, and a question quoting a full code finds it.
    for ref, _, _ in refs:
        assert parse_canonical(ref.canonical) == ref
        if ref.issuer:
            [asked] = parse_question_references(ref.canonical)
            assert matches(asked, ref.canonical)


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("Nghị quyết 21-NQ/TW về dân số có mục tiêu gì?", "dan so co muc tieu gi"),
        ("Nghị quyết 09 của Hà Nội về xây dựng đảng là gì?", "xay dung dang la gi"),
        ("Chỉ thị 05 nói gì?", ""),
        ("Bài viết về Hạ Long nói gì?", ""),  # no directive named
    ],
)
def test_stated_subject_is_what_follows_ve_after_the_directive(
    question: str, subject: str
) -> None:
    assert stated_subject(question) == subject
