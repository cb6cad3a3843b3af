"""Button payloads: the only code that knows their format.

A payload carries all the state a button needs (which item, which postal code, where in the
decision aid, whether the pressed message is to be replaced), so any process — after a
restart, a reload or on another replica — can answer any button. Telegram allows 64 bytes of
callback data; ids are at most 40 characters and a path in the decision aid at most
`MAX_DECISION_DEPTH` answers, so every payload fits.

Format: ``<verb>[*][:<argument>]``. The ``*`` marks a button that moves through the step plan
or the menus: its answer replaces the pressed message instead of arriving as a new one
(`Reply.replace`, as every press in the decision aid does). Old payloads without ``*`` keep
working.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.content.limits import (
    MAX_DECISION_ANSWERS,
    MAX_DECISION_DEPTH,
    MAX_START_PAYLOAD_CHARS,
)
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
    FEEDBACK = "f"
    """"Was dit nuttig?": `f:1:<id>` (yes) or `f:0:<id>` (no)"""
    FAQ = "q"
    THEME = "t"
    COMMAND = "k"
    """a button that runs a bot command: `k:<command>` (the "bedoelde je…" suggestions)"""
    DECISION = "b"
    """the decision aid (beslishulp): `b` is its start, `b:<question or outcome>:<answers>`"""


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
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_FEEDBACK = re.compile(rf"^[01]:{ID_PATTERN[1:]}")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,24}$")
"""A "Geen van deze" button may carry the token of its held question (`n:<token>`)."""
_NEEDS_ARGUMENT = {
    Verb.ITEM: _ID,
    Verb.POSTCODE: _POSTCODE,
    Verb.THEME: _ID,
    Verb.COMMAND: _COMMAND,
    Verb.FEEDBACK: _FEEDBACK,
}
_MAY_HAVE_ARGUMENT = {Verb.NONE_OF_THESE: _TOKEN}
_ANSWER_DIGITS = "123456789"[:MAX_DECISION_ANSWERS]
_DECISION_STEP = re.compile(
    rf"({ID_PATTERN[1:-1]}):([{_ANSWER_DIGITS}]{{0,{MAX_DECISION_DEPTH}}})"
)


def decode(payload: str) -> Action | None:
    """Parse callback data; None for anything malformed or forged, never an exception.

    Every payload the bot writes is ASCII, so anything else (accents, emoji, a lone
    surrogate that cannot even be encoded) is refused before it is measured. A decision-aid
    payload (`b:…`) is kept whatever its argument: `decision_step` reads it, and one that
    does not parse gets the decision aid's own polite note and its start.
    """
    if not payload or not payload.isascii() or len(payload) > MAX_PAYLOAD_BYTES:
        return None
    verb_text, _, argument = payload.partition(":")
    in_place = verb_text.endswith(IN_PLACE)
    try:
        verb = Verb(verb_text.removesuffix(IN_PLACE))
    except ValueError:
        return None
    if verb is Verb.DECISION:
        return Action(verb, argument)
    optional = _MAY_HAVE_ARGUMENT.get(verb)
    if optional is not None:
        if argument and not optional.match(argument):
            return None
        return Action(verb, argument, in_place)
    pattern = _NEEDS_ARGUMENT.get(verb)
    if pattern is None:
        return Action(verb, in_place=in_place) if not argument else None
    return Action(verb, argument, in_place) if pattern.match(argument) else None


def show(item_id: str) -> str:
    """Payload of a button that opens an item in a new message."""
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


def none_of_these(token: str | None = None, *, in_place: bool = True) -> str:
    """Payload of "Geen van deze" (in place, as the replies write it), with the token of
    the held question if there is one."""
    return Action(Verb.NONE_OF_THESE, token or "", in_place).encode()


def go(item_id: str) -> str:
    """Payload of a button that moves to an item in the pressed message (steps, menus)."""
    return Action(Verb.ITEM, item_id, in_place=True).encode()


def run(command: str) -> str:
    """Payload of a button that runs a bot command (without the slash)."""
    return Action(Verb.COMMAND, command).encode()


@dataclass(frozen=True)
class DecisionStep:
    """A position in the decision aid: where the button leads, and the answers on the way.

    `path` holds the 0-based index of every answer given since the first question, so the
    place is found again by walking the tree (and "Vorige" is the same path minus one).
    """

    node: str
    path: tuple[int, ...]


def decision(node: str | None = None, path: Sequence[int] = ()) -> str:
    """Payload of a decision-aid button: its start (no node), or a question or outcome."""
    if node is None:
        return str(Verb.DECISION)
    if len(path) > MAX_DECISION_DEPTH or not all(0 <= i < MAX_DECISION_ANSWERS for i in path):
        raise ValueError(f"decision path out of bounds: {tuple(path)!r}")
    digits = "".join(_ANSWER_DIGITS[i] for i in path)
    return Action(Verb.DECISION, f"{node}:{digits}").encode()


def decision_step(action: Action) -> DecisionStep | None:
    """The position a decision-aid payload names; None for its start or a forged argument."""
    match = _DECISION_STEP.fullmatch(action.argument)
    if action.verb is not Verb.DECISION or match is None:
        return None
    return DecisionStep(match.group(1), tuple(_ANSWER_DIGITS.index(d) for d in match.group(2)))


# -- deep links: the payload of `t.me/<bot>?start=<payload>` --------------------------------------
#
# A deep link opens the bot on one item (`<item id>`) or on the regional VK of a postal code
# (`pc-<postcode>`). Telegram allows 1 to 64 characters from [A-Za-z0-9_-]; item ids fit by
# design, and the content check refuses one that could not be a payload or that looks like a
# postal-code payload (such an item could never be opened by its link).

START_PAYLOAD = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_START_PAYLOAD_CHARS}}}$")
POSTCODE_START = re.compile(r"^pc-([1-9][0-9]{3})$")
"""The payload that opens the regional VK of a postal code (`pc-3500`)."""
_POSTCODE_START_PREFIX = "pc-"


def start_payload_problem(item_id: str) -> str | None:
    """Why an item id cannot open its item through a deep link; None when it can."""
    if not START_PAYLOAD.match(item_id):
        return (
            f"kan geen link worden: een link (t.me/…?start=…) telt hoogstens "
            f"{MAX_START_PAYLOAD_CHARS} letters, cijfers, '-' of '_'"
        )
    if POSTCODE_START.match(item_id):
        return "is gereserveerd voor links naar een postcode (pc- en vier cijfers)"
    return None


def start_payload(item_id: str) -> str:
    """The deep-link payload that opens an item."""
    problem = start_payload_problem(item_id)
    if problem is not None:
        raise ValueError(f"{item_id!r} {problem}")
    return item_id


def postcode_start_payload(postcode: str) -> str:
    """The deep-link payload that opens the regional VK of a postal code."""
    if not _POSTCODE.match(postcode):
        raise ValueError(f"not a Belgian postal code: {postcode!r}")
    return f"{_POSTCODE_START_PREFIX}{postcode}"
