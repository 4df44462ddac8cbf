"""One runner for every channel: start them in one process, on one chat service and one
store, until SIGINT/SIGTERM or until a channel ends by itself (the terminal at end of input).

A channel is anything with the `Channel` protocol; `hoidap run` builds the channels whose
settings are present (bot/cli.py) and hands them here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from bot.running import stop_event

log = logging.getLogger(__name__)


class Channel(Protocol):
    """A way members reach the chat core: Telegram, Zalo, the terminal…"""

    channel: str  # "telegram", "zalo", "terminal": the name bot.sqlite records
    finished: asyncio.Event  # set when the channel ends by itself; never, for a bot

    async def start(self) -> None:
        """Connect (retrying while the platform is down) and begin taking messages."""
        ...

    async def stop(self) -> None:
        """Stop taking messages, finish those in hand, disconnect."""
        ...

    def status(self) -> str:
        """The line printed once it runs ("Telegram bot @x running (long polling)")."""
        ...


async def serve(channels: Sequence[Channel]) -> None:
    """Start every channel, wait for a signal or a channel's end, stop them in reverse."""
    stop = stop_event()
    started: list[Channel] = []
    try:
        for channel in channels:
            started.append(channel)  # stopped too if its start fails half-way
            await channel.start()
            if line := channel.status():
                print(line, flush=True)
        waits = [asyncio.create_task(stop.wait())]
        waits += [asyncio.create_task(c.finished.wait()) for c in channels]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
    finally:
        for channel in reversed(started):
            try:
                await channel.stop()
            except Exception:  # the others must still stop
                log.exception("%s did not stop cleanly", channel.channel)


def run(channels: Sequence[Channel]) -> int:
    """`hoidap run`: serve the channels until Ctrl-C, SIGTERM or the terminal's end."""
    asyncio.run(serve(channels))
    return 0
