"""What a reply holds before a channel renders it: channel-neutral blocks (plain text, a
list of articles, the sources of an answer, a notice, a quiz question…), and who asked."""

from __future__ import annotations

from dataclasses import dataclass

from bot.follows import Notice
from bot.results import CorpusInfo, Page
from bot.saved import SavedAnswer
from bot.study import Asked
from index.documents import Article
from retrieval.answering import Citation


@dataclass(frozen=True)
class Say:
    """A plain text (escaped and split by the channel)."""

    text: str


@dataclass(frozen=True)
class About:
    """`/help`: what the bot knows; the channel adds how to use it there."""

    info: CorpusInfo


@dataclass(frozen=True)
class Articles:
    """A numbered list of articles under a title; `total` counts those not listed."""

    title: str
    articles: tuple[Article, ...]
    total: int | None = None


@dataclass(frozen=True)
class Lines:
    """Short lines kept together (the register of documents)."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Sources:
    """The cited passages of an answer, in full."""

    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Passages:
    """A page of further passages for an answer."""

    page: Page


@dataclass(frozen=True)
class Graded:
    """A quiz answer marked: right or not, the right option, the sentence that says so."""

    asked: Asked
    chosen: int
    right: bool


@dataclass(frozen=True)
class Kept:
    """A member's saved answers (`/daluu`), numbered as `/boluu` takes them."""

    answers: tuple[SavedAnswer, ...]


# A quiz question (study.Asked) ends its reply: Telegram puts its option buttons under it.
# A notice (follows.Notice) is what a follower is sent about a new article.
Block = Say | About | Articles | Lines | Sources | Passages | Asked | Graded | Kept | Notice
Reply = list[Block]  # one reply: a channel sends it as one or more messages


@dataclass(frozen=True)
class Caller:
    """Who runs a command, and where."""

    channel: str
    chat: str
    user: str
    admin: bool = False
