"""The terminal chat: a channel like Telegram and Zalo, one question or command per line.

Questions go through the same chat service (follow-ups, the store, /stats), commands
through the same table (bot/commands.py); the person at the terminal is an admin (they can
read the data directory anyway). Lines are read in a thread of their own so that Ctrl-C
and the end of input stop the channel at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from typing import TextIO

from bot import plaintext, texts
from bot.commands import Caller, Commands, replies
from bot.commands import Reply as CommandReply
from bot.render import plain_text
from bot.service import ChatService, Reply

log = logging.getLogger(__name__)

CHANNEL = "terminal"
CHAT = USER = "local"
WIDE = 1_000_000  # a terminal has no message limit
WELCOME = (
    "Hỏi đáp về chỉ thị, nghị quyết của Đảng. Gõ câu hỏi rồi nhấn Enter (/help: các lệnh); "
    "Ctrl-D hoặc Ctrl-C để thoát."
)
GOODBYE = "Tạm biệt!"
TIPS = (
    "Lệnh khác: /xemnguon — đọc nguyên đoạn trích của câu trả lời vừa rồi, /them — xem "
    "thêm kết quả; quản trị: /stats, /reindex, /xoa <mã bài>."
)


class TerminalChat:
    """Reads lines from `stdin`, prints the replies to `stdout`, ends at end of input."""

    def __init__(
        self, service: ChatService, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
    ) -> None:
        self.service = service
        self.commands = Commands(service)
        self.stdin, self.stdout = stdin, stdout
        self.channel = CHANNEL
        self.finished = asyncio.Event()
        self._interactive = stdin.isatty()
        self._task: asyncio.Task[None] | None = None

    def status(self) -> str:
        """Nothing more to say once it runs: the welcome is the first line."""
        return ""

    async def start(self) -> None:
        """Greet and start reading."""
        self._print(WELCOME)
        self._task = asyncio.create_task(self._converse())

    async def stop(self) -> None:
        """Stop reading (a question being answered is abandoned) and say goodbye."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._print(f"\n{GOODBYE}")

    async def _converse(self) -> None:
        lines = _lines(self.stdin)
        try:
            while True:
                if self._interactive:
                    print("\nBạn: ", end="", file=self.stdout, flush=True)
                line = await lines.get()
                if line is None:
                    break
                if not line.strip():
                    continue
                try:
                    await self._reply(line.strip())
                except Exception:  # one line's failure must not end the chat
                    log.exception("error while answering a terminal line")
                    self._say([texts.ERROR])
        finally:
            self.finished.set()

    async def _reply(self, text: str) -> None:
        caller = Caller(CHANNEL, CHAT, USER, admin=True)

        async def say(reply: CommandReply) -> None:
            self._say(plaintext.render(reply, WIDE, TIPS))

        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            await replies(self.commands.run(name.lower(), caller, args), say)
            return
        choice = await self.commands.choice(caller, text)  # "2" during a quiz
        if choice is not None:
            await say(choice)
            return
        reply = await self.service.ask(CHANNEL, CHAT, USER, text, rate_limited=False)
        if reply is not None:
            self._say([_text(reply)])
            if reply.answer is not None and reply.question_id is not None:
                self.service.remember(CHANNEL, CHAT, reply.question_id)

    def _say(self, messages: list[str]) -> None:
        self._print("\nHỏi đáp: " + "\n\n".join(messages))

    def _print(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)


def _text(reply: Reply) -> str:
    return plain_text(reply.answer) if reply.answer is not None else reply.text


def _lines(stdin: TextIO) -> asyncio.Queue[str | None]:
    """The lines of `stdin`, then None at its end, read by a daemon thread: a read that
    blocks never keeps the process from exiting."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            for line in iter(stdin.readline, ""):
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError):  # closed under us
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return queue
