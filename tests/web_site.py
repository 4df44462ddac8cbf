"""A small news site on 127.0.0.1 for the tests that add articles by link: a real HTTP
server (the standard library's, in a thread) serving realistic pages built from the sample
corpus, an official document as PDF, and the ways a site goes wrong."""

from __future__ import annotations

import contextlib
import html
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import CORPUS
from tests.index.official_samples import CHI_THI_05, write_pdf

ARTICLE_FILE = CORPUS / "000_779c702780cfd434.txt"  # Lào Cai: Quy định 03 of 10/9/2018
SLOW_SECONDS = 3.0  # how long /cham keeps the client waiting (its timeout is set lower)
BIG_BYTES = 20 * 1024 * 1024


NEW_TITLE = "Đảng bộ huyện Bát Xát đưa sổ tay đảng viên điện tử vào sinh hoạt chi bộ"
NEW_PARAGRAPHS = [
    "Thực hiện Chỉ thị số 99-CT/TW ngày 2/3/2024 của Ban Bí thư về chuyển đổi số trong công "
    "tác xây dựng Đảng, Đảng bộ huyện Bát Xát đã cài đặt sổ tay đảng viên điện tử cho 4.215 "
    "đảng viên, đạt 96% tổng số đảng viên toàn Đảng bộ.",
    "Các chi bộ được hướng dẫn dùng sổ tay để nhận tài liệu sinh hoạt, theo dõi nghị quyết "
    "và báo cáo kết quả thực hiện nhiệm vụ được giao hằng tháng.",
    "Ban Thường vụ Huyện ủy giao Ban Tuyên giáo chủ trì kiểm tra, đôn đốc việc sử dụng sổ "
    "tay đảng viên điện tử tại 58 tổ chức cơ sở đảng trong năm 2024.",
]


def article_page(title: str | None = None, paragraphs: list[str] | None = None) -> bytes:
    """A news page as Vietnamese portals lay them out: menu, article, related links, footer;
    by default the sample corpus's Lào Cai article."""
    if title is None or paragraphs is None:
        lines = ARTICLE_FILE.read_text(encoding="utf-8").splitlines()
        title, *paragraphs = [p.strip() for p in lines if p.strip() and not p.startswith("http")]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    menu = "".join(f'<li><a href="/muc/{k}">Chuyên mục {k}</a></li>' for k in range(1, 12))
    related = "".join(
        f'<li><a href="/bai-viet/{k}">Tin liên quan số {k} về công tác xây dựng Đảng</a></li>'
        for k in range(1, 8)
    )
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>{html.escape(title)} - Báo Lào Cai điện tử</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="Báo Lào Cai">
<meta property="article:published_time" content="2018-09-20T08:30:00+07:00">
</head><body>
<header><div class="logo">Báo Lào Cai</div><nav><ul>{menu}</ul></nav></header>
<main><article>
<h1>{html.escape(title)}</h1>
<div class="meta"><time datetime="2018-09-20T08:30:00+07:00">Thứ Năm, 20/09/2018 08:30</time></div>
<div class="content">{body}</div>
</article>
<aside><h3>Tin liên quan</h3><ul>{related}</ul></aside></main>
<footer><p>Cơ quan chủ quản: Tỉnh ủy Lào Cai. Giấy phép số 10/GP-BTTTT.</p></footer>
</body></html>""".encode()


def home_page() -> bytes:
    """A section page: only links, no article."""
    links = "".join(f'<li><a href="/bai-viet/{k}">Bài viết số {k}</a></li>' for k in range(1, 40))
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Báo Lào Cai - Trang chủ</title></head>
<body><nav><ul>{links}</ul></nav></body></html>""".encode()


def document_pdf() -> bytes:
    """Chỉ thị 05-CT/TW as its PDF on an official portal."""
    with tempfile.TemporaryDirectory() as folder:
        return write_pdf(CHI_THI_05, Path(folder)).read_bytes()


class FakeSite:
    """`with FakeSite() as site: site.url("/bai-viet/nhieu-giai-phap.html")`."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        pages: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
            "/bai-viet/nhieu-giai-phap.html": lambda h: _send(
                h, 200, "text/html; charset=utf-8", article_page()
            ),
            "/bai-viet/so-tay-dang-vien.html": lambda h: _send(
                h, 200, "text/html; charset=utf-8", article_page(NEW_TITLE, NEW_PARAGRAPHS)
            ),
            "/rss": lambda h: _send(h, 200, "application/rss+xml; charset=utf-8", _feed(h)),
            "/trang-chu": lambda h: _send(h, 200, "text/html; charset=utf-8", home_page()),
            "/van-ban/chi-thi-05.pdf": lambda h: _send(h, 200, "application/pdf", document_pdf()),
            "/anh.png": lambda h: _send(h, 200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(100)),
            "/rong": lambda h: _send(h, 200, "text/html", b""),
            "/chuyen": lambda h: _redirect(h, "/bai-viet/nhieu-giai-phap.html"),
            "/vong": lambda h: _redirect(h, "/vong"),
            "/sang-file": lambda h: _redirect(h, "file:///etc/passwd"),
            "/cham": _slow,
            "/lon": _big,
            "/loi": lambda h: _send(h, 500, "text/html", b"<h1>Internal Server Error</h1>"),
        }
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                page = pages.get(self.path.split("?", 1)[0])
                if page is None:
                    _send(self, 404, "text/html", b"<h1>404 Not Found</h1>")
                else:
                    page(self)

            def log_message(self, *args: object) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> FakeSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()


FEED_ITEMS = [  # (link path, title): new, the same again, broken, the first at another address
    ("/bai-viet/so-tay-dang-vien.html", NEW_TITLE),
    ("/bai-viet/so-tay-dang-vien.html", NEW_TITLE),
    ("/khong-co", "Bài đã gỡ"),
    ("/bai-viet/so-tay-dang-vien.html?utm_source=rss", NEW_TITLE),
]


def _feed(handler: BaseHTTPRequestHandler) -> bytes:
    """An RSS 2.0 feed whose links point back at this site."""
    host = f"http://{handler.headers.get('Host')}"
    items = "".join(
        f"<item><title>{html.escape(title)}</title><link>{html.escape(host + path)}</link>"
        f"<pubDate>Mon, 02 Dec 2024 08:00:00 +0700</pubDate></item>"
        for path, title in FEED_ITEMS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Báo Lào Cai - Xây dựng Đảng</title><link>{host}/</link>{items}"
        "</channel></rss>"
    ).encode()


def _send(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _redirect(handler: BaseHTTPRequestHandler, location: str) -> None:
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _slow(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then nothing for SLOW_SECONDS (the simulated slow server)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    handler.wfile.flush()
    time.sleep(SLOW_SECONDS)
    with contextlib.suppress(OSError):  # the client gave up, as it should
        handler.wfile.write(article_page())


def _big(handler: BaseHTTPRequestHandler) -> None:
    """20 MB of HTML without a Content-Length: only reading it tells its size."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    chunk = b"<p>" + b"x" * 65_530 + b"</p>"
    try:
        for _ in range(BIG_BYTES // len(chunk) + 1):
            handler.wfile.write(chunk)
    except OSError:  # the client stopped reading at its limit
        pass
