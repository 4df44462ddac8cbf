"""Getting requests to Telegram: wait out 429s, retry network trouble, never send twice."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.warnings import PTBDeprecationWarning

from bot.transport import ATTEMPTS, BACKOFF, CONNECTIONS, RetryPolicy

log = logging.getLogger(__name__)

# How long a call may wait for a free connection.
POOL_TIMEOUT = 30.0
MAX_RETRY_AFTER = 300.0
# Gateway errors: Telegram's front end could not reach the Bot API, nothing was done.
RETRY_STATUS = frozenset({502, 503, 504})
# Methods that change nothing when repeated; anything else (sendMessage…) is retried only
# when the request certainly did not reach Telegram, so no reply is ever sent twice.
IDEMPOTENT = frozenset(
    {
        "getMe",
        "getFile",
        "getChat",
        "setMyCommands",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "sendChatAction",
        "answerCallbackQuery",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds (PTB is moving this attribute to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class RetryAfterLimiter(BaseRateLimiter[None]):
    """PTB's rate-limiter hook used as Telegram asks: on 429 wait `retry_after`, then retry."""

    def __init__(self, attempts: int = ATTEMPTS) -> None:
        self.attempts = attempts

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Call Telegram; on flood control wait as told and try again."""
        for attempt in range(1, self.attempts + 1):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = min(retry_after_seconds(exc), MAX_RETRY_AFTER)
                if attempt == self.attempts:
                    raise
                log.warning("%s: flood control, retrying in %.1fs", endpoint, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")


class RetryingRequest(HTTPXRequest):
    """HTTPX transport that retries with backoff what Telegram cannot have acted on."""

    def __init__(
        self, *args: Any, attempts: int = ATTEMPTS, backoff: float = BACKOFF, **kwargs: Any
    ) -> None:
        kwargs.setdefault("connection_pool_size", CONNECTIONS)
        kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
        super().__init__(*args, **kwargs)
        self.policy = RetryPolicy(attempts, backoff)
        self._slots = asyncio.Semaphore(kwargs["connection_pool_size"])  # bot/transport.py

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One Bot API call, repeated on connection errors, timeouts and 5xx when safe."""
        endpoint = url.rsplit("/", 1)[-1]
        parent = super().do_request

        async def attempt() -> tuple[int, bytes]:
            async with self._slots:
                return await parent(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )

        return await self.policy.call(
            endpoint,
            attempt,
            network=(TimedOut, NetworkError),
            repeatable=endpoint in IDEMPOTENT,
            transient=lambda result: f"HTTP {result[0]}" if result[0] in RETRY_STATUS else None,
            describe=_short,
        )


def _short(exc: BaseException) -> str:
    cause = exc.__cause__
    return f"{type(exc).__name__} ({type(cause).__name__})" if cause else type(exc).__name__
