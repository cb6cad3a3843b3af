"""Thin handlers: read the update, call the engine, send the reply. No logic of their own.

Where a reply goes: to the chat of the update, and in a group with topics to the topic the
update came from (`message_thread_id`). A reply marked `replace` (the decision aid, and a
button that moves through the step plan or the menus) takes the place of the pressed message
(`Handlers.edit_in_place`); when Telegram refuses the edit (the message is too old or was
deleted) a new message is sent instead. Presses on inline messages (sent via `@bot` in
another chat) are taken first by `bot_telegram.sharing`, which edits them through
`edit_in_place` or answers with a deep link; `button` answers them privately only when that
handler is not registered.

Privacy: nothing here logs or stores what a user typed; the error handler logs the kind of
update and the exception only.

No silence: text and captions are questions, commands are answered or get "bedoelde je…",
and any other message (sticker, voice, location, a photo without caption…) gets a short
reply that the bot reads text. In groups the bot speaks only when addressed: a mention
entity of its own @username, a reply to one of its messages, or `/command@bot` (plain
`/command` too for its own commands, as Telegram intends).

Delivery: every reply goes through `Handlers.send`, which remembers per update whether a
part of it reached (or may have reached) the user; the error handler never apologises
("er ging iets mis") after that. Retries live one layer down, in `bot_telegram.delivery`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from telegram import (
    Bot,
    CallbackQuery,
    InputFile,
    MaybeInaccessibleMessage,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.actions import Verb, decode
from bot.engine import Engine
from bot.replies import Reply
from bot_telegram.delivery import SendFailed
from bot_telegram.render import FileKind, Outgoing, OutgoingFile, to_messages

log = logging.getLogger(__name__)

ANSWERED_MEMORY = 1024
"""Update ids remembered as answered. The error handler runs right after its update's
handler, so this only has to outlast the updates in flight."""
_NOT_MODIFIED = "message is not modified"
"""Telegram's answer to an edit that changes nothing (the same button pressed twice)."""
REFUSAL_LOG_INTERVAL = 60.0
"""Seconds between two log lines about refused admin commands (one line per minute at
most, however many arrive: a stranger cannot fill the log)."""


class _Answered:
    """A bounded memory of the updates of which (part of) a reply was delivered."""

    def __init__(self, size: int = ANSWERED_MEMORY) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def add(self, update_id: int) -> None:
        self._ids[update_id] = None
        self._ids.move_to_end(update_id)
        while len(self._ids) > self._size:
            self._ids.popitem(last=False)

    def __contains__(self, update_id: object) -> bool:
        return update_id in self._ids


class _Throttled:
    """A warning logged at most once per interval, with the number left out in between."""

    def __init__(self, message: str, interval: float, clock: Callable[[], float]) -> None:
        self._message = message
        self._interval = interval
        self._clock = clock
        self._last: float | None = None
        self._skipped = 0

    def warning(self) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            self._skipped += 1
            return
        if self._skipped:
            log.warning("%s (and %d more since the last report)", self._message, self._skipped)
        else:
            log.warning("%s", self._message)
        self._last, self._skipped = now, 0


def topic_of(message: MaybeInaccessibleMessage | None) -> int | None:
    """The forum topic a message belongs to, so that the answer lands in the same topic."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


def _utf16(text: str) -> bytes:
    # Entity offsets count UTF-16 code units; surrogatepass keeps a lone surrogate intact.
    return text.encode("utf-16-le", "surrogatepass")


def _bot_mentions(
    text: str, entities: Sequence[MessageEntity], bot_username: str, bot_id: int
) -> list[MessageEntity]:
    """The entities of a text that mention this bot (not `info@bot.be`, not other bots)."""
    encoded = _utf16(text)
    handle = f"@{bot_username}".lower()
    found = []
    for entity in entities:
        if entity.type == MessageEntity.MENTION:
            span = encoded[entity.offset * 2 : (entity.offset + entity.length) * 2]
            if bot_username and span.decode("utf-16-le", "surrogatepass").lower() == handle:
                found.append(entity)
        elif (
            entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id
        ):
            found.append(entity)
    return found


def _without(text: str, entities: Sequence[MessageEntity]) -> str:
    """The text with each entity's span replaced by a space."""
    encoded = _utf16(text)
    space = _utf16(" ")
    pieces, position = [], 0
    for entity in sorted(entities, key=lambda e: e.offset):
        pieces += [encoded[position : entity.offset * 2], space]
        position = (entity.offset + entity.length) * 2
    pieces.append(encoded[position:])
    return b"".join(pieces).decode("utf-16-le", "surrogatepass")


def _replies_to_bot(message: Message, bot_id: int) -> bool:
    """Whether a message replies to one of the bot's own messages. In a forum topic every
    message "replies" to the topic's first message; that does not count."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id:
        return False
    topic_start = message.is_topic_message and replied.message_id == message.message_thread_id
    return not topic_start


def question_for_bot(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The text (or caption) of a message that addresses the bot, its mentions of the bot
    removed; None for a group message that does not address it."""
    if message.text is not None:
        text, entities = message.text, message.entities
    else:
        text, entities = message.caption or "", message.caption_entities
    mentions = _bot_mentions(text, entities, bot_username, bot_id)
    private = message.chat.type == ChatType.PRIVATE
    if not private and not mentions and not _replies_to_bot(message, bot_id):
        return None
    return _without(text, mentions).strip() if mentions else text


def command_for_bot(message: Message, bot_username: str) -> tuple[str, str] | None:
    """`(name, argument)` of a command addressed to the bot, lowercase, without slash: in a
    group only `/name@bot`, since a plain `/name` may be meant for another bot there."""
    text = message.text or ""
    first, _, argument = text.partition(" ")
    name, _, target = first.removeprefix("/").partition("@")
    if target:
        if target.lower() != bot_username.lower():
            return None
    elif message.chat.type != ChatType.PRIVATE:
        return None
    return name.lower(), argument.strip()


async def _send_file(bot: Bot, chat_id: int, file: OutgoingFile, topic: int | None) -> None:
    upload = InputFile(file.data, filename=file.filename)
    send = bot.send_photo if file.kind is FileKind.PHOTO else bot.send_document
    await send(
        chat_id, upload, caption=file.caption, reply_markup=file.keyboard, message_thread_id=topic
    )


AdapterCommand = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
"""A command the Telegram adapter answers itself (`/deel`: it needs the bot's username and
sends files), called with the update, the context and the command's argument."""


class Handlers:
    """The bot's callbacks, bound to one engine (explicit dependency, no globals)."""

    def __init__(
        self,
        engine: Engine,
        admin_ids: frozenset[int] = frozenset(),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.admin_ids = admin_ids
        self._answered = _Answered()
        self._refusals = _Throttled(
            "an admin command refused for a user who is not an admin",
            REFUSAL_LOG_INTERVAL,
            clock,
        )
        self.adapter_commands: dict[str, AdapterCommand] = {}
        """Commands answered here rather than by the engine (`deel`, by
        `bot_telegram.sharing`); a "bedoelde je…" button naming one calls it too."""

    async def send(self, update: Update, reply: Reply, *, chat_id: int | None = None) -> None:
        """Send a reply (split into messages when long) to the update's chat, in the forum
        topic it came from, or to `chat_id` (a private chat); and remember when a part of it
        was, or may have been, delivered."""
        topic = None
        if chat_id is None:
            if update.effective_chat is None:
                return
            chat_id = update.effective_chat.id
            topic = topic_of(update.effective_message)
        await self._deliver(update, chat_id, to_messages(reply), topic)

    async def send_parts(self, update: Update, parts: Sequence[Outgoing]) -> None:
        """Send prepared messages, photos or documents (`/deel`) to the update's chat, in the
        forum topic it came from, remembering delivery as `send` does."""
        if update.effective_chat is None:
            return
        await self._deliver(
            update, update.effective_chat.id, parts, topic_of(update.effective_message)
        )

    async def _deliver(
        self,
        update: Update,
        chat_id: int,
        messages: Sequence[Outgoing],
        topic: int | None = None,
    ) -> None:
        """Send messages (or files) in order (into forum topic `topic` if given). A part given
        up after attempts that may have landed does not stop the parts after it (the API
        answers, just not reliably); the failure is raised once all were tried."""
        bot = update.get_bot()
        uncertain: SendFailed | None = None
        for message in messages:
            try:
                if isinstance(message, OutgoingFile):
                    await _send_file(bot, chat_id, message, topic)
                else:
                    await bot.send_message(
                        chat_id,
                        message.text,
                        reply_markup=message.keyboard,
                        message_thread_id=topic,
                    )
            except SendFailed as error:
                if not error.possibly_delivered:
                    raise
                uncertain = uncertain or error
            self._answered.add(update.update_id)
        if uncertain is not None:
            raise uncertain

    async def send_photo(self, update: Update, photo: bytes) -> None:
        """Send an image (the statistics chart) to the update's chat, in its forum topic;
        remembered as delivered like every other part of a reply."""
        chat = update.effective_chat
        if chat is None:
            return
        try:
            await update.get_bot().send_photo(
                chat.id, photo, message_thread_id=topic_of(update.effective_message)
            )
        except SendFailed as error:
            if error.possibly_delivered:
                self._answered.add(update.update_id)
            raise
        self._answered.add(update.update_id)

    def refused(self) -> None:
        """Log that a non-admin used an admin command (throttled: one line a minute)."""
        self._refusals.warning()

    def delivered(self, update: Update) -> None:
        """Remember that the user saw an answer to `update` that went another way than
        `send` (the notification of a button press): no apology after it."""
        self._answered.add(update.update_id)

    async def edit_in_place(self, update: Update, query: CallbackQuery, reply: Reply) -> bool:
        """Edit the message whose button was pressed into `reply`; False when it cannot be
        edited, and the caller sends the reply as a new message.

        It cannot when the message is inaccessible (deleted, or too old for the Bot API to
        show), or when Telegram refuses the edit with `BadRequest` (too old to edit, deleted
        meanwhile). An edit that changes nothing counts as done. A reply longer than one
        message edits the pressed message into its first part and sends the rest, in the
        pressed message's forum topic. An inline message (sent via `@bot` in a chat the bot
        is not in) is edited through its `inline_message_id` when the reply fits one message;
        there is no chat to send a rest to.
        """
        message = query.message
        first, *rest = to_messages(reply)
        if message is None and query.inline_message_id is not None and not rest:
            edit = query.edit_message_text(first.text, reply_markup=first.keyboard)
        elif isinstance(message, Message) and message.is_accessible:
            edit = message.edit_text(first.text, reply_markup=first.keyboard)
        else:
            return False
        try:
            await edit
        except BadRequest as error:
            if _NOT_MODIFIED not in error.message.lower():
                log.info(
                    "could not edit the pressed message; sending a new one: %s", error.message
                )
                return False
        self._answered.add(update.update_id)
        if isinstance(message, Message):
            await self._deliver(update, message.chat.id, rest, topic_of(message))
        return True

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/herlaad`: admins reload the content, off the event loop. The adapter registers it
        for admins only (`bot_telegram.operations`: everyone else gets the ordinary help); the
        check here is a second line of defence, and refuses without an answer.

        In a group the result goes to the admin privately (it lists file names and errors),
        and the group gets a short note saying so, or saying to start a private chat first.
        """
        user = update.effective_user
        chat = update.effective_chat
        if user is None or user.id not in self.admin_ids:
            self._refusals.warning()
            return
        # Reading and validating the folder takes a while: not on the event loop.
        result = await asyncio.to_thread(self.engine.reload)
        if chat is None or chat.type == ChatType.PRIVATE:
            await self.send(update, result)
            return
        try:
            await self.send(update, result, chat_id=user.id)
        except (Forbidden, BadRequest):  # never started the bot, or blocked it
            sent_privately = False
        else:
            sent_privately = True
        await self.send(update, self.engine.reload_note(sent_privately=sent_privately))

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/start` and deep links `/start <id>` or `/start pc-3500`."""
        payload = context.args[0] if context.args else None
        await self.send(update, self.engine.start(payload))

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every other command: /stappenplan, /contact [place], /leren, /noodnummers, ..."""
        message = update.effective_message
        if message is None or not message.text:
            return
        name = message.text.split()[0].lstrip("/").split("@")[0].lower()
        argument = " ".join(context.args or [])
        if name in self.adapter_commands:
            await self.adapter_commands[name](update, context, argument)
            return
        await self.send(update, self.engine.command(name, argument))

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not have (`/hulp`, `/112`): "bedoelde je…" and the menu."""
        message = update.effective_message
        if message is None:
            return
        command = command_for_bot(message, context.bot.username or "")
        if command is None:
            return
        await self.send(update, self.engine.command(*command))

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text, or the caption of a photo, document or video: a question (in groups
        only when the bot is mentioned or replied to)."""
        message = update.effective_message
        if message is None:
            return
        question = question_for_bot(message, context.bot.username or "", context.bot.id)
        if question is None:
            return
        await self.send(update, self.engine.ask(question).reply)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message without text (sticker, voice, location…): the bot reads text; 112/101."""
        message = update.effective_message
        if message is None:
            return
        if message.chat.type != ChatType.PRIVATE and not _replies_to_bot(message, context.bot.id):
            return
        await self.send(update, self.engine.not_text())

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: stateless payload in, reply out (in place when it asks for it).

        A button under an inline message has no chat to answer in: its reply goes to the
        user's private chat (if she never started the bot, Telegram refuses, and that is
        logged)."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # stops the spinner; the reply matters more than this
        except TelegramError as error:
            log.warning("could not acknowledge a button press: %s", type(error).__name__)
        action = decode(query.data or "")
        if (
            action is not None
            and action.verb is Verb.COMMAND
            and action.argument in self.adapter_commands
            and update.effective_chat is not None
        ):
            await self.adapter_commands[action.argument](update, context, "")
            return
        reply = self.engine.press(query.data or "")
        if reply.replace and await self.edit_in_place(update, query, reply):
            return
        if update.effective_chat is not None:
            await self.send(update, reply)
            return
        try:
            await self.send(update, reply, chat_id=query.from_user.id)
        except (Forbidden, BadRequest):
            log.warning("could not answer a button under an inline message privately")

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log without message text; tell the user something went wrong, with the menu,
        unless (part of) a reply to this update already reached them."""
        kind = type(update).__name__
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        # The exception's message could quote what the user typed: log its type and where it
        # happened, never its text.
        where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
        log.error(
            "error while handling %s %s: %s\n%s", kind, update_id, type(error).__name__, where
        )
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.update_id in self._answered:
            log.info("no apology for update %s: a reply to it was delivered", update_id)
            return
        snapshot = self.engine.store.current
        try:
            await self.send(update, snapshot.replies.message("fout"))
        except TelegramError:  # the network may be what failed; nothing more to do
            log.warning("could not tell the user about the error", exc_info=True)
