"""Settings from the environment; the token never appears in a repr or a log line."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
MIN_SECRET_PART = 16
"""The part of a token after its colon is redacted on its own (e.g. URL-encoded tokens) only
when this long: real ones have 35 characters; a short test token's would hide common words."""
MIN_PASSWORD_CHARS = 4
"""A database password shorter than this is not redacted on its own (it would blank out
ordinary words in every log line); the whole URL always is."""


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
    data_dir: Path = Path("data")
    """`BOT_DATA_DIR`: the SQLite database and the health status file."""
    database_url: str | None = field(default=None, repr=False)
    """`BOT_DATABASE_URL`: PostgreSQL instead of SQLite (may hold a password)."""
    log_unanswered: bool = False
    """`BOT_LOG_UNANSWERED=1`: keep unanswered questions, redacted (opt-in)."""
    retention_days: int = 30
    """`BOT_RETENTION_DAYS`: unanswered questions are deleted after this many days."""
    setup: bool = True
    """`BOT_SETUP=0`: skip the one-off set-up at start (webhook, menus); `playbook setup`."""
    stats_secret: str | None = field(default=None, repr=False)
    """`BOT_STATS_SECRET`: mixed into unique-user pseudonyms; never in the database."""
    max_concurrent_updates: int = 128
    """`BOT_CONCURRENT_UPDATES`: updates handled at once (one chat's stay in order)."""

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in any output: the token, its secret half, the
        webhook secret, the database URL (and its password, as written and decoded), the
        statistics secret."""
        found = []
        if self.token:
            found.append(self.token)
            _, _, secret = self.token.partition(":")
            if len(secret) >= MIN_SECRET_PART:
                found.append(secret)
        if self.webhook_secret:
            found.append(self.webhook_secret)
        if self.database_url:
            found.append(self.database_url)
            password = _url_password(self.database_url)
            if password is not None and len(password) >= MIN_PASSWORD_CHARS:
                found += dict.fromkeys((password, unquote(password)))
        if self.stats_secret:
            found.append(self.stats_secret)
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
            **_operations(get),
            content_dir=Path(get("BOT_CONTENT_DIR") or "content"),
            token=get("TELEGRAM_BOT_TOKEN"),
            api_base_url=get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
            webhook_url=webhook_url,
            webhook_secret=secret,
            webhook_listen=get("BOT_WEBHOOK_LISTEN") or "0.0.0.0",  # noqa: S104
            webhook_port=int(port_text),
            admin_ids=frozenset(int(part) for part in admins),
        )


def _flag(name: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "ja", "on"):
        return True
    if value.lower() in ("0", "false", "no", "nee", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0, not {value!r}")


def _number(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)


def _operations(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The settings of storage, statistics and running several replicas."""
    url = get("BOT_DATABASE_URL")
    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise SettingsError("BOT_DATABASE_URL must be a postgresql:// URL")
    return {
        "data_dir": Path(get("BOT_DATA_DIR") or "data"),
        "database_url": url,
        "log_unanswered": _flag("BOT_LOG_UNANSWERED", get("BOT_LOG_UNANSWERED"), False),
        "retention_days": _number("BOT_RETENTION_DAYS", get("BOT_RETENTION_DAYS"), 30, 1, 3650),
        "setup": _flag("BOT_SETUP", get("BOT_SETUP"), True),
        "stats_secret": get("BOT_STATS_SECRET"),
        "max_concurrent_updates": _number(
            "BOT_CONCURRENT_UPDATES", get("BOT_CONCURRENT_UPDATES"), 128, 1, 1024
        ),
    }


def _url_password(url: str) -> str | None:
    """The password of a `postgresql://user:password@host/db` URL, as written (None if none)."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    userinfo, at, _ = netloc.rpartition("@")
    if not at:
        return None
    _, colon, password = userinfo.partition(":")
    return password if colon and password else None
