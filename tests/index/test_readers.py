import json
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from index import readers
from index.documents import Article
from index.readers import Problem, doc_id_from_path, read_paths
from index.vietnamese import normalize
from tests.index.test_decoding import encode_cp1258

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

TITLE = "Hà Nội đổi mới công tác cán bộ"
P1 = (
    "Thành ủy Hà Nội đã ban hành Chỉ thị số 05-CT/TU về việc đổi mới công tác cán bộ, "
    "nhằm nâng cao chất lượng đội ngũ cán bộ, đảng viên trong giai đoạn mới."
)
P2 = (
    "Theo đó, các cấp ủy phải rà soát quy hoạch cán bộ trước ngày 30/10/2019 và báo cáo "
    "kết quả lên Ban Tổ chức Thành ủy."
)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def only_article(paths: list[Path]) -> Article:
    result = read_paths(paths)
    assert result.problems == []
    (article,) = result.articles
    return article


def test_reads_the_sample_corpus() -> None:
    result = read_paths([CORPUS])
    assert result.problems == []
    assert [a.doc_id for a in result.articles] == sorted(p.stem for p in CORPUS.glob("*.txt"))
    for article in result.articles:
        assert article.title and article.text
        assert article.text == normalize(article.text)
        assert article.title == normalize(article.title)
        assert Path(article.path).parent == CORPUS
    by_id = {a.doc_id: a for a in result.articles}
    assert by_id["002_1171500456b67287"].published_at == "2013-06-16"
    assert by_id["004_e8034be9464bfe94"].source == "Quảng Ninh"
    assert "Quy định số 03 ngày 10/9/2018" in by_id["000_779c702780cfd434"].text


@pytest.mark.parametrize(
    "encode",
    [lambda s: s.encode("utf-16"), lambda s: s.encode("utf-16-le"), encode_cp1258],
    ids=["utf16", "utf16-no-bom", "cp1258"],
)
def test_legacy_encoded_text_file(tmp_path: Path, encode) -> None:
    raw = f"{TITLE}\r\n\r\n{P1}\r\n\r\n{P2}\r\n\r\nhttp://hanoimoi.com.vn/tin/123\r\n"
    article = only_article([write(tmp_path / "bai.txt", encode(raw))])
    assert (article.title, article.text) == (TITLE, f"{P1}\n\n{P2}")
    assert (article.source, article.url) == ("hanoimoi.com.vn", "http://hanoimoi.com.vn/tin/123")


def test_markdown(tmp_path: Path) -> None:
    md = (
        "---\ndate: 2019-09-12\nurl: https://hanoimoi.com.vn/d\n---\n"
        f"# {TITLE}\n\n"
        "Thành ủy đã ban hành **Chỉ thị số 05-CT/TU** theo [hướng dẫn](http://x.vn/hd) của\n"
        "_Trung ương_, có hiệu lực ngay.\n\n"
        "## Nhiệm vụ\n\n- Rà soát quy hoạch\n- Báo cáo kết quả\n\n![ảnh](a.jpg)\n"
    )
    article = only_article([write(tmp_path / "Chỉ thị 05.md", md)])
    assert article.doc_id == "chi-thi-05"
    assert article.title == TITLE
    assert article.text.split("\n\n") == [
        "Thành ủy đã ban hành Chỉ thị số 05-CT/TU theo hướng dẫn của Trung ương, "
        "có hiệu lực ngay.",
        "Nhiệm vụ",
        "Rà soát quy hoạch",
        "Báo cáo kết quả",
    ]
    assert (article.url, article.source, article.published_at) == (
        "https://hanoimoi.com.vn/d",
        "hanoimoi.com.vn",
        "2019-09-12",
    )


def test_html_keeps_the_article_and_drops_page_furniture(tmp_path: Path) -> None:
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
    <title>{TITLE} | Báo Hà Nội Mới</title>
    <meta property="og:title" content="{TITLE}">
    <meta property="og:url" content="https://hanoimoi.com.vn/tin/123.html">
    <meta property="og:site_name" content="Báo Hà Nội Mới">
    <meta property="article:published_time" content="2019-09-12T08:00:00+07:00"></head>
    <body><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/ts">Thời sự</a></li></ul></nav>
    <article><h1>{TITLE}</h1><p>{P1}</p><p>{P2}</p></article>
    <footer><p>Bản quyền thuộc về Báo Hà Nội Mới. Liên hệ quảng cáo.</p></footer></body></html>"""
    article = only_article([write(tmp_path / "bai.html", page)])
    assert (article.title, article.text) == (TITLE, f"{P1}\n\n{P2}")
    assert article.url == "https://hanoimoi.com.vn/tin/123.html"
    assert (article.source, article.published_at) == ("Báo Hà Nội Mới", "2019-09-12")


def test_html_without_a_main_text_falls_back_to_tag_stripping(tmp_path: Path) -> None:
    page = "<html><head><title>Tin ngắn</title></head><body><p>Chỉ thị 05 có hiệu lực.</p></body>"
    article = only_article([write(tmp_path / "ngan.htm", page)])
    assert (article.title, article.text) == ("Tin ngắn", "Chỉ thị 05 có hiệu lực.")


def test_pdf(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    if FONT.exists():
        pdf.add_font("DejaVu", fname=str(FONT))
        pdf.set_font("DejaVu", size=12)
        title, paragraphs = TITLE, [P1, P2]
    else:  # no Unicode font on this machine: the core fonts only print Latin-1
        pdf.set_font("Helvetica", size=12)
        title, paragraphs = "Directive 05 on cadres", ["The Party Committee issued it.", "Done."]
    pdf.set_title(title)
    for text in [title, *paragraphs]:
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "chi-thi.pdf"))
    article = only_article([tmp_path / "chi-thi.pdf"])
    assert (article.title, article.text) == (title, "\n\n".join(paragraphs))


def test_pdf_without_any_text_is_reported(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 80, 120)  # a drawing, no text: what a scanned page looks like to us
    pdf.output(str(tmp_path / "scan.pdf"))
    result = read_paths([tmp_path])
    assert result.articles == []
    (problem,) = result.problems
    assert problem.path.endswith("scan.pdf")
    assert problem.message == "PDF has no text, and OCR found none on its pages"


def test_docx(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = TITLE
    document.add_heading(TITLE, level=1)
    document.add_paragraph(P1)
    document.add_paragraph(P2)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Chỉ tiêu kết nạp"
    table.rows[0].cells[1].text = "350 đảng viên"
    document.save(str(tmp_path / "chi-thi.docx"))
    article = only_article([tmp_path / "chi-thi.docx"])
    assert article.title == TITLE
    assert article.text == f"{P1}\n\n{P2}\n\nChỉ tiêu kết nạp | 350 đảng viên"


def test_jsonl_bad_lines_are_reported_and_good_lines_kept(tmp_path: Path) -> None:
    good = {
        "doc_id": "tin-1",
        "title": "",
        "text": f"{P1}\n{P2}",
        "url": "https://vnexpress.net/a",
    }
    dated = {"doc_id": "tin-2", "title": TITLE, "text": P2, "published_at": "2026-02-02T07:51"}
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        "",
        json.dumps(["a list"]),
        json.dumps({"doc_id": "tin-3", "text": "  "}),
        json.dumps({"title": "no id", "text": P1}),
        json.dumps(dated, ensure_ascii=False),
    ]
    path = write(tmp_path / "corpus.jsonl", "\n".join(lines) + "\n")
    result = read_paths([path])
    assert [a.doc_id for a in result.articles] == ["tin-1", "tin-2"]
    first, second = result.articles
    assert len(first.title) <= 101 and P1.startswith(first.title.removesuffix("…") + " ")
    assert (first.source, first.url, first.text) == ("vnexpress.net", good["url"], f"{P1}\n\n{P2}")
    assert (second.title, second.published_at) == (TITLE, "2026-02-02")
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (2, "invalid JSON"),
        (4, "expected a JSON object, got list"),
        (5, "article 'tin-3'"),
        (6, "missing or empty 'doc_id'"),
    ]
    assert str(result.problems[0]).startswith(f"{path}:2: invalid JSON")


def test_identical_articles_are_stored_once(tmp_path: Path) -> None:
    text = f"{TITLE}\n\n{P1}\n"
    write(tmp_path / "a.txt", text)
    write(tmp_path / "b.txt", text)
    result = read_paths([tmp_path])
    assert [a.doc_id for a in result.articles] == ["a"]
    assert result.problems == [Problem(str(tmp_path / "b.txt"), "duplicate of a")]


def test_same_doc_id_keeps_the_later_article(tmp_path: Path) -> None:
    old = write(tmp_path / "2019" / "chi-thi.txt", f"{TITLE}\n\n{P1}\n")
    new = write(tmp_path / "2020" / "chi-thi.txt", f"{TITLE}\n\n{P2}\n")
    result = read_paths([tmp_path])
    (article,) = result.articles
    assert (article.text, article.path) == (P2, str(new))
    (problem,) = result.problems
    assert problem.path == str(old) and str(new) in problem.message


def test_bad_files_are_reported_and_the_rest_still_read(tmp_path: Path) -> None:
    write(tmp_path / "a-empty.txt", b"")
    write(tmp_path / "b-binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(tmp_path / "c-broken.pdf", b"%PDF-1.4 this is not really a PDF")
    write(tmp_path / "d-broken.docx", b"PK\x03\x04 not a zip")
    write(tmp_path / "e-good.txt", f"{TITLE}\n\n{P1}\n")
    write(tmp_path / "f-photo.jpg", b"\xff\xd8\xff")  # unsupported: skipped silently in a dir
    write(tmp_path / ".hidden.txt", "ẩn")
    write(tmp_path / ".git" / "notes.txt", "ẩn")
    result = read_paths([tmp_path, tmp_path / "f-photo.jpg", tmp_path / "missing.txt"])
    assert [a.doc_id for a in result.articles] == ["e-good"]
    messages = {Path(p.path).name: p.message for p in result.problems}
    assert messages["a-empty.txt"] == "file is empty (0 bytes)"
    assert "binary" in messages["b-binary.txt"]
    assert messages["c-broken.pdf"].startswith("PDF is damaged or incomplete")
    assert messages["d-broken.docx"].startswith("not a Word document (.docx): the file is not")
    assert messages["f-photo.jpg"].startswith("unsupported file type '.jpg'")
    assert messages["missing.txt"] == "no such file or directory"
    assert len(result.problems) == 6


def test_files_over_the_size_limit_are_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024 * 1024)
    write(tmp_path / "big.txt", f"{TITLE}\n\n".encode() + b"x" * (1536 * 1024))
    result = read_paths([tmp_path])
    assert result.articles == []
    assert result.problems[0].message == "file is 1.5 MB, over the 1 MB limit"


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        ("000_779c702780cfd434.txt", "000_779c702780cfd434"),
        ("Chỉ thị 05 (2016).TXT", "chi-thi-05-2016"),
        ("Nghị quyết TW4.docx", "nghi-quyet-tw4"),
        ("báo_cáo v1.2.pdf", "bao_cao-v1.2"),
    ],
)
def test_doc_id_from_file_name(name: str, doc_id: str) -> None:
    assert doc_id_from_path(Path("kho") / name) == doc_id


def test_documents_that_cannot_be_read_say_why(tmp_path: Path) -> None:
    """A 0-page PDF, a locked one, a ZIP of photos named .docx, an old Word file (as .doc or
    renamed .docx): each refused with what to do, the rest of the batch still read."""
    from pypdf import PdfWriter

    PdfWriter().write(str(tmp_path / "khong-trang.pdf"))
    locked = PdfWriter()
    locked.add_blank_page(200, 200)
    locked.encrypt("mat-khau")
    locked.write(str(tmp_path / "khoa.pdf"))
    photos = tmp_path / "anh.docx"
    with zipfile.ZipFile(photos, "w") as archive:
        archive.writestr("anh.jpg", b"\xff\xd8\xff" * 100)
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # an OLE2 header: Word 97-2003
    write(tmp_path / "cu.doc", ole2)
    write(tmp_path / "doi-ten.docx", ole2)
    write(tmp_path / "tot.txt", f"{TITLE}\n\n{P1}\n")
    result = read_paths([tmp_path])
    assert [a.doc_id for a in result.articles] == ["tot"]
    messages = {Path(p.path).name: p.message for p in result.problems}
    assert messages == {
        "khong-trang.pdf": "PDF has no pages",
        "khoa.pdf": "PDF is password-protected; save an unprotected copy",
        "anh.docx": "not a Word document (.docx): the file holds no Word text; save it from "
        "Word or LibreOffice as .docx",
        "cu.doc": readers.OLD_WORD,
        "doi-ten.docx": readers.OLD_WORD,
    }


def test_admins_in_chat_read_why_in_vietnamese(tmp_path: Path) -> None:
    """Every reason a file is refused has its Vietnamese wording for an admin in chat, with
    the file's name and not its path."""
    from pypdf import PdfWriter

    locked = PdfWriter()
    locked.add_blank_page(200, 200)
    locked.encrypt("mat-khau")
    locked.write(str(tmp_path / "khoa.pdf"))
    write(tmp_path / "hong.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    write(tmp_path / "rong.txt", b"")
    write(tmp_path / "nhi-phan.txt", bytes(range(256)) * 4)
    write(tmp_path / "cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    write(tmp_path / "bai.jsonl", b'{"doc_id": "a", "text": "' + P1.encode() + b'"}\nkhong json\n')
    write(tmp_path / "bai-a.txt", f"{TITLE}\n\n{P1}\n")
    write(tmp_path / "bai-b.txt", f"{TITLE}\n\n{P1}\n")
    result = read_paths([tmp_path])
    said = sorted(p.in_vietnamese for p in result.problems)
    assert said == [
        "bai-b.txt: trùng nội dung với bài bai-a",
        "bai.jsonl (dòng 2): không phải JSON hợp lệ (cột 1)",
        "cu.doc: " + readers.OLD_WORD_VI,
        "hong.pdf: tệp PDF bị hỏng hoặc không đầy đủ: hãy xuất hoặc tải lại tệp",
        "khoa.pdf: tệp PDF có mật khẩu: hãy lưu một bản không khóa rồi gửi lại",
        "nhi-phan.txt: tệp có vẻ là dữ liệu nhị phân, không phải văn bản",
        "rong.txt: tệp rỗng (0 byte)",
    ]
    assert not any(str(tmp_path) in s for s in said)
