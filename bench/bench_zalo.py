"""Load on the Zalo bot: many chats asking at once through the fake Zalo Bot API.

    .venv/bin/python bench/bench_zalo.py [--chats 200] [--questions 10] [--think 0]

The real ZaloClient and ZaloBot (long polling) run against tests/bot/fake_zalo.py on
127.0.0.1. Latency is from the moment the fake queues the update to the first
`sendMessage` that answers it. The load models and the baseline are described in
bench/chat_load.py.
"""

from __future__ import annotations

import asyncio
import sys

from chat_load import Channel, arguments, question, run

from bot.plaintext import FEEDBACK_HINT
from bot.zalo.client import ZaloClient
from bot.zalo.launch import ZaloBot
from tests.bot.fake_zalo import TOKEN, FakeZalo


def chat_id(chat: int) -> str:
    """Zalo ids are strings."""
    return f"c{10_000 + chat}"


async def fake_api():
    fake = FakeZalo()
    await fake.start()

    async def turn(chat: int, n: int) -> float:
        update = await fake.say(chat_id(chat), question(chat, n))
        first = reply = await fake.next_message(chat_id(chat), timeout=120)
        while not reply.text.endswith(FEEDBACK_HINT):  # a long answer comes in several parts
            reply = await fake.next_message(chat_id(chat), timeout=120)
        return first.at - fake.pushed_at[(chat_id(chat), update["message"]["message_id"])]

    def answers_of(chat: int) -> int:
        return sum(s.text.endswith(FEEDBACK_HINT) for s in fake.to(chat_id(chat)))

    return fake.base_url, turn, answers_of, fake.stop


async def start_bot(service, base_url: str, typing_after: float):
    bot = ZaloBot(service, ZaloClient(TOKEN, base_url), poll_timeout=5, typing_after=typing_after)
    await bot.start()
    return bot.stop


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0])
    sys.exit(asyncio.run(run(Channel("Zalo", fake_api, start_bot), args)))
