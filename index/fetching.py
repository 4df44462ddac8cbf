"""Articles added by link: `hoidap index add https://…`, `/them <url>` in chat.

A page is fetched over http(s) only (nothing else is ever opened: no file, no ftp), with a
connect and read timeout, a limit on the whole exchange, at most MAX_REDIRECTS redirects
and at most MAX_BYTES of body; then read as the readers read a file of its type (an HTML
page through trafilatura, a PDF or DOCX as such) and refused when it holds no article (a
home page, a list of links). Every refusal says why, in English and in Vietnamese.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from index.chunking import split_sentences
from index.documents import Article
from index.errors import IngestError
from index.readers import read_bytes
from index.vietnamese import fold

MAX_BYTES = 10 * 1024 * 1024  # a news page is well under 1 MB; a scanned PDF may be more
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 15.0  # to connect, and between two reads
TOTAL_SECONDS = 60.0  # for the whole exchange (a server that trickles bytes)
# Less main text than this, or fewer sentences of SENTENCE_WORDS words, is not an article
# (a home page, a list of links or headlines).
MIN_ARTICLE_CHARS = 200
MIN_SENTENCES = 2
SENTENCE_WORDS = 10
USER_AGENT = "hoidap/0.1 (+https://github.com/; article fetcher)"
TYPES = {  # content type → the reader's file suffix
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
LINKS_DIR = "tu-lien-ket"  # in the corpus dir: one JSONL record per article added by link


@dataclass(frozen=True)
class Fetched:
    """A page as it came: its final address (after redirects), type and body."""

    url: str
    content_type: str
    body: bytes


def is_link(text: str) -> bool:
    """Whether an argument is a web address rather than a path."""
    return bool(re.match(r"(?i)^https?://", text.strip()))


def check_url(url: str) -> str:
    """The URL, stripped, if it is an http(s) address with a host; IngestError otherwise."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise IngestError(
            f"{url[:200]}: only http:// and https:// addresses are fetched",
            vi="chỉ nhận địa chỉ trang web bắt đầu bằng http:// hoặc https://",
        )
    if not parts.hostname:
        raise IngestError(f"{url[:200]}: the address has no host", vi="địa chỉ không có tên miền")
    return url


def fetch(
    url: str, client: httpx.Client | None = None, accept: Collection[str] = TYPES
) -> Fetched:
    """The page at `url`, within the limits above, if its content type is one of `accept`
    (the article types by default); IngestError with the reason otherwise."""
    url = check_url(url)
    own = client is None
    client = client or httpx.Client(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(TIMEOUT_SECONDS),
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/pdf;q=0.9,*/*;q=0.5"},
    )
    started = time.monotonic()
    try:
        with client.stream("GET", url) as response:
            final = str(response.url)
            check_url(final)  # (httpx follows http(s) redirects only; said again here)
            if response.status_code != 200:
                raise IngestError(
                    f"{url}: the server answered {response.status_code} {response.reason_phrase}",
                    vi=f"trang trả về lỗi {response.status_code}"
                    + (" (không có trang này)" if response.status_code == 404 else ""),
                )
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in accept:
                raise IngestError(
                    f"{url}: not an article page (content type {content_type or 'none'})",
                    vi=f"địa chỉ này không phải trang bài viết (kiểu nội dung "
                    f"{content_type or 'không rõ'})",
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise _too_big(url)
            body = bytearray()
            for piece in response.iter_bytes():
                body += piece
                if len(body) > MAX_BYTES:
                    raise _too_big(url)
                if time.monotonic() - started > TOTAL_SECONDS:
                    raise _too_slow(url)
    except httpx.TooManyRedirects as e:
        raise IngestError(
            f"{url}: more than {MAX_REDIRECTS} redirects (a redirect loop?)",
            vi=f"trang chuyển hướng quá {MAX_REDIRECTS} lần (vòng lặp chuyển hướng?)",
        ) from e
    except httpx.TimeoutException as e:
        raise _too_slow(url) from e
    except httpx.HTTPError as e:
        raise IngestError(
            f"{url}: cannot fetch it ({type(e).__name__})",
            vi="không tải được trang (không kết nối được tới máy chủ)",
        ) from e
    finally:
        if own:
            client.close()
    return Fetched(final, content_type, bytes(body))


def fetch_article(url: str, client: httpx.Client | None = None) -> Article:
    """The article at `url`, read and cleaned, its doc_id made from the address."""
    page = fetch(url, client)
    cleaned = read_bytes(page.body, TYPES[page.content_type], page.url)
    if cleaned.official is None and not _reads_as_article(cleaned.text):
        raise IngestError(
            f"{url}: the page holds no article text (a home page or a list of links?)",
            vi="trang này không có nội dung bài viết (có thể là trang chủ hoặc trang danh sách)",
        )
    return Article(
        doc_id=doc_id_from_url(page.url),
        title=cleaned.title,
        text=cleaned.text,
        source=cleaned.source,
        url=page.url,  # where it was read, whatever address its text gives
        published_at=cleaned.published_at,
        official=cleaned.official,
        ocr=cleaned.ocr,
    )


def _reads_as_article(text: str) -> bool:
    """Enough text, in sentences: a list of links or headlines is not an article."""
    sentences = [text[a:b] for a, b in split_sentences(text)]
    long_ones = sum(1 for s in sentences if len(s.split()) >= SENTENCE_WORDS)
    return len(text) >= MIN_ARTICLE_CHARS and long_ones >= MIN_SENTENCES


def doc_id_from_url(url: str) -> str:
    """`baolaocai.vn/bai-viet/213010-nhieu-giai-phap` → `baolaocai-vn-bai-viet-213010-…`,
    at most 80 characters, with a short hash of the address when cut."""
    parts = urlsplit(url)
    raw = f"{parts.hostname or ''}{parts.path}{'-' + parts.query if parts.query else ''}"
    slug = re.sub(r"[^a-z0-9]+", "-", fold(raw).lower()).strip("-")
    slug = re.sub(r"-(?:html?|aspx?|php)$", "", slug)
    if len(slug) > 80:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
        slug = f"{slug[:71].rstrip('-')}-{digest}"
    return slug or "trang-web"


def keep(article: Article, corpus_dir: Path) -> Path:
    """Write an article added by link into the corpus dir (one JSONL record, with its
    address and header), so that a re-index from the corpus keeps it."""
    folder = corpus_dir / LINKS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{article.doc_id}.jsonl"
    record = {
        "doc_id": article.doc_id,
        "title": article.title,
        "text": article.text,
        "source": article.source,
        "url": article.url,
        "published_at": article.published_at,
    }
    if article.official is not None:
        record["official"] = asdict(article.official)
    if article.ocr:
        record["ocr"] = True
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(target)
    return target


def _too_big(url: str) -> IngestError:
    limit = MAX_BYTES // (1024 * 1024)
    return IngestError(
        f"{url}: the page is over {limit} MB", vi=f"trang nặng quá {limit} MB, không tải"
    )


def _too_slow(url: str) -> IngestError:
    return IngestError(
        f"{url}: the server did not answer in time", vi="máy chủ trang web không trả lời kịp"
    )
