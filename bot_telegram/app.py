"""The composition root for Telegram: one `Application` with its handler table.

Used by `playbook run` and by the tests (which pass an offline or emulator request).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
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

from bot.config import Settings
from bot.content.library import Library
from bot.engine import Engine
from bot_telegram.concurrency import ChatOrderedProcessor
from bot_telegram.handlers import Handlers
from bot_telegram.operations import Operations
from bot_telegram.operations import add_handlers as add_operations_handlers
from bot_telegram.setup import announce, set_up
from bot_telegram.webhook import run as serve_webhook

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

COMMANDS = ("stappenplan", "contact", "leren", "noodnummers", "privacy", "help", "menu")
"""Commands answered by `Engine.command` (`/start` has its own handler for deep links)."""


def build_application(
    settings: Settings,
    engine: Engine,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    operations: Operations | None = None,
) -> App:
    """Build the bot: defaults, rate limiter, handlers in order, start-up hook.

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
    if request is not None:
        builder = builder.request(request)
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    app = builder.build()
    handlers = Handlers(engine, settings.admin_ids)
    # Order matters: commands before the free-text catch-all.
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler(COMMANDS, handlers.command))
    # Admin commands for admins only (the help for anyone else), then 👍/👎.
    add_operations_handlers(app, handlers.reload, engine, settings, operations)
    app.add_handler(CallbackQueryHandler(handlers.button))
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, handlers.text)
    )
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


def run(settings: Settings, engine: Engine, operations: Operations | None = None) -> None:
    """Long polling by default; a webhook when `BOT_WEBHOOK_URL` is set; with `BOT_SETUP=0`
    the webhook is served without setting it (N replicas behind one address)."""
    app = build_application(settings, engine, operations=operations)
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


def set_up_once(settings: Settings, library: Library) -> list[str]:
    """`playbook setup`: webhook (or none), command menus, descriptions; a report."""

    async def go() -> list[str]:
        assert settings.token is not None
        async with Bot(settings.token, base_url=settings.api_base_url) as bot:
            return await set_up(bot, settings, library)

    return asyncio.run(go())
