"""Signing admins in to the console, and keeping forms to them.

An admin signs in with the console's password, kept only as a scrypt hash
(HOIDAP_WEB_PASSWORD_HASH, printed by `hoidap web --hash-password`), or with a long random
token (HOIDAP_WEB_TOKEN). The session is a signed, HTTP-only, SameSite=Strict cookie;
every form carries the session's CSRF token, checked on each POST. Repeated wrong
passwords from one address are refused for a while.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any

# scrypt's cost: 16 MiB and ~50 ms per check on this machine's cores; the hash says its
# own parameters, so raising them later keeps old hashes valid.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
FAILURES = 5  # wrong sign-ins from one address ...
WITHIN_SECONDS = 300.0  # ... within this long lock it out for as long
MAX_CLIENTS = 10_000  # addresses remembered
CSRF_FIELD = "csrf"


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash` (base64), for HOIDAP_WEB_PASSWORD_HASH."""
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    parts = [str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)]
    return "$".join(["scrypt", *parts])


def check_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` (a `hash_password` value) was made from."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        given = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except ValueError:  # a malformed hash never signs anyone in
        return False
    return hmac.compare_digest(given, expected)


def valid_hash(stored: str) -> bool:
    """Whether a configured password hash has the shape `hash_password` gives."""
    parts = stored.split("$")
    return len(parts) == 6 and parts[0] == "scrypt" and all(parts[1:])


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def csrf_ok(session: MutableMapping[str, Any], given: object) -> bool:
    """Whether a form's token is the session's."""
    expected = session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(given, str) or not expected:
        return False
    return same_secret(given, expected)


class SignInGuard:
    """Counts wrong sign-ins per client address; too many lock the address out."""

    def __init__(
        self,
        failures: int = FAILURES,
        within: float = WITHIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.within = within
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def locked(self, client: str) -> bool:
        recent = self._recent(client)
        return len(recent) >= self.failures

    def failed(self, client: str) -> None:
        self._recent(client).append(self._clock())

    def succeeded(self, client: str) -> None:
        self._seen.pop(client, None)

    def _recent(self, client: str) -> deque[float]:
        if len(self._seen) > MAX_CLIENTS:  # many addresses: forget those quiet for a while
            now = self._clock()
            self._seen = {c: d for c, d in self._seen.items() if d and now - d[-1] <= self.within}
        recent = self._seen.setdefault(client, deque())
        now = self._clock()
        while recent and now - recent[0] > self.within:
            recent.popleft()
        return recent


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
