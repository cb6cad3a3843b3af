"""The composition root for Telegram: one `Application` with its handler table.

Used by `playbook run` and by the tests (which pass an offline, emulator or fault-injecting
transport, and a faster retry policy). Every Bot API call except getUpdates goes through
`bot_telegram.delivery.RetryingRequest` around that transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import commands
from bot.config import Settings, StartupError
from bot.content.library import Library
from bot.engine import Engine
from bot_telegram.concurrency import ChatOrderedProcessor
from bot_telegram.delivery import RetryingRequest, RetryPolicy
from bot_telegram.handlers import Handlers
from bot_telegram.operations import Operations
from bot_telegram.operations import add_handlers as add_operations_handlers
from bot_telegram.setup import announce, set_up
from bot_telegram.sharing import add_sharing_handlers
from bot_telegram.webhook import run as serve_webhook

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

COMMANDS = tuple(name for name in commands.ANSWERED if name != "start")
"""Commands answered by `Engine.command` (`/start` has its own handler for deep links)."""


def build_application(
    settings: Settings,
    engine: Engine,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    retry: RetryPolicy | None = None,
    clock: Callable[[], float] = time.monotonic,
    operations: Operations | None = None,
) -> App:
    """Build the bot: defaults, rate limiter, retries, handlers in order, start-up hook.

    `request` is the transport for every call but getUpdates (default: PTB's HTTPXRequest
    with `delivery.SEND_READ_TIMEOUT`); it is always wrapped in `RetryingRequest` with the
    `retry` policy. `clock` (monotonic seconds) is for tests of the throttled logging.
    `operations` (storage, usage figures, watcher, health; `playbook run` passes them) adds
    their start and stop to the application's hooks.
    """
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_announce_commands(engine, settings))
        # Bounded, and one chat's updates stay in order (see bot_telegram.concurrency).
        .concurrent_updates(ChatOrderedProcessor(settings.max_concurrent_updates))
    )
    if rate_limit:
        # Telegram allows ~1 message/s per chat, 20/min per group, 30/s overall.
        # PTB types the builder by its rate limiter's argument type; ours takes the default.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    builder = builder.request(RetryingRequest(request, retry))
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    app = builder.build()
    handlers = Handlers(engine, settings.admin_ids, clock=clock)
    # New messages only: an edited message (an edited /start, a corrected question) was
    # answered when it was first sent.
    new = filters.UpdateType.MESSAGE
    # Order matters: the first handler that matches an update takes it. Sharing first
    # (/stappenplan in a group, /deel, inline queries, presses on inline messages), then the
    # commands, then every other command (e.g. /hulp or /stappenplna), then free text.
    add_sharing_handlers(app, engine, handlers)
    app.add_handler(CommandHandler("start", handlers.start, filters=new))
    app.add_handler(CommandHandler(COMMANDS, handlers.command, filters=new))
    # Admin commands (/herlaad, /statistieken, /onbeantwoord) for admins only, the ordinary
    # help for anyone else — before the unknown-command handler, which would answer
    # "bedoelde je…" and so hint that they exist; then 👍/👎 before the other buttons.
    add_operations_handlers(app, handlers, engine, settings, operations)
    # After the known commands: every other command, e.g. /hulp or /stappenplna.
    app.add_handler(MessageHandler(new & filters.COMMAND, handlers.unknown_command))
    app.add_handler(CallbackQueryHandler(handlers.button))
    # Text, or the caption of a photo, document or video: a question.
    app.add_handler(
        MessageHandler(
            new & ((filters.TEXT & ~filters.COMMAND) | filters.CAPTION), handlers.question
        )
    )
    # Anything else a person sends (not the service messages: joins, pins, titles…).
    app.add_handler(MessageHandler(new & ~filters.StatusUpdate.ALL, handlers.not_text))
    app.add_error_handler(handlers.error)
    return app


def _announce_commands(
    engine: Engine, settings: Settings
) -> Callable[[App], Coroutine[Any, Any, None]]:
    async def post_init(app: App) -> None:
        """Command menus (admins' in their chats) and descriptions from content; a failure
        here is not fatal. Skipped with `BOT_SETUP=0` (`playbook setup` does it once)."""
        if not settings.setup:
            return
        try:
            await announce(app.bot, settings, engine.store.current.library)
        except TelegramError as error:
            log.warning("could not set the command menu or description: %s", error)

    return post_init


def run(
    settings: Settings,
    engine: Engine,
    operations: Operations | None = None,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> None:
    """Long polling by default; a webhook when `BOT_WEBHOOK_URL` is set; with `BOT_SETUP=0`
    the webhook is served without setting it (N replicas behind one address).

    Raises `StartupError` (one line, no token) when Telegram refuses the token or cannot be
    reached at start-up. PTB's own `InvalidToken` quotes the token in its message, so it is
    never let through, not even as the cause of the error. `request` and `updates_request`
    are the transports (tests only; default: PTB's).
    """
    app = build_application(
        settings,
        engine,
        request=request,
        updates_request=updates_request,
        operations=operations,
    )
    with _startup_errors():
        if settings.webhook_url and not settings.setup:
            serve_webhook(app, settings)
        elif settings.webhook_url:
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)


@contextlib.contextmanager
def _startup_errors() -> Iterator[None]:
    """PTB's errors at start-up as a one-line `StartupError` without the token."""
    try:
        yield
    except InvalidToken:
        raise StartupError(
            "Telegram weigert het token: controleer TELEGRAM_BOT_TOKEN (bij @BotFather) en "
            "TELEGRAM_API_BASE_URL. / Telegram rejected the bot token."
        ) from None
    except TelegramError as error:
        raise StartupError(
            f"De Bot API is niet bereikbaar ({type(error).__name__}): controleer het netwerk en "
            "TELEGRAM_API_BASE_URL. / The Bot API could not be reached."
        ) from None


def set_up_once(settings: Settings, library: Library) -> list[str]:
    """`playbook setup`: webhook (or none), command menus, descriptions; a report."""

    async def go() -> list[str]:
        assert settings.token is not None
        async with Bot(settings.token, base_url=settings.api_base_url) as bot:
            return await set_up(bot, settings, library)

    with _startup_errors():
        return asyncio.run(go())
