"""A fake Telegram Bot API on 127.0.0.1 that answers like Telegram, for the real PTB client."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import html
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.bot.fake_api import ApiError, FakeBotApi, Response, Sent

TOKEN = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"
BOT = {"id": 123456, "is_bot": True, "first_name": "Hỏi đáp", "username": "hoidap_test_bot"}
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "span", "tg-spoiler", "tg-emoji", "blockquote",
}  # fmt: skip
_TOKEN = re.compile(
    r"<(/?)([A-Za-z][\w-]*)((?:\s+[\w-]+(?:=\"[^\"]*\"|='[^']*')?)*)\s*>"
    r"|&(?:#\d+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);|[<>&]"
)


class ParseError(ValueError):
    """What Telegram calls "can't parse entities"."""


def visible_text(markup: str) -> str:
    """Check Telegram HTML like Telegram does and return the text the user sees."""
    out, stack, at = [], [], 0
    for m in _TOKEN.finditer(markup):
        out.append(markup[at : m.start()])
        at = m.end()
        token = m.group()
        if m.group(2):
            closing, tag = m.group(1) == "/", m.group(2).lower()
            if tag not in ALLOWED_TAGS:
                raise ParseError(f'Unsupported start tag "{tag}" at byte offset {m.start()}')
            if closing:
                if not stack or stack.pop() != tag:
                    raise ParseError(f"Unexpected end tag at byte offset {m.start()}")
            else:
                stack.append(tag)
        elif token.startswith("&") and token.endswith(";"):
            out.append(html.unescape(token))
        else:
            raise ParseError(f"Unsupported start tag or entity at byte offset {m.start()}")
    out.append(markup[at:])
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class TelegramSent(Sent):
    """One sendMessage (or editMessageText) the bot made."""

    params: dict[str, Any] = field(default_factory=dict)

    @property
    def visible(self) -> str:
        """The text as the user sees it (tags removed, entities decoded)."""
        return visible_text(self.text) if self.params.get("parse_mode") == "HTML" else self.text

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of the inline keyboard."""
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


class FakeTelegram(FakeBotApi[TelegramSent]):
    """Serves the Bot API methods the bot uses, and the files it downloads, like Telegram."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__(token)
        self.edits: list[TelegramSent] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.inline_answers: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)

    # -- what a test does ---------------------------------------------------------------

    def add_file(self, name: str, content: bytes) -> str:
        """Store a file the bot can fetch with getFile; returns its file_id."""
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = (name, content)
        return file_id

    def message(
        self,
        chat_id: int,
        text: str | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        **extra: Any,
    ) -> dict[str, Any]:
        """A Message as Telegram would deliver it; a leading /command gets its entity."""
        user_id = chat_id if user_id is None else user_id
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User {user_id}"
        else:
            chat["title"] = f"Group {chat_id}"
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"},
        }
        if text is not None:
            message["text"] = text
            entities = list(extra.pop("entities", []))
            command = re.match(r"/[\w@]+", text)
            if command:
                entities.insert(
                    0, {"type": "bot_command", "offset": 0, "length": len(command.group())}
                )
            mention = f"@{BOT['username']}"
            if mention in text:
                offset = utf16_len(text[: text.index(mention)])
                entities.append({"type": "mention", "offset": offset, "length": len(mention)})
            if entities:
                message["entities"] = entities
        message.update(extra)
        return message

    def document(
        self, chat_id: int, name: str, content: bytes, user_id: int | None = None
    ) -> dict[str, Any]:
        """A Message carrying a document."""
        file_id = self.add_file(name, content)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "file_size": len(content),
        }
        return self.message(chat_id, user_id=user_id, document=document)

    def update(self, message: dict[str, Any] | None = None, **kind: Any) -> dict[str, Any]:
        """An Update around a message (or a callback_query=…)."""
        update: dict[str, Any] = {"update_id": next(self._update_ids)}
        if message is not None:
            update["message"] = message
            self.pushed_at[(message["chat"]["id"], message["message_id"])] = time.perf_counter()
        update.update(kind)
        return update

    def press(self, sent: TelegramSent, data: str, user_id: int | None = None) -> dict[str, Any]:
        """An Update pressing the inline button `data` under a sent message."""
        user_id = sent.chat_id if user_id is None else user_id
        query = {
            "id": f"cb{next(self._update_ids)}",
            "from": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"},
            "chat_instance": f"ci{sent.chat_id}",
            "data": data,
            "message": {
                "message_id": sent.message_id,
                "date": int(time.time()),
                "chat": {"id": sent.chat_id, "type": "private", "first_name": "U"},
                "from": BOT,
                "text": sent.visible,
            },
        }
        return self.update(callback_query=query)

    def reaction(
        self, sent: TelegramSent, user_id: int, new: list[str], old: list[str] = ()
    ) -> dict[str, Any]:
        """An Update: a member changed their reactions on a message the bot sent."""

        def emojis(names: list[str]) -> list[dict[str, str]]:
            return [{"type": "emoji", "emoji": e} for e in names]

        return self.update(
            message_reaction={
                "chat": {"id": sent.chat_id, "type": "private", "first_name": "U"},
                "message_id": sent.message_id,
                "user": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"},
                "date": int(time.time()),
                "old_reaction": emojis(list(old)),
                "new_reaction": emojis(new),
            }
        )

    def inline_query(self, user_id: int, text: str) -> dict[str, Any]:
        """An Update: `@bot <text>` typed in some chat."""
        return self.update(
            inline_query={
                "id": f"iq{next(self._update_ids)}",
                "from": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"},
                "query": text,
                "offset": "",
            }
        )

    def blocked_by(self, user_id: int) -> dict[str, Any]:
        """An Update: the member blocked the bot (its membership in their chat: kicked)."""
        user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        return self.update(
            my_chat_member={
                "chat": {"id": user_id, "type": "private", "first_name": "U"},
                "from": user,
                "date": int(time.time()),
                "old_chat_member": {"status": "member", "user": BOT},
                "new_chat_member": {"status": "kicked", "user": BOT, "until_date": 0},
            }
        )

    async def say(self, chat_id: int, text: str, **kw: Any) -> dict[str, Any]:
        """Push a text message as an update; returns the message."""
        message = self.message(chat_id, text, **kw)
        await self.push(self.update(message))
        return message

    # -- HTTP ---------------------------------------------------------------------------

    def _params(self, method: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        return _parse(headers.get("content-type", ""), body)

    def _elsewhere(self, method: str, path: str) -> Response:
        if method == "GET" and path.startswith(f"/file/bot{self.token}/"):
            wanted = path.rsplit("/", 1)[-1]
            for name, content in self.files.values():
                if name == wanted:
                    return 200, "application/octet-stream", content
            return 404, "text/plain", b"not found"
        return super()._elsewhere(method, path)

    # -- Bot API methods ------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {
            **BOT,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset", 0) or 0)
        async with self._changed:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            await self._long_poll(float(params.get("timeout", 0) or 0))
            return list(self._updates[: int(params.get("limit", 100) or 100)])

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands.append(params)
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        self.actions.append(params)
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        self.callback_answers.append(params)
        return True

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        for result in params.get("results", []):
            content = result.get("input_message_content", {})
            if content.get("parse_mode") == "HTML":
                try:
                    visible_text(content["message_text"])
                except ParseError as exc:
                    raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        self.inline_answers.append(params)
        return True

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        chat, message = int(params["chat_id"]), int(params["message_id"])
        sent = TelegramSent(chat, "", message, params=params)
        self.edits.append(sent)
        return self._message_json(sent)

    async def _api_getFile(self, params: dict[str, Any]) -> Any:
        name, content = self.files[params["file_id"]]
        return {
            "file_id": params["file_id"],
            "file_unique_id": "u",
            "file_size": len(content),
            "file_path": f"documents/{name}",
        }

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        sent = self._check_text(params)
        self._record(sent)
        return self._message_json(sent)

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        sent = self._check_text(params, message_id=int(params["message_id"]))
        self.edits.append(sent)
        return self._message_json(sent)

    def _check_text(self, params: dict[str, Any], message_id: int | None = None) -> TelegramSent:
        text = str(params.get("text", ""))
        visible = text
        if params.get("parse_mode") == "HTML":
            try:
                visible = visible_text(text)
            except ParseError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        chat_id = int(params["chat_id"])
        return TelegramSent(chat_id, text, message_id or next(self._message_ids), params=params)

    @staticmethod
    def _message_json(sent: TelegramSent) -> dict[str, Any]:
        return {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private" if sent.chat_id > 0 else "group"},
            "from": BOT,
            "text": sent.visible,
        }


def _parse(content_type: str, body: bytes) -> dict[str, Any]:
    """Form-encoded, multipart or JSON parameters; JSON-looking values decoded."""
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}")
    if content_type.startswith("multipart/form-data"):
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        parsed = parser.parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        raw = {
            part.get_param("name", header="content-disposition"): part.get_content()
            for part in parsed.iter_parts()
        }
    else:
        raw = dict(parse_qsl(body.decode(), keep_blank_values=True))
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return params
