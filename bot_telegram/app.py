"""The composition root for Telegram: one `Application` with its handler table.

Used by `playbook run` and by the tests (which pass an offline or emulator request).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot, BotCommand, LinkPreviewOptions, Update
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
from bot.engine import Engine
from bot_telegram.handlers import Handlers
from bot_telegram.sharing import add_sharing_handlers

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

COMMANDS = (
    "stappenplan",
    "beslishulp",
    "contact",
    "leren",
    "noodnummers",
    "privacy",
    "help",
    "menu",
)
"""Commands answered by `Engine.command` (`/start` has its own handler for deep links)."""


def build_application(
    settings: Settings,
    engine: Engine,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> App:
    """Build the bot: defaults, rate limiter, handlers in order, start-up hook."""
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
        .post_init(_announce_commands(engine))
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
    # Order matters: sharing first (/stappenplan in a group, presses on inline messages), then
    # commands before the free-text catch-all.
    add_sharing_handlers(app, engine)
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler(COMMANDS, handlers.command))
    app.add_handler(CommandHandler("herlaad", handlers.reload))
    app.add_handler(CallbackQueryHandler(handlers.button))
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, handlers.text)
    )
    app.add_error_handler(handlers.error)
    return app


def _announce_commands(engine: Engine) -> Callable[[App], Coroutine[Any, Any, None]]:
    async def post_init(app: App) -> None:
        """Command menu and descriptions from content; a failure here is not fatal."""
        library = engine.store.current.library
        try:
            await app.bot.set_my_commands(
                [BotCommand(c.commando, c.beschrijving) for c in library.commands]
            )
            await app.bot.set_my_description(library.text("bot_beschrijving"))
            await app.bot.set_my_short_description(library.text("bot_korte_beschrijving"))
        except TelegramError as error:
            log.warning("could not set the command menu or description: %s", error)

    return post_init


def run(settings: Settings, engine: Engine) -> None:
    """Long polling by default; a webhook when `BOT_WEBHOOK_URL` is set."""
    app = build_application(settings, engine)
    if settings.webhook_url:
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


def bot_is_reachable(settings: Settings) -> bool:
    """Whether the Bot API answers getMe with this token (for the Docker health check)."""

    async def probe() -> bool:
        assert settings.token is not None
        try:
            async with Bot(settings.token, base_url=settings.api_base_url) as bot:
                await bot.get_me()
        except (TelegramError, TypeError, ValueError):
            # TypeError/ValueError: something answered, but not like the Bot API does.
            return False
        return True

    return asyncio.run(probe())
