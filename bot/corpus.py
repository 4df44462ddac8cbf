"""Corpus administration from a chat: add an uploaded file, re-index, remove, statistics.

One admin operation runs at a time; each answers in Vietnamese (`AdminResult`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from bot.stats import number
from bot.store import Store
from index.builder import BuildReport, IndexBuilder
from index.documents import Article
from index.errors import HoidapError, IngestError
from index.fetching import LINKS_DIR, fetch_article, keep
from index.readers import LEGACY_WORD, SUPPORTED_SUFFIXES, doc_id_from_path, read_paths
from retrieval.answering import Answerer

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".pdf", ".docx", ".jsonl")


@dataclass(frozen=True)
class AdminResult:
    """The outcome of an admin operation, said in Vietnamese."""

    ok: bool
    text: str
    doc_id: str = ""  # the article it added or updated, when one
    changed: bool = False  # whether the index changed


class CorpusAdmin:
    """The admins' operations on the corpus directory and the index."""

    def __init__(
        self, answerer: Answerer, builder: IndexBuilder, corpus_dir: Path, store: Store
    ) -> None:
        self.answerer = answerer
        self.builder = builder
        self.corpus_dir = Path(corpus_dir)
        self.store = store
        self.listeners: list[Callable[[], None]] = []  # told when the index has changed
        self._admin = asyncio.Lock()

    def _changed(self) -> None:
        for listener in self.listeners:
            listener()

    async def add_file(self, path: Path) -> AdminResult:
        """Read an uploaded file, add its articles to the index, keep it in the corpus dir."""
        name = path.name
        if path.suffix.lower() in LEGACY_WORD:
            return AdminResult(False, texts.OLD_WORD.format(name=name))
        if path.suffix.lower() not in UPLOAD_SUFFIXES:
            return AdminResult(
                False,
                f"Không nhận tệp “{name}”: chỉ hỗ trợ {', '.join(UPLOAD_SUFFIXES)}.",
            )
        async with self._admin:
            read = await asyncio.to_thread(read_paths, [path])
            if not read.articles:
                reasons = "; ".join(p.vi or p.message for p in read.problems)
                reasons = reasons or "không có nội dung"
                return AdminResult(False, f"Không thêm được tệp “{name}”. Lý do: {reasons}.")
            target = self.corpus_dir / name
            articles = [dataclasses.replace(a, path=str(target)) for a in read.articles]
            try:
                report = await asyncio.to_thread(self.builder.add, articles)
            except HoidapError as exc:
                log.warning("adding %s failed: %s", name, exc)
                return AdminResult(False, f"{texts.BUSY} ({exc})")
            self.corpus_dir.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(shutil.copyfile, path, target)
            snap = await asyncio.to_thread(self.answerer.snapshot)
        log.info("admin added %s: %s", name, report)
        self._changed()
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
        lines += [
            f"• thay thế: {old} bằng {new} (bản mới của cùng văn bản)"
            for new, old in report.replaced
        ]
        lines += [f"• bỏ qua: {reason}" for reason in report.skipped]
        lines += [f"• bỏ qua: {problem.in_vietnamese}" for problem in read.problems]
        return AdminResult(True, "\n".join(lines))

    async def add_link(self, url: str) -> AdminResult:
        """Fetch the article at a link, keep it in the corpus dir, add it to the index."""
        shown = texts.echo(url)
        try:
            article = await asyncio.to_thread(fetch_article, url)
        except IngestError as exc:
            log.info("admin link %s refused: %s", url, exc)
            return AdminResult(False, f"Không thêm được bài từ “{shown}”. Lý do: {exc.vi or exc}.")
        return await self.add_fetched(article)

    async def add_fetched(self, article: Article) -> AdminResult:
        """An article fetched from its link: kept in the corpus dir, added to the index."""
        url = article.url
        async with self._admin:
            kept = await asyncio.to_thread(keep, article, self.corpus_dir)
            article = dataclasses.replace(article, path=str(kept))
            try:
                report = await asyncio.to_thread(self.builder.add, [article])
            except HoidapError as exc:
                log.warning("adding %s failed: %s", url, exc)
                return AdminResult(False, f"{texts.BUSY} ({exc})")
        log.info("admin added %s: %s", url, report)
        self._changed()
        if not report.changed:
            if article.doc_id not in (await asyncio.to_thread(self.answerer.snapshot)).articles:
                kept.unlink(missing_ok=True)  # its text is indexed under another address
            said = f"Bài “{article.title}” đã có, không thay đổi chỉ mục."
            return AdminResult(True, said, doc_id=article.doc_id)
        verb = "Đã thêm" if article.doc_id in report.added else "Đã cập nhật"
        snap = await asyncio.to_thread(self.answerer.snapshot)
        chunks = len(snap.rows_of(article.doc_id))
        lines = [f"{verb} bài “{article.title}” — {chunks} đoạn (mã {article.doc_id})."]
        lines += [f"Nguồn: {article.source}" if article.source else "", article.url]
        lines += [f"• thay thế: {old} bằng {new}" for new, old in report.replaced]
        text = "\n".join(line for line in lines if line)
        return AdminResult(True, text, doc_id=article.doc_id, changed=True)

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
                return AdminResult(False, f"{texts.BUSY} ({exc})")
        self._changed()
        text = _build_summary(report)
        if read.problems:
            skipped = "; ".join(p.in_vietnamese for p in read.problems)
            text += f" Bỏ qua {len(read.problems)} tệp lỗi: {skipped}"
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
                return AdminResult(False, f"{texts.BUSY} ({exc})")
            files = [
                p
                for p in self.corpus_dir.glob("*")
                if p.suffix.lower() in SUPPORTED_SUFFIXES
                and p.suffix.lower() != ".jsonl"
                and doc_id_from_path(p) == doc_id
            ]
            linked = self.corpus_dir / LINKS_DIR / f"{doc_id}.jsonl"  # added by its link
            files += [linked] if linked.is_file() else []
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
