"""The one retry policy every Bot API client uses (bot/transport.py)."""

from __future__ import annotations

import itertools

import httpx
import pytest

from bot.transport import RetryPolicy

FAST = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.002)


class Flaky:
    """Fails with each of `failures` in turn, then returns "ok"."""

    def __init__(self, *failures: BaseException | str) -> None:
        self.failures, self.calls = list(failures), 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, BaseException):
                raise failure
            return failure
        return "ok"


def test_delays_double_up_to_the_cap_one_fewer_than_the_attempts() -> None:
    assert list(RetryPolicy(attempts=6, backoff=0.5, max_backoff=3).delays()) == [
        0.5, 1.0, 2.0, 3, 3,
    ]  # fmt: skip
    endless = RetryPolicy(attempts=None, backoff=1, max_backoff=30).delays()
    assert list(itertools.islice(endless, 7)) == [1, 2, 4, 8, 16, 30, 30]


async def test_a_request_that_never_left_is_repeated_even_if_not_repeatable() -> None:
    attempt = Flaky(httpx.ConnectError("refused"))

    result = await FAST.call("send", attempt, network=(httpx.TransportError,), repeatable=False)

    assert (result, attempt.calls) == ("ok", 2)


async def test_a_request_that_may_have_arrived_is_not_sent_twice() -> None:
    attempt = Flaky(httpx.ReadTimeout("slow"))

    with pytest.raises(httpx.ReadTimeout):
        await FAST.call("send", attempt, network=(httpx.TransportError,), repeatable=False)
    assert attempt.calls == 1


async def test_a_repeatable_call_is_repeated_until_the_attempts_run_out() -> None:
    attempt = Flaky(*[httpx.ReadTimeout("slow")] * 5)

    with pytest.raises(httpx.ReadTimeout):
        await FAST.call("getMe", attempt, network=(httpx.TransportError,), repeatable=True)
    assert attempt.calls == 3


async def test_a_transient_answer_is_repeated_and_the_last_one_returned() -> None:
    def transient(result: str) -> str | None:
        return "HTTP 502" if result == "502" else None

    recovers = Flaky("502")
    stays_down = Flaky("502", "502", "502", "502")
    network = (httpx.TransportError,)

    assert (
        await FAST.call("x", recovers, network=network, repeatable=False, transient=transient)
        == "ok"
    )
    assert (
        await FAST.call("x", stays_down, network=network, repeatable=False, transient=transient)
        == "502"
    )
    assert (recovers.calls, stays_down.calls) == (2, 3)
