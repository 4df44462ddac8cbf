"""Articles added by link, against a news site on 127.0.0.1: a realistic article page is
read with its title, source, date and address; an official PDF becomes a document; every
way a page can fail is refused with the reason, and nothing but http(s) is ever opened."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import fetching
from index.errors import IngestError
from index.fetching import doc_id_from_url, fetch_article, keep
from index.readers import read_paths
from tests.web_site import FakeSite


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    with FakeSite() as running:
        yield running


def test_an_article_page_is_read_with_its_metadata(site: FakeSite) -> None:
    article = fetch_article(site.url("/bai-viet/nhieu-giai-phap.html"))
    assert article.title == "Nhiều giải pháp nâng cao năng lực lãnh đạo của tổ chức đảng"
    assert "Quy định số 03 ngày 10/9/2018" in article.text
    assert "Chuyên mục" not in article.text and "Tin liên quan" not in article.text  # no menus
    assert "Giấy phép" not in article.text  # nor the footer
    assert article.published_at == "2018-09-20"
    assert article.source == "Báo Lào Cai"
    assert article.url == site.url("/bai-viet/nhieu-giai-phap.html")
    assert article.doc_id == "127-0-0-1-bai-viet-nhieu-giai-phap"


def test_a_redirect_is_followed_and_the_final_address_kept(site: FakeSite) -> None:
    article = fetch_article(site.url("/chuyen"))
    assert article.url == site.url("/bai-viet/nhieu-giai-phap.html")


def test_an_official_pdf_becomes_a_document(site: FakeSite) -> None:
    article = fetch_article(site.url("/van-ban/chi-thi-05.pdf"))
    assert article.official is not None
    assert (article.official.number, article.official.date) == ("05-CT/TW", "2016-05-15")
    assert article.url == site.url("/van-ban/chi-thi-05.pdf")


@pytest.mark.parametrize(
    ("path", "english", "vietnamese"),
    [
        ("/khong-co", "the server answered 404", "trang trả về lỗi 404 (không có trang này)"),
        ("/loi", "the server answered 500", "trang trả về lỗi 500"),
        ("/trang-chu", "holds no article text", "không có nội dung bài viết"),
        ("/anh.png", "not an article page (content type image/png)", "không phải trang bài viết"),
        ("/rong", "the page is empty", "trang không có nội dung"),
        ("/vong", "more than 5 redirects", "vòng lặp chuyển hướng"),
        ("/lon", "the page is over 10 MB", "trang nặng quá 10 MB"),
    ],
)
def test_a_page_that_is_not_an_article_is_refused_with_the_reason(
    site: FakeSite, path: str, english: str, vietnamese: str
) -> None:
    with pytest.raises(IngestError) as refused:
        fetch_article(site.url(path))
    assert english in str(refused.value)
    assert vietnamese in refused.value.vi


def test_a_server_that_does_not_answer_in_time_is_given_up(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetching, "TIMEOUT_SECONDS", 0.5)  # the site stalls for 3 s
    with pytest.raises(IngestError) as refused:
        fetch_article(site.url("/cham"))
    assert "did not answer in time" in str(refused.value)
    assert refused.value.vi == "máy chủ trang web không trả lời kịp"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/a.txt", "/etc/passwd", "http:///bai-viet"]
)
def test_nothing_but_a_web_address_is_opened(url: str) -> None:
    with pytest.raises(IngestError) as refused:
        fetch_article(url)
    assert "root:" not in str(refused.value)
    assert refused.value.vi


def test_a_redirect_to_a_local_file_is_not_followed(site: FakeSite) -> None:
    with pytest.raises(IngestError) as refused:
        fetch_article(site.url("/sang-file"))
    assert "root:" not in str(refused.value) and "root:" not in refused.value.vi


def test_a_kept_article_is_read_back_as_it_was_fetched(site: FakeSite, tmp_path: Path) -> None:
    for path in ("/bai-viet/nhieu-giai-phap.html", "/van-ban/chi-thi-05.pdf"):
        article = fetch_article(site.url(path))
        kept = keep(article, tmp_path / "corpus")
        assert kept.parent == tmp_path / "corpus" / "tu-lien-ket"
        (again,) = read_paths([kept]).articles
        for field in ("doc_id", "title", "text", "source", "url", "published_at", "official"):
            assert getattr(again, field) == getattr(article, field), field
        assert json.loads(kept.read_text(encoding="utf-8"))["url"] == article.url


def test_doc_ids_from_addresses_are_short_and_distinct() -> None:
    short = doc_id_from_url("https://baolaocai.vn/bai-viet/213010-nhieu-giai-phap.html")
    assert short == "baolaocai-vn-bai-viet-213010-nhieu-giai-phap"
    long_a = doc_id_from_url("https://x.vn/" + "a-" * 60 + "1")
    long_b = doc_id_from_url("https://x.vn/" + "a-" * 60 + "2")
    assert len(long_a) <= 80 and long_a != long_b
