"""The command table every channel shares: what `/help`, `/tim`, `/nguon`, `/vanban`, the
sources and further results of an answer, and the admin commands say, as channel-neutral
blocks. A channel parses its updates into (command, Caller, arguments), runs the command
here and renders the blocks (Telegram HTML, Zalo plain text, the terminal)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import member_commands as members
from bot import texts
from bot.blocks import About, Articles, Caller, Lines, Passages, Reply, Say, Sources
from bot.results import Page
from bot.service import ChatService
from bot.stats import full_text
from index.fetching import is_link

log = logging.getLogger(__name__)

CORPUS_LISTED = 30  # articles `/nguon` lists; the rest are counted


Run = Callable[["Commands", Caller, str], AsyncIterator[Reply]]


@dataclass(frozen=True)
class Command:
    """One entry of the table: what runs, who may, and how the channel's menu shows it."""

    run: Run
    description: str = ""  # the menu's line; empty: not in the menu
    admin: bool = False


class Commands:
    """The chat core's commands, for every channel; `run` yields the replies in order."""

    def __init__(self, service: ChatService) -> None:
        self.service = service

    async def run(self, name: str, caller: Caller, args: str = "") -> AsyncIterator[Reply]:
        """The replies to `/name args` (an admin command refused to anyone else)."""
        command = TABLE.get(name)
        if command is None:
            yield [Say(texts.UNKNOWN)]
            return
        if command.admin and not self.authorised(caller, f"/{name}"):
            yield [Say(texts.NOT_ADMIN)]
            return
        async for reply in command.run(self, caller, args.strip()):
            yield reply

    def authorised(self, caller: Caller, what: str) -> bool:
        """Whether an admin action may run; a refusal is logged (the user, never a secret)."""
        if caller.admin:
            return True
        log.warning("refused %s from non-admin %s user %s", what, caller.channel, caller.user)
        return False

    # -- members ------------------------------------------------------------------------

    async def help(self, caller: Caller, args: str) -> AsyncIterator[Reply]:
        """`/start`, `/help`: what the bot knows and how to ask."""
        yield [About(self.service.results.info())]

    async def find(self, caller: Caller, keywords: str) -> AsyncIterator[Reply]:
        """`/tim <từ khóa>`: matching articles."""
        if not keywords:
            yield [Say(texts.FIND_USAGE)]
            return
        found = await self.service.results.find(keywords)
        said = texts.echo(keywords)
        if not found:
            yield [Say(texts.NOT_FOUND.format(keywords=said))]
        else:
            yield [Articles(texts.FOUND.format(keywords=said), tuple(found))]

    async def documents(self, caller: Caller, keywords: str) -> AsyncIterator[Reply]:
        """`/vanban [từ khóa]`: the register of documents."""
        yield [Lines(tuple(self.service.results.documents(keywords)))]

    async def sources_list(self, caller: Caller, args: str) -> AsyncIterator[Reply]:
        """`/nguon`: the corpus, newest first."""
        articles = self.service.results.articles()
        title = texts.CORPUS.format(count=len(articles))
        yield [Articles(title, tuple(articles[:CORPUS_LISTED]), total=len(articles))]

    async def cited(self, caller: Caller, args: str) -> AsyncIterator[Reply]:
        """`/xemnguon`: the cited passages of the chat's last answer, in full."""
        last = self.service.last(caller.channel, caller.chat)
        sources = self.sources(last[0]) if last else None
        yield sources if sources is not None else [Say(texts.NOTHING_YET)]

    async def more(self, caller: Caller, args: str) -> AsyncIterator[Reply]:
        """`/them`: the next page of further passages for the chat's last answer;
        `/them <link>`, for admins: the article at the link added to the index."""
        if is_link(args):
            if not self.authorised(caller, "/them <link>"):
                yield [Say(texts.NOT_ADMIN)]
                return
            yield [Say(texts.FETCHING)]
            yield [Say((await self.service.corpus.add_link(args.split()[0])).text)]
            return
        last = self.service.last(caller.channel, caller.chat)
        if last is None:
            yield [Say(texts.NOTHING_YET)]
            return
        page = await self.service.results.more(last[0], last[1] + 1)
        if page is None:
            yield [Say(texts.NO_MORE)]
            return
        self.service.remember(caller.channel, caller.chat, last[0], page.page)
        yield [Passages(page)]

    async def choice(self, caller: Caller, text: str) -> Reply | None:
        """A number sent while the caller has a quiz going on: their answer (or how to give
        one); None when it is not one (a question, or no quiz)."""
        words = text.strip()
        if not (words.isascii() and words.isdigit() and len(words) <= 2):
            return None
        current = self.service.study.active(caller.channel, caller.chat, caller.user)
        if current is None:
            return None
        reply = await members.choose(self, caller, int(words) - 1)
        last = len(current.question.options)
        return reply if reply is not None else [Say(texts.STUDY_RANGE.format(last=last))]

    # -- what an answer's buttons (or the commands above) show ---------------------------

    def sources(self, question_id: int) -> Reply | None:
        """The cited passages of a stored answer; None if the answer is unknown."""
        citations = self.service.citations(question_id)
        return None if citations is None else [Sources(citations)]

    async def page(self, question_id: int, page: int) -> Page | None:
        """Page `page` of further passages of a stored answer; None if there is none."""
        return await self.service.results.more(question_id, page)

    # -- admins -------------------------------------------------------------------------

    async def stats(self, caller: Caller, args: str) -> AsyncIterator[Reply]:
        """`/stats`: questions, answers, feedback, the index, what members follow and study."""
        s = self.service
        yield [Say(full_text(s.store, s.corpus.builder.data_dir, s.follows, s.study, s.saved))]

    async def reindex(self, caller: Caller, args: str) -> AsyncIterator[Reply]:
        """`/reindex`: rebuild from the corpus directory, saying so first."""
        yield [Say(texts.REINDEXING)]
        yield [Say((await self.service.corpus.reindex()).text)]

    async def remove(self, caller: Caller, args: str) -> AsyncIterator[Reply]:
        """`/xoa <mã bài>`: remove an article."""
        if len(args.split()) != 1:
            yield [Say(texts.REMOVE_USAGE)]
            return
        yield [Say((await self.service.corpus.remove(args)).text)]

    async def add_link(self, caller: Caller, args: str) -> AsyncIterator[Reply]:
        """`/themlienket <link>` (the admins' menu entry of `/them <link>`)."""
        if not is_link(args):
            yield [Say(texts.LINK_USAGE)]
            return
        async for reply in self.more(caller, args):
            yield reply

    async def add_file(self, caller: Caller, path: Path) -> AsyncIterator[Reply]:
        """A file an admin sent: added to the corpus and the index."""
        if not self.authorised(caller, f"upload of {path.name!r}"):
            yield [Say(texts.NOT_ADMIN)]
            return
        yield [Say((await self.service.corpus.add_file(path)).text)]


def _entry(
    method: Callable[[Commands, Caller, str], AsyncIterator[Reply]],
    description: str = "",
    admin: bool = False,
) -> Command:
    return Command(method, description, admin)


TABLE: dict[str, Command] = {
    "start": _entry(Commands.help),
    "help": _entry(Commands.help, "Hướng dẫn cách hỏi"),
    "tim": _entry(Commands.find, "Tìm bài viết theo từ khóa"),
    "vanban": _entry(Commands.documents, "Các văn bản được nhắc đến: /vanban [từ khóa]"),
    "nguon": _entry(Commands.sources_list, "Danh sách bài viết"),
    "xemnguon": _entry(Commands.cited),
    "them": _entry(Commands.more),
    "theodoi": _entry(members.follow, "Theo dõi văn bản, chủ đề: /theodoi Chỉ thị 05"),
    "huytheodoi": _entry(members.unfollow, "Thôi theo dõi: /huytheodoi <tên hoặc số>"),
    "ontap": _entry(members.study, "Ôn tập trắc nghiệm: /ontap Chỉ thị 05"),
    "luu": _entry(members.save, "Lưu câu trả lời vừa nhận"),
    "daluu": _entry(members.kept, "Xem các câu trả lời đã lưu"),
    "boluu": _entry(members.unsave),
    "stats": _entry(Commands.stats, "Thống kê hỏi đáp", admin=True),
    "reindex": _entry(Commands.reindex, "Lập lại chỉ mục từ thư mục tài liệu", admin=True),
    "xoa": _entry(Commands.remove, "Xoá một bài: /xoa <mã bài>", admin=True),
    "themlienket": _entry(Commands.add_link, "Thêm bài từ liên kết: /them <địa chỉ>", admin=True),
}


def menu(admin: bool, names: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(command, description) of the table's menu entries, members' or admins' only;
    `names` limits them to those a channel offers."""
    return [
        (name, c.description)
        for name, c in TABLE.items()
        if c.description and c.admin == admin and (not names or name in names)
    ]


async def replies(run: AsyncIterator[Reply], send: Callable[[Reply], Awaitable[None]]) -> None:
    """Send each reply of a command as it comes (a long re-index says so before it starts)."""
    async for reply in run:
        await send(reply)
