"""The Telegram channel: short PTB handlers that parse an update, call ChatService, render."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from telegram import (
    BotCommand,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import member_commands as members
from bot import texts
from bot.blocks import Reply as Blocks
from bot.commands import TABLE, Caller, Commands, Passages, menu, replies
from bot.results import MAX_PAGES
from bot.running import TYPING_AFTER, typing_while
from bot.service import ChatService, Reply
from bot.store import REASONS
from bot.study import Asked
from bot.telegram import markup
from bot.telegram.gestures import CHANNEL, Gestures

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
# The menus Telegram shows: members', and admins' on top (bot/commands.py TABLE).
COMMANDS = [BotCommand(name, text) for name, text in menu(admin=False)]
ADMIN_COMMANDS = [BotCommand(name, text) for name, text in menu(admin=True)]
EXPIRED = "Nút này không còn dùng được."
WORKING = "Đang xử lý tệp “{name}”, vui lòng chờ…"


class Handlers:
    """The bot's handlers; each turns an update into one ChatService call and a reply."""

    def __init__(
        self, service: ChatService, admin_ids: Sequence[int], typing_after: float = TYPING_AFTER
    ) -> None:
        self.service = service
        self.commands = Commands(service)
        self.admin_ids = frozenset(admin_ids)
        self.typing_after = typing_after
        self.gestures = Gestures(service)

    def register(self, app: Application) -> None:
        """Add every handler and the error handler to `app`."""
        # New messages only: an edited message is not asked again, a channel post has no
        # member to answer, and member events, polls and reactions are not questions.
        new = filters.UpdateType.MESSAGE
        private = new & filters.ChatType.PRIVATE

        app.add_handlers(
            [
                CommandHandler(list(TABLE), self.command, filters=new),
                MessageHandler(new & filters.TEXT & ~filters.COMMAND, self.question),
                MessageHandler(private & filters.Document.ALL, self.document),
                MessageHandler(private & filters.COMMAND, self.unknown),
                MessageHandler(
                    new & ~filters.TEXT & ~filters.StatusUpdate.ALL & ~filters.Document.ALL,
                    self.non_text,
                ),
                CallbackQueryHandler(self.button),
            ]
        )
        self.gestures.register(app)
        app.add_error_handler(self.on_error)

    # -- members --------------------------------------------------------------------

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command of the table (bot/commands.py): its replies, rendered as HTML."""
        message = update.effective_message
        if message is None or not message.text:
            return
        name = message.text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
        args = " ".join(context.args or [])
        run = self.commands.run(name, self._caller(update), args)
        await replies(run, lambda reply: _send_blocks(update, reply))

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any text: a question, answered with sources and buttons."""
        message = update.effective_message
        if message is None:
            return
        text = _addressed_text(message, context.bot.username, context.bot.id)
        if text is None:
            return
        choice = await self.commands.choice(self._caller(update), text)
        if choice is not None:  # "2" during a quiz: an answer
            await _send_blocks(update, choice)
            return
        # An anonymous group admin writes as the group (sender_chat), without a from_user.
        sender = message.from_user or message.sender_chat or message.chat
        reply = await typing_while(
            self.service.ask(
                CHANNEL,
                str(message.chat.id),
                str(sender.id),
                text,
                message=f"{message.chat.id}:{message.message_id}",
            ),
            lambda: _typing(message.chat),
            self.typing_after,
        )
        if reply is None:
            return
        try:
            sent = await _send(update, markup.reply_messages(reply), _answer_keyboard(reply))
            if reply.answer is not None and reply.question_id is not None:
                # what /xemnguon, /them and /luu refer to, as on Zalo; reactions on any part
                self.service.remember(CHANNEL, str(message.chat.id), reply.question_id)
                chat = str(message.chat.id)
                self.gestures.messages.record(
                    chat, [m.message_id for m in sent], reply.question_id
                )
        except Forbidden:
            log.info(
                "chat %s blocked the bot: question %s not delivered",
                message.chat.id,
                reply.question_id,
            )
            if reply.question_id is not None:
                self.service.undelivered(reply.question_id)
        except TelegramError:
            if reply.question_id is not None:
                self.service.undelivered(reply.question_id)
            raise

    async def non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice…: a short explanation (in groups only when replied to)."""
        message = update.effective_message
        if (
            message is not None
            and _addressed_text(message, context.bot.username, context.bot.id) is not None
        ):
            await _send(update, markup.plain(texts.NON_TEXT))

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not have."""
        await _send(update, markup.plain(texts.UNKNOWN))

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline buttons: sources, more results, ⭐, 👍, 👎 and the 👎 reason, quiz options."""
        query = update.callback_query
        if query is None:
            return
        action, _, rest = (query.data or "").partition(":")
        qid_text, _, arg = rest.partition(":")
        # A button under an inline message has no chat to answer in; garbage data has no
        # question: both only get "this button no longer works".
        if update.effective_chat is None or not qid_text.isascii() or not qid_text.isdigit():
            await query.answer(EXPIRED)
            return
        qid, user = int(qid_text), str(query.from_user.id)
        if action == "quiz":
            await self._quiz_button(update, qid, arg)
        elif action == "save":
            await query.answer(members.keep(self.commands, self._caller(update), qid))
        elif action == "src":
            sources = self.commands.sources(qid)
            await query.answer()
            if sources is not None:
                await _send(update, markup.render(sources))
        elif action == "more" and arg.isdigit():
            page = await self.commands.page(qid, int(arg))
            await query.answer()
            if page is not None:
                keyboard = _more_keyboard(qid, page.page + 1) if page.has_more else None
                await _send(update, markup.render([Passages(page)]), keyboard)
        elif action == "up" and self.service.feedback(qid, user, +1):
            await query.answer(texts.THANKS_UP)
        elif action == "down" and self.service.feedback(qid, user, -1):
            await query.answer(texts.THANKS_DOWN)
            await _send(update, [texts.ASK_REASON], _reasons_keyboard(qid))
        elif action == "why" and arg in REASONS and self.service.feedback(qid, user, -1, arg):
            await query.answer("Cảm ơn bạn đã cho biết lý do!")
            await query.edit_message_text(texts.THANKS_REASON.format(reason=REASONS[arg]))
        else:
            await query.answer(EXPIRED)

    async def _quiz_button(self, update: Update, quiz_id: int, arg: str) -> None:
        """A quiz option pressed: marked if it is the presser's current question."""
        query = update.callback_query
        assert query is not None
        n, _, option = arg.partition(":")
        if not (n.isascii() and n.isdigit() and option.isascii() and option.isdigit()):
            await query.answer(EXPIRED)
            return
        reply = await members.choose(
            self.commands, self._caller(update), int(option), (quiz_id, int(n))
        )
        if reply is None:
            await query.answer(texts.STUDY_NOT_YOURS)
            return
        await query.answer()
        try:  # the question's buttons go: it is answered
            await query.edit_message_reply_markup(None)
        except TelegramError as exc:
            log.debug("quiz buttons not removed: %s", exc)
        await _send_blocks(update, reply)

    # -- admins ---------------------------------------------------------------------

    async def document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A file sent in private (admins): added to the corpus and the index."""
        message = update.effective_message
        if message is None or message.document is None:
            return
        document = message.document
        name = Path(document.file_name or "tai-lieu.txt").name
        caller = self._caller(update)
        if not self.commands.authorised(caller, f"upload of {name!r}"):
            await _send(update, markup.plain(texts.NOT_ADMIN))
            return
        if (document.file_size or 0) > MAX_UPLOAD_BYTES:
            await _send(
                update, markup.plain(f"Tệp “{name}” lớn hơn 20 MB, Telegram không cho bot tải về.")
            )
            return
        await _send(update, markup.plain(WORKING.format(name=name)))
        with tempfile.TemporaryDirectory(prefix="hoidap-upload-") as tmp:
            path = Path(tmp) / name
            telegram_file = await context.bot.get_file(document.file_id)
            await telegram_file.download_to_drive(path)
            run = self.commands.add_file(caller, path)
            await replies(run, lambda reply: _send(update, markup.render(reply)))

    def _caller(self, update: Update) -> Caller:
        chat, user = update.effective_chat, update.effective_user
        return Caller(
            CHANNEL,
            str(chat.id if chat else ""),
            str(user.id if user else "?"),
            admin=user is not None and user.id in self.admin_ids,
        )

    # -- errors ---------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with the traceback and tell the user politely."""
        if isinstance(context.error, Forbidden):
            log.info("not delivered, the user blocked the bot: %s", context.error)
            return
        log.error("error while handling an update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await update.effective_chat.send_message(texts.ERROR)
            except TelegramError:
                log.warning("could not tell chat %s about the error", update.effective_chat.id)


def _answer_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if reply.answer is None or reply.question_id is None:
        return None
    qid = reply.question_id
    first = [InlineKeyboardButton("Thêm kết quả", callback_data=f"more:{qid}:1")]
    if reply.answer.citations:
        first.insert(0, InlineKeyboardButton("Xem nguồn", callback_data=f"src:{qid}"))
    votes = [
        InlineKeyboardButton("👍", callback_data=f"up:{qid}"),
        InlineKeyboardButton("👎", callback_data=f"down:{qid}"),
    ]
    if not reply.answer.abstained:
        votes.append(InlineKeyboardButton("⭐ Lưu", callback_data=f"save:{qid}"))
    return InlineKeyboardMarkup([first, votes])


def _quiz_keyboard(asked: Asked) -> InlineKeyboardMarkup:
    """One button per option, numbered as the question lists them."""
    where = f"quiz:{asked.quiz_id}:{asked.n}"
    buttons = [
        InlineKeyboardButton(str(i), callback_data=f"{where}:{i - 1}")
        for i in range(1, len(asked.question.options) + 1)
    ]
    return InlineKeyboardMarkup([buttons])


async def _send_blocks(update: Update, reply: Blocks) -> list[Message]:
    """A command's reply; a quiz question at its end gets its option buttons."""
    keyboard = _quiz_keyboard(reply[-1]) if reply and isinstance(reply[-1], Asked) else None
    return await _send(update, markup.render(reply), keyboard)


def _more_keyboard(qid: int, page: int) -> InlineKeyboardMarkup | None:
    if page > MAX_PAGES:
        return None
    button = InlineKeyboardButton("Thêm kết quả", callback_data=f"more:{qid}:{page}")
    return InlineKeyboardMarkup([[button]])


def _reasons_keyboard(qid: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label.capitalize(), callback_data=f"why:{qid}:{code}")
        for code, label in REASONS.items()
    ]
    return InlineKeyboardMarkup([buttons])


def _addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """The text meant for the bot: all of it in private, in groups only when mentioned."""
    text = message.text or message.caption or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{username}".lower()
    entities = message.parse_entities([MessageEntity.MENTION]) if message.text else {}
    if not message.text and message.caption:
        entities = message.parse_caption_entities([MessageEntity.MENTION])
    mentioned = any(found.lower() == mention for found in entities.values())
    replied = message.reply_to_message is not None and (
        message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == bot_id
    )
    if not (mentioned or replied):
        return None
    return re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip()


async def _typing(chat: Chat) -> None:
    try:
        await chat.send_action(ChatAction.TYPING)
    except TelegramError as exc:  # only a courtesy: never let it stop the answer
        log.debug("typing action failed: %s", exc)


async def _send(
    update: Update, messages: Sequence[str], keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    """Send HTML messages to the update's chat, quoting the question in groups; the sent."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None:  # nowhere to answer (a button under an inline message)
        return []
    messages = markup.bounded(messages)
    reply_to = None
    if chat.type != ChatType.PRIVATE and message is not None and update.callback_query is None:
        reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    sent = []
    for i, text in enumerate(messages):
        last = i == len(messages) - 1
        sent.append(
            await chat.send_message(
                text,
                reply_markup=keyboard if last else None,
                reply_parameters=reply_to if i == 0 else None,
            )
        )
    return sent
