"""The members' commands between questions, for every channel: follow a document or a
topic (`/theodoi`, `/huytheodoi`), study it (`/ontap`), keep answers (`/luu`, `/daluu`,
`/boluu`). Each is a row of bot/commands.py's table."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot import texts
from bot.blocks import Caller, Graded, Kept, Reply, Say
from bot.follows import MAX_FOLLOWS, followed_of
from bot.stats import number
from bot.study import day_seed, make_questions, material
from index.errors import HoidapError
from index.vietnamese import fold

if TYPE_CHECKING:
    from bot.commands import Commands

log = logging.getLogger(__name__)

STOP_WORDS = frozenset({"dung", "thoi", "stop", "ket thuc", "huy"})
ALL_WORDS = frozenset({"tat ca", "het", "all"})
HISTORY = 5  # past sessions `/ontap` lists


# -- following ------------------------------------------------------------------------------


async def follow(commands: Commands, caller: Caller, args: str) -> AsyncIterator[Reply]:
    """`/theodoi <văn bản hoặc chủ đề>`; `/theodoi` alone lists what the chat follows."""
    book = commands.service.follows
    if not args:
        yield [Say(_following(commands, caller))]
        return
    snap = await _snapshot(commands)
    followed = followed_of(args, snap)
    if followed is None:
        yield [Say(texts.FOLLOW_USAGE)]
        return
    if len(book.follows(caller.channel, caller.chat)) >= MAX_FOLLOWS:
        yield [Say(texts.FOLLOW_FULL.format(limit=MAX_FOLLOWS))]
        return
    if not book.follow(caller.channel, caller.chat, caller.user, followed):
        yield [Say(texts.FOLLOW_ALREADY.format(label=followed.label))]
        return
    what = texts.FOLLOW_DOCUMENT if followed.kind == "document" else texts.FOLLOW_TOPIC
    yield [Say(what.format(label=followed.label))]


async def unfollow(commands: Commands, caller: Caller, args: str) -> AsyncIterator[Reply]:
    """`/huytheodoi <văn bản, chủ đề hoặc số thứ tự>`, `/huytheodoi tất cả`."""
    book = commands.service.follows
    follows = book.follows(caller.channel, caller.chat)
    if not args:
        yield [Say(texts.UNFOLLOW_USAGE + "\n" + _following(commands, caller))]
        return
    if " ".join(fold(args).split()) in ALL_WORDS:
        gone = book.unfollow(caller.channel, caller.chat)
        yield [Say(texts.UNFOLLOWED_ALL.format(count=number(gone)))]
        return
    if args.isdigit() and 1 <= int(args) <= len(follows):
        key, label = follows[int(args) - 1].followed.key, follows[int(args) - 1].followed.label
    else:
        followed = followed_of(args)
        key, label = (followed.key, followed.label) if followed else ("", texts.echo(args))
        label = next((f.followed.label for f in follows if f.followed.key == key), label)
    if key and book.unfollow(caller.channel, caller.chat, key):
        yield [Say(texts.UNFOLLOWED.format(label=label))]
    else:
        yield [Say(texts.NOT_FOLLOWING.format(label=label) + "\n" + _following(commands, caller))]


def _following(commands: Commands, caller: Caller) -> str:
    follows = commands.service.follows.follows(caller.channel, caller.chat)
    if not follows:
        return texts.FOLLOWING_NONE
    lines = [texts.FOLLOWING.format(count=len(follows))]
    for n, f in enumerate(follows, start=1):
        kind = "văn bản" if f.followed.kind == "document" else "chủ đề"
        lines.append(f"{n}. {f.followed.label} ({kind})")
    return "\n".join(lines)


# -- studying -------------------------------------------------------------------------------


async def study(commands: Commands, caller: Caller, args: str) -> AsyncIterator[Reply]:
    """`/ontap <văn bản hoặc chủ đề>` starts a session; `/ontap dừng` ends it; `/ontap`
    alone says how and lists the member's last results."""
    book = commands.service.study
    if not args:
        yield [Say(_history(commands, caller))]
        return
    if " ".join(fold(args).split()) in STOP_WORDS:
        result = book.stop(caller.channel, caller.chat, caller.user)
        if result is None:
            yield [Say(texts.STUDY_NONE)]
        else:
            score = texts.STUDY_SCORE.format(correct=result.correct, total=result.total)
            yield [Say(texts.STUDY_STOPPED.format(score=score))]
        return
    snap = await _snapshot(commands)
    if snap is None:
        yield [Say(texts.FAILED)]
        return
    searcher = commands.service.answerer.searcher
    found = await asyncio.to_thread(material, snap, searcher, args)
    seed = day_seed(caller.channel, caller.chat, found.subject) if found else 0
    questions = await asyncio.to_thread(make_questions, snap, found, seed) if found else []
    if found is None or not questions:
        yield [Say(texts.STUDY_NOTHING.format(subject=texts.echo(args)))]
        return
    asked = book.start(caller.channel, caller.chat, caller.user, found.subject, questions)
    log.info("quiz %d on %r: %d questions", asked.quiz_id, found.subject, len(questions))
    intro = texts.STUDY_START.format(subject=found.subject, total=len(questions))
    yield [Say(intro + " " + texts.STUDY_HOW.get(caller.channel, texts.STUDY_HOW["zalo"])), asked]


async def choose(
    commands: Commands,
    caller: Caller,
    chosen: int,
    at: tuple[int, int] | None = None,
) -> Reply | None:
    """A member's choice (0-based option) for their session's current question: marked,
    with the cited sentence, then the next question or the score; None when the member has
    no such question (an old button, a number sent outside a quiz). `at` (quiz id, question
    number) is where a button was pressed: only the current question takes it."""
    answered = commands.service.study.answer(caller.channel, caller.chat, caller.user, at, chosen)
    if answered is None:
        return None
    reply: Reply = [Graded(answered.asked, answered.chosen, answered.right)]
    if answered.following is not None:
        reply.append(answered.following)
    else:
        score = texts.STUDY_SCORE.format(correct=answered.correct, total=answered.total)
        reply.append(Say(texts.STUDY_DONE.format(score=score, subject=answered.asked.subject)))
    return reply


def _history(commands: Commands, caller: Caller) -> str:
    results = commands.service.study.results(caller.channel, caller.user, limit=HISTORY)
    lines = [texts.STUDY_USAGE]
    if results:
        lines.append(texts.STUDY_HISTORY)
        for r in results:
            state = "" if r.status == "finished" else " (dừng giữa chừng)"
            score = texts.STUDY_SCORE.format(correct=r.correct, total=r.total)
            lines.append(f"• {texts.day(r.started_at[:10])} — {r.subject}: {score}{state}")
    return "\n".join(lines)


# -- keeping answers ------------------------------------------------------------------------


async def save(commands: Commands, caller: Caller, args: str) -> AsyncIterator[Reply]:
    """`/luu`: keep the chat's last answer."""
    last = commands.service.last(caller.channel, caller.chat)
    if last is None:
        yield [Say(texts.NOTHING_YET)]
        return
    yield [Say(keep(commands, caller, last[0]))]


def keep(commands: Commands, caller: Caller, question_id: int) -> str:
    """Keep an answer for the caller (⭐ or `/luu`); what to tell them."""
    book = commands.service.saved
    if book.save(caller.channel, caller.user, question_id):
        return texts.SAVED
    if any(s.question_id == question_id for s in book.saved(caller.channel, caller.user)):
        return texts.SAVED_ALREADY
    return texts.SAVE_NOTHING


async def kept(commands: Commands, caller: Caller, args: str) -> AsyncIterator[Reply]:
    """`/daluu`: the caller's kept answers with their sources."""
    answers = commands.service.saved.saved(caller.channel, caller.user)
    yield [Kept(tuple(answers))] if answers else [Say(texts.SAVED_NONE)]


async def unsave(commands: Commands, caller: Caller, args: str) -> AsyncIterator[Reply]:
    """`/boluu <số thứ tự>`: forget one kept answer."""
    answers = commands.service.saved.saved(caller.channel, caller.user)
    if not (args.isdigit() and 1 <= int(args) <= len(answers)):
        yield [Say(texts.UNSAVE_USAGE.format(count=len(answers)))]
        return
    gone = answers[int(args) - 1]
    commands.service.saved.remove(caller.channel, caller.user, gone.question_id)
    yield [Say(texts.UNSAVED.format(question=texts.echo(gone.question)))]


async def _snapshot(commands: Commands):
    try:
        return await asyncio.to_thread(commands.service.answerer.snapshot)
    except HoidapError as exc:
        log.warning("no index to follow or study from: %s", exc)
        return None
