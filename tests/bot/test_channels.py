"""The contract every channel keeps, run against each one through its fake Bot API.

A new channel gets these tests by adding one `Channel` to CHANNELS: a member's question is
answered with its source, the command table answers the same way everywhere, admin commands
are refused to members (and logged), and a Bot API that is down at start-up is waited for
or reported clearly.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import pytest

from bot.service import ChatService
from tests.bot import fake_telegram, fake_zalo
from tests.bot.conftest import (
    ADMIN,
    MEMBER,
    QUESTION,
    running,
    start_bot,
    start_zalo_bot,
    started_while_down,
    startup_error,
)
from tests.bot.fake_api import FakeBotApi, Sent
from tests.bot.fake_telegram import FakeTelegram, TelegramSent
from tests.bot.fake_zalo import FakeZalo


@dataclass(frozen=True)
class Channel:
    """How a test drives one channel: its fake API, its bot, its ids, what a member reads."""

    name: str
    api: Callable[[], FakeBotApi[Any]]
    start: Callable[[FakeBotApi[Any], ChatService, Any], Coroutine[Any, Any, Any]]
    member: Any
    admin: Any
    token: str
    read: Callable[[Sent], str]

    def __str__(self) -> str:
        return self.name


def _visible(sent: Sent) -> str:
    assert isinstance(sent, TelegramSent)
    return sent.visible


CHANNELS = [
    Channel(
        "telegram",
        FakeTelegram,
        lambda api, service, kw: start_bot(api, service, **kw),
        MEMBER,
        ADMIN,
        fake_telegram.TOKEN,
        _visible,
    ),
    Channel(
        "zalo",
        FakeZalo,
        lambda api, service, kw: start_zalo_bot(api, service, **kw),
        fake_zalo.MEMBER,
        fake_zalo.ADMIN,
        fake_zalo.TOKEN,
        lambda sent: sent.text,
    ),
]


@pytest.fixture(params=CHANNELS, ids=str)
def channel(request: pytest.FixtureRequest) -> Channel:
    return request.param


class Chat:
    """A running bot of one channel, asked as its members and admins would."""

    def __init__(self, channel: Channel, api: FakeBotApi[Any]) -> None:
        self.channel, self.api = channel, api

    async def ask(self, who: Any, text: str, timeout: float = 20.0) -> str:
        return self.channel.read(await self.api.ask(who, text, timeout))

    async def next(self, who: Any) -> str:
        return self.channel.read(await self.api.next_message(who))


@pytest.fixture
async def chat(channel: Channel, service: ChatService) -> AsyncIterator[Chat]:
    async with channel.api() as api, running(channel.start(api, service, {})):
        yield Chat(channel, api)


async def test_a_question_is_answered_with_its_source(chat: Chat) -> None:
    answer = await chat.ask(chat.channel.member, QUESTION)

    assert "10/9/2018" in answer and "[1]" in answer
    assert "Nhiều giải pháp nâng cao năng lực lãnh đạo" in answer  # the source's title


async def test_help_says_what_the_bot_knows(chat: Chat) -> None:
    help_text = await chat.ask(chat.channel.member, "/help")

    assert "5 bài viết" in help_text and "Cách hỏi" in help_text


async def test_find_lists_matching_articles_and_says_when_none(chat: Chat) -> None:
    found = await chat.ask(chat.channel.member, "/tim Hạ Long")
    missing = await chat.ask(chat.channel.member, "/tim zzqx")
    usage = await chat.ask(chat.channel.member, "/tim")

    assert found.startswith("Bài viết có từ khóa “Hạ Long”")
    assert "TP Hạ Long tăng cường công tác xây dựng Đảng" in found
    assert missing == "Không tìm thấy bài nào có từ khóa “zzqx”."
    assert usage.startswith("Hãy gõ từ khóa sau lệnh")


async def test_sources_and_further_results_of_the_last_answer(chat: Chat) -> None:
    member = chat.channel.member
    nothing = await chat.ask(member, "/xemnguon")
    await chat.ask(member, QUESTION)
    sources = await chat.ask(member, "/xemnguon")
    further = await chat.ask(member, "/them")

    assert nothing.startswith("Chưa có câu trả lời nào")
    assert "Thành ủy ban hành Quy định số 03 ngày 10/9/2018" in sources
    assert further.startswith("Các đoạn liên quan khác (trang 1)")


async def test_an_unknown_command_is_explained(chat: Chat) -> None:
    assert (await chat.ask(chat.channel.member, "/khongco")).startswith("Tôi không biết lệnh này")


async def test_members_cannot_use_admin_commands_and_are_logged(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    member = chat.channel.member
    commands = ("/stats", "/reindex", "/xoa 000_779c702780cfd434")
    replies = [await chat.ask(member, command) for command in commands]

    assert all("chỉ dành cho quản trị viên" in r for r in replies)
    refused = [r.getMessage() for r in caplog.records if "non-admin" in r.getMessage()]
    assert len(refused) == 3 and f"user {member}" in refused[0] and "/xoa" in refused[2]
    assert all(chat.channel.name in line for line in refused)


async def test_admins_see_the_statistics(chat: Chat) -> None:
    await chat.ask(chat.channel.member, QUESTION)

    stats = await chat.ask(chat.channel.admin, "/stats")

    assert "Hôm nay: 1 câu hỏi; 1 được trả lời" in stats and "Chỉ mục v000001: 5 bài" in stats


async def test_a_bot_api_down_at_start_up_is_waited_for(
    channel: Channel, service: ChatService
) -> None:
    api = channel.api()
    bot = channel.start(api, service, {"startup_seconds": 30})
    async with started_while_down(api, bot):
        assert "10/9/2018" in channel.read(await api.ask(channel.member, QUESTION))


async def test_a_bot_api_that_stays_down_fails_with_a_clear_message(
    channel: Channel, service: ChatService
) -> None:
    api = channel.api()

    message = await startup_error(api, channel.start(api, service, {"startup_seconds": 0.5}))

    platform = {"telegram": "Telegram", "zalo": "Zalo"}[channel.name]
    assert f"cannot reach the {platform} Bot API at http://127.0.0.1:{api.port}" in message
    assert f"HOIDAP_{channel.name.upper()}_BASE_URL" in message and channel.token not in message
