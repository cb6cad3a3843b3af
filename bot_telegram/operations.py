"""Admin commands, feedback buttons and what a running bot does beside answering.

Admin commands (`/herlaad`, `/statistieken`, `/onbeantwoord`) are registered with a handler
filter on `BOT_ADMIN_IDS`; for anyone else the same commands get the ordinary help text, as
an unknown command would, never a hint that they exist. Their menu entries are set in the
admins' own chats only (`bot_telegram.setup`).

`Operations` bundles what `playbook run` starts around the application: the usage figures
(flusher thread), the content watcher (thread, reports a refused reload to the admins once,
across replicas), and the health heartbeat (a task rewriting the status file every 15 s).
Everything that blocks — the database, a reload, the report, the chart — runs in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)

from bot import chart, health, statistics
from bot.actions import Verb
from bot.config import Settings
from bot.content.library import Library
from bot.content.model import AdminFile
from bot.content.problems import Level, Problem
from bot.counting import CountingEngine, admin_texts, fill, unanswered_reply
from bot.engine import Engine
from bot.replies import Block, Reply, Style
from bot.storage import Storage
from bot.usage import Usage, current_user
from bot.watch import DEBOUNCE_SECONDS, POLL_SECONDS, ContentWatcher
from bot_telegram.handlers import Handlers, command_for_bot
from bot_telegram.render import to_messages

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

ADMIN_COMMANDS = ("herlaad", "statistieken", "onbeantwoord")
"""Commands only admins have; everyone else gets the ordinary help for them."""
FEEDBACK_PATTERN = rf"^{Verb.FEEDBACK}:"
NOTICE_PREFIX = "inhoud:"
MAX_ERRORS_SHOWN = 20


@dataclass
class Operations:
    """Storage, usage figures, content watcher and health status of one running bot."""

    storage: Storage | None = None
    usage: Usage | None = None
    watch: bool = False
    health_file: Path | None = None
    poll_seconds: float = POLL_SECONDS
    debounce_seconds: float = DEBOUNCE_SECONDS
    _watcher: ContentWatcher | None = field(default=None, init=False)
    _heartbeat: asyncio.Task[None] | None = field(default=None, init=False)
    _notified: set[str] = field(default_factory=set, init=False)
    api_ok: float | None = field(default=None, init=False)
    api_error: str | None = field(default=None, init=False)
    reload_errors: int = field(default=0, init=False)


class AdminHandlers:
    """Callbacks of the admin commands and the feedback buttons.

    Every reply goes out through the bot's `Handlers` (`send`, `send_photo`), so it lands in
    the forum topic it answers and is remembered as delivered: the error handler never
    apologises after a report, a chart or a thank-you that reached the user.
    """

    def __init__(
        self, engine: Engine, settings: Settings, ops: Operations | None, out: Handlers
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.ops = ops
        self.out = out

    async def remember_user(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group −1, before every update: who is being counted (memory, this update only)."""
        user = update.effective_user
        current_user.set(user.id if user is not None else None)

    async def ordinary_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An admin command from someone who is not an admin: the help, as for any user —
        where the bot would answer a command at all (in a group only `/name@bot`, as for an
        unknown command: a plain `/herlaad` there gets no answer). The refusal is logged,
        at most once a minute."""
        self.out.refused()
        message = update.effective_message
        if message is None or command_for_bot(message, context.bot.username or "") is None:
            return
        await self.out.send(update, self.engine.command("help"))

    async def statistics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/statistieken [jaar]`: the year's figures, then the chart of use per month."""
        ops = self.ops
        library = self.engine.store.current.library
        if ops is None or ops.storage is None:
            await self.out.send(
                update, _text(admin_texts(self.engine.store.current).statistieken_uit)
            )
            return
        today = datetime.now(UTC).date()
        year = today.year
        if context.args and context.args[0].isdigit() and len(context.args[0]) == 4:
            year = int(context.args[0])
        if ops.usage is not None:
            await asyncio.to_thread(ops.usage.flush)  # what happened until now counts
        report = await asyncio.to_thread(statistics.build, ops.storage, library, year, today)
        await self.out.send(update, statistics.to_reply(report, library))
        if report.empty or update.effective_chat is None:
            return
        png = await asyncio.to_thread(chart.render_png, report, library)
        try:
            await self.out.send_photo(update, png)
        except TelegramError as error:
            log.warning("could not send the statistics chart: %s", type(error).__name__)

    async def unanswered(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/onbeantwoord`: the redacted unanswered questions, grouped by similarity."""
        ops = self.ops
        snapshot = self.engine.store.current
        days = self.settings.retention_days
        enabled = bool(ops and ops.usage and ops.usage.log_unanswered and ops.storage)
        rows: list[tuple[str, str, str]] = []
        if ops is not None and ops.storage is not None and enabled:
            if ops.usage is not None:
                await asyncio.to_thread(ops.usage.flush)
            since = (datetime.now(UTC).date() - timedelta(days=days)).isoformat()
            rows = await asyncio.to_thread(ops.storage.unanswered, since)
        reply = await asyncio.to_thread(
            unanswered_reply, snapshot, rows, days=days, enabled=enabled
        )
        await self.out.send(update, reply)

    async def feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """👍/👎: counted; a short thank-you as a notification; the buttons go away."""
        query = update.callback_query
        if query is None or not isinstance(self.engine, CountingEngine):
            return
        thanks = self.engine.feedback(query.data or "")
        text = thanks.plain_text() if thanks is not None else None
        try:
            await query.answer(text=text)
        except TelegramError as error:
            log.warning("could not acknowledge a feedback press: %s", type(error).__name__)
        else:
            self.out.delivered(update)  # the thank-you is the reply
        message = query.message
        markup = getattr(message, "reply_markup", None)
        if markup is None:
            return
        rows = [
            row
            for row in markup.inline_keyboard
            if not any(str(b.callback_data or "").startswith(f"{Verb.FEEDBACK}:") for b in row)
        ]
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=markup.__class__(rows))


def _text(text: str) -> Reply:
    return Reply((Block(Style.TEXT, (text,)),))


def add_handlers(
    app: App, out: Handlers, engine: Engine, settings: Settings, ops: Operations | None
) -> None:
    """Admin commands for admins, the ordinary help for the rest, the feedback buttons.

    Call it before the unknown-command handler (which would answer "bedoelde je…" to a
    non-admin's `/statistieken`), the general button handler and the free-text handler.
    `/herlaad` is `out.reload` (in a group: the result privately, a short note in the group).
    """
    # New messages only: an edited command was answered when it was first sent.
    new = filters.UpdateType.MESSAGE
    admins = new & filters.User(user_id=settings.admin_ids)
    handlers = AdminHandlers(engine, settings, ops, out)
    if ops is not None and ops.usage is not None:
        app.add_handler(TypeHandler(Update, handlers.remember_user), group=-1)
    app.add_handler(CommandHandler("herlaad", out.reload, filters=admins))
    app.add_handler(CommandHandler("statistieken", handlers.statistics, filters=admins))
    app.add_handler(CommandHandler("onbeantwoord", handlers.unanswered, filters=admins))
    app.add_handler(CommandHandler(ADMIN_COMMANDS, handlers.ordinary_help, filters=new))
    if isinstance(engine, CountingEngine):
        app.add_handler(CallbackQueryHandler(handlers.feedback, pattern=FEEDBACK_PATTERN))
    if ops is not None:
        _hook(app, engine, settings, ops)


# -- start, stop, heartbeat, watcher ---------------------------------------------------------


def _hook(app: App, engine: Engine, settings: Settings, ops: Operations) -> None:
    """Start the threads and the heartbeat after `post_init`; stop them at shutdown."""
    before_init, before_shutdown = app.post_init, app.post_shutdown

    async def post_init(application: App) -> None:
        if before_init is not None:
            await before_init(application)
        await start(application, engine, settings, ops)

    async def post_shutdown(application: App) -> None:
        await stop(ops)
        if before_shutdown is not None:
            await before_shutdown(application)

    app.post_init = post_init
    app.post_shutdown = post_shutdown


async def start(app: App, engine: Engine, settings: Settings, ops: Operations) -> None:
    """Start the usage flusher, the watcher and the heartbeat."""
    if ops.usage is not None:
        await asyncio.to_thread(ops.usage.housekeeping)
        ops.usage.start()
    loop = asyncio.get_running_loop()
    if ops.watch:

        def on_reload(problems: list[Problem], before: Library, after: Library) -> None:
            _reloaded(app, loop, settings, ops, problems, before, after)

        ops._watcher = ContentWatcher(
            engine.store,
            on_reload,
            poll_seconds=ops.poll_seconds,
            debounce_seconds=ops.debounce_seconds,
        )
        ops._watcher.start()
    if ops.health_file is not None:
        ops._heartbeat = asyncio.create_task(_beat(app, engine, ops), name="health-heartbeat")


async def stop(ops: Operations) -> None:
    """Stop everything `start` started; write the last usage figures."""
    if ops._heartbeat is not None:
        ops._heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ops._heartbeat
        ops._heartbeat = None
    if ops._watcher is not None:
        await asyncio.to_thread(ops._watcher.stop)
        ops._watcher = None
    if ops.usage is not None:
        await asyncio.to_thread(ops.usage.close)


async def _beat(app: App, engine: Engine, ops: Operations) -> None:
    """Every 15 s: ask the Bot API getMe, write the status file."""
    assert ops.health_file is not None
    loaded = time.time()
    library = engine.store.current.library
    while True:
        try:
            await app.bot.get_me()
        except (TelegramError, TypeError, ValueError) as error:
            ops.api_error = type(error).__name__
        else:
            ops.api_ok, ops.api_error = time.time(), None
        current = engine.store.current.library
        if current is not library:
            library, loaded = current, time.time()
        status = health.Status(
            written=time.time(),
            pid=os.getpid(),
            items=len(current.items),
            content_loaded=loaded,
            reload_errors=ops.reload_errors,
            api_ok=ops.api_ok,
            api_error=ops.api_error,
        )
        try:
            await asyncio.to_thread(health.write, ops.health_file, status)
        except OSError as error:
            log.warning("could not write the health status: %s", type(error).__name__)
        await asyncio.sleep(health.HEARTBEAT_SECONDS)


def _reloaded(  # noqa: PLR0917 - the watcher's callback, bound in `start`
    app: App,
    loop: asyncio.AbstractEventLoop,
    settings: Settings,
    ops: Operations,
    problems: list[Problem],
    before: Library,
    after: Library,
) -> None:
    """After a watcher reload (in its thread): log; tell the admins once about errors."""
    errors = [p for p in problems if p.level is Level.ERROR]
    if not errors:
        ops.reload_errors = 0
        log.info("content reloaded by the watcher (%d items)", len(after.items))
        if ops.storage is not None:
            ops.storage.forget_notices(NOTICE_PREFIX)
        ops._notified.clear()
        return
    ops.reload_errors = len(errors)
    log.warning("content change refused by the watcher: %d error(s)", len(errors))
    digest = hashlib.sha256("\n".join(map(str, errors)).encode()).hexdigest()[:24]
    key = NOTICE_PREFIX + digest
    if key in ops._notified:
        return
    ops._notified.add(key)
    if ops.storage is not None and not ops.storage.claim_notice(key, time.time()):
        return  # another replica told them already
    notice = Reply(
        (
            Block(
                Style.ALERT,
                (
                    fill(
                        after.file(AdminFile).teksten.inhoud_fout_melding, fouten=str(len(errors))
                    ),
                ),
            ),
            Block(Style.BULLETS, tuple(map(str, errors[:MAX_ERRORS_SHOWN]))),
        )
    )
    asyncio.run_coroutine_threadsafe(_tell_admins(app, settings, notice), loop)


async def _tell_admins(app: App, settings: Settings, reply: Reply) -> None:
    failed = 0
    for admin_id in sorted(settings.admin_ids):
        try:
            for message in to_messages(reply):
                await app.bot.send_message(admin_id, message.text)
        except TelegramError:
            failed += 1
    if failed:
        log.warning("the content notice did not reach %d admin(s)", failed)
