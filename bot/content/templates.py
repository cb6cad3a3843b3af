"""UI sentences with placeholders: `{plaats}` is filled in, `{{` and `}}` are literal braces.

`str.format` would also accept `{plaats:d}` (every lookup raises), `{plaats:.>1000000}` (a
megabyte per reply), `{plaats!r}`, `{0}` or `{plaats.__class__}`. Templates here allow only
plain names, are parsed once when content is checked, and are filled by joining their parts:
rendering is linear in the template and the values, whatever an admin wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
"""A literal brace (`{{`, `}}`), a placeholder `{…}`, or a brace without its partner."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")


class TemplateError(ValueError):
    """A template that is not plain text with `{name}` placeholders."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Template:
    """A parsed UI sentence: literal text and placeholder names, alternating."""

    literals: tuple[str, ...]
    """The text around the placeholders: one more than there are names."""
    names: tuple[str, ...]

    def render(self, values: Mapping[str, str]) -> str:
        """The sentence with each placeholder replaced by its value (KeyError if one lacks)."""
        parts = [self.literals[0]]
        for name, literal in zip(self.names, self.literals[1:], strict=True):
            parts.append(values[name])
            parts.append(literal)
        return "".join(parts)


def _only_the_name(field: str, separator: str) -> str:
    name = field.partition(separator)[0]
    return f"schrijf alleen de naam: {{{name}}}" if _NAME.fullmatch(name) else _PLAIN_NAME


_PLAIN_NAME = "schrijf alleen de naam van de invulplaats tussen de accolades"


def _field_problem(field: str) -> TemplateError:
    shown = "{" + (field if len(field) <= 30 else field[:30] + "…") + "}"
    if ":" in field:
        return TemplateError(
            f"de invulplaats {shown} heeft een opmaak na ':'; dat is niet toegelaten",
            _only_the_name(field, ":"),
        )
    if "!" in field:
        return TemplateError(
            f"de invulplaats {shown} heeft een omzetting na '!'; dat is niet toegelaten",
            _only_the_name(field, "!"),
        )
    if field.strip() == "" or field.strip().isdigit():
        return TemplateError(
            f"de invulplaats {shown} heeft geen naam",
            "schrijf de naam van de invulplaats tussen de accolades, of {{ en }} voor een "
            "letterlijke accolade",
        )
    if "." in field or "[" in field:
        return TemplateError(f"de invulplaats {shown} mag geen '.' of '[ ]' bevatten", _PLAIN_NAME)
    return TemplateError(
        f"{shown} is geen geldige invulplaats",
        "een invulplaats is een naam in kleine letters tussen accolades; schrijf {{ en }} "
        "voor een letterlijke accolade",
    )


def parse_template(text: str) -> Template:
    """Parse a UI sentence; raise `TemplateError` for anything but plain `{name}` fields."""
    literals: list[str] = []
    names: list[str] = []
    current: list[str] = []
    position = 0
    for token in _TOKEN.finditer(text):
        current.append(text[position : token.start()])
        position = token.end()
        matched = token.group()
        if matched in ("{{", "}}"):
            current.append(matched[0])
            continue
        field = token.group(1)
        if field is None:
            raise TemplateError(
                f"de accolade '{matched}' heeft geen partner: de accolades {{ }} kloppen niet",
                "schrijf {{ en }} voor een letterlijke accolade",
            )
        if not _NAME.fullmatch(field):
            raise _field_problem(field)
        literals.append("".join(current))
        current = []
        names.append(field)
    current.append(text[position:])
    literals.append("".join(current))
    return Template(tuple(literals), tuple(names))
