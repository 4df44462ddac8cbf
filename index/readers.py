"""Read article files (.txt, .md, .html, .pdf, .docx, .jsonl) into `Article`s.

One bad file never stops a batch: every failure becomes a `Problem` with the path (and line,
for JSON Lines) and the other files are still read.
"""

from __future__ import annotations

import dataclasses
import html
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from index import ocr
from index.cleaning import (
    CleanedText,
    clean_body,
    clean_text_article,
    clean_title,
    parse_date,
    source_from_url,
    title_from_text,
)
from index.decoding import decode
from index.documents import Article, Official
from index.errors import IngestError
from index.legacy import NAMES, convert, font_encoding, from_legacy, is_uppercase_font
from index.vietnamese import fold, normalize

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
LEGACY_WORD = (".doc", ".rtf")
OLD_WORD = (
    "old Word 97-2003 (.doc) and RTF files are not read: open it in Word or LibreOffice and "
    "save it as .docx, or run: libreoffice --headless --convert-to docx FILE"
)
OLD_WORD_VI = (
    "tệp Word cũ (.doc) hoặc RTF chưa đọc được: hãy mở bằng Word hoặc LibreOffice, "
    "lưu thành .docx rồi gửi lại"
)
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".jsonl")


@dataclass(frozen=True)
class Problem:
    """Why a file (or one line of it) was not read as an article."""

    path: str
    message: str
    line: int | None = None
    vi: str = field(default="", compare=False)  # the same for an admin in chat, in Vietnamese

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"

    @property
    def in_vietnamese(self) -> str:
        """`tên tệp (dòng 3): lý do`, as an admin in chat reads it."""
        where = Path(self.path).name + (f" (dòng {self.line})" if self.line else "")
        return f"{where}: {self.vi or self.message}"


@dataclass
class ReadResult:
    """The articles read from a batch of paths, and what went wrong on the way."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_paths(paths: Iterable[str | Path]) -> ReadResult:
    """Read every supported file under `paths` (files or directories) into articles."""
    result = ReadResult()
    for path in _expand(paths, result.problems):
        articles, problems = _read_file(path)
        result.articles.extend(articles)
        result.problems.extend(problems)
    result.articles, duplicates = _deduplicate(result.articles)
    result.problems.extend(duplicates)
    log.info("read %d articles (%d problems)", len(result.articles), len(result.problems))
    return result


def doc_id_from_path(path: str | Path) -> str:
    """A stable id from the file name: `Chỉ thị 05.txt` → `chi-thi-05`."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", fold(Path(path).stem).lower()).strip("-")
    return slug or "doc"


def _expand(paths: Iterable[str | Path], problems: list[Problem]) -> Iterator[Path]:
    """Supported files, directories walked in sorted order; each real file once."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            candidates = list(_walk(path))
        elif path.is_file():
            if path.suffix.lower() in LEGACY_WORD:
                problems.append(Problem(str(path), OLD_WORD, vi=OLD_WORD_VI))
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                problems.append(
                    Problem(
                        str(path),
                        f"unsupported file type {path.suffix or '(no extension)'!r}; "
                        f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
                        vi=f"không đọc loại tệp {path.suffix or '(không có đuôi)'}; chỉ nhận "
                        f"{', '.join(SUPPORTED_SUFFIXES)}",
                    )
                )
                continue
            candidates = [path]
        else:
            problems.append(
                Problem(str(path), "no such file or directory", vi="không có tệp hay thư mục này")
            )
            continue
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            hidden = name.startswith((".", "~$"))  # "~$x.docx" is Word's lock file
            suffix = Path(name).suffix.lower()
            if not hidden and (suffix in SUPPORTED_SUFFIXES or suffix in LEGACY_WORD):
                yield Path(root) / name


def _read_file(path: Path) -> tuple[list[Article], list[Problem]]:
    """Articles of one file; any failure is returned as a problem, never raised."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES / 1024 / 1024
            raise IngestError(
                f"file is {size / 1024 / 1024:.1f} MB, over the {limit:.0f} MB limit",
                vi=f"tệp nặng {size / 1024 / 1024:.1f} MB, quá giới hạn {limit:.0f} MB",
            )
        if suffix in LEGACY_WORD:
            raise IngestError(OLD_WORD, vi=OLD_WORD_VI)
        data = path.read_bytes()
        if suffix == ".jsonl":
            return _read_jsonl(data, path)
        cleaned = _READERS[suffix](data, str(path))
        if not cleaned.text:
            raise IngestError(
                "no article text left after cleaning", vi="không còn nội dung nào sau khi làm sạch"
            )
    except IngestError as e:
        return [], [Problem(str(path), _without_path(str(e), path), vi=e.vi)]
    except OSError as e:
        why = e.strerror or str(e)
        return [], [Problem(str(path), f"cannot read file: {why}", vi="không mở được tệp")]
    except Exception as e:  # a parser choking on one file must not stop the batch
        log.debug("failed to parse %s", path, exc_info=True)
        kind = suffix.lstrip(".").upper()
        vi = f"không đọc được tệp {kind}: tệp hỏng hoặc không đúng định dạng"
        return [], [Problem(str(path), f"cannot parse {kind}: {type(e).__name__}: {e}", vi=vi)]
    article = Article(
        doc_id=doc_id_from_path(path),
        title=cleaned.title,
        text=cleaned.text,
        source=cleaned.source,
        url=cleaned.url,
        published_at=cleaned.published_at,
        path=str(path),
        official=cleaned.official,
        ocr=cleaned.ocr,
    )
    return [article], []


def _without_path(message: str, path: Path) -> str:
    return message.removeprefix(f"{path}: ")


def _read_txt(data: bytes, path: str) -> CleanedText:
    return clean_text_article(decode(data, path))


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_MD_HEADING = re.compile(r"#{1,6}\s+(.*?)\s*#*")
_MD_RULE = re.compile(r"(?:[-*_]\s*){3,}|=+|\|?[\s:|-]*-{3,}[\s:|-]*\|?")  # rules, setext, tables
_MD_LIST = re.compile(r"(?:[-*+]|\d{1,3}[.)])\s+")
_MD_INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML
]


def _read_markdown(data: bytes, path: str) -> CleanedText:
    text = decode(data, path)
    meta: dict[str, str] = {}
    front = _FRONT_MATTER.match(text)
    if front:
        for line in front[1].splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[front.end() :]
    title = meta.get("title", "")
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith("```") or re.match(r"\[[^\]]+\]:\s", line) or _MD_RULE.fullmatch(line):
            lines.append("")
            continue
        line = re.sub(r"^(?:>\s?)+", "", line)
        if line.startswith("|"):  # a table row
            line = " | ".join(cell.strip() for cell in line.strip("|").split("|"))
        heading = _MD_HEADING.fullmatch(line)
        if heading:
            line = heading[1]
            if not title and raw.startswith("# "):
                title = _md_inline(line)
                continue
        if heading or _MD_LIST.match(line):  # headings and list items are paragraphs
            line = re.sub(r"^[-*+]\s+", "", line)
            lines.extend(["", line, ""])
        else:
            lines.append(line)
    cleaned = clean_text_article(_md_inline(_join_soft_breaks(lines)), title=title)
    url = cleaned.url or meta.get("url", "")
    return CleanedText(
        title=cleaned.title,
        text=cleaned.text,
        source=cleaned.source or meta.get("source", "") or (source_from_url(url) if url else ""),
        url=url,
        published_at=cleaned.published_at or parse_date(meta.get("date", "")),
    )


def _join_soft_breaks(lines: list[str]) -> str:
    """One line per paragraph; a line ending a sentence also ends its paragraph."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        if current and (not line or line[-1] in ".!?…:;"):
            paragraphs.append(" ".join(current))
            current = []
    return "\n".join(paragraphs)


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text


def read_bytes(data: bytes, suffix: str, where: str) -> CleanedText:
    """A fetched body read as a file of that type would be (`where`: its address), except
    that an HTML page without a main text is refused rather than stripped of its tags."""
    if not data:
        raise IngestError(f"{where}: the page is empty", vi="trang không có nội dung")
    try:
        if suffix == ".html":
            return _read_html(data, where, fallback=False)
        return _READERS[suffix](data, where)
    except IngestError:
        raise
    except Exception as e:  # a parser choking on a page: said, never raised as such
        log.debug("failed to parse %s", where, exc_info=True)
        kind = suffix.lstrip(".").upper()
        raise IngestError(
            f"{where}: cannot parse the {kind} ({type(e).__name__})",
            vi=f"không đọc được nội dung {kind} của trang",
        ) from e


def _read_html(data: bytes, path: str, fallback: bool = True) -> CleanedText:
    import trafilatura  # slow to import; only needed for HTML

    page = decode(data, path)
    doc = trafilatura.bare_extraction(
        page, with_metadata=True, include_comments=False, include_tables=True
    )
    if (doc is None or not (doc.text or "").strip()) and not fallback:
        raise IngestError(
            f"{path}: the page holds no article text (a home page or a list of links?)",
            vi="trang này không có nội dung bài viết (có thể là trang chủ hoặc trang danh sách)",
        )
    if doc is None or not (doc.text or "").strip():
        log.info("%s: trafilatura found no main text, falling back to tag stripping", path)
        return clean_text_article(_strip_tags(page), title=_html_title(page))
    cleaned = clean_text_article(doc.text, title=doc.title or "")
    url = cleaned.url or doc.url or ""
    source = cleaned.source or doc.sitename or (source_from_url(url) if url else "")
    return CleanedText(
        title=cleaned.title,
        text=cleaned.text,
        source=normalize(source),
        url=url,
        published_at=cleaned.published_at or parse_date(doc.date or ""),
        official=cleaned.official,
    )


_HTML_DROP = re.compile(
    r"<(script|style|noscript|nav|header|footer|aside|form|head)\b.*?</\1\s*>", re.I | re.S
)
_HTML_BLOCK = re.compile(
    r"<(?:br|/?p|/div|/h[1-6]|/li|/tr|/article|/section|/table)\b[^>]*>", re.I
)


def _strip_tags(page: str) -> str:
    text = _HTML_BLOCK.sub("\n", _HTML_DROP.sub("\n", page))
    return html.unescape(re.sub(r"<[^>]*>", " ", text))


def _html_title(page: str) -> str:
    for pattern in (r"<h1\b[^>]*>(.*?)</h1>", r"<title\b[^>]*>(.*?)</title>"):
        m = re.search(pattern, page, re.I | re.S)
        if m:
            return html.unescape(re.sub(r"<[^>]*>", " ", m[1])).strip()
    return ""


_PAGE_NUMBER = re.compile(r"(?:trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?", re.I)
MIN_PAGE_CHARS = 20  # a page with less text than this is a scan (a page number, a stamp)
_JUNK_PDF_TITLE = re.compile(r"untitled|microsoft word\b.*|.*\.(?:docx?|pdf|odt)", re.I)


def _read_pdf(data: bytes, path: str) -> CleanedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(
                f"{path}: PDF is password-protected; save an unprotected copy",
                vi="tệp PDF có mật khẩu: hãy lưu một bản không khóa rồi gửi lại",
            )
        if len(reader.pages) == 0:
            raise IngestError(f"{path}: PDF has no pages", vi="tệp PDF không có trang nào")
    except (PdfReadError, PdfStreamError, ValueError) as e:
        raise IngestError(
            f"{path}: PDF is damaged or incomplete ({e}); export or download it again",
            vi="tệp PDF bị hỏng hoặc không đầy đủ: hãy xuất hoặc tải lại tệp",
        ) from e
    pages = [page.extract_text() or "" for page in reader.pages]
    scanned = [k for k, text in enumerate(pages) if len(text.strip()) < MIN_PAGE_CHARS]
    if scanned:  # pages that are images only: read them by OCR
        for number, text in ocr.page_texts(data, scanned, path).items():
            pages[number] = text
    lines = []
    for page in pages:
        for line in page.split("\n"):
            if not _PAGE_NUMBER.fullmatch(line.strip()):
                lines.append(line)
    text, encoding = from_legacy("\n".join(lines))
    if encoding is not None:
        log.info("%s: converted from %s to Unicode", path, NAMES[encoding])
    if not text.strip():
        raise IngestError(
            f"{path}: PDF has no text, and OCR found none on its pages",
            vi="tệp PDF không có chữ, nhận dạng chữ trên ảnh (OCR) cũng không thấy chữ nào",
        )
    title = (reader.metadata.title if reader.metadata else None) or ""
    if _JUNK_PDF_TITLE.fullmatch(title.strip()):
        title = ""
    cleaned = clean_text_article(text, title=title, wrapped=True)
    return dataclasses.replace(cleaned, ocr=bool(scanned))


def _read_docx(data: bytes, path: str) -> CleanedText:
    import zipfile

    import docx
    from docx.table import Table

    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 file: an old .doc renamed .docx
        raise IngestError(f"{path}: {OLD_WORD}", vi=OLD_WORD_VI)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        zip_file = not isinstance(e, zipfile.BadZipFile)
        what = "holds no Word text" if zip_file else "is not a ZIP archive"
        raise IngestError(
            f"{path}: not a Word document (.docx): the file {what}; "
            "save it from Word or LibreOffice as .docx",
            vi="không phải tệp Word (.docx): hãy lưu lại từ Word hoặc LibreOffice thành .docx",
        ) from e
    default_font = document.styles["Normal"].font.name if "Normal" in document.styles else None
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                texts = (
                    "\n".join(_docx_paragraph(p, default_font) for p in cell.paragraphs)
                    for cell in row.cells
                )
                cells = list(dict.fromkeys(t.strip() for t in texts))  # merged cells
                lines.append(" | ".join(c for c in cells if c))
        else:
            lines.append(_docx_paragraph(block, default_font))
    title = document.core_properties.title or ""
    text, encoding = from_legacy("\n".join(lines))  # legacy text in a font of another name
    if encoding is not None:
        log.info("%s: converted from %s to Unicode", path, NAMES[encoding])
    return clean_text_article(text, title=title)


def _docx_paragraph(paragraph: object, default_font: str | None) -> str:
    """A paragraph's text, each run typed in a TCVN3 or VNI font converted to Unicode."""
    from docx.text.hyperlink import Hyperlink

    style = getattr(paragraph, "style", None)
    style_font = style.font.name if style is not None else None
    parts = []
    for item in paragraph.iter_inner_content():  # type: ignore[attr-defined]
        for run in item.runs if isinstance(item, Hyperlink) else (item,):
            font = run.font.name or style_font or default_font
            encoding = font_encoding(font)
            text = run.text
            if encoding is not None and text:
                text = convert(text, encoding)
                if is_uppercase_font(font):
                    text = text.upper()
            parts.append(text)
    return "".join(parts)


_READERS: dict[str, Callable[[bytes, str], CleanedText]] = {
    ".txt": _read_txt,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}


def _read_jsonl(data: bytes, path: Path) -> tuple[list[Article], list[Problem]]:
    """One article per line (`doc_id`, `text`, optional `title`, `url`, `published_at`)."""
    articles: list[Article] = []
    problems: list[Problem] = []
    for number, line in enumerate(decode(data, str(path)).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            articles.append(_jsonl_article(line, path))
        except IngestError as e:
            problems.append(Problem(str(path), str(e), number, vi=e.vi))
    return articles, problems


def _jsonl_article(line: str, path: Path) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise IngestError(
            f"invalid JSON: {e.msg} (column {e.colno})",
            vi=f"không phải JSON hợp lệ (cột {e.colno})",
        ) from e
    if not isinstance(record, dict):
        raise IngestError(
            f"expected a JSON object, got {type(record).__name__}",
            vi="mỗi dòng phải là một đối tượng JSON",
        )
    doc_id = record.get("doc_id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise IngestError("missing or empty 'doc_id'", vi="thiếu mã bài ('doc_id')")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError(
            f"article {doc_id!r}: missing or empty 'text'", vi=f"bài {doc_id!r}: thiếu nội dung"
        )
    body = clean_body(from_legacy(text)[0])
    if not body:
        raise IngestError(
            f"article {doc_id!r}: no article text left after cleaning",
            vi=f"bài {doc_id!r}: không còn nội dung nào sau khi làm sạch",
        )
    title = record.get("title") if isinstance(record.get("title"), str) else ""
    url = record.get("url") if isinstance(record.get("url"), str) else ""
    source = record.get("source") if isinstance(record.get("source"), str) else ""
    published = record.get("published_at")
    return Article(
        doc_id=doc_id.strip(),
        title=clean_title(title) or title_from_text(body),
        text=body,
        source=normalize(source.strip()) or (source_from_url(url) if url else ""),
        url=url.strip(),
        published_at=parse_date(published) if isinstance(published, str) else "",
        path=str(path),
        official=_official_of(record, doc_id),
        ocr=record.get("ocr") is True,
    )


def _official_of(record: dict, doc_id: str) -> Official | None:
    """An official document's header kept in a record (`official`: its fields), or None."""
    header = record.get("official")
    if header is None:
        return None
    try:
        return Official.from_json(json.dumps(header))
    except (TypeError, ValueError) as e:
        raise IngestError(
            f"article {doc_id!r}: 'official' is not a document header ({e})",
            vi=f"bài {doc_id!r}: phần 'official' không phải thông tin văn bản",
        ) from e


def _deduplicate(articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """Keep the first of identical articles and the last of articles sharing a doc_id."""
    problems: list[Problem] = []
    first_by_hash: dict[str, str] = {}
    by_id: dict[str, Article] = {}
    for article in articles:
        digest = article.content_hash
        if digest in first_by_hash:
            first = first_by_hash[digest]
            vi = f"trùng nội dung với bài {first}"
            problems.append(Problem(article.path, f"duplicate of {first}", vi=vi))
            continue
        first_by_hash[digest] = article.doc_id
        previous = by_id.pop(article.doc_id, None)
        if previous is not None:
            problems.append(
                Problem(
                    previous.path,
                    f"doc_id {article.doc_id!r} is also used by {article.path}; "
                    "keeping the later one",
                    vi=f"mã bài {article.doc_id!r} trùng với {Path(article.path).name}; "
                    "giữ bài sau",
                )
            )
        by_id[article.doc_id] = article
    return list(by_id.values()), problems
