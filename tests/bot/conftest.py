"""Fixtures for the bot: a service on the real index, a fake Bot API, a running PTB bot."""

from __future__ import annotations

import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.launch import TelegramBot, Webhook, build_application
from bot.service import ChatService
from bot.store import Store
from index.builder import IndexBuilder
from index.embedders import Embedder
from index.readers import read_paths
from retrieval.answering import Answerer
from retrieval.searcher import Searcher
from tests.bot.fake_telegram import TOKEN, FakeTelegram
from tests.conftest import CORPUS

ADMIN = 42
MEMBER = 1001
WEBHOOK_SECRET = "s3cret-Token_1"


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
    svc.store.close()


@pytest.fixture
def admin_service(
    built_data_dir: Path, corpus_dir: Path, tmp_path: Path, embedder: Embedder
) -> ChatService:
    """A service on a writable index, for admin operations."""
    svc = make_service(built_data_dir, corpus_dir, embedder, tmp_path / "bot.sqlite")
    yield svc
    svc.store.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API, listening on 127.0.0.1."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def start_bot(
    fake: FakeTelegram, service: ChatService, webhook: Webhook | None = None, **kw
) -> TelegramBot:
    """The real PTB Application, started against the fake."""
    app = build_application(
        service, TOKEN, fake.base_url, [ADMIN], polling=webhook is None, attempts=3, backoff=0.05
    )
    bot = TelegramBot(app, [ADMIN], webhook=webhook, poll_timeout=2, **kw)
    await bot.start()
    return bot


@pytest.fixture
async def bot(fake: FakeTelegram, service: ChatService) -> AsyncIterator[TelegramBot]:
    """A bot in long-polling mode on the sample index."""
    running = await start_bot(fake, service)
    yield running
    await running.stop()


@pytest.fixture
async def admin_bot(fake: FakeTelegram, admin_service: ChatService) -> AsyncIterator[TelegramBot]:
    """A bot in long-polling mode on a writable index."""
    running = await start_bot(fake, admin_service)
    yield running
    await running.stop()
