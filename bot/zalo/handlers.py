"""The Zalo channel: turn a Zalo update into one ChatService call and plain-text replies."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from bot import plaintext, texts
from bot.broadcast import Blocked, Sender, TryLater
from bot.commands import Caller, Commands, replies
from bot.follows import Notice
from bot.running import TYPING_AFTER, typing_while
from bot.service import ChatService, Reply
from bot.store import REASONS
from bot.zalo.client import ZaloClient, ZaloError
from index.errors import HoidapError
from index.vietnamese import fold

log = logging.getLogger(__name__)

CHANNEL = "zalo"
TEXT_EVENT = "message.text.received"
WHY = "Nếu muốn, hãy nhắn lý do: “sai nguồn”, “không liên quan” hoặc “đã cũ”."
ASK_USAGE = "Hãy gõ câu hỏi sau lệnh, ví dụ: /hoi chỉ thị 05 nói gì?"
_REASONS = {fold(label): code for code, label in REASONS.items()}
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
_VOTES = {"👍": 1, "👎": -1}
TOO_MANY, FORBIDDEN = 429, 403
RETRY_SECONDS = 5.0  # after a 429 (Zalo says not how long)


@dataclass(frozen=True)
class Incoming:
    """A Zalo message event, reduced to what the bot needs."""

    event: str
    message_id: str
    chat_id: str
    group: bool
    user_id: str
    text: str | None  # None for images, stickers and anything else that is not text


def parse(update: dict[str, Any]) -> Incoming | None:
    """An update as an Incoming message; None for events without a usable message."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat, sender = message.get("chat"), message.get("from")
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), str | int):
        return None
    if chat["id"] == "" or isinstance(chat["id"], bool):
        return None
    sender = sender if isinstance(sender, dict) else {}
    event = str(update.get("event_name", ""))
    text = message.get("text")
    return Incoming(
        event,
        str(message.get("message_id", "")),
        str(chat["id"]),
        str(chat.get("chat_type", "PRIVATE")).upper() == "GROUP",
        str(sender.get("id", chat["id"])),
        str(text) if event == TEXT_EVENT and text is not None else None,
    )


def feedback_of(text: str) -> tuple[int, str | None] | None:
    """`👍`, `👎`, `sai nguồn`, `👎 đã cũ`…: (vote, reason code); None for anything else."""
    rest, vote = _SKIN_TONES.sub("", text).strip(), 0
    if rest[:1] in _VOTES:
        vote, rest = _VOTES[rest[:1]], rest[1:]
    words = " ".join(fold(rest).strip(" .!,:;-–").split())
    if not words:
        return (vote, None) if vote else None
    reason = _REASONS.get(words)
    return None if reason is None or vote > 0 else (-1, reason)


Send = Callable[[Sequence[str]], Awaitable[None]]


class Handlers:
    """What the bot does with each message; one ChatService call per member action."""

    def __init__(
        self,
        service: ChatService,
        client: ZaloClient,
        admin_ids: Collection[str] = (),
        typing_after: float = TYPING_AFTER,
    ) -> None:
        self.service = service
        self.client = client
        self.typing_after = typing_after
        self.admin_ids = frozenset(str(a) for a in admin_ids)
        self.names: tuple[str, ...] = ()  # the bot's names, for mentions in groups
        self.commands = Commands(service)

    async def handle(self, message: Incoming) -> None:
        """Reply to one message; errors are logged and the member gets an apology."""
        try:
            await self._dispatch(message)
        except Exception:
            log.exception("error while handling Zalo message %s", message.message_id)
            try:
                await self._send(message, [texts.ERROR])
            except HoidapError as exc:
                log.warning("could not tell Zalo chat %s of the error: %s", message.chat_id, exc)

    async def _dispatch(self, m: Incoming) -> None:
        if m.text is None:
            if not m.group:  # in a group a photo or sticker is rarely meant for the bot
                await self._send(m, [texts.NON_TEXT])
            return
        vote = feedback_of(m.text)
        if vote is not None:
            await self.feedback(m, *vote)
            return
        # "2" from a member whose quiz goes on in this chat (in a group too, unnamed)
        choice = await self.commands.choice(Caller(CHANNEL, m.chat_id, m.user_id), m.text)
        if choice is not None:
            await self._send(m, plaintext.render(choice))
            return
        text = self.addressed(m)
        if text is None:
            return
        if not text.startswith("/"):
            await self.question(m, text)
            return
        caller = Caller(CHANNEL, m.chat_id, m.user_id, admin=m.user_id in self.admin_ids)
        command, _, args = text[1:].partition(" ")
        command, args = command.split("@", 1)[0].lower(), args.strip()
        if command == "hoi":  # a question in a group, without naming the bot
            await (self.question(m, args) if args else self._send(m, [ASK_USAGE]))
            return
        await replies(
            self.commands.run(command, caller, args),
            lambda reply: self._send(m, plaintext.render(reply)),
        )

    def addressed(self, m: Incoming) -> str | None:
        """The text meant for the bot: all of it in private; in groups commands and mentions."""
        text = m.text.strip() if m.text else ""
        if not m.group or text.startswith("/"):
            return text
        for name in self.names:
            pattern = re.compile(rf"@?{re.escape(name)}\b[\s,:]*", re.IGNORECASE)
            if pattern.search(text):
                return pattern.sub(" ", text, count=1).strip()
        return None

    # -- members --------------------------------------------------------------------

    async def question(self, m: Incoming, text: str) -> None:
        """A question: one ask (typing… if it takes a while), the answer and its sources."""
        message = f"{m.chat_id}:{m.message_id}" if m.message_id else None
        reply = await typing_while(
            self.service.ask(CHANNEL, m.chat_id, m.user_id, text, message=message),
            lambda: self._typing(m),
            self.typing_after,
        )
        if reply is None:
            return
        try:
            await self._send(m, _render(reply))
        except HoidapError:
            if reply.question_id is not None:
                self.service.undelivered(reply.question_id)
            raise
        if reply.answer is not None and reply.question_id is not None:
            self._remember(m.chat_id, reply.question_id, 0)

    async def feedback(self, m: Incoming, vote: int, reason: str | None) -> None:
        """👍, 👎 or a reason, sent as text: stored for the chat's last answer."""
        last = self.service.last(CHANNEL, m.chat_id)
        if last is None or not self.service.feedback(last[0], m.user_id, vote, reason, via="text"):
            if not m.group:
                await self._send(m, [texts.NOTHING_YET])
            return
        if reason is not None:
            await self._send(m, [texts.THANKS_REASON.format(reason=REASONS[reason])])
        else:
            await self._send(m, [texts.THANKS_UP if vote > 0 else f"{texts.THANKS_DOWN} {WHY}"])

    # -- plumbing -------------------------------------------------------------------

    def _remember(self, chat: str, question_id: int, page: int) -> None:
        # In bot.sqlite: a 👍 sent after a restart still reaches the answer it is about.
        self.service.remember(CHANNEL, chat, question_id, page)

    async def _typing(self, m: Incoming) -> None:
        try:
            await self.client.send_chat_action(m.chat_id)
        except HoidapError as exc:  # only a courtesy: never let it stop the answer
            log.debug("typing action failed: %s", exc)

    async def _send(self, m: Incoming, messages: Sequence[str]) -> None:
        for text in plaintext.bounded(messages):
            await self.client.send_message(m.chat_id, text)


def _render(reply: Reply) -> list[str]:
    if reply.answer is None:
        return plaintext.plain(reply.text)
    return plaintext.answer_messages(reply.answer, hint=plaintext.FEEDBACK_HINT)


def notice_sender(client: ZaloClient, retry_seconds: float = RETRY_SECONDS) -> Sender:
    """How the broadcaster sends a follow notice to a Zalo chat: a 429 waits `retry_seconds`,
    a 403 (the member blocked the bot) stops writing there."""

    async def send(chat: str, notice: Notice) -> None:
        try:
            for text in plaintext.render([notice]):
                await client.send_message(chat, text)
        except ZaloError as exc:
            if exc.code == TOO_MANY:
                raise TryLater(retry_seconds, str(exc)) from None
            if exc.code == FORBIDDEN:
                raise Blocked(str(exc)) from None
            raise

    return send
