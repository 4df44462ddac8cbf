"""The figures of `/stats` and `hoidap stats`: questions, answers, feedback and the index."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.follows import FollowBook
from bot.saved import SavedBook
from bot.store import DECLINES, REASONS, VIETNAM, Period, Store
from bot.study import StudyBook
from index.errors import HoidapError
from index.manifest import Manifest
from index.versions import current_version


def stats_text(store: Store, data_dir: Path, now: datetime | None = None) -> str:
    """Questions today and over 7 days, feedback, and the index size and build time."""
    today, week = store.today_and_week(now)
    lines = [
        "Thống kê hỏi đáp",
        f"Hôm nay: {_period(today)}",
        f"7 ngày qua: {_period(week)}",
        _index_line(data_dir),
    ]
    return "\n".join(lines)


def full_text(
    store: Store, data_dir: Path, follows: FollowBook, study: StudyBook, saved: SavedBook
) -> str:
    """`/stats` and `hoidap stats`: the questions and the index, then what members follow,
    study and keep."""
    between = members_text(follows.counts(), study.counts(), saved.count())
    return f"{stats_text(store, data_dir)}\n{between}"


def members_text(follows: dict[str, int], study: dict[str, float], saved: tuple[int, int]) -> str:
    """What members do between questions: follows and notices, study sessions, saved answers."""
    notices = f"{number(follows.get('sent', 0))} tin đã gửi"
    if follows.get("pending"):
        notices += f", {number(follows['pending'])} đang chờ gửi"
    if follows.get("failed"):
        notices += f", {number(follows['failed'])} không gửi được"
    if follows.get("blocked"):
        notices += f", {number(follows['blocked'])} bỏ vì người nhận đã chặn bot"
    sessions = (
        f"{number(study['started'])} lượt ({number(study['finished'])} làm hết, "
        f"{number(study['members'])} người)"
    )
    if study["share"] >= 0:
        sessions += f", trung bình đúng {number(100 * study['share'])}%"
    return "\n".join(
        [
            f"Theo dõi: {number(follows.get('follows', 0))} mục của "
            f"{number(follows.get('chats', 0))} cuộc trò chuyện; {notices}.",
            f"Ôn tập: {sessions}.",
            f"Đã lưu: {number(saved[0])} câu trả lời của {number(saved[1])} người.",
        ]
    )


def number(value: float, decimals: int = 0) -> str:
    """A number written the Vietnamese way: 1.234,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _period(p: Period) -> str:
    parts = [
        f"{number(p.questions)} câu hỏi",
        f"{number(p.answered)} được trả lời",
        f"{number(p.abstained)} không tìm thấy",
        f"{number(p.greetings)} lời chào",
        f"{number(p.refused)} bị từ chối",
        f"{number(p.failed)} lỗi hoặc chưa trả lời",
    ]
    if p.undelivered:
        parts.append(f"{number(p.undelivered)} trả lời không gửi được")
    if p.declines:
        parts[2] += (
            " ("
            + ", ".join(
                f"{DECLINES.get(code, code or 'không rõ lý do')}: {number(n)}"
                for code, n in sorted(p.declines.items(), key=lambda item: -item[1])
            )
            + ")"
        )
    feedback = f"👍 {number(p.up)}, 👎 {number(p.down)}"
    if p.reactions:
        feedback += f" ({number(p.reactions)} bằng thả cảm xúc)"
    if p.reasons:
        reasons = ", ".join(
            f"{REASONS.get(code, code)}: {number(n)}" for code, n in sorted(p.reasons.items())
        )
        feedback += f" ({reasons})"
    text = "; ".join(parts) + f". Góp ý: {feedback}"
    if p.median_ms is not None:
        text += f". Thời gian trả lời (trung vị): {number(p.median_ms / 1000, 2)} giây"
    return text + "."


def _index_line(data_dir: Path) -> str:
    try:
        version = current_version(data_dir)
        manifest = Manifest.read(version)
    except HoidapError:
        return "Chỉ mục: chưa có (chạy `hoidap index build`)."
    size = sum(p.stat().st_size for p in version.rglob("*") if p.is_file())
    built = datetime.fromisoformat(manifest.built_at).astimezone(VIETNAM)
    return (
        f"Chỉ mục {version.name}: {number(manifest.articles)} bài, "
        f"{number(manifest.chunks)} đoạn, {number(size / 1e6, 1)} MB; "
        f"lập lúc {built:%H:%M %d/%m/%Y} trong {number(manifest.build_seconds, 1)} giây."
    )
