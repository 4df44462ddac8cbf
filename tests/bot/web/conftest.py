"""The console served by uvicorn on 127.0.0.1 in a thread of its own (the browser and the
HTTP client are synchronous), over the sample index and a bot.sqlite with real answers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.service import ChatService
from bot.web.app import ConsoleConfig, create_app
from bot.web.auth import SignInGuard, hash_password
from bot.web.server import WebConsole
from index.embedders import Embedder
from tests.bot.conftest import make_service
from tests.conftest import ROOT

PASSWORD = "mat-khau-bang-dieu-khien"
TOKEN = "token-dang-nhap-0123456789abcdef"
SECRET_KEY = "khoa-ky-phien-cho-kiem-thu-0123456789"
ASKED = [  # (chat, question): answered and declined ones, as members asked them
    ("1", "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?"),
    ("2", "ct05 cua bct ve gi"),
    ("3", "Giá vé máy bay Hà Nội đi Đà Nẵng tháng sau là bao nhiêu?"),
    ("4", "Nghị quyết 99-NQ/TW về kinh tế vũ trụ nói gì?"),
]
OUTPUT = Path(os.environ.get("HOIDAP_TEST_OUTPUT", "test-output")) / "console"


@dataclass
class Console:
    url: str
    service: ChatService
    eval_file: Path
    question_ids: list[int]


class ConsoleThread:
    """Runs the console's event loop in a thread until `stop()`."""

    def __init__(
        self, service: ChatService, config: ConsoleConfig, guard: SignInGuard | None = None
    ) -> None:
        self.service = service
        self.config = config
        self.guard = guard or SignInGuard()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.question_ids: list[int] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="console", daemon=True)
        self.console: WebConsole | None = None

    def start(self) -> None:
        self._thread.start()
        self.ready.wait()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            for chat, question in ASKED:
                reply = await self.service.ask("telegram", chat, f"u{chat}", question)
                self.question_ids.append(reply.question_id)
            self.service.store.vote(self.question_ids[0], "u1", 1)
            self.service.store.vote(self.question_ids[1], "u2", -1, "source")
            app = create_app(self.service, self.config, self.guard)
            self.console = WebConsole(app, "127.0.0.1", 0)
            await self.console.start()
        except BaseException as exc:  # reported to the test thread
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        await self._stop.wait()
        await self.console.stop()


@contextlib.contextmanager
def running_console(
    seed_data_dir: Path, root: Path, embedder: Embedder, guard: SignInGuard | None = None
) -> Iterator[Console]:
    """A console on a port of its own, signed in with PASSWORD or TOKEN."""
    data_dir = root / "data"
    shutil.copytree(seed_data_dir, data_dir)
    service = make_service(data_dir, root / "corpus", embedder, root / "bot.sqlite")
    config = ConsoleConfig(
        secret_key=SECRET_KEY,
        password_hash=hash_password(PASSWORD),
        token=TOKEN,
        secure_cookie=False,  # 127.0.0.1, plain HTTP
        eval_file=root / "console_qa.jsonl",
        reports_dir=root / "reports",
        question_sets=(_small_set(root / "ba_cau_qa.jsonl"),),
    )
    thread = ConsoleThread(service, config, guard)
    thread.start()
    assert thread.console is not None
    try:
        yield Console(
            thread.console.url.rstrip("/"), service, config.eval_file, thread.question_ids
        )
    finally:
        thread.stop()
        service.close()


@pytest.fixture(scope="module")
def console(
    seed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[Console]:
    """One console for a test module."""
    with running_console(seed_data_dir, tmp_path_factory.mktemp("console"), embedder) as c:
        yield c


def _small_set(path: Path) -> Path:
    """The first three questions of the in-domain set: a run the tests can wait for."""
    lines = (ROOT / "eval" / "indomain_qa.jsonl").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    return path


def csrf_of(html: str) -> str:
    """The CSRF token of a page's first form."""
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


@contextlib.contextmanager
def signed_in(console: Console, secret: str = PASSWORD) -> Iterator[httpx.Client]:
    """An HTTP client holding an admin session."""
    with httpx.Client(base_url=console.url, follow_redirects=False, timeout=30) as client:
        token = csrf_of(client.get("/dang-nhap").text)
        form = {"csrf": token, "mat_khau": secret, "tiep": "/"}
        response = client.post("/dang-nhap", data=form)
        assert response.status_code == 303, response.text
        yield client
