"""The text of PDF pages that have none (scanned pages), read by Tesseract's Vietnamese model.

Pages are rendered by PDFium (pypdfium2) and read by the `tesseract` program through
pytesseract; Tesseract and its Vietnamese data are Debian packages (tesseract-ocr,
tesseract-ocr-vie) that the Makefile installs where they are missing.
"""

from __future__ import annotations

import functools
import logging

from index.errors import IngestError

log = logging.getLogger(__name__)

LANGUAGE = "vie"
DPI = 300  # Tesseract reads body text best at about 300 dots per inch
MAX_PAGES = 200  # of one document; about 2 s a page on this machine's two cores
INSTALL = (
    "install Tesseract with its Vietnamese data (Debian: apt install tesseract-ocr "
    "tesseract-ocr-vie)"
)


@functools.cache
def unavailable() -> str:
    """Why OCR cannot run here ("" when it can)."""
    try:
        import pytesseract

        languages = pytesseract.get_languages(config="")
    except Exception as e:  # no tesseract program, or it failed to start
        return f"Tesseract OCR is not available ({type(e).__name__}): {INSTALL}"
    if LANGUAGE not in languages:
        return f"Tesseract has no Vietnamese data ({LANGUAGE}): {INSTALL}"
    return ""


def page_texts(data: bytes, pages: list[int], path: str) -> dict[int, str]:
    """The OCRed text of the given pages (0-based) of a PDF; IngestError if OCR cannot run."""
    if why := unavailable():
        numbers = ", ".join(str(p + 1) for p in pages[:10]) + (", …" if len(pages) > 10 else "")
        raise IngestError(
            f"{path}: page(s) {numbers} have no text layer (scanned) and {why}",
            vi=f"trang {numbers} là ảnh quét (không có lớp chữ) mà máy chủ chưa nhận dạng chữ "
            "được: người quản trị máy chủ cần cài gói tesseract-ocr và tesseract-ocr-vie",
        )
    if len(pages) > MAX_PAGES:
        raise IngestError(
            f"{path}: {len(pages)} scanned pages, over the OCR limit of {MAX_PAGES}; "
            "split the document",
            vi=f"{len(pages)} trang ảnh quét, quá giới hạn nhận dạng chữ {MAX_PAGES} trang: "
            "hãy tách văn bản thành nhiều tệp",
        )
    import pypdfium2
    import pytesseract

    document = pypdfium2.PdfDocument(data)
    texts = {}
    try:
        for number in pages:
            image = document[number].render(scale=DPI / 72, grayscale=True).to_pil()
            texts[number] = pytesseract.image_to_string(image, lang=LANGUAGE)
    finally:
        document.close()
    log.info("%s: read %d scanned page(s) by OCR", path, len(pages))
    return texts
