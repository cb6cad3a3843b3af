"""Inline mode in the domain: which items `@<bot> <vraag>` offers, best first.

The same engine answers: one reading of the question (normalisation, urgency, places,
matching), so inline results agree with what the bot would answer in its own chat. An urgent
question puts the emergency item first; an empty query (or one nothing matches) offers the
step plan, the emergency numbers and the decision aid. The query is neither logged nor kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.model import Item
from bot.engine import Engine, clean
from bot.matching import OUT_OF_SCOPE, Outcome
from bot.normalize import fold
from bot.replies import Reply
from bot.urgency import Level

MAX_INLINE_RESULTS = 5
"""Results shown for a question (Telegram allows 50; five fit a phone screen)."""
INLINE_CACHE_SECONDS = 60
"""How long Telegram may keep the results of one query for everyone (`is_personal=False`):
briefly, so a content reload shows within a minute."""
DESCRIPTION_CHARS = 100
"""The line under a result's title: the start of the item's text (Telegram shows ~2 lines)."""
EMPTY_QUERY_ITEMS = ("stappenplan", "noodnummers", "beslishulp")
"""What an empty query offers: the step plan, the emergency numbers, the decision aid."""


@dataclass(frozen=True)
class InlineChoice:
    """One inline result: an item and the reply its message shows (the first screen of it)."""

    item_id: str
    title: str
    description: str
    reply: Reply


def _description(item: Item) -> str:
    """The start of the item's text on one line, cut at a word (never a whole answer)."""
    first = " ".join(item.tekst.split("\n\n", 1)[0].split())
    first = first.lstrip("-*• ").strip()
    if len(first) <= DESCRIPTION_CHARS:
        return first
    cut = first.rfind(" ", 0, DESCRIPTION_CHARS - 1)
    return first[: cut if cut > DESCRIPTION_CHARS // 2 else DESCRIPTION_CHARS - 1] + "…"


def inline_item_ids(engine: Engine, query: str) -> list[str]:
    """The item ids inline mode offers for `query`, best first (never empty)."""
    snap = engine.store.current
    library = snap.library
    urgent_id = library.urgent.id
    text = clean(query)
    defaults = [i for i in EMPTY_QUERY_ITEMS if i in library.items]
    if not any(ch.isalnum() for ch in text):
        return defaults
    ids: list[str] = []
    # The "Delen" button sends the item's title: that item comes first, whatever else matches.
    wanted = fold(text)
    ids += [
        item.id
        for item in library.items.values()
        if wanted in (fold(item.titel), fold(item.button_label), item.id)
    ]
    answer = engine.ask(text)
    reading = answer.reading
    if answer.urgent:
        # Danger now: the emergency item first, the emergency numbers right under it.
        ids[:0] = [urgent_id, *(i for i in ("noodnummers",) if i in library.items)]
    if answer.outcome in (Outcome.ANSWER, Outcome.CLARIFY) or answer.urgent:
        ids += [hit.item_id for hit in answer.hits]
    if reading is not None:
        good = engine.policy.clarify_score
        ids += [hit.item_id for hit in reading.ranked if hit.score >= good]
        if reading.urgency.level is Level.UNSURE:
            # "Is een kind nu in gevaar?": the emergency item right under the best match.
            ids.insert(1 if ids else 0, urgent_id)
    found = _unique(i for i in ids if i in library.items and i != OUT_OF_SCOPE)
    return found[:MAX_INLINE_RESULTS] if found else defaults


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def inline_choices(engine: Engine, query: str) -> tuple[InlineChoice, ...]:
    """The inline results for `query`: each item with its title, a description and its reply."""
    snap = engine.store.current
    choices = []
    for item_id in inline_item_ids(engine, query):
        item = snap.library.items[item_id]
        choices.append(
            InlineChoice(item_id, item.titel, _description(item), snap.replies.item(item))
        )
    return tuple(choices)
