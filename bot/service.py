"""What the bot does, for every channel: answer, page, take feedback, manage the corpus."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from bot.followup import FollowUps
from bot.ratelimit import RateLimiter
from bot.stats import number, stats_text
from bot.store import Status, Store
from index.builder import BuildReport, IndexBuilder
from index.documents import Article
from index.errors import HoidapError
from index.readers import SUPPORTED_SUFFIXES, doc_id_from_path, read_paths
from index.vietnamese import fold
from retrieval.answering import ANSWER_THREADS, MAX_QUESTION_CHARS, Answer, Answerer, Citation

log = logging.getLogger(__name__)

PAGE_SIZE = 3
MAX_PAGES = 5
FOUND_ARTICLES = 10  # listed by `/tim`, from the FIND_PASSAGES best passages
FIND_PASSAGES = 50
DOCUMENT_LINES = 10  # of `/vanban`; the rest is counted
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".pdf", ".docx", ".jsonl")
GREETINGS = frozenset({"chao", "xin chao", "chao ban", "hello", "hi", "alo", "cam on", "thanks"})

EMPTY = (
    "Bạn chưa nhập câu hỏi. Hãy gõ câu hỏi về chỉ thị, nghị quyết của Đảng, "
    "ví dụ: “Chỉ thị 05 của Bộ Chính trị nói về gì?”"
)
TOO_LONG = (
    "Câu hỏi dài {length} ký tự, vượt quá giới hạn {limit} ký tự. "
    "Vui lòng hỏi ngắn gọn hơn, mỗi lần một ý."
)
SLOW_DOWN = "Bạn hỏi hơi nhanh. Vui lòng chờ khoảng {seconds} giây rồi hỏi tiếp nhé."
GREETING = (
    "Xin chào! Tôi trả lời câu hỏi về chỉ thị, nghị quyết của Đảng, có dẫn nguồn. "
    "Gõ /help để xem hướng dẫn."
)
FAILED = "Xin lỗi, hệ thống đang gặp sự cố nên chưa trả lời được. Vui lòng thử lại sau ít phút."
BUSY = "Chỉ mục đang được cập nhật, vui lòng thử lại sau ít phút."


@dataclass(frozen=True)
class Reply:
    """The outcome of one question: an answer, or a message saying why there is none."""

    status: Status
    text: str  # what to show when there is no answer
    answer: Answer | None = None
    question_id: int | None = None


@dataclass(frozen=True)
class Passage:
    """A retrieved passage shown by "Thêm kết quả"."""

    doc_id: str
    title: str
    source: str
    url: str
    published_at: str
    text: str


@dataclass(frozen=True)
class Page:
    """One page of further results for a stored question."""

    question: str
    page: int
    passages: tuple[Passage, ...]
    has_more: bool


@dataclass(frozen=True)
class CorpusInfo:
    """What the bot knows: article count and the latest article date."""

    articles: int
    chunks: int
    latest: str  # ISO date of the newest dated article, or ""


@dataclass(frozen=True)
class AdminResult:
    """The outcome of an admin operation, said in Vietnamese."""

    ok: bool
    text: str


class ChatService:
    """The channel-agnostic bot: Telegram, Zalo and the tests all call these methods."""

    def __init__(
        self,
        answerer: Answerer,
        builder: IndexBuilder,
        corpus_dir: Path,
        store: Store,
        per_minute: float = 6.0,
        burst: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.answerer = answerer
        self.builder = builder
        self.corpus_dir = Path(corpus_dir)
        self.store = store
        self.limiter = RateLimiter(per_minute, burst, clock)
        self.followups = FollowUps()
        self._clock = clock
        self._admin = asyncio.Lock()
        # Questions answered at once: as many as the answerer has threads, so that those of
        # a busy moment reach the query embedder together and are embedded as one batch.
        self._answering = asyncio.Semaphore(ANSWER_THREADS)

    # -- members --------------------------------------------------------------------

    async def ask(
        self,
        channel: str,
        chat: str,
        user: str,
        text: str,
        message: str | None = None,
        rate_limited: bool = True,
    ) -> Reply | None:
        """Answer a question; None when this channel message was already handled.

        `rate_limited=False` for a channel whose one user is trusted (the terminal)."""
        started = time.perf_counter()
        question = text.strip()
        qid = self.store.claim(channel, chat, user, question, message)
        if qid is None:
            log.info("%s message %s already handled: not answering twice", channel, message)
            return None
        if not question or len(question) > MAX_QUESTION_CHARS:
            reply = EMPTY if not question else TOO_LONG
            reply = reply.format(length=number(len(question)), limit=number(MAX_QUESTION_CHARS))
            self.store.finish(qid, Status.REJECTED, text=reply)
            return Reply(Status.REJECTED, reply, question_id=qid)
        if " ".join(fold(question).strip("!.? ").split()) in GREETINGS:
            self.store.finish(qid, Status.GREETING, text=GREETING)
            return Reply(Status.GREETING, GREETING, question_id=qid)
        wait = self.limiter.take(f"{channel}:{user}") if rate_limited else 0.0
        if wait > 0:
            reply = SLOW_DOWN.format(seconds=max(1, round(wait)))
            self.store.finish(qid, Status.RATE_LIMITED, text=reply)
            return Reply(Status.RATE_LIMITED, reply, question_id=qid)
        resolved = self.followups.resolve(chat, question, self._clock())
        try:
            async with self._answering:
                answer = await self.answerer.aanswer(resolved)
        except HoidapError:
            log.exception("question %d could not be answered", qid)
            self.store.finish(qid, Status.FAILED, text=FAILED, resolved=resolved)
            return Reply(Status.FAILED, FAILED, question_id=qid)
        self.followups.remember(chat, resolved, self._clock())
        status = Status.DECLINED if answer.abstained else Status.ANSWERED
        latency = (time.perf_counter() - started) * 1000
        self.store.finish(qid, status, answer, resolved=resolved, latency_ms=latency)
        if resolved != question:
            log.info("question %d read as a follow-up: %r", qid, resolved)
        return Reply(status, answer.text, answer, qid)

    def undelivered(self, question_id: int) -> None:
        """Mark a question whose reply did not (fully) reach the member; the answer stays."""
        self.store.undelivered(question_id)

    def remember(self, channel: str, chat: str, question_id: int, page: int = 0) -> None:
        """The answer (and page of passages) the chat's next feedback or "more" is about."""
        self.store.remember(channel, chat, question_id, page)

    def last(self, channel: str, chat: str) -> tuple[int, int] | None:
        """(question id, page) of the chat's last answer, or None."""
        return self.store.last(channel, chat)

    def citations(self, question_id: int) -> tuple[Citation, ...] | None:
        """The citations of a stored answer ("Xem nguồn"), or None if unknown."""
        record = self.store.get(question_id)
        return None if record is None else record.citations

    async def more(self, question_id: int, page: int) -> Page | None:
        """Further passages for a stored question, `PAGE_SIZE` per page, cited ones left out."""
        record = self.store.get(question_id)
        if record is None or not record.resolved or not 1 <= page <= MAX_PAGES:
            return None
        needed = PAGE_SIZE * page + len(record.citations) + 1
        result = await self.answerer.asearch(record.resolved, k=needed + PAGE_SIZE)
        quotes = [q for c in record.citations for q in c.quotes]
        fresh = [h for h in result.hits if not any(q in h.chunk.text for q in quotes)]
        start = PAGE_SIZE * (page - 1)
        passages = tuple(
            Passage(
                h.chunk.doc_id,
                h.article.title,
                h.article.source,
                h.article.url,
                h.article.published_at,
                h.chunk.text,
            )
            for h in fresh[start : start + PAGE_SIZE]
        )
        has_more = len(fresh) > start + PAGE_SIZE and page < MAX_PAGES
        return Page(record.question, page, passages, has_more)

    def feedback(self, question_id: int, user: str, vote: int, reason: str | None = None) -> bool:
        """Store a 👍 (+1) or 👎 (-1) with an optional reason code; False if unknown."""
        return self.store.vote(question_id, user, vote, reason)

    def info(self) -> CorpusInfo:
        """Article count and latest date of the index being served."""
        snap = self.answerer.snapshot()
        dates = [a.published_at for a in snap.articles.values() if a.published_at]
        return CorpusInfo(len(snap.articles), len(snap.chunks), max(dates, default=""))

    def articles(self) -> list[Article]:
        """Every indexed article, newest first (undated last)."""
        articles = list(self.answerer.snapshot().articles.values())
        return sorted(articles, key=lambda a: (a.published_at or "0000", a.title), reverse=True)

    def documents(self, keywords: str = "") -> list[str]:
        """`/vanban`: one line per document of the register (bot/documents.py), most
        mentioned first, under a title; at most DOCUMENT_LINES lines."""
        from bot.documents import entries, entry_line

        snapshot = self.answerer.snapshot()
        found = entries(snapshot, keywords)
        if not found:
            return [texts.NO_DOCUMENTS.format(keywords=texts.echo(keywords))]
        title = (texts.DOCUMENTS_FOUND if keywords else texts.DOCUMENTS).format(
            keywords=texts.echo(keywords), count=len(found)
        )
        lines = [title, *(f"• {entry_line(e, snapshot)}" for e in found[:DOCUMENT_LINES])]
        if len(found) > DOCUMENT_LINES:
            lines.append(texts.MORE_DOCUMENTS.format(count=len(found) - DOCUMENT_LINES))
        return lines

    async def find(self, keywords: str) -> list[Article]:
        """Articles whose text matches the keywords (folded BM25), best first; keywords past
        a question's length are not searched."""
        keywords = keywords[:MAX_QUESTION_CHARS]
        result = await self.answerer.asearch(keywords, k=FIND_PASSAGES, mode="lexical")
        found: dict[str, Article] = {}
        for hit in result.hits:
            found.setdefault(hit.chunk.doc_id, hit.article)
        return list(found.values())[:FOUND_ARTICLES]

    # -- admins ---------------------------------------------------------------------

    def stats(self) -> str:
        """The `/stats` figures."""
        return stats_text(self.store, self.builder.data_dir)

    async def add_file(self, path: Path) -> AdminResult:
        """Read an uploaded file, add its articles to the index, keep it in the corpus dir."""
        name = path.name
        if path.suffix.lower() not in UPLOAD_SUFFIXES:
            return AdminResult(
                False,
                f"Không nhận tệp “{name}”: chỉ hỗ trợ {', '.join(UPLOAD_SUFFIXES)}.",
            )
        async with self._admin:
            read = await asyncio.to_thread(read_paths, [path])
            if not read.articles:
                reasons = "; ".join(p.message for p in read.problems) or "không có nội dung"
                return AdminResult(False, f"Không thêm được tệp “{name}”. Lý do: {reasons}.")
            target = self.corpus_dir / name
            articles = [dataclasses.replace(a, path=str(target)) for a in read.articles]
            try:
                report = await asyncio.to_thread(self.builder.add, articles)
            except HoidapError as exc:
                log.warning("adding %s failed: %s", name, exc)
                return AdminResult(False, f"{BUSY} ({exc})")
            self.corpus_dir.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(shutil.copyfile, path, target)
            snap = await asyncio.to_thread(self.answerer.snapshot)
        log.info("admin added %s: %s", name, report)
        if not report.changed:
            why = "; ".join(report.skipped) or "nội dung giống hệt bài đã có"
            return AdminResult(True, f"Tệp “{name}” không làm thay đổi chỉ mục ({why}).")
        chunks: dict[str, int] = {}
        for chunk in snap.chunks:
            chunks[chunk.doc_id] = chunks.get(chunk.doc_id, 0) + 1
        lines = [f"Đã cập nhật chỉ mục {report.version} từ tệp “{name}”:"]
        for doc_id in report.added + report.updated:
            article = snap.articles[doc_id]
            verb = "thêm" if doc_id in report.added else "cập nhật"
            lines.append(
                f"• {verb}: {article.title or doc_id} — {chunks.get(doc_id, 0)} đoạn (mã {doc_id})"
            )
        lines += [f"• bỏ qua: {reason}" for reason in report.skipped]
        lines += [f"• bỏ qua: {problem}" for problem in read.problems]
        return AdminResult(True, "\n".join(lines))

    async def reindex(self) -> AdminResult:
        """Rebuild the index from the corpus dir."""
        async with self._admin:
            read = await asyncio.to_thread(read_paths, [self.corpus_dir])
            if not read.articles:
                return AdminResult(
                    False, f"Không đọc được bài nào trong {self.corpus_dir}; chỉ mục giữ nguyên."
                )
            try:
                report = await asyncio.to_thread(self.builder.build, read.articles)
            except HoidapError as exc:
                log.warning("reindex failed: %s", exc)
                return AdminResult(False, f"{BUSY} ({exc})")
        text = _build_summary(report)
        if read.problems:
            text += f" Bỏ qua {len(read.problems)} tệp lỗi: " + "; ".join(map(str, read.problems))
        return AdminResult(True, text)

    async def remove(self, doc_id: str) -> AdminResult:
        """Remove an article from the index and its file from the corpus dir."""
        async with self._admin:
            snap = await asyncio.to_thread(self.answerer.snapshot)
            article = snap.articles.get(doc_id)
            if article is None:
                return AdminResult(
                    False,
                    f"Không có bài nào mã “{texts.echo(doc_id)}”. Gõ /nguon để xem mã các bài.",
                )
            try:
                report = await asyncio.to_thread(self.builder.remove, [doc_id])
            except HoidapError as exc:
                log.warning("removing %s failed: %s", doc_id, exc)
                return AdminResult(False, f"{BUSY} ({exc})")
            files = [
                p
                for p in self.corpus_dir.glob("*")
                if p.suffix.lower() in SUPPORTED_SUFFIXES
                and p.suffix.lower() != ".jsonl"
                and doc_id_from_path(p) == doc_id
            ]
            for path in files:
                path.unlink()
        log.info("admin removed %s (%s), files %s", doc_id, report.version, files)
        text = f"Đã xoá bài “{article.title or doc_id}” (mã {doc_id}) khỏi chỉ mục."
        if not files:
            text += " Không tìm thấy tệp riêng của bài trong thư mục tài liệu; nếu bài nằm "
            text += "trong một tệp .jsonl, hãy sửa tệp đó trước khi /reindex."
        return AdminResult(True, text)


def _build_summary(report: BuildReport) -> str:
    if not report.version:
        return f"Chỉ mục không đổi: {number(report.articles)} bài, {number(report.chunks)} đoạn."
    return (
        f"Đã lập lại chỉ mục {report.version}: {number(report.articles)} bài, "
        f"{number(report.chunks)} đoạn (thêm {len(report.added)}, cập nhật "
        f"{len(report.updated)}, xoá {len(report.removed)}) trong "
        f"{number(report.seconds, 1)} giây."
    )
