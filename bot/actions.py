"""Button payloads: the only code that knows their format.

A payload carries all the state a button needs (which item, which postal code, whether the
pressed message is to be replaced), so any process — after a restart, a reload or on another
replica — can answer any button. Telegram allows 64 bytes of callback data; ids are at most 40
characters, so every payload fits.

Format: ``<verb>[*][:<argument>]``. The ``*`` marks a button that moves through the step plan
or the menus: its answer replaces the pressed message instead of arriving as a new one
(`Reply.edit`). Old payloads without ``*`` keep working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.content.model import ID_PATTERN

MAX_PAYLOAD_BYTES = 64
IN_PLACE = "*"


class Verb(StrEnum):
    """What a button asks for."""

    ITEM = "i"
    MENU = "m"
    CONTACT = "c"
    LEARNING = "l"
    NONE_OF_THESE = "n"
    POSTCODE = "p"
    FAQ = "q"
    THEME = "t"


@dataclass(frozen=True)
class Action:
    """A decoded button press."""

    verb: Verb
    argument: str = ""
    in_place: bool = False
    """Replace the pressed message (moving through the step plan and the menus)."""

    def encode(self) -> str:
        """The callback-data string for this action."""
        verb = f"{self.verb}{IN_PLACE if self.in_place else ''}"
        payload = f"{verb}:{self.argument}" if self.argument else verb
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload longer than {MAX_PAYLOAD_BYTES} bytes: {payload!r}")
        return payload


_ID = re.compile(ID_PATTERN)
_POSTCODE = re.compile(r"^[1-9][0-9]{3}$")
_NEEDS_ARGUMENT = {Verb.ITEM: _ID, Verb.POSTCODE: _POSTCODE, Verb.THEME: _ID}


def decode(payload: str) -> Action | None:
    """Parse callback data; None for anything malformed or forged."""
    if not payload or len(payload.encode()) > MAX_PAYLOAD_BYTES:
        return None
    verb_text, _, argument = payload.partition(":")
    in_place = verb_text.endswith(IN_PLACE)
    try:
        verb = Verb(verb_text.removesuffix(IN_PLACE))
    except ValueError:
        return None
    pattern = _NEEDS_ARGUMENT.get(verb)
    if pattern is None:
        return Action(verb, in_place=in_place) if not argument else None
    return Action(verb, argument, in_place) if pattern.match(argument) else None


def show(item_id: str) -> str:
    """Payload of a button that opens an item in a new message."""
    return Action(Verb.ITEM, item_id).encode()


def go(item_id: str) -> str:
    """Payload of a button that moves to an item in the pressed message (steps, menus)."""
    return Action(Verb.ITEM, item_id, in_place=True).encode()
