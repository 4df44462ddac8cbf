"""Telegram's own gestures beyond messages and buttons: reactions on an answer (feedback),
inline mode (`@bot câu hỏi` in any chat), the bot's membership of a chat (blocked: nothing
more is sent there), and how a follow notice is sent."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    ChatMember,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    ReactionTypeEmoji,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ChatMemberHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageReactionHandler,
)

from bot import texts
from bot.broadcast import Blocked, Sender, TryLater
from bot.follows import Notice
from bot.render import shorten
from bot.service import ChatService
from bot.store import Status
from bot.telegram import markup
from bot.telegram.delivery import retry_after_seconds
from bot.telegram.reactions import AnswerMessages, vote_of
from index.errors import HoidapError

log = logging.getLogger(__name__)

CHANNEL = "telegram"
INLINE = "telegram-inline"  # questions asked in inline mode (`@bot câu hỏi` in any chat)
INLINE_MIN_WORDS = 2  # an inline query is answered from this many words on
INLINE_CACHE_SECONDS = 300  # Telegram may show the same answer again for this long


class Gestures:
    """The handlers of reactions, inline queries and the bot's own membership."""

    def __init__(self, service: ChatService) -> None:
        self.service = service
        self.messages = AnswerMessages(service.store.path)  # which answer a message is

    def register(self, app: Application) -> None:
        """Add the handlers to `app`."""
        app.add_handlers(
            [
                MessageReactionHandler(self.reaction),
                InlineQueryHandler(self.inline),
                ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER),
            ]
        )

    async def reaction(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """👍 or 👎 put on (or taken off) one of an answer's messages: feedback on it."""
        changed = update.message_reaction
        if changed is None or changed.user is None:  # anonymous (a channel or group admin)
            return
        qid = self.messages.question(str(changed.chat.id), changed.message_id)
        if qid is None:
            return
        emojis = [r.emoji for r in changed.new_reaction if isinstance(r, ReactionTypeEmoji)]
        self.service.feedback(qid, str(changed.user.id), vote_of(emojis), via="reaction")

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot câu hỏi` in any chat: the answer, with its sources, as an article to send."""
        query = update.inline_query
        if query is None:
            return
        text = " ".join(query.query.split())
        if len(text.split()) < INLINE_MIN_WORDS:
            await query.answer([], cache_time=0)
            return
        user = str(query.from_user.id)
        reply = await self.service.ask(INLINE, user, user, text)
        if reply is None or reply.question_id is None or reply.status == Status.RATE_LIMITED:
            await query.answer([], cache_time=0)
            return
        messages = (
            markup.answer_messages(reply.answer) if reply.answer else markup.plain(reply.text)
        )
        content = messages[0] if len(messages) == 1 else messages[0] + "\n\n" + texts.INLINE_MORE
        article = InlineQueryResultArticle(
            id=str(reply.question_id),
            title=shorten(text, 60),
            description=shorten(reply.answer.text if reply.answer else reply.text, 120),
            input_message_content=InputTextMessageContent(
                content,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ),
        )
        await query.answer([article], cache_time=INLINE_CACHE_SECONDS)

    async def membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot blocked by a member (or removed from a group): nothing more is sent there."""
        changed = update.my_chat_member
        if changed is None:
            return
        if changed.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT):
            dropped = self.service.follows.blocked(CHANNEL, str(changed.chat.id))
            log.info(
                "chat %s left or blocked the bot: %d follow(s) gone", changed.chat.id, dropped
            )


def notice_sender(bot: Bot) -> Sender:
    """How the broadcaster sends a follow notice to a Telegram chat."""

    async def send(chat: str, notice: Notice) -> None:
        try:
            for text in markup.render([notice]):
                await bot.send_message(int(chat), text)
        except Forbidden as exc:
            raise Blocked(f"Telegram: {exc}") from None
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise Blocked(f"Telegram: {exc}") from None
            raise HoidapError(f"Telegram: {exc}") from None
        except RetryAfter as exc:
            raise TryLater(retry_after_seconds(exc)) from None
        except TelegramError as exc:
            raise HoidapError(f"Telegram: {exc}") from None

    return send
