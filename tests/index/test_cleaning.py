import re
from pathlib import Path

import pytest

from index.cleaning import (
    CleanedText,
    clean_body,
    clean_text_article,
    is_boilerplate,
    parse_date,
    source_from_url,
    title_from_text,
)
from index.vietnamese import normalize

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
NAVIGATION = ["Chia sẻ bài viết", "Phản hồi", "Các tin khác", "Mới nhất", "Xem nhiều nhất"]


def seed(prefix: str) -> tuple[str, CleanedText]:
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    raw = path.read_text(encoding="utf-8")
    return raw, clean_text_article(raw)


def paragraphs(cleaned: CleanedText) -> list[str]:
    return cleaned.text.split("\n\n")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


def test_dated_seed_gets_iso_date_and_the_headline_as_title() -> None:
    _, article = seed("002")
    assert article.published_at == "2013-06-16"
    assert article.title == (
        "Các cấp ủy Đảng Khối Cơ quan Dân chính Đảng TP Cần Thơ: "
        "Tập trung khắc phục hạn chế, khuyết điểm, thực hiện thắng lợi nhiệm vụ được giao"
    )
    assert "16/06/2013" not in article.text
    assert paragraphs(article)[0].startswith("Lãnh đạo Đảng ủy Khối")


def test_named_source_line_gives_source_and_url() -> None:
    _, article = seed("004")
    assert article.source == "Quảng Ninh"
    assert article.url == (
        "http://baoquangninh.com.vn/chinh-tri/201909/"
        "tp-ha-long-tang-cuong-cong-tac-xay-dung-dang-2454567/"
    )
    assert "Nguồn" not in article.text and "http" not in article.text
    _, other = seed("001")
    assert other.source == "Xây Dựng Đảng"
    assert other.url.startswith("http://www.xaydungdang.org.vn/thoi-su-chinh-tri/")


def test_bare_url_line_gives_url_and_host_as_source() -> None:
    _, article = seed("000")
    assert article.url == (
        "http://baolaocai.vn/bai-viet/213010-nhieu-giai-phap-nang-cao-nang-luc-lanh-dao-cua-to-chuc-dang"
    )
    assert article.source == "baolaocai.vn"
    assert article.title == "Nhiều giải pháp nâng cao năng lực lãnh đạo của tổ chức đảng"
    assert "Quy định số 03 ngày 10/9/2018" in article.text


@pytest.mark.parametrize("prefix", ["002", "003"])
def test_page_navigation_is_gone(prefix: str) -> None:
    raw, article = seed(prefix)
    assert any(line.strip() in NAVIGATION for line in raw.splitlines())
    assert not set(paragraphs(article)) & set(NAVIGATION)
    assert paragraphs(article)[-1] != ""


def test_caption_printed_twice_is_kept_once() -> None:
    _, article = seed("004")
    caption = "Thường trực Thành ủy Hạ Long giao ban với Bí thư Đảng ủy các phường trên địa bàn."
    assert paragraphs(article).count(caption) == 1


def test_photo_credit_goes_but_caption_stays() -> None:
    _, article = seed("001")
    assert "Ảnh: Tư liệu" not in article.text
    assert (
        "Buổi sinh hoạt chi bộ điểm ở Chi bộ thôn Đống Cao, xã Tư Mại, huyện Yên Dũng, "
        "tỉnh Bắc Giang." in paragraphs(article)
    )


def test_bylines_stay_as_the_last_paragraph() -> None:
    assert paragraphs(seed("004")[1])[-1] == "Nguyễn Thanh"
    assert paragraphs(seed("001")[1])[-1] == "Nguyễn Đăng Liệu"
    assert paragraphs(seed("002")[1])[-1] == "Bài, ảnh: NGUYỄN HUY"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_real_content_is_lost(prefix: str) -> None:
    raw, article = seed(prefix)
    kept = squash(article.title + "\n" + article.text)
    for line in raw.splitlines():
        if len(line) > 60 and not line.startswith(("Nguồn", "http")) and "Ảnh:" not in line:
            assert squash(line.rstrip(" |").replace("Ð", "Đ")) in kept, line[:60]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_body_is_clean_normalised_paragraphs(prefix: str) -> None:
    _, article = seed(prefix)
    assert article.text == normalize(article.text)
    for paragraph in paragraphs(article):
        assert paragraph and paragraph == " ".join(paragraph.split())


def test_scraping_glitches_are_repaired() -> None:
    _, lao_cai = seed("000")
    assert "sạch, vững mạnh. Xác định công tác chính trị" in lao_cai.text
    assert "Chỉ thị 05 của Bộ Chính trị góp phần xây dựng Đảng trong sạch" in lao_cai.text
    assert "Lào Cai. |" not in lao_cai.text
    _, ha_long = seed("004")
    assert "hằng năm Đảng bộ thành phố" in ha_long.text  # was typed with Icelandic "Ð"


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("16/06/2013 - 20:09", "2013-06-16"),
        ("16-06-2013", "2013-06-16"),
        ("5/9/2019", "2019-09-05"),
        ("Thứ hai, 16/06/2013 20:09 (GMT+7)", "2013-06-16"),
        ("Cập nhật: 10:30 16/06/2013", "2013-06-16"),
        ("Ngày 16 tháng 6 năm 2013", "2013-06-16"),
        ("2026-02-02T07:51:00+00:00", "2026-02-02"),
        ("31/02/2013", ""),
        ("16/06/2013 Hội nghị Ban Chấp hành", ""),
        ("Chỉ thị 05", ""),
    ],
)
def test_parse_date(line: str, iso: str) -> None:
    assert parse_date(line) == iso


def test_clean_body_drops_navigation_but_not_sentences_that_mention_it() -> None:
    raw = (
        "Đoạn  một   có\u00a0khoảng trắng thừa.\n"
        "Chia sẻ bài viết\n"
        "Bình luận (3)\n"
        "Tags: Chỉ thị 05, xây dựng Đảng\n"
        "Phản hồi của cử tri được tổng hợp gửi Thường trực Thành ủy.\n"
        "Ảnh minh họa\n"
        "Xem nhiều nhất"
    )
    assert clean_body(raw).split("\n\n") == [
        "Đoạn một có khoảng trắng thừa.",
        "Phản hồi của cử tri được tổng hợp gửi Thường trực Thành ủy.",
    ]


def test_clean_body_normalises_tone_marks_and_entities() -> None:
    cleaned = clean_body("Hoà bình, thuỷ lợi &amp; lưu th&ocirc;ng")
    assert cleaned == "Hòa bình, thủy lợi & lưu thông"


def test_wrapped_lines_are_rejoined_into_paragraphs() -> None:
    pdf_text = (
        "Chỉ thị về công tác cán bộ\n"
        "Thành ủy đã ban hành Chỉ thị số 05-CT/TU về việc đổi mới công tác cán\n"
        "bộ, nhằm nâng cao chất lượng đội ngũ cán bộ trong giai đoạn mới.\n"
        "Các cấp ủy phải rà soát quy hoạch cán bộ trước ngày 30/10/2019 và báo\n"
        "cáo kết quả.\n"
    )
    assert clean_body(pdf_text, wrapped=True).split("\n\n") == [
        "Chỉ thị về công tác cán bộ",
        "Thành ủy đã ban hành Chỉ thị số 05-CT/TU về việc đổi mới công tác cán bộ, nhằm nâng "
        "cao chất lượng đội ngũ cán bộ trong giai đoạn mới.",
        "Các cấp ủy phải rà soát quy hoạch cán bộ trước ngày 30/10/2019 và báo cáo kết quả.",
    ]


def test_given_title_is_not_repeated_in_the_body() -> None:
    cleaned = clean_text_article("Tiêu đề bài\nNội dung chính của bài.", title="Tiêu đề  bài")
    assert (cleaned.title, cleaned.text) == ("Tiêu đề bài", "Nội dung chính của bài.")


def test_trailing_line_starting_with_nguon_is_content_unless_it_names_a_source() -> None:
    raw = "Tiêu đề\n\nĐoạn một.\n\nNguồn lực cho xây dựng Đảng được tăng cường"
    cleaned = clean_text_article(raw)
    assert cleaned.source == ""
    assert cleaned.text.endswith("Nguồn lực cho xây dựng Đảng được tăng cường")
    cleaned = clean_text_article("Tiêu đề\n\nĐoạn một.\n\nNguồn: Báo Nhân Dân")
    assert (cleaned.source, cleaned.text) == ("Báo Nhân Dân", "Đoạn một.")


def test_single_paragraph_text_keeps_its_body() -> None:
    cleaned = clean_text_article("Thành ủy ban hành Quy định số 03. Quy định có hiệu lực ngay.")
    assert cleaned.text == "Thành ủy ban hành Quy định số 03. Quy định có hiệu lực ngay."
    assert cleaned.title == "Thành ủy ban hành Quy định số 03"


def test_title_from_long_sentence_is_cut_at_a_word() -> None:
    sentence = "Thành ủy tiếp tục tập trung nâng cao năng lực lãnh đạo " * 4
    title = title_from_text(sentence + ". Câu hai.")
    assert len(title) <= 101 and title.endswith("…")
    assert sentence.startswith(title[:-1] + " ")  # cut between words


def test_helpers() -> None:
    assert source_from_url("https://www.xaydungdang.org.vn/a/b") == "xaydungdang.org.vn"
    assert is_boilerplate("Các tin khác:") and is_boilerplate("MỚI NHẤT")
    assert not is_boilerplate("Các tin khác nhau về Chỉ thị 05 đã được làm rõ.")
