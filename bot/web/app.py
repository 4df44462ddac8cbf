"""The console's pages: a Starlette app rendering Jinja2 templates, every page behind sign-in.

Pages (Vietnamese, for admins of a Party committee's propaganda or document office):
Tổng quan (figures and plots), Câu hỏi (the question log, filtered, exported as CSV, a
question turned into an evaluation question), Tài liệu (the articles and documents; upload,
add by link, remove, re-index), Văn bản (the register of documents), Đánh giá (evaluation
runs and their reports; a question set run in the background), Thử hỏi (ask as a member
would and see the passages, scores and timings). Nothing but the sign-in page and its
stylesheet is served without a session, and every form is checked against the session's
CSRF token.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.datastructures import FormData, MutableHeaders, UploadFile
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import documents as register
from bot import texts
from bot.corpus import UPLOAD_SUFFIXES, AdminResult
from bot.feeds import FeedPoller
from bot.render import source_line
from bot.service import ChatService
from bot.store import DECLINES, REASONS, VIETNAM, LogFilter, Status
from bot.web import charts
from bot.web.auth import CSRF_FIELD, SignInGuard, check_password, csrf_ok, csrf_token, same_secret
from bot.web.runs import HEADLINE, EvalJob, Job, list_runs, report_file
from index.errors import BadQuestion
from index.fetching import is_link
from index.vietnamese import fold

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
PAGE_SIZE = 50  # questions per page of the log
CSV_ROWS = 100_000  # at most, in one export
MEMBER_RESULTS = 50  # study sessions the members' page lists
STUDY_STATES = {"active": "đang làm", "finished": "làm hết", "stopped": "dừng giữa chừng"}
PLOT_DAYS = 30
SESSION_SECONDS = 8 * 3600  # a sign-in lasts a working day
MAX_FORM_FIELDS = 50
UPLOAD_BYTES = 20 * 1024 * 1024  # a file sent from the page
CORPUS_ROWS = 500  # articles listed at once (the search box narrows them)
EXPIRED_FORM = "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang rồi thử lại."
STATUS_NAMES = {
    Status.PENDING: "đang trả lời",
    Status.ANSWERED: "đã trả lời",
    Status.DECLINED: "không tìm thấy",
    Status.GREETING: "chào hỏi",
    Status.RATE_LIMITED: "hỏi quá nhanh",
    Status.REJECTED: "câu hỏi không hợp lệ",
    Status.FAILED: "lỗi",
}
# A report written by `hoidap eval` styles itself inline; it runs no script.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class ConsoleConfig:
    """What the console needs besides the chat service (from Settings)."""

    secret_key: str  # signs the session cookie
    password_hash: str = ""  # scrypt hash (auth.hash_password), or "" for none
    token: str = ""  # or a sign-in token, or "" for none
    secure_cookie: bool = True  # the cookie only over HTTPS (not for a loopback address)
    eval_file: Path = Path("data/console_qa.jsonl")  # where questions turned eval go
    reports_dir: Path = Path("data/reports")  # evaluation runs (hoidap eval --out …/NAME)
    question_sets: tuple[Path, ...] = ()  # what "Chạy đánh giá" may run, besides eval_file


Handler = Callable[[Request], Awaitable[Response]]
UNITS = {"chunk": "đoạn", "sentence": "câu"}


@dataclass
class ReindexJob(Job):
    """The console's re-index, and how it ended."""

    stage: str = ""  # what is being embedded: "đoạn", "câu"
    result: AdminResult | None = None

    def start(self) -> None:
        self.begin()
        self.stage, self.result = "", None

    def advance(self, unit: str, done: int, total: int) -> None:
        """IndexBuilder.on_progress (called from the embedding thread)."""
        self.stage = UNITS.get(unit, unit)
        self._progress(done, total)


def create_app(
    service: ChatService,
    config: ConsoleConfig,
    guard: SignInGuard | None = None,
    feeds: FeedPoller | None = None,
) -> Starlette:
    """The console as an ASGI app."""
    if not config.password_hash and not config.token:
        raise ValueError("the console needs a password hash or a token to sign in with")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(csrf_field=CSRF_FIELD, status_names=STATUS_NAMES)
    templates.env.filters["source_line"] = source_line
    templates.env.filters["vietnam_time"] = _vietnam_time
    guard = guard or SignInGuard()

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        context.setdefault("signed_in", bool(request.session.get("admin")))
        context["csrf"] = csrf_token(request.session)
        context["path"] = request.url.path
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def admin(handler: Handler) -> Handler:
        """Signed-in admins only; a POST also needs the session's CSRF token."""

        async def guarded(request: Request) -> Response:
            if not request.session.get("admin"):
                if request.method == "GET":
                    target = urlencode({"tiep": request.url.path})
                    return RedirectResponse(f"/dang-nhap?{target}", status_code=303)
                return page(request, "refused.html", 403, why="Bạn cần đăng nhập trước.")
            if request.method == "POST":
                form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
                if not csrf_ok(request.session, form.get(CSRF_FIELD)):
                    log.warning("console: a form without a valid CSRF token was refused")
                    return page(request, "refused.html", 403, why=EXPIRED_FORM)
                request.state.form = form
            return await handler(request)

        return guarded

    async def sign_in_page(request: Request) -> Response:
        if request.session.get("admin"):
            return RedirectResponse("/", status_code=303)
        return page(request, "sign_in.html", next=_safe_next(request.query_params.get("tiep")))

    async def sign_in(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
        target = _safe_next(str(form.get("tiep", "")))
        if not csrf_ok(request.session, form.get(CSRF_FIELD)):
            return page(
                request, "sign_in.html", 403, next=target, error="Trang đăng nhập đã hết hạn."
            )
        if guard.locked(client):
            log.warning("console: sign-in from %s refused: too many wrong attempts", client)
            error = "Sai mật khẩu quá nhiều lần. Hãy thử lại sau ít phút."
            return page(request, "sign_in.html", 429, next=target, error=error)
        secret = str(form.get("mat_khau", ""))
        good = bool(secret) and (
            (bool(config.password_hash) and check_password(secret, config.password_hash))
            or (bool(config.token) and same_secret(secret, config.token))
        )
        if not good:
            guard.failed(client)
            log.warning("console: wrong sign-in from %s", client)
            return page(request, "sign_in.html", 401, next=target, error="Sai mật khẩu.")
        guard.succeeded(client)
        request.session.clear()  # a new session: nothing carried over from before sign-in
        request.session["admin"] = True
        csrf_token(request.session)
        log.info("console: admin signed in from %s", client)
        return RedirectResponse(target, status_code=303)

    @admin
    async def sign_out(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/dang-nhap", status_code=303)

    @admin
    async def overview(request: Request) -> Response:
        snap = service.answerer.snapshot()
        today, week = service.store.today_and_week()
        days = service.store.daily(PLOT_DAYS)
        declines = {DECLINES.get(k, k or "khác"): v for k, v in week.declines.items()}
        dislikes = {REASONS.get(k, k): v for k, v in week.reasons.items()}
        return page(
            request,
            "overview.html",
            articles=len(snap.articles),
            chunks=len(snap.chunks),
            documents=len(snap.documents()),
            built_at=snap.manifest.built_at,
            version=snap.directory.name,
            today=today,
            week=week,
            per_day=charts.questions_per_day(days),
            latency=charts.latency_per_day(days),
            declines=charts.horizontal_bars(declines, "Lý do không tìm thấy (7 ngày)"),
            dislikes=charts.horizontal_bars(dislikes, "Lý do 👎 (7 ngày)", "#6a1b9a"),
        )

    @admin
    async def questions(request: Request) -> Response:
        chosen, problems = _log_filter(request.query_params)
        try:
            number = max(1, int(request.query_params.get("trang", "1")))
        except ValueError:
            number = 1
        entries, total = service.store.log(chosen, PAGE_SIZE, (number - 1) * PAGE_SIZE)
        query = {k: v for k, v in request.query_params.items() if k != "trang" and v}
        return page(
            request,
            "questions.html",
            entries=entries,
            total=total,
            number=number,
            pages=max(1, -(-total // PAGE_SIZE)),
            chosen=chosen,
            problems=problems,
            channels=service.store.channels(),
            declines=DECLINES,
            query=urlencode(query),
            added=request.query_params.get("da_them", ""),
        )

    @admin
    async def questions_csv(request: Request) -> Response:
        chosen, _ = _log_filter(request.query_params)
        entries, _ = service.store.log(chosen, CSV_ROWS)
        header = ["id", "thời điểm", "kênh", "người hỏi", "câu hỏi", "câu hỏi đã hiểu", "kết quả",
                  "lý do không tìm thấy", "câu trả lời", "nguồn", "thời gian (ms)", "👍", "👎",
                  "lý do 👎"]  # fmt: skip
        rows = [
            [
                e.id,
                e.asked_at.isoformat(timespec="seconds"),
                e.channel,
                e.user,
                e.question,
                e.resolved,
                STATUS_NAMES.get(e.status, str(e.status)),
                DECLINES.get(e.decline, e.decline),
                e.answer,
                " | ".join(source_line(c) for c in e.citations),
                "" if e.latency_ms is None else round(e.latency_ms),
                e.up,
                e.down,
                ", ".join(REASONS.get(r, r) for r in e.reasons),
            ]
            for e in entries
        ]
        return _csv("cau-hoi.csv", header, rows)

    @admin
    async def members(request: Request) -> Response:
        return page(
            request,
            "members.html",
            follows=service.follows.counts(),
            followed=service.follows.topics(),
            study=service.study.counts(),
            subjects=service.study.by_subject(),
            results=service.study.results(limit=MEMBER_RESULTS),
            states=STUDY_STATES,
            saved=service.saved.count(),
        )

    @admin
    async def study_csv(request: Request) -> Response:
        header = ["lượt", "bắt đầu", "kênh", "người học", "văn bản, chủ đề", "kết quả",
                  "câu đúng", "số câu"]  # fmt: skip
        rows = [
            [r.quiz_id, r.started_at, r.channel, r.user, r.subject, STUDY_STATES[r.status],
             r.correct, r.total]
            for r in service.study.results(limit=CSV_ROWS)
        ]  # fmt: skip
        return _csv("on-tap.csv", header, rows)

    @admin
    async def to_eval(request: Request) -> Response:
        form = request.state.form
        question_id = request.path_params["question_id"]
        record = service.store.get(question_id)
        if record is None:
            return page(request, "refused.html", 404, why="Không có câu hỏi này.")
        known = set(service.answerer.snapshot().articles)
        gold = [d for d in str(form.get("gold", "")).replace(",", " ").split() if d]
        unknown = [d for d in gold if d not in known]
        if unknown:
            why = f"Không có bài nào mã {', '.join(unknown)} trong chỉ mục."
            return page(request, "refused.html", 400, why=why)
        answers = [a.strip() for a in str(form.get("answers", "")).splitlines() if a.strip()]
        item = {
            "id": f"console-{question_id}",
            "question": record.resolved or record.question,
            "answers": answers,
            "gold_doc_ids": gold,
            "question_type": str(form.get("loai", "")).strip()[:40],
        }
        added = await asyncio.to_thread(_append_question, config.eval_file, item)
        if not added:
            why = f"Câu hỏi này đã có trong {config.eval_file.name}."
            return page(request, "refused.html", 409, why=why)
        log.info("console: question %s added to %s", question_id, config.eval_file)
        return RedirectResponse(f"/cau-hoi?da_them={question_id}", status_code=303)

    @admin
    async def documents(request: Request) -> Response:
        snap = service.answerer.snapshot()
        keyword = request.query_params.get("tim", "")[:200]
        own = [
            (a, len({snap.chunks[r].unit for r in snap.rows_of(a.doc_id)}))
            for a in register.full_texts(snap, keyword)
        ]
        mentioned = [register.entry_json(e, snap) for e in register.entries(snap, keyword)]
        return page(
            request, "documents.html", own=own, mentioned=mentioned[:CORPUS_ROWS], keyword=keyword
        )

    evaluation = EvalJob()

    def question_sets() -> list[Path]:
        sets = [p for p in config.question_sets if p.is_file()]
        return sets + ([config.eval_file] if config.eval_file.is_file() else [])

    @admin
    async def runs(request: Request) -> Response:
        return page(
            request,
            "runs.html",
            runs=list_runs(config.reports_dir),
            headline=HEADLINE,
            sets=[p.name for p in question_sets()],
            job=evaluation,
            reports_dir=config.reports_dir,
        )

    @admin
    async def run_eval(request: Request) -> Response:
        chosen = str(request.state.form.get("bo_cau_hoi", ""))
        path = next((p for p in question_sets() if p.name == chosen), None)
        if path is None:
            return page(request, "refused.html", 400, why="Không có bộ câu hỏi này.")
        if not evaluation.running:
            evaluation.start(path, service.answerer, config.reports_dir)
            log.info("console: evaluation of %s started", path.name)
        return RedirectResponse("/danh-gia", status_code=303)

    @admin
    async def report(request: Request) -> Response:
        path = report_file(config.reports_dir, request.path_params["name"])
        if path is None:
            return page(request, "refused.html", 404, why="Không có báo cáo này.")
        return Response(
            path.read_bytes(),
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": REPORT_POLICY},
        )

    @admin
    async def try_page(request: Request) -> Response:
        return page(request, "try.html", question="", answer=None)

    @admin
    async def try_ask(request: Request) -> Response:
        question = str(request.state.form.get("cau_hoi", ""))
        try:
            answer = await service.answerer.aanswer(question)
        except BadQuestion:
            return page(
                request,
                "try.html",
                400,
                question=question[:1000],
                answer=None,
                error="Câu hỏi trống hoặc quá dài (tối đa 1.000 ký tự).",
            )
        return page(request, "try.html", question=question, answer=answer)

    def corpus_page(request: Request, status_code: int = 200, **said: Any) -> Response:
        snap = service.answerer.snapshot()
        wanted = " ".join(fold(request.query_params.get("tim", "")).split())[:200]
        rows = []
        for article in snap.articles.values():
            haystack = fold(f"{article.title} {article.doc_id} {article.source}")
            if wanted and wanted not in " ".join(haystack.split()):
                continue
            rows.append((article, len(snap.rows_of(article.doc_id))))
        rows.sort(key=lambda r: (r[0].official is None, r[0].published_at or "", r[0].doc_id))
        return page(
            request,
            "corpus.html",
            status_code,
            rows=rows[:CORPUS_ROWS],
            total=len(rows),
            wanted=request.query_params.get("tim", "")[:200],
            limit=UPLOAD_BYTES // (1024 * 1024),
            feeds=feeds.book.states(feeds.feeds) if feeds else [],
            now=time.time(),
            suffixes=", ".join(UPLOAD_SUFFIXES),
            **said,
        )

    def said(result: AdminResult) -> dict[str, Any]:
        return {"result": result.text, "ok": result.ok}

    @admin
    async def corpus(request: Request) -> Response:
        return corpus_page(request)

    async def upload(request: Request) -> Response:
        """A file sent from the page: bounded in size before it is read, its name reduced
        to a bare file name (no directory can be named), then added as a chat upload is."""
        if not request.session.get("admin"):
            return page(request, "refused.html", 403, why="Bạn cần đăng nhập trước.")
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > UPLOAD_BYTES + 64 * 1024:
            too_big = f"Tệp quá lớn: tối đa {UPLOAD_BYTES // (1024 * 1024)} MB."
            return corpus_page(request, 413, result=too_big, ok=False)
        async with request.form(max_files=1, max_fields=MAX_FORM_FIELDS) as form:
            return await _add_upload(request, form)

    async def _add_upload(request: Request, form: FormData) -> Response:
        if not csrf_ok(request.session, form.get(CSRF_FIELD)):
            return page(request, "refused.html", 403, why=EXPIRED_FORM)
        sent = form.get("tep")
        if not isinstance(sent, UploadFile) or not sent.filename:
            return corpus_page(request, 400, result="Hãy chọn một tệp để tải lên.", ok=False)
        name = _bare_name(sent.filename)
        if name is None:
            return corpus_page(request, 400, result="Tên tệp không hợp lệ.", ok=False)
        with tempfile.TemporaryDirectory(prefix="hoidap-upload-") as folder:
            target = Path(folder) / name
            with target.open("wb") as out:
                while chunk := await sent.read(1024 * 1024):
                    out.write(chunk)
            log.info("console: upload of %s (%d bytes)", name, target.stat().st_size)
            result = await service.corpus.add_file(target)
        return corpus_page(request, 200 if result.ok else 400, **said(result))

    @admin
    async def add_link(request: Request) -> Response:
        link = str(request.state.form.get("lien_ket", "")).strip()
        if not is_link(link):
            return corpus_page(request, 400, result=texts.LINK_USAGE_WEB, ok=False)
        result = await service.corpus.add_link(link)
        return corpus_page(request, 200 if result.ok else 400, **said(result))

    @admin
    async def remove(request: Request) -> Response:
        doc_id = str(request.state.form.get("ma", "")).strip()
        result = await service.corpus.remove(doc_id)
        return corpus_page(request, 200 if result.ok else 404, **said(result))

    job = ReindexJob()

    @admin
    async def poll_feeds(request: Request) -> Response:
        if feeds is None:
            return page(request, "refused.html", 404, why="Chưa cấu hình nguồn tin nào.")
        feeds.poll_now()
        said = "Đã yêu cầu kiểm tra các nguồn tin ngay; tải lại trang sau ít phút để xem kết quả."
        return corpus_page(request, result=said, ok=True)

    @admin
    async def reindex(request: Request) -> Response:
        """Start a re-index in the background (one at a time) and show its progress."""
        if not job.running:
            job.start()
            service.corpus.builder.on_progress = job.advance

            async def run() -> None:
                try:
                    job.result = await service.corpus.reindex()
                except Exception:  # said on the page; the index stays as it was
                    log.exception("console: re-index failed")
                    job.result = AdminResult(False, texts.BUSY)
                finally:
                    service.corpus.builder.on_progress = None
                    job.running = False

            job.task = asyncio.create_task(run())
            log.info("console: re-index started")
        return RedirectResponse("/tai-lieu/tien-do", status_code=303)

    @admin
    async def reindex_progress(request: Request) -> Response:
        return page(request, "progress.html", job=job)

    routes = [
        Route("/dang-nhap", sign_in_page, methods=["GET"]),
        Route("/dang-nhap", sign_in, methods=["POST"]),
        Route("/dang-xuat", sign_out, methods=["POST"]),
        Route("/", overview, methods=["GET"]),
        Route("/cau-hoi", questions, methods=["GET"]),
        Route("/cau-hoi.csv", questions_csv, methods=["GET"]),
        Route("/cau-hoi/{question_id:int}/danh-gia", to_eval, methods=["POST"]),
        Route("/tai-lieu", corpus, methods=["GET"]),
        Route("/tai-lieu/tai-len", upload, methods=["POST"]),
        Route("/tai-lieu/lien-ket", add_link, methods=["POST"]),
        Route("/tai-lieu/xoa", remove, methods=["POST"]),
        Route("/tai-lieu/lap-lai", reindex, methods=["POST"]),
        Route("/tai-lieu/tien-do", reindex_progress, methods=["GET"]),
        Route("/tai-lieu/nguon-tin", poll_feeds, methods=["POST"]),
        Route("/van-ban", documents, methods=["GET"]),
        Route("/thanh-vien", members, methods=["GET"]),
        Route("/thanh-vien/on-tap.csv", study_csv, methods=["GET"]),
        Route("/danh-gia", runs, methods=["GET"]),
        Route("/danh-gia/chay", run_eval, methods=["POST"]),
        Route("/danh-gia/{name:str}/bao-cao", report, methods=["GET"]),
        Route("/thu-hoi", try_page, methods=["GET"]),
        Route("/thu-hoi", try_ask, methods=["POST"]),
        Mount("/tinh", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=config.secret_key,
            session_cookie="hoidap_phien",
            max_age=SESSION_SECONDS,
            same_site="strict",
            https_only=config.secure_cookie,
        )
    ]
    return Starlette(routes=routes, middleware=[Middleware(_SecurityHeaders), *middleware])


class _SecurityHeaders:
    """Every response says: no framing, no sniffing, no caching, scripts from nowhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def _bare_name(filename: str) -> str | None:
    """An uploaded file's own name, without any directory it claims ("../../x.txt",
    "C:\\x.txt" → "x.txt"); None for a name that is empty, hidden or only dots."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if c.isprintable())
    if not name or name.startswith(".") or len(name) > 200:
        return None
    return name


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _log_filter(params: Any) -> tuple[LogFilter, list[str]]:
    """The log's filter from the query string; dates that do not parse are reported."""
    problems = []
    dates: dict[str, date | None] = {}
    for name, label in (("tu", "Từ ngày"), ("den", "Đến ngày")):
        raw = params.get(name, "")
        try:
            dates[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            dates[name] = None
            problems.append(f"{label} “{raw[:20]}” không đúng dạng năm-tháng-ngày: bỏ qua.")
    chosen = LogFilter(
        channel=params.get("kenh", "")[:40],
        since=dates["tu"],
        until=dates["den"],
        declined=params.get("khong_thay") == "1",
        disliked=params.get("khong_thich") == "1",
        decline=params.get("ly_do", "")[:40],
        text=params.get("chua", "")[:200],
    )
    return chosen, problems


def _append_question(path: Path, item: dict[str, Any]) -> bool:
    """Append an evaluation question (JSONL); False when its id is already in the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                if json.loads(line).get("id") == item["id"]:
                    return False
            except (json.JSONDecodeError, AttributeError):
                continue
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(item, ensure_ascii=False) + "\n")
    return True


def _csv(name: str, header: list[str], rows: list[list[object]]) -> Response:
    """A CSV download Excel opens as UTF-8 (with a byte-order mark)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _vietnam_time(stored: str) -> str:
    """A time as bot.sqlite keeps it (UTC, ISO), as admins read it: `07/12/2026 19:01`."""
    try:
        return datetime.fromisoformat(stored).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return stored
