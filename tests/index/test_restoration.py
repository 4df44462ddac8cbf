"""Diacritic restoration learned from the indexed articles."""

from __future__ import annotations

import pytest

from index.readers import read_paths
from index.restoration import Restorer
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.learn(a.title + "\n" + a.text for a in read_paths([CORPUS]).articles)


@pytest.mark.parametrize(
    ("typed", "restored"),
    [
        ("chi thi 05 noi gi", "chỉ thị 05 nói gì"),
        (
            "Quy dinh so 03 cua Thanh uy Lao Cai ban hanh ngay nao?",
            "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?",
        ),
        (
            "TP Ha Long doi moi ban hanh nghi quyet nhu the nao",
            "TP Hạ Long đổi mới ban hành nghị quyết như thế nào",
        ),
        ("trong 5 nam qua", "trong 5 năm qua"),
    ],
)
def test_common_questions_get_their_diacritics_back(
    restorer: Restorer, typed: str, restored: str
) -> None:
    assert restorer.restore(typed) == restored


def test_unknown_words_numbers_and_punctuation_are_kept(restorer: Restorer) -> None:
    assert restorer.restore("xyzzy 05-CT/TW, (NQTW4)!") == "xyzzy 05-CT/TW, (NQTW4)!"


def test_the_model_survives_save_and_load(restorer: Restorer, tmp_path) -> None:
    restorer.save(tmp_path)

    loaded = Restorer.load(tmp_path)

    assert loaded.restore("chi thi 05 noi gi") == "chỉ thị 05 nói gì"
