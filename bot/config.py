"""Settings from the environment; the token never appears in a repr or a log line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
MIN_SECRET_PART = 16
"""The part of a token after its colon is redacted on its own (e.g. URL-encoded tokens) only
when this long: real ones have 35 characters; a short test token's would hide common words."""


class SettingsError(ValueError):
    """An environment variable with a value the bot cannot use."""


class StartupError(RuntimeError):
    """The bot could not start; the message is one line for the operator, without secrets."""


@dataclass(frozen=True)
class Settings:
    """Everything the process reads from its environment."""

    content_dir: Path = Path("content")
    token: str | None = field(default=None, repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - inside a container, listen on all interfaces
    webhook_port: int = 8443
    admin_ids: frozenset[int] = frozenset()
    """Telegram user ids allowed to reload the content with /herlaad."""

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in any output: the token, its secret half, the
        webhook secret."""
        found = []
        if self.token:
            found.append(self.token)
            _, _, secret = self.token.partition(":")
            if len(secret) >= MIN_SECRET_PART:
                found.append(secret)
        if self.webhook_secret:
            found.append(self.webhook_secret)
        return tuple(found)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read `TELEGRAM_*`, `BOT_CONTENT_DIR`, `BOT_WEBHOOK_*` (default: os.environ)."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        port_text = get("BOT_WEBHOOK_PORT") or "8443"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"BOT_WEBHOOK_PORT must be a port number, not {port_text!r}")
        admin_text = get("BOT_ADMIN_IDS") or ""
        admins = [part.strip() for part in admin_text.split(",") if part.strip()]
        if not all(part.lstrip("-").isdigit() for part in admins):
            raise SettingsError("BOT_ADMIN_IDS must be Telegram user ids separated by commas")
        webhook_url = get("BOT_WEBHOOK_URL")
        secret = get("BOT_WEBHOOK_SECRET")
        if webhook_url and not secret:
            raise SettingsError("BOT_WEBHOOK_URL is set: set BOT_WEBHOOK_SECRET as well")
        return cls(
            content_dir=Path(get("BOT_CONTENT_DIR") or "content"),
            token=get("TELEGRAM_BOT_TOKEN"),
            api_base_url=get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
            webhook_url=webhook_url,
            webhook_secret=secret,
            webhook_listen=get("BOT_WEBHOOK_LISTEN") or "0.0.0.0",  # noqa: S104
            webhook_port=int(port_text),
            admin_ids=frozenset(int(part) for part in admins),
        )
