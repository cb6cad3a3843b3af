"""Sharing the bot and its answers: deep links, QR codes, and the replies that carry them.

Kind en Gezin teams print links on flyers and posters and paste them in chats:
`t.me/<bot>?start=<id>` opens one item, `t.me/<bot>?start=pc-<postcode>` the regional VK, and
`t.me/<bot>` the bot itself. The payload rules live in `bot.actions`; this module builds the
links, their QR codes and the channel-free replies around them (what `/deel` says, a message
as inline mode posts it into another chat, the step plan as a team group pins it). No sentence
is written here: every word comes from the content (`delen.yaml` above all).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

import segno

from bot.actions import (
    POSTCODE_START,
    START_PAYLOAD,
    Action,
    Verb,
    decode,
    postcode_start_payload,
    start_payload,
)
from bot.content.library import Library
from bot.content.limits import MAX_BUTTONS
from bot.content.model import DecisionFile, SharingFile
from bot.content.templates import parse_template
from bot.engine import Engine
from bot.matching import Outcome
from bot.replies import Block, Button, Reply, Style, paragraphs, rows

_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_POSTCODE = re.compile(r"^(?:pc-)?([1-9][0-9]{3})$")

QR_ERROR_LEVEL = "m"
"""Error correction M (15 %): a printed code still scans with a smudge or a fold."""
QR_SCALE = 10
"""Pixels per module of the PNG: about 450 × 450 pixels for a link, sharp on any phone."""
QR_BORDER = 4
"""The quiet zone around the code, in modules (the QR standard asks for 4)."""


def _username(bot_username: str) -> str:
    username = bot_username.removeprefix("@")
    if not _USERNAME.match(username):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    return username


def bot_link(bot_username: str) -> str:
    """The t.me link that opens the bot itself."""
    return f"https://t.me/{_username(bot_username)}"


def deep_link(bot_username: str, payload: str | None) -> str:
    """The t.me link that starts the bot with `payload` (an item id or `pc-<postcode>`), or
    the bot itself without one."""
    if payload is None:
        return bot_link(bot_username)
    return f"{bot_link(bot_username)}?start={start_payload_or_postcode(payload)}"


def start_payload_or_postcode(payload: str) -> str:
    """`payload` checked as a deep-link payload: `pc-<postcode>` or an item id."""
    if payload.startswith("pc-"):
        return postcode_start_payload(payload.removeprefix("pc-"))
    return start_payload(payload)


def qr_png(link: str) -> bytes:
    """The QR code of `link` as a PNG image (black on white, with its quiet zone)."""
    buffer = io.BytesIO()
    segno.make(link, error=QR_ERROR_LEVEL).save(
        buffer, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    return buffer.getvalue()


def write_qr(link: str, path: Path) -> Path:
    """Write a QR code for `link`; the format follows the file name (.png, .svg, .pdf, …)."""
    segno.make(link, error=QR_ERROR_LEVEL).save(str(path), scale=8, border=QR_BORDER)
    return path


def texts(library: Library) -> SharingFile:
    """The sentences and buttons of sharing (`delen.yaml`)."""
    return library.file(SharingFile)


@dataclass(frozen=True)
class ShareTarget:
    """What is shared: an item, a region's VK, or the bot itself."""

    payload: str | None
    """The deep-link payload (`signalen-noteren`, `pc-3500`), or None for the bot itself"""
    title: str | None
    """What the link opens, by its title (the item's, or the regional VK's): the poster names
    it and a share button sends it as the inline query; None for the bot itself"""
    sentence: str
    """What `/deel` says above the link"""


def target_for_payload(engine: Engine, payload: str | None) -> ShareTarget | None:
    """What a deep-link payload opens: an item id, `pc-<postcode>`, or None for the bot itself;
    None when the payload opens nothing (an unknown id or postal code)."""
    snap = engine.store.current
    library = snap.library
    words = texts(library).deel
    if payload is None:
        return ShareTarget(None, None, words.bot)
    postcode = POSTCODE_START.match(payload)
    if postcode is not None:
        place = snap.places.find(postcode.group(1))
        if place is None or place.postcode is None:
            return None
        vk = library.vk_for_province(place.provincie)
        name = f"{place.postcode} {place.gemeente}"
        sentence = parse_template(words.regio).render({"plaats": name})
        return ShareTarget(payload, vk.titel if vk else name, sentence)
    item = library.items.get(payload)
    if item is None:
        return None
    sentence = parse_template(words.onderwerp).render({"titel": item.titel})
    return ShareTarget(start_payload(item.id), item.titel, sentence)


def share_target(engine: Engine, argument: str) -> ShareTarget:
    """What `/deel <argument>` shares: an item by its id, a postal code's region, the item the
    engine answers the words with, or else the bot itself (saying so when nothing matched)."""
    wanted = " ".join(argument.split()).lower()
    if not wanted:
        return ShareTarget(None, None, texts(engine.store.current.library).deel.bot)
    postcode = _POSTCODE.match(wanted)
    candidates = [postcode_start_payload(postcode.group(1))] if postcode else []
    if START_PAYLOAD.match(wanted):
        candidates.append(wanted)
    for candidate in candidates:
        found = target_for_payload(engine, candidate)
        if found is not None:
            return found
    answer = engine.ask(wanted)
    if answer.outcome is Outcome.ANSWER and answer.hits:
        found = target_for_payload(engine, answer.hits[0].item_id)
        if found is not None:
            return found
    return ShareTarget(None, None, texts(engine.store.current.library).deel.onbekend)


def start_payload_for_press(library: Library, data: str) -> str | None:
    """The deep link that shows in the bot what a button press shows: an item, a postal code's
    VK, the decision aid; None for a press that opens nothing of its own (the menu, a forged
    button): then the link opens the bot itself."""
    action = decode(data)
    if action is None:
        return None
    if action.verb is Verb.ITEM and action.argument in library.items:
        return start_payload(action.argument)
    if action.verb is Verb.POSTCODE:
        return postcode_start_payload(action.argument)
    if action.verb is Verb.DECISION:
        decision = library.files.get(DecisionFile)
        if isinstance(decision, DecisionFile):
            return start_payload(decision.beslishulp.id)
    return None


def open_button(library: Library, link: str) -> Button:
    """ "Open in de bot": a URL button with a deep link."""
    return Button(texts(library).knoppen.open_in_bot, url=link)


_MENUS = {Action(Verb.MENU).encode(), Action(Verb.MENU, in_place=True).encode()}


def as_shared(reply: Reply, open_in_bot: Button) -> Reply:
    """A reply as it is posted into another chat (inline mode): "Open in de bot" first, then
    its own buttons without the menu and without "Delen" (both belong to the bot's own chat),
    at most six in all (the last ones go: a shared step plan keeps its first five steps).
    Its first screen, details and footer stay as they are."""
    room = MAX_BUTTONS - 1
    kept: list[tuple[Button, ...]] = []
    for row in reply.buttons:
        own = tuple(b for b in row if b.data not in _MENUS and b.share is None)[:room]
        room -= len(own)
        if own:
            kept.append(own)
    return replace(reply, buttons=((open_in_bot,), *kept))


def pinnable_overview(library: Library, bot_username: str) -> Reply:
    """The step plan as `/stappenplan` posts it in a team group, to be pinned.

    One message (the content check keeps it under `MAX_PINNED_CHARS`): the note that it can
    be pinned, the overview's title, its kern and its text, whole (no quotation: a pinned
    message is read in full). Its buttons are deep links, never callbacks: a
    tap opens that step in the colleague's own chat with the bot instead of posting the step
    into the group for everyone.
    """
    words = texts(library)
    overview = library.overview
    blocks = (
        Block(Style.NOTE, (words.groep.vastzetten,)),
        Block(Style.TITLE, (overview.titel,)),
        *paragraphs(overview.kern),
        *paragraphs(overview.tekst),
    )
    steps = [Button(s.button_label, url=deep_link(bot_username, s.id)) for s in library.steps]
    # Every step; "Open in de bot" (the overview) only while the six buttons leave room.
    if len(steps) >= MAX_BUTTONS:
        return Reply(blocks, rows(steps[:MAX_BUTTONS]))
    start = open_button(library, deep_link(bot_username, overview.id))
    return Reply(blocks, (*rows(steps), (start,)))
