"""Deep links and QR codes that open one item (or a region) in the bot.

Kind en Gezin teams print these on flyers and paste them in chats: `t.me/<bot>?start=<id>`.
Telegram allows up to 64 characters from [A-Za-z0-9_-] as start payload; ids fit by design.
"""

from __future__ import annotations

import re
from pathlib import Path

import segno

_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def deep_link(bot_username: str, payload: str) -> str:
    """The t.me link that starts the bot with `payload` (an item id or `pc-<postcode>`)."""
    username = bot_username.removeprefix("@")
    if not _USERNAME.match(username):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    if not _PAYLOAD.match(payload):
        raise ValueError(f"not a valid deep-link payload: {payload!r}")
    return f"https://t.me/{username}?start={payload}"


def write_qr(link: str, path: Path) -> Path:
    """Write a QR code for `link`; the format follows the file name (.png, .svg, .pdf, …)."""
    segno.make(link, error="m").save(str(path), scale=8, border=4)
    return path
