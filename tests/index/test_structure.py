"""Official documents are chunked by their units and each chunk knows the unit it holds."""

from pathlib import Path

import pytest

from index.chunking import chunk_article
from index.documents import Article, Official, passage_text
from index.readers import read_paths
from index.structure import units
from tests.index.official_samples import SAMPLES, WRITERS, Sample

LAW = Official(
    kind="Luật", number="1/2020/QH14", issuer="Quốc hội", date="2020-01-01", title="Thử nghiệm"
)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_one_chunk_per_short_unit(tmp_path: Path, sample: Sample, fmt: str) -> None:
    (article,) = read_paths([WRITERS[fmt](sample, tmp_path)]).articles
    chunks = chunk_article(article)
    assert [c.unit for c in chunks] == sample.units
    leaves = units(article.text)
    for chunk in chunks:  # never padded with a neighbour across a heading
        holding = [u for u in leaves if u.start <= chunk.start and chunk.end <= u.end]
        assert len(holding) == 1
        assert chunk.text == article.text[chunk.start : chunk.end]


def test_headings_above_a_unit_reach_its_passage(tmp_path: Path) -> None:
    sample = SAMPLES[1]  # Quy định 03: Chương II › Điều 3
    (article,) = read_paths([WRITERS["txt"](sample, tmp_path)]).articles
    chunk = next(c for c in chunk_article(article) if c.unit == "Điều 3")
    assert chunk.heading == "Chương II. TIÊU CHUẨN"
    assert chunk.text.startswith("Điều 3. Tiêu chuẩn chung")
    assert passage_text(article.title, chunk).split("\n")[:3] == [
        article.title,
        "Chương II. TIÊU CHUẨN",
        "Điều 3. Tiêu chuẩn chung",
    ]


def long_law() -> Article:
    clauses = [
        f"{k}. Khoản thứ {k} quy định nghĩa vụ số {k} của cơ quan, tổ chức, cá nhân "
        + "trong việc thực hiện chính sách về phòng, chống tác hại của rượu, bia " * 4
        + f"và báo cáo định kỳ lần {k}."
        for k in range(1, 8)
    ]
    paragraphs = [
        "Chương I",
        "QUY ĐỊNH CHUNG",
        "Điều 1. Phạm vi điều chỉnh",
        "Luật này quy định về thử nghiệm.",
        "Điều 2. Nghĩa vụ của cơ quan, tổ chức",
        *clauses,
        "Điều 3. Hiệu lực",
        "Luật này có hiệu lực từ ngày 01 tháng 01 năm 2020.",
    ]
    return Article("luat", "Luật Thử nghiệm", "\n\n".join(paragraphs), official=LAW)


def test_a_long_unit_is_cut_with_its_heading_repeated() -> None:
    article = long_law()
    chunks = [c for c in chunk_article(article, target_words=60, max_words=90)]
    article_2 = [c for c in chunks if c.unit.startswith("Điều 2")]
    assert len(article_2) >= 3
    assert all(len(c.text.split()) <= 90 for c in article_2)
    first, *rest = article_2
    assert first.unit == "Điều 2" and first.text.startswith("Điều 2. Nghĩa vụ")
    assert first.heading == "Chương I. QUY ĐỊNH CHUNG"
    for chunk in rest:
        assert chunk.heading == "Chương I. QUY ĐỊNH CHUNG › Điều 2. Nghĩa vụ của cơ quan, tổ chức"
        starts = int(chunk.text.split(".", 1)[0])  # each piece starts at a khoản here
        assert chunk.unit.startswith(f"Điều 2, khoản {starts}")
    assert [c.unit for c in chunks if not c.unit.startswith("Điều 2")] == ["Điều 1", "Điều 3"]


def test_a_law_without_its_header_is_still_read_by_its_articles() -> None:
    law = long_law()
    pasted = Article("luat", "Luật Thử nghiệm", law.text)  # no header: not an Official
    assert [c.unit for c in chunk_article(pasted)] == [c.unit for c in chunk_article(law)]


def test_an_article_is_chunked_as_before() -> None:
    """A news article's numbered lists and the Điều it quotes are not units: it is packed
    into passages as it always was."""
    paragraphs = [
        "Thành ủy đã triển khai Chỉ thị 05 với nhiều giải pháp.",
        *(
            f"{k}. Giải pháp thứ {k}: "
            + "tăng cường kiểm tra, giám sát cán bộ, " * 6
            + "hằng năm."
            for k in range(1, 6)
        ),
        "Điều 5. Theo Điều lệ Đảng, đảng viên có quyền được thông tin.",
        "Điều 7. Đảng viên có nhiệm vụ chấp hành nghị quyết.",
    ]
    news = Article("tin", "Tin", "\n\n".join(paragraphs))
    as_official = Article("tin", "Tin", news.text, official=LAW)
    plain = chunk_article(news)
    assert all(c.unit == "" and c.heading == "" for c in plain)
    assert [c.text for c in plain] != [c.text for c in chunk_article(as_official)]
