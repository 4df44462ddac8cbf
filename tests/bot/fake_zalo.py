"""A fake Zalo Bot API on 127.0.0.1 that answers like Zalo, for the real client and bot."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx

from bot.service import ChatService
from bot.zalo_client import ZaloClient
from bot.zalo_launch import ZaloBot

TOKEN = "1234567890:zalo-SECRET_abcdefghijklmnopqrstuvwxyz"
BOT = {"id": "1234567890", "account_name": "bot.hoidap", "display_name": "Hỏi đáp"}
MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
ADMIN = "8f2a0c41d7e3b5a9"  # Zalo ids are strings
MEMBER = "5c71e9d02b4a8f36"


@dataclass
class Sent:
    """One sendMessage the bot made."""

    chat_id: str
    text: str
    message_id: str
    at: float = field(default_factory=time.perf_counter)


class FakeZalo:
    """Serves the Bot API methods the bot uses; records what it sends; injects failures."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.port = 0
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[Sent] = []
        self.errors: list[tuple[str, int, str]] = []  # refused calls: method, code, reason
        self.actions: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.failures: dict[str, deque[int]] = defaultdict(deque)  # method -> HTTP statuses
        self.pushed_at: dict[tuple[str, str], float] = {}  # (chat, message id) -> time
        self._updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._read: dict[str, int] = defaultdict(int)  # chat -> messages consumed by tests
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()  # connections inside a request

    @property
    def base_url(self) -> str:
        """HOIDAP_ZALO_BASE_URL: the token and method are appended."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (port 0: any free port)."""
        self._closing = False
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Wake every long poll (it answers 408), close connections, stop listening."""
        self._closing = True
        await self._notify()
        if self._busy:  # let woken long polls send their answer first
            await asyncio.wait(list(self._busy), timeout=5)
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    # -- what a test does ---------------------------------------------------------------

    def fail(self, method: str, status: int, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail with this HTTP status."""
        self.failures[method].extend([status] * times)

    def update(
        self,
        chat_id: str,
        text: str | None = None,
        user_id: str | None = None,
        group: bool = False,
        event: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """An update as Zalo delivers it (a text message unless `event` says otherwise)."""
        user_id = chat_id if user_id is None else user_id
        message: dict[str, Any] = {
            "message_id": f"m{next(self._ids):06d}",
            "date": int(time.time() * 1000),
            "from": {"id": user_id, "display_name": f"Đảng viên {user_id}", "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "GROUP" if group else "PRIVATE"},
            **extra,
        }
        if text is not None:
            message["text"] = text
        self.pushed_at[(chat_id, message["message_id"])] = time.perf_counter()
        return {"event_name": event or "message.text.received", "message": message}

    async def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates."""
        async with self._changed:
            self._updates.extend(updates)
            self._changed.notify_all()

    async def say(self, chat_id: str, text: str, **kw: Any) -> dict[str, Any]:
        """Push a text message; returns the update."""
        update = self.update(chat_id, text, **kw)
        await self.push(update)
        return update

    async def deliver(self, data: Any, secret: str | None = None) -> httpx.Response:
        """POST updates to the registered webhook, with its secret unless told otherwise."""
        headers = {SECRET_HEADER: self.webhook["secret_token"] if secret is None else secret}
        async with httpx.AsyncClient() as client:
            return await client.post(self.webhook["url"], json=data, headers=headers)

    async def next_message(self, chat_id: str, timeout: float = 20.0) -> Sent:
        """The next message sent to `chat_id` that this test has not seen yet."""
        await self.wait_for(lambda: len(self.to(chat_id)) > self._read[chat_id], timeout)
        message = self.to(chat_id)[self._read[chat_id]]
        self._read[chat_id] += 1
        return message

    async def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:
        """Wait until `predicate()` is true (re-checked after every request)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    def to(self, chat_id: str) -> list[Sent]:
        """Every message sent to a chat."""
        return [s for s in self.sent if s.chat_id == chat_id]

    def unread(self, chat_id: str) -> list[Sent]:
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
                self._busy.add(task)
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while (h := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = h.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                status, payload = await self._route(method, target, body)
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
                self._busy.discard(task)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            self._busy.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _route(self, method: str, target: str, body: bytes) -> tuple[int, bytes]:
        path = unquote(target.split("?", 1)[0])
        prefix = f"/bot{self.token}/"
        if method != "POST" or not path.startswith(prefix):
            return 401, _error(401, "Unauthorized")
        api_method = path[len(prefix) :]
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return 400, _error(400, "Bad Request: body is not JSON")
        self.requests.append((api_method, params))
        await self._notify()
        try:
            if self.failures[api_method]:
                status = self.failures[api_method].popleft()
                raise _ApiError(status, "Internal Server Error" if status >= 500 else "Error")
            handler = getattr(self, f"_api_{api_method}", None)
            if handler is None:
                raise _ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except _ApiError as exc:
            if exc.code != 408:
                self.errors.append((api_method, exc.code, exc.description))
            return exc.code, _error(exc.code, exc.description)
        finally:
            await self._notify()
        return 200, json.dumps({"ok": True, "result": result}, ensure_ascii=False).encode()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- Bot API methods ------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {**BOT, "account_type": "BASIC", "can_join_groups": True}

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook:
            raise _ApiError(400, "Bad Request: webhook is active, use deleteWebhook first")
        timeout = float(params.get("timeout", 0) or 0)
        async with self._changed:
            if not self._updates and timeout and not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates) or self._closing),
                        timeout,
                    )
            if not self._updates:
                raise _ApiError(408, "Request timeout")
            updates, self._updates = self._updates, []
        return updates[0] if len(updates) == 1 else updates  # Zalo sends one; accept both

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        secret = str(params.get("secret_token", ""))
        if not str(params.get("url", "")).startswith(("http://", "https://")):
            raise _ApiError(400, "Bad Request: url is invalid")
        if not 8 <= len(secret) <= 256:
            raise _ApiError(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook = {"url": params["url"], "secret_token": secret}
        return {"url": params["url"], "updated_at": int(time.time() * 1000)}

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "updated_at": 0}

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        if params.get("action") not in ("typing", "upload_photo"):
            raise _ApiError(400, "Bad Request: unknown action")
        self.actions.append(params)
        return {}

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id, text = params.get("chat_id"), params.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            raise _ApiError(400, "Bad Request: chat_id is required")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: text is empty")
        if len(text) > MAX_TEXT:
            raise _ApiError(400, f"Bad Request: text is longer than {MAX_TEXT} characters")
        sent = Sent(chat_id, text, f"s{next(self._ids):06d}")
        self.sent.append(sent)
        return {"message_id": sent.message_id, "date": int(time.time() * 1000)}


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def _error(code: int, description: str) -> bytes:
    return json.dumps({"ok": False, "error_code": code, "description": description}).encode()


async def start_bot(fake: FakeZalo, service: ChatService, **kw: Any) -> ZaloBot:
    """The real ZaloClient and ZaloBot (admin ADMIN), started against the fake."""
    client = ZaloClient(TOKEN, fake.base_url, attempts=3, backoff=0.05)
    bot = ZaloBot(service, client, [ADMIN], poll_timeout=kw.pop("poll_timeout", 2), **kw)
    try:
        await bot.start()
    except BaseException:
        await client.aclose()
        raise
    return bot
