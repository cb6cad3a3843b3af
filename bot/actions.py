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
    FEEDBACK = "f"
    """"Was dit nuttig?": `f:1:<id>` (yes) or `f:0:<id>` (no)"""


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
_FEEDBACK = re.compile(rf"^[01]:{ID_PATTERN[1:]}")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,24}$")
"""A "Geen van deze" button may carry the token of its held question (`n:<token>`)."""
_NEEDS_ARGUMENT = {Verb.ITEM: _ID, Verb.POSTCODE: _POSTCODE, Verb.FEEDBACK: _FEEDBACK}
_MAY_HAVE_ARGUMENT = {Verb.NONE_OF_THESE: _TOKEN}


def decode(payload: str) -> Action | None:
    """Parse callback data; None for anything malformed or forged."""
    if not payload or len(payload.encode()) > MAX_PAYLOAD_BYTES:
        return None
    verb_text, _, argument = payload.partition(":")
    try:
        verb = Verb(verb_text)
    except ValueError:
        return None
    optional = _MAY_HAVE_ARGUMENT.get(verb)
    if optional is not None:
        return Action(verb, argument) if not argument or optional.match(argument) else None
    pattern = _NEEDS_ARGUMENT.get(verb)
    if pattern is None:
        return Action(verb) if not argument else None
    return Action(verb, argument) if pattern.match(argument) else None


def show(item_id: str) -> str:
    """Payload of a button that opens an item."""
    return Action(Verb.ITEM, item_id).encode()


def feedback(item_id: str, *, useful: bool) -> str:
    """Payload of a 👍 (`useful`) or 👎 button under the answer `item_id`."""
    return Action(Verb.FEEDBACK, f"{int(useful)}:{item_id}").encode()


def feedback_of(action: Action) -> tuple[str, bool] | None:
    """The item and the vote of a feedback payload; None for another action."""
    if action.verb is not Verb.FEEDBACK:
        return None
    vote, _, item_id = action.argument.partition(":")
    return item_id, vote == "1"


def none_of_these(token: str | None = None) -> str:
    """Payload of "Geen van deze", with the token of the held question if there is one."""
    return Action(Verb.NONE_OF_THESE, token or "").encode()
