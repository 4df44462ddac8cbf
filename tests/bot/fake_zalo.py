"""A fake Zalo Bot API on 127.0.0.1 that answers like Zalo, for the real client and bot."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx

from tests.bot.fake_api import NO_UPDATE, ApiError, FakeBotApi, Sent

TOKEN = "1234567890:zalo-SECRET_abcdefghijklmnopqrstuvwxyz"
BOT = {"id": "1234567890", "account_name": "bot.hoidap", "display_name": "Hỏi đáp"}
MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
ADMIN = "8f2a0c41d7e3b5a9"  # Zalo ids are strings
MEMBER = "5c71e9d02b4a8f36"


class FakeZalo(FakeBotApi[Sent]):
    """Serves the Bot API methods the bot uses like Zalo: JSON POSTs, 408 for an empty poll."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__(token)
        self._ids = itertools.count(1)

    # -- what a test does ---------------------------------------------------------------

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

    # -- HTTP ---------------------------------------------------------------------------

    def _params(self, method: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        if method != "POST":
            raise ApiError(401, "Unauthorized")
        try:
            return json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, "Bad Request: body is not JSON") from None

    # -- Bot API methods ------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {**BOT, "account_type": "BASIC", "can_join_groups": True}

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook:
            raise ApiError(400, "Bad Request: webhook is active, use deleteWebhook first")
        async with self._changed:
            listening = await self._long_poll(float(params.get("timeout", 0) or 0))
            if not self._updates or not listening:
                raise ApiError(NO_UPDATE, "Request timeout")
            updates, self._updates = self._updates, []
        return updates[0] if len(updates) == 1 else updates  # Zalo sends one; accept both

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        secret = str(params.get("secret_token", ""))
        if not str(params.get("url", "")).startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: url is invalid")
        if not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook = {"url": params["url"], "secret_token": secret}
        return {"url": params["url"], "updated_at": int(time.time() * 1000)}

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "updated_at": 0}

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        if params.get("action") not in ("typing", "upload_photo"):
            raise ApiError(400, "Bad Request: unknown action")
        self.actions.append(params)
        return {}

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id, text = params.get("chat_id"), params.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            raise ApiError(400, "Bad Request: chat_id is required")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, f"Bad Request: text is longer than {MAX_TEXT} characters")
        sent = Sent(chat_id, text, f"s{next(self._ids):06d}")
        self._record(sent)
        return {"message_id": sent.message_id, "date": int(time.time() * 1000)}
