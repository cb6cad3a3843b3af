"""Sharing on Telegram: inline mode, presses on inline-sent messages, `/deel`, team groups.

- **Inline mode** (`@<bot> <vraag>` in any chat): the engine's best items, each posting its
  first screen with "Open in de bot" (a deep link to it) on top. Results are the same for
  everyone (`is_personal=False`) and cached briefly (`INLINE_CACHE_SECONDS`).
- **A press on an inline-sent message** has no chat to answer in: an answer in the decision
  aid (a reply that takes the place of the pressed message) edits the inline message
  through its `inline_message_id`, by the bot's one edit path (`Handlers.edit_in_place`);
  any other press, or an edit Telegram refuses, answers the
  callback with a deep link, which opens that item in the presser's own chat with the bot,
  and the shared message stays as it was for everyone in the chat.
- **`/deel [id]`** (and its "bedoelde je…" button): the link (to the bot, an item or a postal
  code's VK) and its QR code as a PNG photo, then the printable poster as a PDF document,
  sent through `Handlers.send_parts` like every reply (forum topic, no apology after a
  delivered photo).
- **`/stappenplan` in a group**: the overview as one message fit to pin, with deep links.

Privacy: nothing here logs or keeps what anyone typed, inline queries included.
"""

from __future__ import annotations

import html
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    filters,
)

from bot.actions import Verb, decode
from bot.content.templates import parse_template
from bot.counting import CountingEngine
from bot.engine import Engine
from bot.inline import INLINE_CACHE_SECONDS, inline_choices
from bot.poster import poster_pdf
from bot.replies import Button, Reply, rows
from bot.sharing import (
    ShareTarget,
    as_shared,
    deep_link,
    open_button,
    pinnable_overview,
    qr_png,
    share_target,
    start_payload_for_press,
    texts,
)
from bot.store import Snapshot
from bot_telegram.handlers import Handlers
from bot_telegram.render import FileKind, OutgoingFile, OutgoingMessage, keyboard, to_messages

log = logging.getLogger(__name__)

MAX_CACHED_FILES = 64
"""QR codes and posters kept per content version (a few kB and ~45 kB each)."""


class InlineMessagePressHandler(CallbackQueryHandler[ContextTypes.DEFAULT_TYPE, None]):
    """Button presses on messages sent through inline mode (they have no chat, only an
    `inline_message_id`); every other press is left to the bot's usual button handler."""

    def check_update(self, update: object) -> bool | object | None:
        """Only callback queries of inline messages."""
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        if update.callback_query.inline_message_id is None:
            return False
        return super().check_update(update)


class _Files:
    """Generated QR codes and posters, for the current content version only."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._files: OrderedDict[tuple[str, str, str | None], bytes] = OrderedDict()

    def get(
        self, snapshot: Snapshot, key: tuple[str, str, str | None], make: Callable[[], bytes]
    ) -> bytes:
        if snapshot is not self._snapshot:  # a reload: posters carry content text
            self._snapshot = snapshot
            self._files.clear()
        found = self._files.get(key)
        if found is None:
            found = self._files[key] = make()
            while len(self._files) > MAX_CACHED_FILES:
                self._files.popitem(last=False)
        return found


def _first_screen(reply: Reply) -> OutgoingMessage:
    """The first message of a reply, with the reply's whole keyboard."""
    return OutgoingMessage(to_messages(reply)[0].text, keyboard(reply))


def _walks_the_decision_aid(data: str) -> bool:
    """Whether a press answers the decision aid (the one walk a shared message moves
    through: its answers are its only buttons)."""
    action = decode(data)
    return action is not None and action.verb is Verb.DECISION


class SharingHandlers:
    """The sharing callbacks, bound to one engine; they deliver through the bot's `Handlers`
    (one send path, one edit path, delivery remembered for the error handler)."""

    def __init__(self, engine: Engine, handlers: Handlers) -> None:
        self.engine = engine
        self.handlers = handlers
        self._files = _Files()

    @staticmethod
    def _username(context: ContextTypes.DEFAULT_TYPE) -> str:
        return context.bot.username

    async def inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@<bot> <vraag>`: the best items, each posting its first screen."""
        query = update.inline_query
        if query is None:
            return
        username = self._username(context)
        library = self.engine.store.current.library
        results = []
        for choice in inline_choices(self.engine, query.query):
            link = deep_link(username, choice.item_id)
            shown = _first_screen(as_shared(choice.reply, open_button(library, link)))
            results.append(
                InlineQueryResultArticle(
                    id=choice.item_id,
                    title=choice.title,
                    description=choice.description,
                    input_message_content=InputTextMessageContent(
                        shown.text,
                        parse_mode=ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    ),
                    reply_markup=shown.keyboard,
                )
            )
        button = InlineQueryResultsButton(
            text=texts(library).knoppen.open_bot,
            start_parameter=results[0].id if results else library.overview.id,
        )
        await query.answer(
            results, cache_time=INLINE_CACHE_SECONDS, is_personal=False, button=button
        )

    async def chosen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An inline result someone posted (Telegram sends these only with BotFather's
        /setinlinefeedback on): counted as inline use of that item, nothing else kept."""
        result = update.chosen_inline_result
        engine = self.engine
        if (
            result is not None
            and isinstance(engine, CountingEngine)
            and result.result_id in engine.store.current.library.items
        ):
            engine.usage.inline(result.result_id)

    async def inline_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press on an inline-sent message: an answer in the decision aid edits it through
        `Handlers.edit_in_place`; any other press (an item, a step's Vorige/Volgende, the
        menu), or an edit Telegram refuses, is answered with a deep link that opens the bot
        on it, so the shared message stays the same for everyone in that chat."""
        query = update.callback_query
        if query is None or query.inline_message_id is None:
            return
        data = query.data or ""
        library = self.engine.store.current.library
        link = deep_link(self._username(context), start_payload_for_press(library, data))
        reply = self.engine.press(data)
        if reply.replace and _walks_the_decision_aid(data):
            shared = as_shared(reply, open_button(library, link))
            if await self.handlers.edit_in_place(update, query, shared):
                await query.answer()
                return
        await query.answer(url=link)

    async def share(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/deel [id]`."""
        await self.share_to(update, context, " ".join(context.args or []))

    async def share_to(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, argument: str
    ) -> None:
        """The link and its QR code (a photo), then the poster (a document), delivered like
        every reply (in the forum topic, remembered for the error handler)."""
        if update.effective_chat is None:
            return
        snapshot = self.engine.store.current
        library = snapshot.library
        target = share_target(self.engine, argument)
        link = deep_link(self._username(context), target.payload)
        words = texts(library).deel
        caption = "\n\n".join(
            (
                html.escape(target.sentence, quote=False),
                html.escape(
                    parse_template(words.qr_bijschrift).render({"link": link}), quote=False
                ),
            )
        )
        png = self._files.get(snapshot, ("png", link, None), lambda: qr_png(link))
        pdf = self._files.get(
            snapshot, ("pdf", link, target.title), lambda: poster_pdf(library, link, target.title)
        )
        name = words.bestandsnaam + (f"-{target.payload}" if target.payload else "")
        await self.handlers.send_parts(
            update,
            (
                OutgoingFile(
                    FileKind.PHOTO, png, "qr.png", caption, self._share_keyboard(target, link)
                ),
                OutgoingFile(
                    FileKind.DOCUMENT,
                    pdf,
                    f"{name}.pdf",
                    html.escape(words.affiche_bijschrift, quote=False),
                ),
            ),
        )

    def _share_keyboard(self, target: ShareTarget, link: str) -> InlineKeyboardMarkup | None:
        library = self.engine.store.current.library
        buttons = [open_button(library, link)]
        if target.title is not None:
            buttons.append(Button(texts(library).knoppen.delen, share=target.title))
        return keyboard(Reply((), rows(buttons)))

    async def pin_overview(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/stappenplan` in a group: the overview as one message to pin, with deep links."""
        reply = pinnable_overview(self.engine.store.current.library, self._username(context))
        await self.handlers.send(update, reply)


def add_sharing_handlers(
    app: Application[Any, Any, Any, Any, Any, Any], engine: Engine, handlers: Handlers
) -> None:
    """Register the sharing handlers; call before the bot's own command and button handlers,
    which would otherwise answer `/stappenplan` in a group and inline presses first. New
    messages only, as for every command (an edited `/deel` was answered when it was sent)."""
    sharing = SharingHandlers(engine, handlers)
    new = filters.UpdateType.MESSAGE
    handlers.adapter_commands["deel"] = sharing.share_to
    app.add_handler(
        CommandHandler("stappenplan", sharing.pin_overview, filters=new & filters.ChatType.GROUPS)
    )
    app.add_handler(CommandHandler("deel", sharing.share, filters=new))
    app.add_handler(InlineQueryHandler(sharing.inline_query))
    app.add_handler(ChosenInlineResultHandler(sharing.chosen))
    app.add_handler(InlineMessagePressHandler(sharing.inline_press))
