"""Thin handlers: read the update, call the engine, send the reply. No logic of their own.

Privacy: nothing here logs or stores what a user typed; the error handler logs the kind of
update and the exception only.
"""

from __future__ import annotations

import asyncio
import logging
import re
import traceback

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.engine import Engine
from bot.replies import Reply
from bot_telegram.render import to_messages

log = logging.getLogger(__name__)


async def send(update: Update, reply: Reply) -> None:
    """Send a reply to the chat of an update, split into messages when long."""
    chat = update.effective_chat
    if chat is None:
        return
    for message in to_messages(reply):
        await chat.send_message(message.text, reply_markup=message.keyboard)


def _addressed_to_bot(message: Message, bot_username: str, bot_id: int) -> str | None:
    """In a group: the text with the @mention removed if the bot is addressed, else None."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
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
        # Reading and validating the folder takes a while: not on the event loop.
        await send(update, await asyncio.to_thread(self.engine.reload))

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
        """A button press: stateless payload in, reply out."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        await send(update, self.engine.press(query.data or ""))

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
