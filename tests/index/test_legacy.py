"""Text typed in TCVN3 (.VnTime) or VNI fonts reaches the index as Unicode, in every format."""

import json
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from index.legacy import TCVN3, VNI, from_legacy
from index.readers import read_paths
from index.vietnamese import normalize

SHARED = Path(__file__).resolve().parents[3] / "shared"
SEEDS = SHARED / "seeds"
NEWS = SHARED / "eval" / "news_2026_corpus.jsonl"

UNICODE = (
    "ĐẢNG CỘNG SẢN VIỆT NAM\n\n"
    "Cộng hoà xã hội chủ nghĩa Việt Nam\n\n"
    "Độc lập - Tự do - Hạnh phúc\n\n"
    "Chỉ thị này được phổ biến đến chi bộ. Các cấp ủy đảng xây dựng chương trình hành động, "
    "kiểm tra việc thực hiện và báo cáo kết quả lên Ban Chấp hành Trung ương."
)
# The same text as a .VnTime document stores it (TCVN3 bytes, shown as the Windows code page
# shows them): the header and motto lines as such documents carry them, the body spelled
# out from the TCVN 5712:1993 chart (0xAD is ư, 0xAE đ, 0xB5 à, 0xD8 ỉ, 0xDE ị, …).
TCVN3_TEXT = (
    "§¶NG CéNG S¶N VIÖT NAM\n\n"
    "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n\n"
    "§éc lËp - Tù do - H¹nh phóc\n\n"
    "ChØ thÞ nµy ®\xadîc phæ biÕn ®Õn chi bé. C¸c cÊp ñy ®¶ng x©y dùng ch\xad¬ng tr×nh hµnh "
    "®éng, kiÓm tra viÖc thùc hiÖn vµ b¸o c¸o kÕt qu¶ lªn Ban ChÊp hµnh Trung \xad¬ng."
)
# As a VNI-Times document stores it: a base letter, then its marks (ø huyền, ù sắc, û hỏi,
# õ ngã, ï nặng, â circumflex, ê breve; ô is ơ, ö ư, ñ đ, ò ị, æ ỉ, ó ĩ).
VNI_TEXT = (
    "ÑAÛNG COÄNG SAÛN VIEÄT NAM\n\n"
    "Coäng hoaø xaõ hoäi chuû nghóa Vieät Nam\n\n"
    "Ñoäc laäp - Töï do - Haïnh phuùc\n\n"
    "Chæ thò naøy ñöôïc phoå bieán ñeán chi boä. Caùc caáp uûy ñaûng xaây döïng chöông trình "
    "haønh ñoäng, kieåm tra vieäc thöïc hieän vaø baùo caùo keát quaû leân Ban Chaáp haønh "
    "Trung öông."
)


def cp1252(text: str) -> bytes:
    return text.encode("cp1252")


@pytest.mark.parametrize(("legacy", "encoding"), [(TCVN3_TEXT, TCVN3), (VNI_TEXT, VNI)])
def test_converts_exactly(legacy: str, encoding: str) -> None:
    assert from_legacy(legacy) == (UNICODE, encoding)


@pytest.mark.parametrize("legacy", [TCVN3_TEXT, VNI_TEXT], ids=["tcvn3", "vni"])
@pytest.mark.parametrize("as_bytes", [True, False], ids=["bytes", "look-alikes-in-utf8"])
def test_text_file(tmp_path: Path, legacy: str, as_bytes: bool) -> None:
    title = "Chỉ thị về học tập"
    title_legacy = "ChØ thÞ vÒ häc tËp" if legacy is TCVN3_TEXT else "Chæ thò veà hoïc taäp"
    body = legacy.split("\n\n")[-1]  # (short lines after a title would read as subtitles)
    raw = f"{title_legacy}\r\n\r\n{body}\r\n"
    path = tmp_path / "chi-thi.txt"
    path.write_bytes(cp1252(raw) if as_bytes else raw.encode("utf-8"))
    result = read_paths([path])
    assert result.problems == []
    (article,) = result.articles
    assert (article.title, article.text) == (title, UNICODE.split("\n\n")[-1])


def test_docx_runs_in_legacy_fonts(tmp_path: Path) -> None:
    """A converted .doc keeps each run's font: .VnTime is TCVN3, .VnTimeH its capitals,
    VNI-Times is VNI, and a Unicode font is left as it is, all in one paragraph."""
    document = docx.Document()
    document.core_properties.title = "Chỉ thị về học tập"
    heading = document.add_paragraph()
    heading.add_run("chØ thÞ").font.name = ".VnTimeH"  # drawn as capitals: CHỈ THỊ
    body = document.add_paragraph()
    body.add_run("ChØ thÞ nµy ®\xadîc phæ biÕn ").font.name = ".VnTime"
    body.add_run("ñeán chi boä ").font.name = "VNI-Times"
    body.add_run("ở mọi cấp (Điều 5).").font.name = "Times New Roman"
    table = document.add_table(rows=1, cols=1)
    cell = table.rows[0].cells[0].paragraphs[0]
    cell.add_run("Ch\xad¬ng tr×nh hµnh ®éng").font.name = ".VnArial"
    document.save(str(tmp_path / "chi-thi.docx"))
    (article,) = read_paths([tmp_path / "chi-thi.docx"]).articles
    assert article.text == (
        "CHỈ THỊ\n\nChỉ thị này được phổ biến đến chi bộ ở mọi cấp (Điều 5).\n\n"
        "Chương trình hành động"
    )


def test_docx_in_legacy_text_under_a_unicode_font_name(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Chỉ thị về học tập"
    for paragraph in TCVN3_TEXT.split("\n\n"):
        document.add_paragraph(paragraph)
    document.save(str(tmp_path / "chi-thi.docx"))
    (article,) = read_paths([tmp_path / "chi-thi.docx"]).articles
    assert article.text == normalize(UNICODE)  # tone marks placed as the index places them


def test_pdf_text_layer(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)  # a core font: it prints the Latin-1 look-alikes
    for paragraph in VNI_TEXT.split("\n\n"):
        pdf.multi_cell(0, 7, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(tmp_path / "chi-thi.pdf"))
    result = read_paths([tmp_path / "chi-thi.pdf"])
    assert result.problems == []
    (article,) = result.articles
    assert "Chỉ thị này được phổ biến đến chi bộ." in article.text
    assert "Độc lập - Tự do - Hạnh phúc" in article.text


def test_jsonl_article(tmp_path: Path) -> None:
    path = tmp_path / "bai.jsonl"
    record = {"doc_id": "ct", "title": "Chỉ thị", "text": TCVN3_TEXT}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (article,) = read_paths([path]).articles
    assert article.text == normalize(UNICODE)


@pytest.mark.parametrize(
    "text",
    [
        "El niño comió jamón en la mañana; señor Muñoz pidió más café y crème brûlée. " * 3,
        "Die Straße über dem Fluß ist schön, sagte Jürgen. Ärger gibt es nie. " * 3,
        "Prix : 12 €, 15 % de réduction — « très bien », dit-il à l'hôtel. " * 3,
        "© 2016 · ® · ± 5 ° · ¼ · ½ · ¾ · µm · ¶ · § 3 · ¡Hola! ¿Qué? " * 3,
    ],
    ids=["spanish", "german", "french", "signs"],
)
def test_other_languages_are_left_alone(text: str) -> None:
    assert from_legacy(text) == (text, None)


def test_unicode_articles_are_left_alone() -> None:
    """The client's articles and the 2026 news corpus are Unicode: none of them is touched."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*"))]
    with NEWS.open(encoding="utf-8") as lines:
        texts += [json.loads(line)["text"] for line in lines]
    assert len(texts) > 300
    assert [t for t in texts if from_legacy(t)[1] is not None] == []
