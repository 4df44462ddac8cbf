"""A thin async client for the Zalo Bot API: JSON POSTs, retries, the token kept out of logs."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

import httpx

from bot.transport import ATTEMPTS, BACKOFF, CONNECTIONS, RedactSecrets, RetryPolicy
from index.errors import HoidapError

log = logging.getLogger(__name__)

BASE_URL = "https://bot-api.zaloplatforms.com/bot"
NO_UPDATE = 408  # getUpdates' "nothing arrived during the long poll"
# Methods that change nothing when repeated. Anything else (sendMessage) is retried after a
# network error only when the request certainly never left, so no reply is sent twice.
IDEMPOTENT = frozenset(
    {"getMe", "getUpdates", "getWebhookInfo", "setWebhook", "deleteWebhook", "sendChatAction"}
)
_LOGGERS = ("httpx",)  # it logs every request URL, token included (httpcore logs no URL)


class ZaloError(HoidapError):
    """The Bot API answered `ok: false` (or not JSON)."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"Zalo {method} failed: {code} {description}")
        self.method, self.code, self.description = method, code, description


class ZaloNetworkError(HoidapError):
    """The Bot API could not be reached (after the retries)."""


class ZaloClient:
    """`POST <base><token>/<method>` with a JSON body; `result` back or a ZaloError."""

    def __init__(
        self,
        token: str,
        base_url: str = BASE_URL,
        attempts: int = ATTEMPTS,
        backoff: float = BACKOFF,
        timeout: float = 15.0,
    ) -> None:
        self._token = token
        self.base_url = base_url
        self.policy = RetryPolicy(attempts, backoff)
        self.timeout = timeout
        self._redact = RedactSecrets([token, quote(token, safe="")])
        for name in _LOGGERS:
            logging.getLogger(name).addFilter(self._redact)
        self._http = httpx.AsyncClient(
            timeout=timeout, limits=httpx.Limits(max_connections=CONNECTIONS)
        )
        self._slots = asyncio.Semaphore(CONNECTIONS)  # why: bot/transport.py

    async def aclose(self) -> None:
        """Close the connections and the log filters."""
        await self._http.aclose()
        for name in _LOGGERS:
            logging.getLogger(name).removeFilter(self._redact)

    async def call(self, method: str, http_timeout: float | None = None, **params: Any) -> Any:
        """One Bot API call, retried with backoff on network errors and 5xx when safe."""
        url = f"{self.base_url}{self._token}/{method}"
        timeout = http_timeout or self.timeout

        async def attempt() -> httpx.Response:
            async with self._slots:
                return await self._http.post(url, json=params, timeout=timeout)

        try:
            response = await self.policy.call(
                f"Zalo {method}",
                attempt,
                network=(httpx.TransportError,),
                repeatable=method in IDEMPOTENT,
                transient=lambda r: f"HTTP {r.status_code}" if r.status_code >= 500 else None,
                describe=self._reason,
            )
        except httpx.TransportError as exc:
            raise ZaloNetworkError(
                f"Zalo {method}: cannot reach the Bot API at {self.where} ({self._reason(exc)})"
            ) from None
        return self._result(method, response)

    def _reason(self, exc: BaseException) -> str:
        return self._redact.redact(f"{type(exc).__name__}: {exc}".rstrip(": "))

    @property
    def where(self) -> str:
        """The API base without the token, for messages."""
        return self.base_url.rstrip("/").removesuffix("/bot") or self.base_url

    def _result(self, method: str, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ZaloError(method, response.status_code, "the answer is not JSON")
        if body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code", response.status_code)
        description = self._redact.redact(str(body.get("description", "")))
        raise ZaloError(method, int(code) if str(code).isdigit() else 0, description)

    # -- the methods the bot uses -------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        """The bot's own account (id, account_name, display_name…)."""
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, timeout: int = 30) -> list[dict[str, Any]]:
        """Wait up to `timeout` seconds for updates; [] when none came (error 408)."""
        try:
            result = await self.call(
                "getUpdates", http_timeout=timeout + 10.0, timeout=str(timeout)
            )
        except ZaloError as exc:
            if exc.code == NO_UPDATE:
                return []
            raise
        return as_updates(result)

    async def send_message(self, chat_id: str, text: str) -> Any:
        """Send plain text (1–2,000 characters) to a chat."""
        return await self.call("sendMessage", chat_id=chat_id, text=text)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        """Show "typing…" in a chat."""
        return await self.call("sendChatAction", chat_id=chat_id, action=action)

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        """Have Zalo POST updates to `url` with the secret in X-Bot-Api-Secret-Token."""
        return await self.call("setWebhook", url=url, secret_token=secret_token)

    async def delete_webhook(self) -> Any:
        """Back to getUpdates."""
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> Any:
        """The webhook Zalo has on record."""
        return await self.call("getWebhookInfo")


def as_updates(data: Any) -> list[dict[str, Any]]:
    """A single update or a list of them, as a list of dicts (anything else dropped)."""
    if isinstance(data, dict) and "result" in data and "event_name" not in data:
        data = data["result"]  # a webhook body may come in the API's {"ok", "result"} envelope
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]
