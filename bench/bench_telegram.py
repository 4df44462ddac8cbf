"""Load on the Telegram bot: many chats asking at once through the fake Bot API.

    .venv/bin/python bench/bench_telegram.py [--chats 200] [--questions 10] [--think 0]

The real PTB Application (long polling) runs against tests/bot/fake_telegram.py on
127.0.0.1. Latency is from the moment the fake hands out the update to the `sendMessage`
that answers it. The load models and the baseline are described in bench/chat_load.py.
"""

from __future__ import annotations

import asyncio
import sys

from chat_load import Channel, arguments, question, run

from bot.telegram.launch import TelegramBot, build_application
from tests.bot.fake_telegram import TOKEN, FakeTelegram

FIRST_CHAT = 10_000


async def fake_api():
    fake = FakeTelegram()
    await fake.start()

    async def turn(chat: int, n: int) -> float:
        message = await fake.say(FIRST_CHAT + chat, question(chat, n))
        reply = await fake.next_message(FIRST_CHAT + chat, timeout=120)
        return reply.at - fake.pushed_at[(FIRST_CHAT + chat, message["message_id"])]

    return fake.base_url, turn, lambda chat: len(fake.to(FIRST_CHAT + chat)), fake.stop


async def start_bot(service, base_url: str, typing_after: float):
    app = build_application(service, TOKEN, base_url, typing_after=typing_after)
    bot = TelegramBot(app, poll_timeout=5)
    await bot.start()
    return bot.stop


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0])
    sys.exit(asyncio.run(run(Channel("Telegram", fake_api, start_bot), args)))
