"""Fixtures for the bot: a service on the real index, fake Bot APIs, running bots."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import socket
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.service import ChatService
from bot.store import Store
from bot.telegram.launch import TelegramBot, build_application
from bot.webhook import Webhook
from bot.zalo.client import ZaloClient
from bot.zalo.launch import ZaloBot
from index.builder import IndexBuilder
from index.embedders import Embedder
from index.errors import HoidapError
from index.readers import read_paths
from retrieval.answering import Answerer
from retrieval.searcher import Searcher
from tests.bot import fake_zalo
from tests.bot.fake_api import FakeBotApi
from tests.bot.fake_telegram import TOKEN, FakeTelegram
from tests.bot.fake_zalo import FakeZalo
from tests.conftest import CORPUS

ADMIN = 42
MEMBER = 1001
WEBHOOK_SECRET = "s3cret-Token_1"
QUESTION = "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?"  # answer: 10/9/2018

AnyBot = TypeVar("AnyBot", TelegramBot, ZaloBot)


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_service(
    data_dir: Path, corpus_dir: Path, embedder: Embedder, db: Path, **kw
) -> ChatService:
    """A ChatService over a data dir, the way `hoidap run` builds it."""
    return ChatService(
        Answerer(Searcher(data_dir, embedder)),
        IndexBuilder(data_dir, embedder, progress=False),
        corpus_dir,
        Store(db),
        **kw,
    )


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A writable copy of the sample corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def built_data_dir(data_dir: Path, corpus_dir: Path, embedder: Embedder) -> Path:
    """A writable data dir with the sample corpus indexed (fast: vectors are cached)."""
    IndexBuilder(data_dir, embedder, progress=False).build(read_paths([corpus_dir]).articles)
    return data_dir


@pytest.fixture
def service(seed_data_dir: Path, tmp_path: Path, embedder: Embedder) -> ChatService:
    """A service on the read-only sample index (no admin writes)."""
    svc = make_service(
        seed_data_dir, tmp_path / "corpus-unused", embedder, tmp_path / "bot.sqlite"
    )
    yield svc
    svc.close()


@pytest.fixture
def admin_service(
    built_data_dir: Path, corpus_dir: Path, tmp_path: Path, embedder: Embedder
) -> ChatService:
    """A service on a writable index, for admin operations."""
    svc = make_service(built_data_dir, corpus_dir, embedder, tmp_path / "bot.sqlite")
    yield svc
    svc.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Telegram Bot API, listening on 127.0.0.1."""
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """The fake Zalo Bot API, listening on 127.0.0.1."""
    async with FakeZalo() as server:
        yield server


async def start_bot(
    fake: FakeTelegram, service: ChatService, webhook: Webhook | None = None, **kw: Any
) -> TelegramBot:
    """The real PTB Application, started against the fake."""
    app = build_application(
        service,
        TOKEN,
        fake.base_url,
        [ADMIN],
        polling=webhook is None,
        attempts=3,
        backoff=0.05,
        typing_after=kw.pop("typing_after", 0.0),  # "typing…" before every answer
    )
    bot = TelegramBot(app, [ADMIN], webhook=webhook, poll_timeout=2, **kw)
    await bot.start()
    return bot


async def start_zalo_bot(zalo: FakeZalo, service: ChatService, **kw: Any) -> ZaloBot:
    """The real ZaloClient and ZaloBot (admin fake_zalo.ADMIN), started against the fake."""
    client = ZaloClient(fake_zalo.TOKEN, zalo.base_url, attempts=3, backoff=0.05)
    bot = ZaloBot(
        service,
        client,
        [fake_zalo.ADMIN],
        poll_timeout=kw.pop("poll_timeout", 2),
        typing_after=kw.pop("typing_after", 0.0),  # "typing…" before every answer
        **kw,
    )
    try:
        await bot.start()
    except BaseException:
        await client.aclose()
        raise
    return bot


@contextlib.asynccontextmanager
async def running(starting: Coroutine[Any, Any, AnyBot]) -> AsyncIterator[AnyBot]:
    """The bot `starting` starts, stopped on the way out."""
    bot = await starting
    try:
        yield bot
    finally:
        await bot.stop()


@contextlib.asynccontextmanager
async def started_while_down(
    api: FakeBotApi[Any], starting: Coroutine[Any, Any, AnyBot]
) -> AsyncIterator[AnyBot]:
    """Start a bot while its Bot API is down, then bring the API up; stop both on the way out."""
    api.port = free_port()
    failed = asyncio.Event()
    loop = asyncio.get_running_loop()

    class FailedAttempt(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "unreachable" in record.getMessage():
                loop.call_soon_threadsafe(failed.set)

    handler = FailedAttempt()
    logging.getLogger("bot.running").addHandler(handler)
    try:
        task = asyncio.create_task(starting)
        await asyncio.wait_for(failed.wait(), 30)  # an attempt failed; the bot keeps trying
        assert not task.done()
        await api.start(api.port)
        async with running(asyncio.wait_for(task, 30)) as bot:
            yield bot
    finally:
        logging.getLogger("bot.running").removeHandler(handler)
        await api.stop()


async def startup_error(api: FakeBotApi[Any], starting: Coroutine[Any, Any, AnyBot]) -> str:
    """The message of the HoidapError a bot's start raises when its Bot API never comes up."""
    api.port = free_port()
    with pytest.raises(HoidapError) as raised:
        await starting
    return str(raised.value)


@pytest.fixture
async def bot(fake: FakeTelegram, service: ChatService) -> AsyncIterator[TelegramBot]:
    """A Telegram bot in long-polling mode on the sample index."""
    async with running(start_bot(fake, service)) as started:
        yield started


@pytest.fixture
async def admin_bot(fake: FakeTelegram, admin_service: ChatService) -> AsyncIterator[TelegramBot]:
    """A Telegram bot in long-polling mode on a writable index."""
    async with running(start_bot(fake, admin_service)) as started:
        yield started


@pytest.fixture
async def zalo_bot(zalo: FakeZalo, service: ChatService) -> AsyncIterator[ZaloBot]:
    """A Zalo bot in long-polling mode on the sample index."""
    async with running(start_zalo_bot(zalo, service)) as started:
        yield started


@pytest.fixture
async def zalo_admin_bot(zalo: FakeZalo, admin_service: ChatService) -> AsyncIterator[ZaloBot]:
    """A Zalo bot in long-polling mode on a writable index."""
    async with running(start_zalo_bot(zalo, admin_service)) as started:
        yield started
