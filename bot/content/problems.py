"""Problems found in content, formatted the way compilers do: `file:line:col: level: message`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

QUOTE_CHARS = 60
"""How much of an admin's value a message quotes (a value can be megabytes long)."""


def shorten(value: object, limit: int = QUOTE_CHARS) -> str:
    """`value` as text for a message: at most `limit` characters, on one line."""
    raw = str(value)
    text = " ".join(raw[: 2 * limit].split())
    if len(text) > limit or len(raw) > 2 * limit:
        return text[: limit - 1] + "…"
    return text


class Level(StrEnum):
    """An error blocks loading; a warning only informs."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in the content."""

    file: str
    line: int
    column: int
    level: Level
    message: str
    item: str | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: {self.level}: "
        subject = f"[{self.item}] " if self.item else ""
        field = f"{self.field}: " if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{subject}{field}{self.message}{hint}"


class ContentError(Exception):
    """Content that cannot be served, with every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.level is Level.ERROR]
        super().__init__(f"{len(errors)} error(s) in content:\n" + "\n".join(map(str, errors)))
