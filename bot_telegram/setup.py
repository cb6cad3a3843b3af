"""One-off set-up of the bot at Telegram: webhook, command menus, descriptions.

`playbook setup` runs it once (e.g. before starting N replicas with `BOT_SETUP=0`);
`playbook run` does the menus and descriptions at start unless `BOT_SETUP=0` (and the
webhook through python-telegram-bot's `run_webhook`).

Command menus: everyone gets the commands of `teksten.yaml`; each admin (`BOT_ADMIN_IDS`)
gets those plus the admin commands of `beheer.yaml`, in their private chat with the bot
only (`BotCommandScopeChat`). Telegram refuses that scope for an admin who never started
the bot; that is reported as a number, never with the id.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.config import Settings
from bot.content.library import Library
from bot.content.model import AdminFile

log = logging.getLogger(__name__)


def menus(library: Library) -> tuple[list[BotCommand], list[BotCommand]]:
    """The command menu of everyone and the one of admins."""
    everyone = [BotCommand(c.commando, c.beschrijving) for c in library.commands]
    admins = everyone + [
        BotCommand(c.commando, c.beschrijving) for c in library.file(AdminFile).commandos
    ]
    return everyone, admins


async def announce(bot: Bot, settings: Settings, library: Library) -> list[str]:
    """Command menus (everyone's, and each admin's) and the descriptions; a report."""
    everyone, admins = menus(library)
    await bot.set_my_commands(everyone)
    report = [f"command menu: {len(everyone)} commands"]
    failed = 0
    for admin_id in sorted(settings.admin_ids):
        try:
            await bot.set_my_commands(admins, scope=BotCommandScopeChat(admin_id))
        except TelegramError:
            failed += 1
    if settings.admin_ids:
        done = len(settings.admin_ids) - failed
        report.append(f"admin menu ({len(admins)} commands): {done} of {len(settings.admin_ids)}")
        if failed:
            log.warning(
                "admin command menu not set for %d admin(s): they must start the bot first",
                failed,
            )
    await bot.set_my_description(library.text("bot_beschrijving"))
    await bot.set_my_short_description(library.text("bot_korte_beschrijving"))
    report.append("description and short description")
    return report


async def set_up(bot: Bot, settings: Settings, library: Library) -> list[str]:
    """Everything: the webhook (or none, for polling), then `announce`."""
    if settings.webhook_url:
        await bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        report = ["webhook set"]
    else:
        await bot.delete_webhook()
        report = ["no webhook (long polling)"]
    return report + await announce(bot, settings, library)
