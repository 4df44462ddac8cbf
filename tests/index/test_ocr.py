"""A scanned PDF (pages that are images only) is read by OCR and marked as such; where OCR
cannot run, the admin is told what to install and nothing else is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from bot.render import OCR_NOTE, source_line
from index import ocr
from index.readers import read_paths
from retrieval.answering import Citation
from tests.index.official_samples import CHI_THI_05, FONT


def scanned_pdf(path: Path, rows: list[list[str]]) -> Path:
    """Each row drawn as text on a white A4 page image at 150 dpi: no text layer at all."""
    font = ImageFont.truetype(str(FONT), 28)
    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    y = 80
    for row in rows:
        for cell, x in zip(row, (90, 660), strict=False):
            if cell:
                draw.text((x, y), cell, font=font, fill=0)
        y += 56
    image = path.with_suffix(".png")
    page.save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=0, y=0, w=210, h=297)
    pdf.output(str(path))
    return path


ROWS = [
    *CHI_THI_05.rows[:6],
    ["Để tiếp tục đẩy mạnh việc học tập và làm theo Bác, Bộ Chính trị yêu cầu:"],
    ["1. Người đứng đầu gương mẫu trước tập thể."],
    ["2. Mỗi chi bộ đăng ký việc làm theo hằng năm."],
]


def test_a_scanned_directive_is_read_by_ocr(tmp_path: Path) -> None:
    result = read_paths([scanned_pdf(tmp_path / "chi-thi-05-scan.pdf", ROWS)])
    assert result.problems == []
    (article,) = result.articles
    assert article.ocr
    assert "gương mẫu trước tập thể" in article.text
    assert "Bộ Chính trị yêu cầu" in article.text
    assert article.official is not None and article.official.number == "05-CT/TW"
    citation = Citation(
        1,
        article.doc_id,
        article.title,
        article.source,
        "",
        1,
        (),
        "",
        unit="Mục 1",
        document=article.official.name,
        ocr=article.ocr,
    )
    assert source_line(citation).endswith(f"— Bộ Chính trị, {OCR_NOTE}")


def test_without_ocr_the_admin_is_told_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned_pdf(tmp_path / "scan.pdf", ROWS)
    (tmp_path / "bai.txt").write_text("Tiêu đề\n\nMột đoạn văn bản bình thường.\n", "utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # no tesseract on PATH
    ocr.unavailable.cache_clear()
    try:
        result = read_paths([tmp_path])
    finally:
        ocr.unavailable.cache_clear()
    assert [a.doc_id for a in result.articles] == ["bai"]
    (problem,) = result.problems
    assert problem.message.startswith("page(s) 1 have no text layer (scanned) and Tesseract")
    assert "apt install tesseract-ocr tesseract-ocr-vie" in problem.message
