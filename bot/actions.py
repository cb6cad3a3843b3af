"""Button payloads: the only code that knows their format.

A payload carries all the state a button needs (which item, which postal code), so any
process — after a restart, a reload or on another replica — can answer any button. Telegram
allows 64 bytes of callback data; ids are at most 40 characters, so every payload fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.content.model import ID_PATTERN

MAX_PAYLOAD_BYTES = 64


class Verb(StrEnum):
    """What a button asks for."""

    ITEM = "i"
    MENU = "m"
    CONTACT = "c"
    LEARNING = "l"
    NONE_OF_THESE = "n"
    POSTCODE = "p"
    COMMAND = "k"


@dataclass(frozen=True)
class Action:
    """A decoded button press."""

    verb: Verb
    argument: str = ""

    def encode(self) -> str:
        """The callback-data string for this action."""
        payload = f"{self.verb}:{self.argument}" if self.argument else str(self.verb)
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload longer than {MAX_PAYLOAD_BYTES} bytes: {payload!r}")
        return payload


_ID = re.compile(ID_PATTERN)
_POSTCODE = re.compile(r"^[1-9][0-9]{3}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_NEEDS_ARGUMENT = {Verb.ITEM: _ID, Verb.POSTCODE: _POSTCODE, Verb.COMMAND: _COMMAND}


def decode(payload: str) -> Action | None:
    """Parse callback data; None for anything malformed or forged, never an exception.

    Every payload the bot writes is ASCII, so anything else (accents, emoji, a lone
    surrogate that cannot even be encoded) is refused before it is measured.
    """
    if not payload or not payload.isascii() or len(payload) > MAX_PAYLOAD_BYTES:
        return None
    verb_text, _, argument = payload.partition(":")
    try:
        verb = Verb(verb_text)
    except ValueError:
        return None
    pattern = _NEEDS_ARGUMENT.get(verb)
    if pattern is None:
        return Action(verb) if not argument else None
    return Action(verb, argument) if pattern.match(argument) else None


def show(item_id: str) -> str:
    """Payload of a button that opens an item."""
    return Action(Verb.ITEM, item_id).encode()


def run(command: str) -> str:
    """Payload of a button that runs a bot command (without the slash)."""
    return Action(Verb.COMMAND, command).encode()
