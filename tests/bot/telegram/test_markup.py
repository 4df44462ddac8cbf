"""Telegram HTML rendering: escaped, valid for Telegram's parser, split below 4,096 chars."""

from __future__ import annotations

from bot.telegram import markup
from retrieval.answering import Answer, Citation
from tests.bot.fake_telegram import utf16_len, visible_text

NASTY = "Chỉ thị <05> & “*mới*” _x_ </b> &amp; 😀"


def _citation(n: int, passage: str) -> Citation:
    return Citation(
        n,
        f"doc{n}",
        f"{NASTY} {n}",
        "Báo <A&B>",
        f"https://x.vn/a?b=1&c=<{n}>",
        3,
        (passage[:50],),
        passage,
    )


def test_every_piece_of_text_is_escaped_and_parses() -> None:
    answer = Answer("q", f"{NASTY} [1]", False, (_citation(1, NASTY * 3),), ())

    [message] = markup.answer_messages(answer)

    seen = visible_text(message)
    assert f"{NASTY} [1]" in seen and f"[1] {NASTY} 1 — Báo <A&B>, đoạn 3" in seen
    assert 'href="https://x.vn/a?b=1&amp;c=&lt;1&gt;"' in message


def test_long_answers_and_sources_are_split_at_paragraphs_below_the_limit() -> None:
    paragraph = "Câu văn dài về công tác xây dựng Đảng & chỉnh đốn <Đảng>. " * 12
    passage = "\n\n".join(f"{n}: {paragraph}" for n in range(30)) + "\n\n" + "😀" * 5000
    answer = Answer("q", passage, False, tuple(_citation(n, passage) for n in range(1, 4)), ())

    for messages in (markup.answer_messages(answer), markup.sources_messages(answer.citations)):
        assert len(messages) > 3
        for message in messages:
            assert utf16_len(visible_text(message)) <= 4096
            assert utf16_len(message) <= 4096
        rejoined = "".join(visible_text(m) for m in messages)
        assert rejoined.count("Câu văn dài") >= 30 * 12


def test_lists_and_help_parse() -> None:
    info = markup.CorpusInfo(articles=1234, chunks=9, latest="2024-03-02")
    for message in [*markup.plain(NASTY), markup.about(info)]:
        visible_text(message)
    assert "02/03/2024" in visible_text(markup.about(info))
