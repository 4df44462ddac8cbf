"""Zalo's plain text, its update parsing, feedback words and settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot import plaintext
from bot.render import plain_text
from bot.settings import Settings
from bot.zalo.handlers import feedback_of, parse
from retrieval.answering import Answer, Citation

PARAGRAPH = "Câu văn dài về công tác xây dựng, chỉnh đốn Đảng <b>&amp; hệ thống chính trị. " * 12


def _citation(n: int) -> Citation:
    return Citation(n, f"doc{n}", f"Bài <{n}>", "Báo A&B", f"https://x.vn/a?b={n}&c=1", 3, (), "x")


def test_long_answers_split_at_paragraphs_below_2000_characters() -> None:
    text = "\n\n".join(f"{n}: {PARAGRAPH}" for n in range(20)) + "\n\n" + "😀" * 3000
    answer = Answer("q", text, False, tuple(_citation(n) for n in range(1, 4)), ())

    messages = plaintext.answer_messages(answer, hint=plaintext.FEEDBACK_HINT)

    assert len(messages) > 5 and all(0 < len(m) <= plaintext.LIMIT for m in messages)
    assert all(m.startswith(tuple("0123456789😀")) for m in messages[:-1])  # whole paragraphs
    joined = "".join(messages)
    assert joined.count("Câu văn dài") == 20 * 12 and joined.count("😀") == 3000
    assert "[3] Bài <3> — Báo A&B, đoạn 3\n    https://x.vn/a?b=3&c=1" in messages[-1]
    assert messages[-1].endswith(plaintext.FEEDBACK_HINT)


def test_plain_text_for_the_terminal_is_unchanged() -> None:
    answer = Answer("q", "Trả lời [1].", False, (_citation(1),), ())

    assert plain_text(answer) == (
        "Trả lời [1].\n\nNguồn:\n[1] Bài <1> — Báo A&B, đoạn 3\n    https://x.vn/a?b=1&c=1"
    )
    assert plaintext.answer_messages(answer) == [plain_text(answer)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👍", (1, None)),
        (" 👍🏽 ", (1, None)),
        ("👎", (-1, None)),
        ("Sai nguồn!", (-1, "source")),
        ("sai nguon", (-1, "source")),
        ("👎 không liên quan", (-1, "irrelevant")),
        ("Đã cũ.", (-1, "outdated")),
        ("👍 sai nguồn", None),
        ("sai nguồn ở đâu vậy?", None),
        ("chỉ thị 05 nói gì", None),
        ("", None),
    ],
)
def test_feedback_words(text: str, expected: tuple[int, str | None] | None) -> None:
    assert feedback_of(text) == expected


def test_updates_are_parsed_tolerantly() -> None:
    text = parse(
        {
            "event_name": "message.text.received",
            "new_field": {"x": 1},
            "message": {
                "message_id": 77,
                "text": "chào",
                "from": {"id": 5, "first_name": "A"},
                "chat": {"id": "c1", "chat_type": "GROUP", "extra": True},
            },
        }
    )
    sticker = parse({"event_name": "message.sticker.received", "message": {"chat": {"id": "c"}}})

    assert text is not None and (text.message_id, text.user_id, text.group) == ("77", "5", True)
    assert text.text == "chào" and sticker is not None and sticker.text is None
    assert parse({"event_name": "x"}) is None and parse({"message": {"chat": "c"}}) is None


def test_zalo_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOIDAP_ZALO_TOKEN", "1:abc")
    monkeypatch.setenv("HOIDAP_ZALO_ADMIN_IDS", "8f2a0c41, 5c71e9d0;")
    settings = Settings(_env_file=None)

    assert settings.zalo_admin_ids == ["8f2a0c41", "5c71e9d0"]
    assert settings.zalo_base_url == "https://bot-api.zaloplatforms.com/bot"
    assert settings.zalo_token is not None and "abc" not in repr(settings)
    monkeypatch.setenv("HOIDAP_ZALO_WEBHOOK_URL", "https://bot.example.org/zalo")
    monkeypatch.setenv("HOIDAP_ZALO_WEBHOOK_SECRET", "short")
    with pytest.raises(ValidationError, match="8-256 characters"):
        Settings(_env_file=None)
