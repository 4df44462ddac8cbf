"""What every channel's bot needs to run: reach its Bot API, keep each chat in order, stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import TypeVar

from bot.transport import RetryPolicy
from index.errors import HoidapError

log = logging.getLogger(__name__)

# A Bot API that is down (at start-up, or while long polling) is tried again and again,
# 1 s after the first failure, doubling up to 30 s.
UNTIL_UP = RetryPolicy(attempts=None, backoff=1.0, max_backoff=30.0)
# "typing…" is shown only when an answer takes longer than this: most take a few tens of
# milliseconds, and the action is a request to the Bot API like the reply itself.
TYPING_AFTER = 0.5
T = TypeVar("T")


async def typing_while(
    answer: Awaitable[T], typing: Callable[[], Awaitable[None]], after: float
) -> T:
    """Await `answer`; if it is not ready within `after` seconds, show `typing()` meanwhile.

    The typing action is awaited before returning, so it never reaches the chat after the
    answer (the platform would then show "typing…" for seconds more). `typing` must not
    raise: it is a courtesy.
    """
    task = asyncio.ensure_future(answer)
    try:
        done, _ = await asyncio.wait({task}, timeout=after)
        if done:
            return task.result()
        shown = asyncio.create_task(typing())
        try:
            return await task
        finally:
            await shown
    finally:
        task.cancel()  # only when this call was cancelled: otherwise it is done


async def reach(
    connect: Callable[[], Awaitable[T]],
    platform: str,
    where: str,
    startup_seconds: float,
    *,
    retry_on: tuple[type[Exception], ...],
) -> T:
    """`connect()`, retried with backoff for `startup_seconds` while the Bot API is down."""
    started = time.monotonic()
    for delay in UNTIL_UP.delays():
        try:
            return await connect()
        except retry_on as exc:
            waited = time.monotonic() - started
            if waited + delay > startup_seconds:
                env = f"HOIDAP_{platform.upper()}"
                raise HoidapError(
                    f"cannot reach the {platform} Bot API at {where} after {waited:.0f}s "
                    f"({exc}): check the network and {env}_BASE_URL; "
                    f"{env}_STARTUP_SECONDS sets how long to keep trying"
                ) from None
            log.warning("%s Bot API unreachable (%s); retrying in %.0fs", platform, exc, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable: UNTIL_UP never runs out of delays")


class ChatOrder:
    """Chats run concurrently; one chat's turns run in order (follow-ups need that)."""

    def __init__(self) -> None:
        self._chats: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat: Hashable) -> AsyncIterator[None]:
        """Wait for the chat's earlier turns to finish; hold the chat until this one does."""
        lock, users = self._chats.get(chat, (asyncio.Lock(), 0))
        self._chats[chat] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chats[chat]
            if users == 1:  # nobody else waits: forget the chat
                del self._chats[chat]
            else:
                self._chats[chat] = (lock, users - 1)


def stop_event() -> asyncio.Event:
    """An event that SIGINT or SIGTERM sets; call it inside the running loop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
