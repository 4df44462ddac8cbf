"""A minimal HTTP/1.1 server for the Telegram and Zalo webhooks, on asyncio streams.

A request is accepted only with the secret header the platform was given, and its body is
bounded; what it carries goes to the channel's own handler."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000  # a Telegram update is a few kB; refuse anything absurd
READ_TIMEOUT = 30.0
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
}

Handler = Callable[[Any], Awaitable[None]]


class WebhookServer:
    """Accepts JSON POSTs on one path carrying the right secret header; everything else fails."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        secret: str,
        handler: Handler,
        secret_header: str = "x-telegram-bot-api-secret-token",
        accepts: tuple[type, ...] = (dict,),
    ) -> None:
        self.host, self.port, self.path = host, port, "/" + path.lstrip("/")
        self._secret = secret.encode()
        self._header = secret_header.lower()
        self._handler = handler
        self._accepts = accepts  # JSON body types handed on (Zalo may post a list)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen; `port` 0 picks a free port, readable afterwards."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("webhook listening on %s:%d%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                keep_alive = await asyncio.wait_for(self._one(reader, writer), READ_TIMEOUT)
                if not keep_alive:
                    break
        except (
            TimeoutError,
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.CancelledError,
        ):
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        request_line = await reader.readline()
        if not request_line:
            return False
        method, target, version = ([*request_line.decode("latin-1").split(), "", "", ""])[:3]
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY:
            await _respond(writer, 413, close=True)
            return False
        body = await reader.readexactly(length) if length else b""
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        status = await self._status(method, target, headers, body)
        await _respond(writer, status, close=not keep_alive)
        return keep_alive

    async def _status(self, method: str, target: str, headers: dict[str, str], body: bytes) -> int:
        if target.split("?", 1)[0] != self.path:
            return 404
        if method != "POST":
            return 405
        given = headers.get(self._header, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request without the right secret token refused (403)")
            return 403
        try:
            data = json.loads(body)
        except ValueError:
            return 400
        if not isinstance(data, self._accepts):
            return 400
        await self._handler(data)
        return 200


async def _respond(writer: asyncio.StreamWriter, status: int, close: bool) -> None:
    body = b"{}" if status == 200 else _REASONS.get(status, "Error").encode()
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: {'application/json' if status == 200 else 'text/plain'}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
    )
    writer.write(head.encode("latin-1") + body)
    await writer.drain()


@dataclass(frozen=True)
class Webhook:
    """Where a platform posts updates (its public URL) and where we listen for them."""

    url: str  # public HTTPS URL given to the platform
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8443

    def server(self, handler: Handler, **options: Any) -> WebhookServer:
        """The server that listens where this webhook says and feeds `handler`."""
        path = urlsplit(self.url).path or "/"
        return WebhookServer(self.listen, self.port, path, self.secret, handler, **options)


def receiving(webhook: Webhook | None) -> str:
    """How a bot gets its updates, for its status line."""
    return f"webhook {webhook.url}" if webhook else "long polling"
