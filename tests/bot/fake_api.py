"""What the fake Telegram and Zalo Bot APIs share: the HTTP server, the update queue, records."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Self, TypeVar
from urllib.parse import unquote

JSON = "application/json"
NO_UPDATE = 408  # Zalo's answer to a long poll that saw nothing: not a refused call

Response = tuple[int, str, bytes]  # status, content type, body

# Set while the client of the request being served has hung up (a bot stopped mid-poll).
_hung_up: contextvars.ContextVar[asyncio.Event] = contextvars.ContextVar("hung_up")


@dataclass
class Sent:
    """One message the bot sent."""

    chat_id: Any  # an int on Telegram, a str on Zalo
    text: str
    message_id: Any
    at: float = field(default_factory=time.perf_counter)


SentT = TypeVar("SentT", bound=Sent)


class ApiError(Exception):
    """A call the fake refuses, with the status and description the Bot API would give."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def response(self) -> Response:
        """The `ok: false` answer (with `parameters` such as `retry_after` when given)."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return self.status, JSON, json.dumps(body).encode()


class FakeBotApi(Generic[SentT]):
    """Serves `/bot<token>/<method>` from `_api_<method>`; records calls; injects failures.

    Subclasses read the parameters (`_params`) and implement the methods; `_api_getUpdates`
    holds a long poll with `_long_poll`.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.port = 0
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[SentT] = []
        self._sent_to: dict[Any, list[SentT]] = defaultdict(list)  # chat -> its messages
        self._arrived: dict[Any, asyncio.Event] = defaultdict(asyncio.Event)
        self.errors: list[tuple[str, int, str]] = []  # refused calls: method, status, reason
        self.actions: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.failures: dict[str, deque[ApiError]] = defaultdict(deque)
        self.pushed_at: dict[tuple[Any, Any], float] = {}  # (chat, message id) -> time
        self._updates: list[dict[str, Any]] = []
        self._read: dict[Any, int] = defaultdict(int)  # chat -> messages consumed by tests
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()  # connections inside a request

    @property
    def base_url(self) -> str:
        """The Bot API base URL the bot is given: the token and method are appended."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (port 0: any free port)."""
        self._closing = False
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Wake every long poll and let it answer, close connections, stop listening."""
        self._closing = True
        await self._notify()
        if self._busy:
            await asyncio.wait(list(self._busy), timeout=5)
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- what a test does ---------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        description: str | None = None,
        times: int = 1,
        **parameters: Any,
    ) -> None:
        """Make the next `times` calls of `method` fail with this status (and parameters)."""
        if description is None:
            description = "Internal Server Error" if status >= 500 else "Error"
        for _ in range(times):
            self.failures[method].append(ApiError(status, description, **parameters))

    async def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates."""
        async with self._changed:
            self._updates.extend(updates)
            self._changed.notify_all()

    async def say(self, chat_id: Any, text: str, **kw: Any) -> dict[str, Any]:
        """Push a text message from a user as an update."""
        raise NotImplementedError

    async def ask(self, chat_id: Any, text: str, timeout: float = 20.0, **kw: Any) -> SentT:
        """Say `text` in a chat; the next message the bot sends there."""
        await self.say(chat_id, text, **kw)
        return await self.next_message(chat_id, timeout)

    async def next_message(self, chat_id: Any, timeout: float = 20.0) -> SentT:
        """The next message sent to `chat_id` that this test has not seen yet."""
        sent, arrived = self._sent_to[chat_id], self._arrived[chat_id]

        async def arrival() -> None:
            # Only this chat's waiter wakes when a message reaches it: hundreds of chats
            # waiting at once (bench/chat_load.py) cost nothing per request.
            while len(sent) <= self._read[chat_id]:
                arrived.clear()
                await arrived.wait()

        await asyncio.wait_for(arrival(), timeout)
        message = sent[self._read[chat_id]]
        self._read[chat_id] += 1
        return message

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        """Wait until `predicate()` is true (re-checked after every request)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    def to(self, chat_id: Any) -> list[SentT]:
        """Every message sent to a chat."""
        return list(self._sent_to.get(chat_id, ()))

    def unread(self, chat_id: Any) -> list[SentT]:
        """Messages to a chat that the test has not consumed with next_message."""
        return self.to(chat_id)[self._read[chat_id] :]

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of a method (including failed ones)."""
        return [params for name, params in self.requests if name == method]

    # -- what a subclass does -------------------------------------------------------------

    def _record(self, sent: SentT) -> None:
        """Keep a message the bot sent, and wake whoever waits for that chat."""
        self.sent.append(sent)
        self._sent_to[sent.chat_id].append(sent)
        self._arrived[sent.chat_id].set()

    def _params(self, method: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        """A call's parameters; an ApiError refuses the request before it is recorded."""
        raise NotImplementedError

    def _elsewhere(self, method: str, path: str) -> Response:
        """A request outside `/bot<token>/`."""
        return ApiError(401, "Unauthorized").response()

    async def _long_poll(self, timeout: float) -> bool:
        """Inside `async with self._changed`: wait for an update, the timeout or stop().

        False when the client hung up meanwhile: nobody would read what it is given, so a
        fake that forgets delivered updates (Zalo) must keep them for the next poller.
        """
        hung_up = _hung_up.get(None) or asyncio.Event()
        if not self._updates and timeout and not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(
                        lambda: bool(self._updates) or self._closing or hung_up.is_set()
                    ),
                    timeout,
                )
        return not hung_up.is_set()

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
                status, content_type, payload = await self._served(
                    reader, method, target, headers, body
                )
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
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
            with contextlib.suppress(Exception, asyncio.CancelledError):  # stop() cancels
                await writer.wait_closed()

    async def _served(
        self,
        reader: asyncio.StreamReader,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        """`_route`, watching the connection: a client closing it sets `_hung_up`."""
        hung_up = asyncio.Event()
        _hung_up.set(hung_up)

        async def watch() -> None:
            # A client waits for the answer before its next request, so the only thing
            # that can arrive meanwhile is the end of the stream.
            if not await reader.read(1):
                hung_up.set()
                await self._notify()

        watcher = asyncio.create_task(watch())
        try:
            return await self._route(method, target, headers, body)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _route(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Response:
        path = unquote(target.split("?", 1)[0])
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return self._elsewhere(method, path)
        api_method = path[len(prefix) :]
        try:
            params = self._params(method, headers, body)
        except ApiError as exc:
            return exc.response()
        self.requests.append((api_method, params))
        await self._notify()
        try:
            if self.failures[api_method]:
                raise self.failures[api_method].popleft()
            handler = getattr(self, f"_api_{api_method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except ApiError as exc:
            if exc.status != NO_UPDATE:
                self.errors.append((api_method, exc.status, exc.description))
            return exc.response()
        finally:
            await self._notify()
        return 200, JSON, json.dumps({"ok": True, "result": result}, ensure_ascii=False).encode()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
