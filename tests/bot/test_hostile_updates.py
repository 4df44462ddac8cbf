"""Every update shape Telegram or Zalo can send, and hostile ones, through the real bots.

A few hundred updates (edited messages, channel posts, member events, locations, contacts,
polls, bad entities, garbage button data, 100,000-character texts…) go through the fake Bot
APIs into the real bots. None may raise in a handler, none may make the bot send a request the
API refuses (a reply over the limit, bad HTML, an empty text), and a member asking normally
afterwards gets a normal answer.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.service import ChatService
from index.embedders import Embedder
from tests.bot import fake_zalo
from tests.bot.conftest import (
    ADMIN,
    QUESTION,
    make_service,
    running,
    start_bot,
    start_zalo_bot,
)
from tests.bot.fake_api import FakeBotApi
from tests.bot.fake_telegram import BOT, FakeTelegram
from tests.bot.fake_zalo import FakeZalo

UPDATES = 300
SEED = 20261207
HUGE = 100_000
MENTION = f"@{BOT['username']}"
COMMANDS = ["tim", "vanban", "nguon", "xoa", "stats", "reindex", "them", "theodoi", "huytheodoi",
            "ontap", "luu", "daluu", "boluu"]  # fmt: skip
CALLBACK_DATA = [
    "", "x", ":", "src:", "src:abc", "src:99999", "more:1", "more:1:x", "more:1:999",
    "more:99999:1", "up:-1", "down:99999", "why:1:zzz", "why:1:", "more:１:1", "src:1" * 12,
    "up:1", "down:1", "why:1:wrong_source", "src:1", "more:1:1",
    "save:1", "save:x", "save:99999", "quiz:1", "quiz:1:1", "quiz:1:1:0", "quiz:1:x:0",
    "quiz:99999:1:9", "quiz:1:1:-1", "quiz:1:１:0",
]  # fmt: skip


@pytest.fixture
def lenient(seed_data_dir: Path, tmp_path: Path, embedder: Embedder) -> Iterator[ChatService]:
    """The sample-index service without a rate limit: every hostile question is answered."""
    svc = make_service(
        seed_data_dir,
        tmp_path / "corpus",
        embedder,
        tmp_path / "bot.sqlite",
        per_minute=1e9,
        burst=10**9,
    )
    yield svc
    svc.close()


def hostile_text(rng: random.Random) -> str:
    """A text a member, a bot or an attacker might send."""
    kinds: list[Callable[[], str]] = [
        lambda: "",
        lambda: "   \n\t ",
        lambda: "\u200b\u200d\ufeff",
        lambda: "<b>in đậm</b> & <script>alert(1)</script> &amp; &#0;",
        lambda: "chỉ thị 05 " * rng.randint(1, 2000),
        lambda: "x" * HUGE,
        lambda: "".join(chr(rng.randint(0x20, 0xD7FF)) for _ in range(rng.randint(1, 300))),
        lambda: "\u202enguoc chieu\u202c 🇻🇳👍🏽👎" * rng.randint(1, 50),
        lambda: "\x00\x01\x07 null",
        lambda: "ct05 cua bct ve gi",
        lambda: rng.choice(["👍", "👎", "👎 sai nguồn", "khong lien quan", "đã cũ"]),
        lambda: (
            "/"
            + rng.choice(COMMANDS)
            + " "
            + rng.choice(["", "chỉ thị", "<i>", "kl21 " * 5000, "x" * HUGE, "../../etc/passwd"])
        ),
        lambda: rng.choice(["/", "//", "/khong_co", "/tim@other_bot chỉ thị", "/start abc"]),
    ]
    return rng.choice(kinds)()


# -- Telegram ---------------------------------------------------------------------------


def telegram_updates(fake: FakeTelegram, rng: random.Random, n: int) -> list[dict[str, Any]]:
    """`n` updates of every shape Telegram documents, with hostile contents."""
    now = int(time.time())
    group = {"id": -100123, "type": "supergroup", "title": "Chi bộ"}
    channel = {"id": -100999, "type": "channel", "title": "Kênh tin"}
    user = {"id": 5001, "is_bot": False, "first_name": "Khách"}

    def text_message(**kw: Any) -> dict[str, Any]:
        return fake.message(rng.choice([5001, 5002, 5003]), hostile_text(rng), **kw)

    def group_message(text: str, **kw: Any) -> dict[str, Any]:
        return fake.message(group["id"], text, user_id=5004, chat_type="supergroup", **kw)

    def bare(chat: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {"message_id": rng.randint(1, 10**6), "date": now, "chat": chat, **fields}

    def query(data: str, with_message: bool = True) -> dict[str, Any]:
        q: dict[str, Any] = {"id": f"q{rng.random()}", "from": user, "chat_instance": "ci"}
        q["data"] = data
        if with_message:
            q["message"] = bare({"id": 5001, "type": "private", "first_name": "K"}, text="…")
        else:
            q["inline_message_id"] = "inline-1"
        return q

    shapes: list[Callable[[], dict[str, Any]]] = [
        lambda: fake.update(text_message()),
        lambda: fake.update(group_message(f"{MENTION} {hostile_text(rng)}")),
        lambda: fake.update(group_message(hostile_text(rng))),
        lambda: fake.update(edited_message={**text_message(), "edit_date": now}),
        lambda: fake.update(channel_post=bare(channel, sender_chat=channel, text="Tin mới")),
        lambda: fake.update(edited_channel_post=bare(channel, sender_chat=channel, text="Sửa")),
        lambda: fake.update(
            fake.message(5001, None, location={"latitude": 21.03, "longitude": 105.85})
        ),
        lambda: fake.update(
            fake.message(5001, None, contact={"phone_number": "+84900000000", "first_name": "A"})
        ),
        lambda: fake.update(
            fake.message(
                5001,
                None,
                venue={
                    "location": {"latitude": 0, "longitude": 0},
                    "title": "T",
                    "address": "A",
                },
            )
        ),
        lambda: fake.update(poll=_poll("p1")),
        lambda: fake.update(fake.message(group["id"], None, chat_type="supergroup", poll=_poll())),
        lambda: fake.update(fake.message(5001, None, dice={"emoji": "🎲", "value": 3})),
        lambda: fake.update(
            fake.message(
                5001,
                None,
                sticker={
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                },
            )
        ),
        lambda: fake.update(
            fake.message(
                group["id"],
                None,
                chat_type="supergroup",
                photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
                caption=f"{MENTION} ảnh này là gì?",
                caption_entities=[{"type": "mention", "offset": 0, "length": len(MENTION)}],
            )
        ),
        lambda: fake.update(
            fake.message(5001, None, voice={"file_id": "v", "file_unique_id": "v", "duration": 2})
        ),
        lambda: fake.update(bare(group, **{"from": user, "new_chat_members": [user]})),
        lambda: fake.update(bare(group, **{"from": user, "left_chat_member": user})),
        lambda: fake.update(bare(group, **{"from": user, "new_chat_title": "Tên mới"})),
        lambda: fake.update(
            my_chat_member={
                "chat": group,
                "from": user,
                "date": now,
                "old_chat_member": {"status": "member", "user": BOT},
                "new_chat_member": {"status": "left", "user": BOT},
            }
        ),
        lambda: fake.update(
            group_message(
                f"{MENTION} hỏi",
                entities=[
                    {"type": "mention", "offset": 500, "length": 40},
                    {"type": "bold", "offset": -3, "length": 10**6},
                    {"type": "text_link", "offset": 0, "length": 2, "url": "javascript:x"},
                ],
            )
        ),
        lambda: fake.update(
            # an anonymous group admin: no from_user, the group as sender_chat
            {
                **bare(group, sender_chat=group),
                "text": f"{MENTION} chỉ thị 05 nói gì?",
                "entities": [{"type": "mention", "offset": 0, "length": len(MENTION)}],
            }
        ),
        lambda: fake.update(
            group_message(
                hostile_text(rng),
                reply_to_message=bare(group, **{"from": BOT, "text": "Câu trả lời trước"}),
            )
        ),
        lambda: fake.update(callback_query=query(rng.choice(CALLBACK_DATA))),
        lambda: fake.inline_query(5001, hostile_text(rng)),
        lambda: fake.update(callback_query=query(rng.choice(CALLBACK_DATA), with_message=False)),
        lambda: fake.update(
            message_reaction={
                "chat": {"id": 5001, "type": "private", "first_name": "K"},
                "message_id": 1,
                "date": now,
                "user": user,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            }
        ),
        lambda: fake.update(
            chat_join_request={"chat": group, "from": user, "user_chat_id": 5001, "date": now}
        ),
        lambda: fake.update(fake.document(5002, "../../../etc/passwd", b"\x00\xff" * 64)),
    ]
    return [rng.choice(shapes)() for _ in range(n)]


def _poll(poll_id: str = "p2") -> dict[str, Any]:
    return {
        "id": poll_id,
        "question": "Chỉ thị 05?",
        "options": [
            {"persistent_id": "o1", "text": "Có", "voter_count": 0},
            {"persistent_id": "o2", "text": "Không", "voter_count": 0},
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }


def assert_every_question_has_an_outcome(service: ChatService) -> None:
    """The fuzz reached the chat core, and no question was left without an outcome."""
    today = service.store.today_and_week()[0]
    outcomes = today.answered + today.abstained + today.greetings + today.refused + today.failed
    assert today.questions > 20 and outcomes == today.questions and today.failed == 0


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Error records: a handler's traceback, an update PTB could not read…"""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_telegram_find_with_a_huge_keyword_list_still_replies(
    fake: FakeTelegram, service: ChatService
) -> None:
    async with running(start_bot(fake, service)):
        found = await fake.ask(5001, "/tim " + "chỉ thị 05 Lào Cai " * 6000)
        missing = await fake.ask(5001, "/tim " + "zzqx " * 20000)

    assert found.visible.startswith("Bài viết có từ khóa “chỉ thị 05 Lào Cai")
    assert "…”" in found.visible and "Lào Cai" in found.visible
    assert missing.visible.startswith("Không tìm thấy bài nào có từ khóa “zzqx")
    assert len(missing.visible) < 200
    assert fake.errors == []


async def test_an_edited_question_is_not_answered_again(
    fake: FakeTelegram, service: ChatService
) -> None:
    async with running(start_bot(fake, service)):
        message = await fake.say(5001, QUESTION)
        await fake.next_message(5001)
        await fake.push(fake.update(edited_message={**message, "edit_date": int(time.time())}))
        help_reply = await fake.ask(5001, "/help")

    assert "Cách hỏi" in help_reply.visible  # the next reply is the help, not a second answer
    assert len(fake.to(5001)) == 2


# -- Zalo -------------------------------------------------------------------------------


def zalo_updates(zalo: FakeZalo, rng: random.Random, n: int) -> list[Any]:
    """`n` Zalo events, documented and not, with hostile contents."""
    chats = ["c1", "c2", "c3"]

    def text(**kw: Any) -> dict[str, Any]:
        return zalo.update(rng.choice(chats), hostile_text(rng), **kw)

    shapes: list[Callable[[], Any]] = [
        lambda: text(),
        lambda: text(group=True),
        lambda: zalo.update("g1", f"Hỏi đáp {hostile_text(rng)}", user_id="u9", group=True),
        lambda: zalo.update(
            rng.choice(chats),
            None,
            event="message.image.received",
            photo_url="http://127.0.0.1:1/x.jpg",
        ),
        lambda: zalo.update(rng.choice(chats), None, event="message.sticker.received"),
        lambda: zalo.update(rng.choice(chats), "vị trí", event="message.location.received"),
        lambda: zalo.update(rng.choice(chats), "??", event="user.follow"),
        lambda: {"event_name": "message.text.received"},
        lambda: {"event_name": "message.text.received", "message": "not a dict"},
        lambda: {"event_name": "message.text.received", "message": {"text": "no chat"}},
        lambda: {
            "event_name": "message.text.received",
            "message": {"chat": {"id": {"nested": 1}}, "text": "x"},
        },
        lambda: {
            "event_name": "message.text.received",
            "message": {"chat": {"id": True}, "text": "x"},
        },
        lambda: {
            "event_name": "message.text.received",
            "message": {"chat": {"id": "c1"}, "from": "nobody", "text": 12345},
        },
        lambda: {
            "event_name": "message.text.received",
            "message": {"chat": {"id": "c2"}, "text": ["a", "list"]},
        },
        lambda: {"message": {"chat": {"id": "c3"}, "text": "no event name"}},
        lambda: {"unexpected": None},
    ]
    return [rng.choice(shapes)() for _ in range(n)]


async def test_zalo_find_with_a_huge_keyword_list_still_replies(
    zalo: FakeZalo, service: ChatService
) -> None:
    async with running(start_zalo_bot(zalo, service)):
        found = await zalo.ask(fake_zalo.MEMBER, "/tim " + "chỉ thị 05 Lào Cai " * 6000)

    assert found.text.startswith("Bài viết có từ khóa “chỉ thị 05 Lào Cai")
    assert zalo.errors == []


@dataclass(frozen=True)
class Fuzzed:
    """One channel as the fuzz test drives it."""

    api: Callable[[], FakeBotApi[Any]]
    start: Callable[[Any, ChatService], Coroutine[Any, Any, Any]]
    updates: Callable[[Any, random.Random, int], list[Any]]
    first: Any  # a chat that gets an answer first, for buttons, feedback and /them
    last: Any  # a chat asking normally after the storm
    read: Callable[[Any], str]


FUZZED = {
    "telegram": Fuzzed(
        FakeTelegram, start_bot, telegram_updates, 5001, ADMIN + 7, lambda s: s.visible
    ),
    "zalo": Fuzzed(
        FakeZalo, start_zalo_bot, zalo_updates, "c1", fake_zalo.MEMBER, lambda s: s.text
    ),
}


@pytest.mark.parametrize("name", FUZZED)
async def test_hostile_updates_raise_nothing_and_a_member_is_answered_after(
    name: str, lenient: ChatService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    channel, rng = FUZZED[name], random.Random(SEED)
    async with channel.api() as api, running(channel.start(api, lenient)):
        await api.ask(channel.first, QUESTION)
        await api.push(*channel.updates(api, rng, UPDATES))
        answer = await api.ask(channel.last, QUESTION, timeout=120)
        # stop() has waited for every update in hand

    assert "10/9/2018" in channel.read(answer)
    assert_every_question_has_an_outcome(lenient)
    assert errors_logged(caplog) == []
    # no reply the API refused: none over the limit, no bad HTML, no empty text, no bad chat
    assert api.errors == []
