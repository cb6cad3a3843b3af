"""Thin handlers: read the update, call the engine, send the reply. No logic of their own.

Where a reply goes: to the chat of the update, and in a group with topics to the topic the
update came from (`message_thread_id`). A reply marked `edit` (a button that moves through the
step plan or the menus) replaces the pressed message; when Telegram refuses the edit (the
message is too old, was deleted, or is an inline message) a new message is sent instead.

Privacy: nothing here logs or stores what a user typed; the error handler logs the kind of
update and the exception only.
"""

from __future__ import annotations

import logging
import re
import traceback

from telegram import CallbackQuery, Chat, MaybeInaccessibleMessage, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.engine import Engine
from bot.replies import Reply
from bot_telegram.render import OutgoingMessage, to_messages

log = logging.getLogger(__name__)

_NOT_MODIFIED = "message is not modified"
"""Telegram's answer to an edit that changes nothing (the same button pressed twice)."""


def topic_of(message: MaybeInaccessibleMessage | None) -> int | None:
    """The forum topic a message belongs to, so that the answer lands in the same topic."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


async def send_to(chat: Chat, reply: Reply, topic: int | None = None) -> None:
    """Send a reply to a chat (and topic), split into messages when long."""
    for message in to_messages(reply):
        await chat.send_message(
            message.text, reply_markup=message.keyboard, message_thread_id=topic
        )


async def send(update: Update, reply: Reply) -> None:
    """Send a reply to the chat (and topic) of an update."""
    chat = update.effective_chat
    if chat is None:
        return
    await send_to(chat, reply, topic_of(update.effective_message))


async def _edit(query: CallbackQuery, message: OutgoingMessage) -> bool:
    """Replace the pressed message; False when Telegram cannot edit it."""
    pressed = query.message
    if pressed is not None and not pressed.is_accessible:
        return False  # Telegram no longer lets the bot touch it (too old, deleted)
    try:
        if isinstance(pressed, Message):
            await pressed.edit_text(message.text, reply_markup=message.keyboard)
        elif query.inline_message_id is not None:
            await query.edit_message_text(message.text, reply_markup=message.keyboard)
        else:
            return False
    except BadRequest as error:
        if _NOT_MODIFIED in str(error).lower():
            return True  # already shows this
        log.info("could not edit the pressed message (%s); sending a new one", error)
        return False
    return True


async def answer_press(update: Update, query: CallbackQuery, reply: Reply) -> None:
    """Answer a button press: edit the pressed message when the reply asks for it and fits one
    message, else send; an inline message's answer goes to the user's private chat."""
    messages = to_messages(reply)
    if reply.edit and len(messages) == 1 and await _edit(query, messages[0]):
        return
    if update.effective_chat is not None:
        await send(update, reply)
        return
    # A button under an inline message: no chat to answer in but the user's own.
    try:
        for message in messages:
            await query.get_bot().send_message(
                query.from_user.id, message.text, reply_markup=message.keyboard
            )
    except TelegramError:
        log.warning("could not answer a button under an inline message", exc_info=True)


def _addressed_to_bot(message: Message, bot_username: str, bot_id: int) -> str | None:
    """In a group: the text with the @mention removed if the bot is addressed, else None."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    # In a forum topic every message "replies" to the topic's first message; only a reply to
    # one of the bot's own messages counts.
    topic_start = message.is_topic_message and (
        replied is not None and replied.message_id == message.message_thread_id
    )
    if (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == bot_id
        and not topic_start
    ):
        return text
    mention = re.compile(rf"@{re.escape(bot_username)}\b", re.IGNORECASE)
    if bot_username and mention.search(text):
        return mention.sub(" ", text).strip()
    return None


class Handlers:
    """The bot's callbacks, bound to one engine (explicit dependency, no globals)."""

    def __init__(self, engine: Engine, admin_ids: frozenset[int] = frozenset()) -> None:
        self.engine = engine
        self.admin_ids = admin_ids

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/herlaad`: admins reload the content; everyone else gets no answer at all."""
        user = update.effective_user
        if user is None or user.id not in self.admin_ids:
            log.warning("/herlaad refused for a user who is not an admin")
            return
        await send(update, self.engine.reload())

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/start` and deep links `/start <id>` or `/start pc-3500`."""
        payload = context.args[0] if context.args else None
        await send(update, self.engine.start(payload))

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every other command: /stappenplan, /contact [place], /leren, /noodnummers, ..."""
        message = update.effective_message
        if message is None or not message.text:
            return
        name = message.text.split()[0].lstrip("/").split("@")[0].lower()
        await send(update, self.engine.command(name, " ".join(context.args or [])))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text: a question (in groups only when the bot is mentioned or replied to)."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        question = _addressed_to_bot(message, context.bot.username or "", context.bot.id)
        if question is None:
            return
        await send(update, self.engine.ask(question).reply)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: stateless payload in, reply out (in place when it asks for it)."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        await answer_press(update, query, self.engine.press(query.data or ""))

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log without message text; tell the user something went wrong, with the menu."""
        kind = type(update).__name__
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        # The exception's message could quote what the user typed: log its type and where it
        # happened, never its text.
        where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
        log.error(
            "error while handling %s %s: %s\n%s", kind, update_id, type(error).__name__, where
        )
        if isinstance(update, Update) and update.effective_chat is not None:
            snapshot = self.engine.store.current
            try:
                await send(update, snapshot.replies.message("fout"))
            except TelegramError:  # the network may be what failed; nothing more to do
                log.warning("could not tell the user about the error", exc_info=True)
