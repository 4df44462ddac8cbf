"""A fake Telegram Bot API on 127.0.0.1 that answers like Telegram, for the real PTB client."""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import html
import itertools
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

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
class Sent:
    """One sendMessage (or editMessageText) the bot made."""

    chat_id: int
    text: str
    params: dict[str, Any]
    message_id: int
    at: float = field(default_factory=time.perf_counter)

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


class FakeTelegram:
    """Serves the Bot API methods the bot uses; records what it sends; injects failures."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.port = 0
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[Sent] = []
        self.edits: list[Sent] = []
        self.errors: list[tuple[str, int, str]] = []  # refused calls: method, status, reason
        self.actions: list[dict[str, Any]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.failures: dict[str, deque[tuple[int, str, dict[str, Any]]]] = defaultdict(deque)
        self.pushed_at: dict[tuple[int, int], float] = {}  # (chat, message id) -> time
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._read: dict[int, int] = defaultdict(int)  # chat -> messages consumed by tests
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        """PTB's `base_url`."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (port 0: any free port)."""
        self._closing = False
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Wake every long poll, close connections, stop listening."""
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    # -- what a test does ---------------------------------------------------------------

    def fail(
        self, method: str, status: int, description: str, times: int = 1, **params: Any
    ) -> None:
        """Make the next `times` calls of `method` fail with this status (and parameters)."""
        for _ in range(times):
            self.failures[method].append((status, description, params))

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

    def press(self, sent: Sent, data: str, user_id: int | None = None) -> dict[str, Any]:
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

    async def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    async def say(self, chat_id: int, text: str, **kw: Any) -> dict[str, Any]:
        """Push a text message as an update; returns the message."""
        message = self.message(chat_id, text, **kw)
        await self.push(self.update(message))
        return message

    async def next_message(self, chat_id: int, timeout: float = 20.0) -> Sent:
        """The next message sent to `chat_id` that this test has not seen yet."""

        def ready() -> bool:
            return len(self.to(chat_id)) > self._read[chat_id]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(ready), timeout)
        message = self.to(chat_id)[self._read[chat_id]]
        self._read[chat_id] += 1
        return message

    async def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:
        """Wait until `predicate()` is true (re-checked after every request)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    def to(self, chat_id: int) -> list[Sent]:
        """Every message sent to a chat."""
        return [s for s in self.sent if s.chat_id == chat_id]

    def unread(self, chat_id: int) -> list[Sent]:
        """Messages to a chat that the test has not consumed with next_message."""
        return self.to(chat_id)[self._read[chat_id] :]

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of a method (including failed ones)."""
        return [params for name, params in self.requests if name == method]

    # -- HTTP ---------------------------------------------------------------------------

    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while not self._closing:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while (h := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = h.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                status, content_type, payload = await self._route(method, target, headers, body)
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _route(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        path = unquote(target.split("?", 1)[0])
        if method == "GET" and path.startswith(f"/file/bot{self.token}/"):
            wanted = path.rsplit("/", 1)[-1]
            for name, content in self.files.values():
                if name == wanted:
                    return 200, "application/octet-stream", content
            return 404, "text/plain", b"not found"
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, "application/json", _error(401, "Unauthorized")
        api_method = path[len(prefix) :]
        params = _parse(headers.get("content-type", ""), body)
        self.requests.append((api_method, params))
        if self.failures[api_method]:
            status, description, extra = self.failures[api_method].popleft()
            await self._notify()
            return status, "application/json", _error(status, description, **extra)
        handler = getattr(self, f"_api_{api_method}", None)
        if handler is None:
            return 404, "application/json", _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except _ApiError as exc:
            self.errors.append((api_method, exc.status, exc.description))
            return exc.status, "application/json", _error(exc.status, exc.description)
        finally:
            await self._notify()
        return 200, "application/json", json.dumps({"ok": True, "result": result}).encode()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- Bot API methods ------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {
            **BOT,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset", 0) or 0)
        timeout = float(params.get("timeout", 0) or 0)
        async with self._changed:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout and not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates) or self._closing),
                        timeout,
                    )
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
        self.sent.append(sent)
        return self._message_json(sent)

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        sent = self._check_text(params, message_id=int(params["message_id"]))
        self.edits.append(sent)
        return self._message_json(sent)

    def _check_text(self, params: dict[str, Any], message_id: int | None = None) -> Sent:
        text = str(params.get("text", ""))
        visible = text
        if params.get("parse_mode") == "HTML":
            try:
                visible = visible_text(text)
            except ParseError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not visible.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        chat_id = int(params["chat_id"])
        return Sent(chat_id, text, params, message_id or next(self._message_ids))

    @staticmethod
    def _message_json(sent: Sent) -> dict[str, Any]:
        return {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private" if sent.chat_id > 0 else "group"},
            "from": BOT,
            "text": sent.visible,
        }


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _error(status: int, description: str, **parameters: Any) -> bytes:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return json.dumps(body).encode()


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
