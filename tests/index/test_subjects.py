"""Places an article, a sentence and a question are about (index/subjects.py)."""

from __future__ import annotations

import pytest

from index.readers import read_paths
from index.subjects import (
    COMMUNE,
    DISTRICT,
    PROVINCE,
    article_subject,
    gazetteer,
    place_mentions,
    question_mentions,
    question_places,
    sentence_subject,
)
from index.vietnamese import fold
from tests.conftest import CORPUS


def _keys(places) -> list[str]:
    return [p.key for p in places]


def test_the_listed_places_are_the_63_provinces_and_their_districts() -> None:
    places = gazetteer()
    provinces = [p for p in places.values() if p.level == PROVINCE]
    assert len({p.key for p in provinces}) >= 63
    assert places["ha long"].level == DISTRICT and places["ha long"].province == "quang ninh"
    assert places["hoa binh"].name == "Hòa Bình"  # tone marks placed as members write them
    assert places["hn"].key == "ha noi" and places["tphcm"].key == "ho chi minh"


def test_each_sample_article_knows_the_place_it_reports_on() -> None:
    subjects = {
        a.doc_id[:3]: [m.place.key for m in article_subject(a.title, a.text, a.source)]
        for a in read_paths([CORPUS]).articles
    }
    assert subjects == {
        "000": ["lao cai"],
        "001": ["bac giang"],
        "002": ["can tho"],
        "003": ["ha noi"],
        "004": ["ha long"],  # not Quảng Ninh, the province it lies in and its source
    }


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Thành ủy Hạ Long đã cử bao nhiêu đảng viên đi học?", ["ha long"]),
        ("thanh uy ha long da cu bao nhieu dang vien di hoc", ["ha long"]),
        ("Hà Nội thực hiện bao nhiêu đề án?", ["ha noi"]),
        ("ha noi co bao nhieu de an", ["ha noi"]),
        ("HN có mấy đề án", ["ha noi"]),
        ("tp.hcm co bao nhieu dang vien moi", ["ho chi minh"]),
        ("Tỉnh ủy Bắc Giang và TP Cần Thơ làm gì?", ["bac giang", "can tho"]),
        ("tinh hoa binh ket nap bao nhieu dang vien", ["hoa binh"]),
        # Common words that are also listed names, and the man, are not places.
        ("van ban nao quy dinh ve dang vien", []),
        ("Chỉ thị 05 là gì", []),
        ("hoa binh va phat trien la gi", []),
        ("dien bien tinh hinh the nao", []),
        ("Tư tưởng Hồ Chí Minh là gì?", []),
        ("ct05 cua bct ve gi", []),
    ],
)
def test_the_places_a_question_names(question: str, expected: list[str]) -> None:
    assert _keys(question_places(question)) == expected


def test_a_commune_not_in_the_list_is_a_place_after_its_level_word() -> None:
    found = place_mentions("Đảng ủy xã Tân Lập kết nạp 12 đảng viên; xã hội phát triển.")
    assert [(m.place.key, m.place.level, m.surface) for m in found] == [
        ("tan lap", COMMUNE, "Đảng ủy xã Tân Lập")
    ]


def test_a_sentence_naming_no_place_is_about_its_article_s_place() -> None:
    article = place_mentions("TP Hạ Long")
    assert sentence_subject(place_mentions("Đã kết nạp 245 đảng viên mới."), article) == {
        "ha long"
    }
    # Another place at the same level or above: the sentence is about that place.
    other = place_mentions("Tỉnh ủy Quảng Ninh ban hành Nghị quyết 05.")
    assert sentence_subject(other, article) == {"quang ninh"}
    # A ward of the city: about the ward, and still the city's.
    ward = place_mentions("Phường Hồng Gai có 3 chi bộ.")
    assert sentence_subject(ward, article) == {"hong gai", "ha long"}


def test_questions_without_diacritics_find_the_same_places_as_with_them() -> None:
    questions = [
        "Thành ủy Lào Cai ban hành Quy định 03 ngày nào?",
        "Đảng bộ tỉnh Bắc Giang có bao nhiêu chi bộ?",
        "Quận ủy Ba Đình làm gì?",
    ]
    for question in questions:
        assert _keys(question_places(fold(question))) == _keys(question_places(question))


@pytest.mark.parametrize(
    "text",
    [
        "Bí thư Thành ủy - Chủ tịch HĐND thành phố; Trưởng Ban Tổ chức Thành ủy - Trưởng Phòng",
        "Quân ủy Trung ương chỉ đạo các học viện",
        "thành phố trong sạch, vững mạnh; tỉnh táo trước âm mưu",
    ],
)
def test_words_after_a_level_word_that_are_no_place_name(text: str) -> None:
    assert place_mentions(text) == []


def test_syllables_that_fold_to_a_listed_name_are_no_place_unless_spelled_as_it() -> None:
    question = "Đơn vị dùng để lượng hóa chi phí của các hoạt động giảng dạy gọi là gì?"
    assert question_places(question) == ()  # "động giảng" is not Đông Giang
    typed = "hoat dong giang day tinh cho tung hoc phan goi la gi"
    assert _keys(question_places(typed)) == ["dong giang"]  # folded, it could be
    restored = "hoạt động giảng dạy tính cho từng học phần gọi là gì"
    assert question_mentions(typed, restored=restored) == []
    assert _keys(
        m.place for m in question_mentions("ha noi co bao nhieu", restored="hà nội có bao nhiêu")
    ) == ["ha noi"]
