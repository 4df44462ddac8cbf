"""Answers from official documents: a unit asked by its number is quoted whole, every
quote of a document is cited by its unit, and a unit it does not have is said to be missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.render import source_line
from bot.telegram.markup import answer_messages
from index.builder import IndexBuilder
from index.embedders import Embedder
from index.readers import read_paths
from retrieval.answering import UNIT_NOT_FOUND, Answerer
from retrieval.searcher import Searcher
from tests.conftest import CORPUS
from tests.index.official_samples import SAMPLES, WRITERS


@pytest.fixture(scope="module")
def documents_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """The sample articles and the five documents, each in another format, indexed."""
    docs = tmp_path_factory.mktemp("documents")
    for sample, fmt in zip(SAMPLES, ["docx", "pdf", "txt", "docx", "pdf"], strict=True):
        WRITERS[fmt](sample, docs)
    data_dir = tmp_path_factory.mktemp("official-index")
    articles = read_paths([CORPUS, docs]).articles
    IndexBuilder(data_dir, embedder, progress=False).build(articles)
    return data_dir


@pytest.fixture(scope="module")
def answerer(documents_dir: Path, embedder: Embedder) -> Answerer:
    return Answerer(Searcher(documents_dir, embedder))


@pytest.mark.parametrize(
    "question",
    ["Điều 3 Quy định 03 nói gì?", "dieu 3 quy dinh 03-QD/TU quy dinh gi"],
    ids=["marks", "no-marks"],
)
def test_an_article_of_a_regulation_is_quoted_whole(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question)
    assert not answer.abstained
    assert answer.text.startswith("Điều 3 Quy định số 03-QĐ/TU: Điều 3. Tiêu chuẩn chung")
    for clause in ("a) Tuyệt đối trung thành", "b) Kiên định", "2. Về đạo đức, lối sống"):
        assert clause in answer.text
    assert "Điều 4" not in answer.text
    (citation,) = answer.citations
    assert (citation.unit, citation.document) == (
        "Điều 3",
        "Quy định số 03-QĐ/TU (ngày 10/9/2018)",
    )
    assert source_line(citation) == (
        "[1] Điều 3 — Quy định số 03-QĐ/TU (ngày 10/9/2018) — Thành ủy Lào Cai"
    )


def test_a_clause_is_quoted_alone(answerer: Answerer) -> None:
    answer = answerer.answer("khoản 2 điều 2 quy định 03 là gì")
    assert answer.text == (
        "Điều 2, khoản 2 Quy định số 03-QĐ/TU: 2. Bí thư, phó bí thư đảng ủy các xã, phường. [1]"
    )
    assert answer.citations[0].unit == "Điều 2, khoản 2"


def test_a_point_of_a_directive(answerer: Answerer) -> None:
    answer = answerer.answer("Mục II.3 Chỉ thị 05 nói gì?")
    assert answer.text.startswith("Mục II.3 Chỉ thị số 05-CT/TW: 3. Về phong cách Hồ Chí Minh")
    assert "b) Mỗi chi bộ đăng ký việc làm theo hằng năm." in answer.text
    assert answer.citations[0].unit == "Mục II.3"


def test_a_law_named_by_its_name(answerer: Answerer) -> None:
    answer = answerer.answer("Điều 2 Luật phòng chống ma túy giải thích từ ngữ gì?")
    assert "1. Chất ma túy là chất gây nghiện" in answer.text
    assert answer.citations[0].document == "Luật Phòng, chống ma túy (ngày 30/3/2021)"


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "Điều 9 Quy định 03 nói gì?",
            "Quy định số 03-QĐ/TU trong tài liệu hiện có không có Điều 9.",
        ),
        (
            "khoản 5 Điều 2 Quy định 03",
            "Quy định số 03-QĐ/TU trong tài liệu hiện có không có khoản 5 Điều 2.",
        ),
    ],
)
def test_a_unit_the_document_lacks(answerer: Answerer, question: str, said: str) -> None:
    answer = answerer.answer(question)
    assert (answer.abstained, answer.reason, answer.text) == (True, UNIT_NOT_FOUND, said)
    assert answer.citations == ()


def test_quotes_of_a_document_are_cited_by_their_unit(answerer: Answerer) -> None:
    answer = answerer.answer("Chất gây nghiện là gì theo Luật Phòng, chống ma túy?")
    cited = [c for c in answer.citations if c.document]
    assert cited, answer.text
    assert "Điều 2, khoản 2" in {c.unit for c in cited}
    assert not any(c.where.startswith("đoạn") for c in cited)  # units, never paragraphs
    html = "\n".join(answer_messages(answer))
    assert "Điều 2, khoản 2 — Luật Phòng, chống ma túy (ngày 30/3/2021) — Quốc hội" in html


def test_admins_see_the_documents_and_what_links_to_them(documents_dir: Path, capsys) -> None:
    assert main(["documents", "--data-dir", str(documents_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        "Toàn văn: Quy định số 03-QĐ/TU — ngày 10/9/2018 — Thành ủy Lào Cai — 5 đơn vị "
        "(mã quy-dinh-03)" in lines
    )
    full_texts = [line for line in lines if line.startswith("Toàn văn: ")]
    assert len(full_texts) == len(SAMPLES)
    # the news that mentions Chỉ thị 05 links to its text
    (mention,) = [line for line in lines if line.startswith("Chỉ thị 05-CT/TW")]
    assert mention.endswith("có toàn văn (mã chi-thi-05)")
    assert main(["documents", "--json", "--data-dir", str(documents_dir), "chi thi 05"]) == 0
    (entry,) = [e for e in json.loads(capsys.readouterr().out) if e["id"] == "05-CT/TW"]
    assert entry["full_text"]["date"] == "2016-05-15"
    assert entry["full_text"]["signer"] == "T/M Bộ Chính trị, Tổng Bí thư, Nguyễn Phú Trọng"


def test_index_status_lists_the_documents_with_their_units(documents_dir: Path, capsys) -> None:
    assert main(["index", "status", "--data-dir", str(documents_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "documents:  5 official documents with their full text" in lines
    assert (
        "  Quy định số 03-QĐ/TU — 2018-09-10 — Thành ủy Lào Cai — 5 units (quy-dinh-03)" in lines
    )
    listed = [line for line in lines if line.startswith("  ") and " units" in line]
    assert len(listed) == len(SAMPLES)
    assert any("OCR" not in line and "Chỉ thị số 05-CT/TW — 2016-05-15" in line for line in listed)


def test_a_named_document_is_answered_from_its_text_first_then_news(answerer: Answerer) -> None:
    answer = answerer.answer(
        "Nghị quyết 09-NQ/TU phấn đấu đến năm 2015 bao nhiêu doanh nghiệp thành lập tổ chức đảng?"
    )
    assert answer.text.startswith(
        "Theo toàn văn Nghị quyết số 09-NQ/TU: 2. Phấn đấu đến năm 2015, 100% doanh nghiệp"
    )
    text_part, news_part = answer.text.split("Bài viết về văn bản này cho biết:")
    assert "[1]" in text_part and "[2]" in news_part
    document, news = answer.citations
    assert (document.unit, document.document) == (
        "Mục 2",
        "Nghị quyết số 09-NQ/TU (ngày 27/2/2012)",
    )
    assert news.document == "" and news.where.startswith("đoạn")


@pytest.mark.parametrize(
    "question",
    ["Chỉ thị 05 ban hành ngày nào?", "ct05 cua bct ban hanh khi nao"],
    ids=["marks", "no-marks"],
)
def test_the_date_of_a_document_comes_from_its_own_header(answerer: Answerer, question) -> None:
    answer = answerer.answer(question)
    assert not answer.abstained
    assert answer.text.startswith(
        "Theo toàn văn, Chỉ thị số 05-CT/TW ban hành ngày 15/5/2016 tại Hà Nội. [1]"
    )
    header = answer.citations[0]
    assert (header.doc_id, header.unit) == ("chi-thi-05", "phần đầu văn bản")
    assert header.quotes == ("Hà Nội, ngày 15 tháng 5 năm 2016",)
    assert all(q in header.passage for q in header.quotes)
    assert source_line(header) == (
        "[1] phần đầu văn bản — Chỉ thị số 05-CT/TW (ngày 15/5/2016) — Bộ Chính trị"
    )
    # news that states a date too comes second, said to be news
    for news in answer.citations[1:]:
        assert news.document == "" and "Bài viết về văn bản này cho biết:" in answer.text


def test_who_issued_and_signed_a_document(answerer: Answerer) -> None:
    answer = answerer.answer("Quy định 03 do ai ký?")
    assert answer.text.startswith(
        "Theo toàn văn, Quy định số 03-QĐ/TU do Thành ủy Lào Cai ban hành; người ký: "
        "T/M Ban Thường vụ, Bí thư, Trần Văn Bình. [1]"
    )
    assert answer.citations[0].unit == "phần ký"


def test_what_a_document_is_about_comes_from_its_title(answerer: Answerer) -> None:
    answer = answerer.answer("Nghị quyết 09-NQ/TU có tên là gì")
    assert answer.text.startswith(
        "Theo toàn văn: Nghị quyết số 09-NQ/TU về tăng cường công tác xây dựng đảng và các "
        "đoàn thể nhân dân trong các doanh nghiệp ngoài khu vực nhà nước. [1]"
    )


@pytest.mark.parametrize(
    "question",
    [
        "Theo Quy định 03, tiêu chuẩn chung là gì?",
        "Theo Luật phòng chống ma túy, cơ quan nào có trách nhiệm phòng chống ma túy?",
    ],
)
def test_a_question_about_the_content_is_not_answered_from_the_header(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.answer(question)
    assert not any(c.unit in ("phần đầu văn bản", "phần ký") for c in answer.citations)
    assert "ban hành ngày" not in answer.text and "người ký" not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "trach nhiem cua ca nhan gia dinh ve phong chong ma tuy",
        "Trách nhiệm của cá nhân, gia đình về phòng, chống ma túy",
    ],
    ids=["no-marks", "marks"],
)
def test_an_article_whose_title_is_the_question_is_quoted_whole(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.answer(question)
    assert answer.text.startswith(
        "Điều 3 Luật Phòng, chống ma túy: Điều 3. Trách nhiệm của cá nhân, gia đình"
    )
    assert "giáo dục thành viên trong gia đình về tác hại ma túy" in answer.text
    assert [c.unit for c in answer.citations] == ["Điều 3"]


def test_a_long_article_is_quoted_across_its_chunks(tmp_path: Path, embedder: Embedder) -> None:
    """An Điều longer than a chunk is quoted from every chunk that holds it, each piece
    starting at text (not in the blank between two paragraphs), up to the answer's length."""
    sentence = "Cơ quan, tổ chức có trách nhiệm tuyên truyền, phổ biến pháp luật cho nhân dân"
    long_article = [
        f"{k}. {sentence} ở địa bàn số {k} theo kế hoạch hằng năm." for k in range(1, 25)
    ]
    law = "\n\n".join(
        [
            "Luật Tuyên truyền",
            "Điều 1. Phạm vi điều chỉnh",
            "Luật này quy định về tuyên truyền.",
            "Điều 2. Trách nhiệm tuyên truyền",
            *long_article,
            "Điều 3. Hiệu lực thi hành",
            "Luật này có hiệu lực từ ngày ký.",
        ]
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "luat-tuyen-truyen.txt").write_text(law, encoding="utf-8")
    data_dir = tmp_path / "index"
    IndexBuilder(data_dir, embedder, progress=False).build(
        read_paths([tmp_path / "docs"]).articles
    )
    answerer = Answerer(Searcher(data_dir, embedder))
    answer = answerer.answer("Trách nhiệm tuyên truyền là gì?")
    assert answer.text.startswith("Điều 2 Luật Tuyên truyền: Điều 2. Trách nhiệm tuyên truyền")
    assert "1. Cơ quan, tổ chức" in answer.text and "ở địa bàn số 9 " in answer.text
    assert "Điều 3" not in answer.text
    assert answer.citations and all(c.unit.startswith("Điều 2") for c in answer.citations)
    assert all(not q[0].isspace() and q in law for c in answer.citations for q in c.quotes)
    assert len(answer.text) < 1400  # cut at whole sentences near the answer's length
