"""Secrets out of every log line: a filter that redacts the token on all logging handlers.

The Bot API token is part of every request URL, and python-telegram-bot quotes it in
`InvalidToken` ("The token `123:ABC…` was rejected by the server"). The loggers that print
URLs are kept quiet (see `bot.cli`), but a traceback, a third-party DEBUG line or an answer
from a misbehaving API could still carry it. `install` puts a `SecretFilter` on every
handler at start-up; it rewrites each record before it is formatted: the message with its
arguments, the traceback (`exc_text`, rendered here so that no formatter renders the raw
exception again) and the stack.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

REDACTED = "[REDACTED]"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by `[REDACTED]`, longest secret first."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class SecretFilter(logging.Filter):
    """Redacts secrets from a record's message, arguments, traceback and stack; drops nothing."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place (every later handler sees the redacted one)."""
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = f"{record.msg!s} (arguments not formattable)"
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
            # The exception object still holds the secret; formatters print exc_text instead.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def _all_handlers() -> list[logging.Handler]:
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return [handler for logger in loggers for handler in logger.handlers]


def install(secrets: Iterable[str]) -> SecretFilter:
    """Put one `SecretFilter` on every handler that exists now (replacing an earlier one)."""
    new = SecretFilter(secrets)
    for handler in _all_handlers():
        for old in [f for f in handler.filters if isinstance(f, SecretFilter)]:
            handler.removeFilter(old)
        handler.addFilter(new)
    return new
