"""Building, starting and stopping the Telegram bot: polling or webhook, startup retries."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Sequence
from typing import Any

from telegram import BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor, Defaults

from bot.broadcast import Sender
from bot.running import TYPING_AFTER, ChatOrder, reach
from bot.service import ChatService
from bot.telegram.delivery import RetryAfterLimiter, RetryingRequest
from bot.telegram.gestures import notice_sender
from bot.telegram.handlers import ADMIN_COMMANDS, CHANNEL, COMMANDS, Handlers
from bot.webhook import Webhook, WebhookServer, receiving
from index.errors import HoidapError

log = logging.getLogger(__name__)

# The updates the bot asks Telegram for: messages and buttons, reactions on its answers
# (feedback), inline queries (answers shared in any chat), and its own membership (a member
# who blocked it is sent nothing more). Telegram sends reactions only when asked for.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MESSAGE_REACTION,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
]
# Updates PTB handles at once. Each waits mostly on the answerer, whose threads bound the
# real work (retrieval/answering.py ANSWER_THREADS); one chat's updates still run in order.
CONCURRENT_UPDATES = 256


def build_application(
    service: ChatService,
    token: str,
    base_url: str = "https://api.telegram.org/bot",
    admin_ids: Sequence[int] = (),
    polling: bool = True,
    attempts: int = 5,
    backoff: float = 0.5,
    typing_after: float = TYPING_AFTER,
) -> Application:
    """The PTB Application with our handlers, HTML defaults, retries and per-chat ordering."""
    # PTB's documented opt-in to its next major version's timedelta time periods; without it
    # PTB itself warns (deprecation) whenever Telegram answers 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(file_url(base_url))
        .request(RetryingRequest(attempts=attempts, backoff=backoff, read_timeout=15.0))
        .rate_limiter(RetryAfterLimiter())
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(PerChatProcessor(CONCURRENT_UPDATES))
    )
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    handlers = Handlers(service, admin_ids, typing_after)
    handlers.register(app)
    app.bot_data["handlers"] = handlers  # closed with the bot (TelegramBot.stop)
    return app


async def set_commands(app: Application, admin_ids: Sequence[int]) -> None:
    """The command menu for everyone, and with the admin commands for each admin."""
    await app.bot.set_my_commands(COMMANDS)
    for admin in admin_ids:
        try:
            await app.bot.set_my_commands(
                COMMANDS + ADMIN_COMMANDS, scope=BotCommandScopeChat(admin)
            )
        except TelegramError as exc:  # the admin has not opened a chat with the bot yet
            log.info("admin command menu not set for %s: %s", admin, exc)


def file_url(base_url: str) -> str:
    """The file download base matching a Bot API base: `…/bot` → `…/file/bot`."""
    root, sep, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{root}/file/bot" if sep else base_url.rstrip("/") + "/file/bot"


class PerChatProcessor(BaseUpdateProcessor):
    """Chats run concurrently; one chat's updates run in order (follow-ups need that)."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._order = ChatOrder()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers after the same chat's earlier updates."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self._order.turn(chat.id):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class TelegramBot:
    """A started Application plus, in webhook mode, the HTTP server feeding it."""

    def __init__(
        self,
        app: Application,
        admin_ids: Sequence[int] = (),
        webhook: Webhook | None = None,
        startup_seconds: float = 120.0,
        poll_timeout: int = 30,
    ) -> None:
        self.app = app
        self.admin_ids = list(admin_ids)
        self.webhook = webhook
        self.startup_seconds = startup_seconds
        self.poll_timeout = poll_timeout
        self.server: WebhookServer | None = None
        self.channel = CHANNEL
        self.finished = asyncio.Event()  # a bot runs until it is stopped

    def status(self) -> str:
        """What `hoidap run` prints once the bot runs."""
        mode = receiving(self.webhook)
        return f"Telegram bot @{self.app.bot.username} running ({mode}); Ctrl-C stops it."

    async def start(self) -> None:
        """Reach the Bot API (retrying while it is down), then poll or serve the webhook."""
        where = self.app.bot.base_url.split("/bot")[0]  # no token in messages
        await reach(
            self._initialize, "Telegram", where, self.startup_seconds, retry_on=(TelegramError,)
        )
        await set_commands(self.app, self.admin_ids)
        if self.webhook is None:
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                timeout=self.poll_timeout, bootstrap_retries=-1, allowed_updates=ALLOWED_UPDATES
            )
        else:
            self.server = self.webhook.server(self._enqueue)
            await self.server.start()
            await self.app.bot.set_webhook(
                self.webhook.url,
                secret_token=self.webhook.secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        await self.app.start()
        log.info("telegram bot @%s started", self.app.bot.username)

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, shut down."""
        if self.server is not None:
            await self.server.stop()
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        handlers = self.app.bot_data.get("handlers")
        if handlers is not None:
            handlers.gestures.messages.close()

    def sender(self) -> Sender:
        """How follow notices reach a Telegram chat (bot/broadcast.py)."""
        return notice_sender(self.app.bot)

    async def _enqueue(self, data: dict[str, Any]) -> None:
        await self.app.update_queue.put(Update.de_json(data, self.app.bot))

    async def _initialize(self) -> None:
        try:
            await self.app.initialize()
        except InvalidToken as exc:
            raise HoidapError(
                "Telegram refused the bot token: check HOIDAP_TELEGRAM_TOKEN "
                f"(from @BotFather) and HOIDAP_TELEGRAM_BASE_URL ({exc})"
            ) from None
