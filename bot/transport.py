"""What every channel's Bot API client shares: the retry policy, connection limits, and the
one place secrets are taken out of logs and messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 5
BACKOFF = 0.5  # seconds before the first retry, doubled each time
MAX_BACKOFF = 8.0
# Bot API calls in flight at once. httpx's pool rescans every waiting request against every
# connection each time one frees up, which under hundreds of concurrent answers costs more
# than the answers: clients wait for one of these slots first, in order.
CONNECTIONS = 16
# Errors after which the request certainly never reached the Bot API.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def never_sent(exc: BaseException) -> bool:
    """Whether `exc` (or the httpx error it wraps) means the request never left."""
    return isinstance(exc, NOT_SENT) or isinstance(exc.__cause__, NOT_SENT)


@dataclass(frozen=True)
class RetryPolicy:
    """How a Bot API call is repeated: `attempts` tries, waiting `backoff` seconds after the
    first failure and twice as long after each next one, at most `max_backoff`.

    A call that may already have reached the platform (a read timeout on sendMessage) is
    repeated only if the method changes nothing when repeated: no reply is sent twice.
    """

    attempts: int | None = ATTEMPTS  # None: until it succeeds (start-up, long polling)
    backoff: float = BACKOFF
    max_backoff: float = MAX_BACKOFF

    def delays(self) -> Iterator[float]:
        """The waits between attempts: one fewer than the attempts (endless if unbounded)."""
        delay, waits = self.backoff, 0
        while self.attempts is None or waits < self.attempts - 1:
            yield delay
            waits += 1
            delay = min(delay * 2, self.max_backoff)

    async def call(
        self,
        what: str,
        attempt: Callable[[], Awaitable[T]],
        *,
        network: tuple[type[BaseException], ...],
        repeatable: bool,
        transient: Callable[[T], str | None] = lambda _: None,
        describe: Callable[[BaseException], str] = lambda exc: type(exc).__name__,
    ) -> T:
        """`attempt()`, repeated after a `network` error (only when `repeatable` or the
        request never left) and after a result `transient` names a reason for (a 502)."""
        for retry, delay in enumerate((*self._bounded_delays(), None), start=1):
            try:
                result = await attempt()
            except network as exc:
                if delay is None or not (repeatable or never_sent(exc)):
                    raise
                log.warning("%s: %s, retry %d in %.1fs", what, describe(exc), retry, delay)
            else:
                reason = transient(result)
                if reason is None or delay is None:
                    return result
                log.warning("%s: %s, retry %d in %.1fs", what, reason, retry, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _bounded_delays(self) -> tuple[float, ...]:
        if self.attempts is None:
            raise ValueError("call() needs a bounded number of attempts")
        return tuple(self.delays())


class RedactSecrets(logging.Filter):
    """Replaces secrets (bot tokens) in log messages and tracebacks, and in any text."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by `<redacted>`."""
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


def protect_logs(secrets: Sequence[str]) -> None:
    """Redact secrets on every root handler and silence httpx's per-request URL logging."""
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    logging.getLogger("httpx").setLevel(logging.WARNING)
