"""Starting and stopping the Zalo bot: long polling or webhook, per-chat order, retries."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection
from typing import Any

from bot.broadcast import Sender
from bot.running import TYPING_AFTER, UNTIL_UP, ChatOrder, reach
from bot.service import ChatService
from bot.webhook import Webhook, WebhookServer, receiving
from bot.zalo.client import ZaloClient, ZaloError, ZaloNetworkError, as_updates
from bot.zalo.handlers import CHANNEL, Handlers, Incoming, notice_sender, parse
from index.errors import HoidapError

log = logging.getLogger(__name__)

SECRET_HEADER = "x-bot-api-secret-token"
CONCURRENCY = 256  # chats served at once; one chat's messages always run in order
STOP_SECONDS = 30.0  # how long stop() waits for answers in progress


class ZaloBot:
    """The Zalo channel running: updates in (polling or webhook), handlers, replies out."""

    def __init__(
        self,
        service: ChatService,
        client: ZaloClient,
        admin_ids: Collection[str] = (),
        webhook: Webhook | None = None,
        poll_timeout: int = 30,
        startup_seconds: float = 120.0,
        bot_name: str = "",
        typing_after: float = TYPING_AFTER,
    ) -> None:
        self.client = client
        self.handlers = Handlers(service, client, admin_ids, typing_after)
        self.webhook = webhook
        self.poll_timeout = poll_timeout
        self.startup_seconds = startup_seconds
        self.bot_name = bot_name
        self.name = ""
        self.server: WebhookServer | None = None
        self._poller: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._order = ChatOrder()
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self.channel = CHANNEL
        self.finished = asyncio.Event()  # a bot runs until it is stopped

    def status(self) -> str:
        """What `hoidap run` prints once the bot runs."""
        return f"Zalo bot {self.name} running ({receiving(self.webhook)}); Ctrl-C stops it."

    async def start(self) -> None:
        """Reach the Bot API (retrying while it is down), then poll or serve the webhook."""
        me = await reach(
            self._get_me,
            "Zalo",
            self.client.where,
            self.startup_seconds,
            retry_on=(ZaloError, ZaloNetworkError),
        )
        names = [self.bot_name, str(me.get("display_name", "")), str(me.get("account_name", ""))]
        self.handlers.names = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
        self.name = self.handlers.names[0] if self.handlers.names else "?"
        if self.webhook is None:
            with contextlib.suppress(ZaloError):  # none set: nothing to delete
                await self.client.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="zalo-poll")
        else:
            self.server = self.webhook.server(
                self.feed, secret_header=SECRET_HEADER, accepts=(dict, list)
            )
            await self.server.start()
            await self.client.set_webhook(self.webhook.url, self.webhook.secret)
        log.info("zalo bot %s started", self.name)

    async def stop(self) -> None:
        """Stop receiving, finish the messages in hand, close the client."""
        if self.server is not None:
            await self.server.stop()
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=STOP_SECONDS)
            for task in pending:
                task.cancel()
        await self.client.aclose()

    async def feed(self, data: Any) -> None:
        """Take one update or a list of them (from a poll or a webhook request)."""
        for update in as_updates(data):
            message = parse(update)
            if message is None:
                log.info("ignored Zalo event %r", update.get("event_name"))
                continue
            task = asyncio.create_task(self._handle(message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _handle(self, message: Incoming) -> None:
        """Run after the same chat's earlier messages (follow-ups need that order)."""
        async with self._order.turn(message.chat_id), self._slots:
            await self.handlers.handle(message)

    async def _poll(self) -> None:
        delays = UNTIL_UP.delays()
        while True:
            try:
                updates = await self.client.get_updates(self.poll_timeout)
            except (ZaloError, ZaloNetworkError) as exc:
                delay = next(delays)
                log.warning("Zalo getUpdates failed (%s); retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                continue
            delays = UNTIL_UP.delays()
            await self.feed(updates)

    def sender(self) -> Sender:
        """How follow notices reach a Zalo chat (bot/broadcast.py)."""
        return notice_sender(self.client)

    async def _get_me(self) -> dict[str, Any]:
        try:
            return await self.client.get_me()
        except ZaloError as exc:
            if exc.code < 500:
                raise HoidapError(
                    "Zalo refused the bot token: check HOIDAP_ZALO_TOKEN (from Zalo Bot "
                    f"Creator) and HOIDAP_ZALO_BASE_URL ({exc})"
                ) from None
            raise
