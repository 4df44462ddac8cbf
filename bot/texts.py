"""What the bot says to members, in Vietnamese, on every channel (Telegram, Zalo)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.results import CorpusInfo

NON_TEXT = (
    "Xin lỗi, tôi chỉ đọc được tin nhắn chữ (chưa nghe được tin nhắn thoại, chưa xem được "
    "ảnh hay nhãn dán). Bạn hãy gõ câu hỏi bằng chữ nhé."
)
NOT_ADMIN = "Xin lỗi, chức năng này chỉ dành cho quản trị viên của bot."
UNKNOWN = "Tôi không biết lệnh này. Gõ /help để xem hướng dẫn, hoặc gõ thẳng câu hỏi."
FIND_USAGE = "Hãy gõ từ khóa sau lệnh, ví dụ: /tim chỉ thị 05"
DOCUMENTS = "Văn bản được nhắc đến trong tài liệu ({count}):"
DOCUMENTS_FOUND = "Văn bản có từ khóa “{keywords}” ({count}):"
NO_DOCUMENTS = "Không có văn bản nào có từ khóa “{keywords}” trong tài liệu hiện có."
MORE_DOCUMENTS = (
    "… và {count} văn bản khác. Gõ /vanban <từ khóa> để lọc, ví dụ: /vanban chỉ thị 05"
)
FETCHING = "Đang tải bài từ liên kết…"
LINK_USAGE = (
    "Hãy gõ địa chỉ bài viết sau lệnh, ví dụ: /them https://baolaocai.vn/bai-viet/213010 "
    "(chỉ nhận địa chỉ http:// hoặc https://)."
)
LINK_USAGE_WEB = "Hãy dán địa chỉ bài viết bắt đầu bằng http:// hoặc https://."
REMOVE_USAGE = "Hãy gõ mã bài sau lệnh, ví dụ: /xoa 000_779c702780cfd434 (xem mã bằng /nguon)."
ERROR = "Xin lỗi, đã có lỗi khi xử lý tin nhắn của bạn. Vui lòng thử lại sau ít phút."
NOT_FOUND = "Không tìm thấy bài nào có từ khóa “{keywords}”."
FOUND = "Bài viết có từ khóa “{keywords}”:"
CORPUS = "Tài liệu hiện có ({count} bài):"
REINDEXING = "Đang lập lại chỉ mục, vui lòng chờ…"
THANKS_UP = "Cảm ơn bạn đã góp ý! 👍"
THANKS_DOWN = "Đã ghi nhận 👎. Cảm ơn bạn!"
ASK_REASON = "Câu trả lời chưa tốt vì sao? (không bắt buộc)"
THANKS_REASON = "Cảm ơn bạn! Đã ghi nhận lý do: {reason}."
NO_SOURCES = "Câu trả lời này không trích dẫn nguồn nào."
NO_MORE = "Không còn kết quả nào khác cho câu hỏi này."
NOTHING_YET = "Chưa có câu trả lời nào để góp ý hay xem thêm. Hãy đặt câu hỏi trước nhé."
MORE_TITLE = "Các đoạn liên quan khác (trang {page}):"
ABOUT_TITLE = "Hỏi đáp về chỉ thị, nghị quyết của Đảng"
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


# -- following, studying, keeping (bot/member_commands.py) ------------------------------------
FOLLOW_USAGE = (
    "Hãy gõ tên văn bản hoặc chủ đề sau lệnh, ví dụ: /theodoi Chỉ thị 05 hoặc "
    "/theodoi chuyển đổi số. Khi có bài hay văn bản mới về nội dung đó, tôi sẽ nhắn bạn."
)
FOLLOW_DOCUMENT = (
    "Đã theo dõi {label}. Khi có bài viết hoặc văn bản mới nhắc đến văn bản này, tôi sẽ "
    "nhắn bạn kèm nguồn. Gõ /theodoi để xem danh sách, /huytheodoi để thôi theo dõi."
)
FOLLOW_TOPIC = (
    "Đã theo dõi chủ đề “{label}”. Khi có bài viết mới về chủ đề này, tôi sẽ nhắn bạn kèm "
    "nguồn. Gõ /theodoi để xem danh sách, /huytheodoi để thôi theo dõi."
)
FOLLOW_ALREADY = "Bạn đã theo dõi “{label}” rồi."
FOLLOW_FULL = "Mỗi cuộc trò chuyện theo dõi được tối đa {limit} mục. Hãy /huytheodoi bớt một mục."
FOLLOWING = "Đang theo dõi ({count}):"
FOLLOWING_NONE = "Bạn chưa theo dõi văn bản hay chủ đề nào. " + FOLLOW_USAGE
UNFOLLOW_USAGE = (
    "Hãy gõ tên hoặc số thứ tự mục muốn thôi theo dõi, ví dụ: /huytheodoi 1, "
    "/huytheodoi Chỉ thị 05, hoặc /huytheodoi tất cả."
)
UNFOLLOWED = "Đã thôi theo dõi “{label}”."
UNFOLLOWED_ALL = "Đã thôi theo dõi {count} mục."
NOT_FOLLOWING = "Bạn không theo dõi “{label}”."

STUDY_USAGE = (
    "Ôn tập một văn bản hoặc chủ đề: /ontap Chỉ thị 05, /ontap Quy định 37 hoặc "
    "/ontap chuyển đổi số. Mỗi lần 5 câu trắc nghiệm lấy từ tài liệu, có dẫn nguồn; "
    "/ontap dừng để kết thúc sớm."
)
STUDY_HISTORY = "Kết quả ôn tập gần đây của bạn:"
STUDY_START = "Bắt đầu ôn tập: {subject} ({total} câu)."
STUDY_HOW = {
    "telegram": "Chọn đáp án bằng các nút dưới mỗi câu hỏi.",
    "zalo": "Trả lời bằng cách nhắn số của đáp án (1, 2, 3…).",
}
STUDY_NOTHING = (
    "Chưa đủ nội dung trong tài liệu để ra câu hỏi ôn tập về “{subject}”. Hãy thử tên văn "
    "bản đầy đủ hơn (ví dụ: /ontap Chỉ thị 05) hoặc một chủ đề khác."
)
STUDY_SCORE = "{correct}/{total} câu đúng"
STUDY_DONE = "Hoàn thành ôn tập {subject}: {score}. Gõ /ontap để xem các lần trước."
STUDY_STOPPED = "Đã dừng ôn tập: {score}."
STUDY_NONE = "Bạn không có bài ôn tập nào đang làm."
STUDY_RIGHT = "✅ Đúng!"
STUDY_WRONG = "❌ Chưa đúng. Đáp án: {answer}."
STUDY_RANGE = "Hãy nhắn số của một đáp án, từ 1 đến {last} (hoặc /ontap dừng để kết thúc)."
STUDY_NOT_YOURS = "Câu hỏi này không thuộc bài ôn tập đang làm của bạn."

INLINE_MORE = "(Câu trả lời còn tiếp: hỏi trực tiếp bot để xem đầy đủ.)"

SAVED = "⭐ Đã lưu câu trả lời. Gõ /daluu để xem lại các câu đã lưu."
SAVED_ALREADY = "Câu trả lời này đã được lưu. Gõ /daluu để xem lại."
SAVE_NOTHING = "Chỉ lưu được câu trả lời có nội dung (không lưu được câu “không tìm thấy”)."
SAVED_NONE = (
    "Bạn chưa lưu câu trả lời nào. Gõ /luu ngay sau một câu trả lời (trên Telegram: "
    "bấm ⭐) để lưu lại."
)
SAVED_TITLE = "Câu trả lời đã lưu ({count}):"
UNSAVE_USAGE = "Hãy gõ số thứ tự câu đã lưu muốn xoá (1–{count}), ví dụ: /boluu 1."
UNSAVED = "Đã xoá khỏi danh sách đã lưu: “{question}”."


PASSAGE_PREVIEW_CHARS = 700  # of each passage "Thêm kết quả" shows
ECHO_CHARS = 80  # of a member's own words quoted back ("Không tìm thấy … “…”")


def echo(words: str, limit: int = ECHO_CHARS) -> str:
    """A member's words as quoted back in a reply: on one line, cut at `limit` characters.

    Whatever a member sends (a 100,000-character keyword list), a reply quoting it stays
    far below every channel's message limit.
    """
    words = " ".join(words.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _same(text: str) -> str:
    return text


def day(iso: str) -> str:
    """`2024-03-02` → `02/03/2024`; anything else unchanged."""
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso


def about(
    info: CorpusInfo,
    tips: str,
    bold: Callable[[str], str] = _same,
    escape: Callable[[str], str] = _same,
) -> str:
    """`/start` and `/help`: what the bot knows and how to ask, ending with channel `tips`."""
    latest = f", mới nhất ngày {day(info.latest)}" if info.latest else ""
    return (
        f"{bold(escape(ABOUT_TITLE))}\n\n"
        + escape(
            f"Tôi trả lời dựa trên {info.articles} bài viết{latest}. Mỗi ý trả lời đều kèm "
            "số [n] chỉ nguồn; nếu tài liệu không nói đến, tôi sẽ nói là không tìm thấy."
        )
        + "\n\n"
        + bold(escape("Cách hỏi:"))
        + escape(
            " gõ câu hỏi bằng tiếng Việt (có dấu hoặc không dấu), ví dụ:\n"
            "• Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?\n"
            "• Chỉ thị 05 của Bộ Chính trị nói về gì?\n"
            "• chi thi 05 noi gi\n"
            "Có thể hỏi tiếp: “chỉ thị đó ban hành khi nào?”, “còn ở Hà Nội thì sao?”."
        )
        + "\n\n"
        + bold(escape("Lệnh:"))
        + "\n"
        + escape(
            "/tim <từ khóa> — tìm bài viết theo từ khóa\n"
            "/vanban [từ khóa] — các chỉ thị, nghị quyết… được nhắc đến trong tài liệu\n"
            "/nguon — danh sách bài viết\n"
            "/theodoi <văn bản hoặc chủ đề> — nhận tin khi có bài mới về nội dung đó\n"
            "/ontap <văn bản hoặc chủ đề> — ôn tập bằng câu hỏi trắc nghiệm\n"
            "/luu — lưu câu trả lời vừa nhận; /daluu — xem các câu đã lưu\n"
            "/help — hướng dẫn này"
        )
        + "\n\n"
        + escape(tips)
    )


OLD_WORD = (
    "Không nhận tệp “{name}”: tệp Word cũ (.doc) và RTF chưa đọc được. Hãy mở tệp bằng Word "
    "hoặc LibreOffice, chọn Lưu thành .docx rồi gửi lại."
)
