"""The bot's commands: which ones the engine answers, and the closest ones to a mistyped name.

A user who types `/stappenplna`, `/contacts`, `/hulp` or `/112` gets "bedoelde je…" with the
closest commands as buttons instead of silence. Closeness is rapidfuzz `ratio` (normalized
edit similarity) between the typed name and each command name (not `WRatio`, whose partial
matching put /beslishulp before /help for "/hulp"), and an exact hit on a word of the
command's description in `teksten.yaml` (so `/112` finds `/noodnummers`, whose description
names 112). Only commands that the content advertises in its menu are suggested.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from bot.content.model import Command
from bot.normalize import fold

ANSWERED = (
    "start",
    "stappenplan",
    "beslishulp",
    "contact",
    "leren",
    "noodnummers",
    "privacy",
    "help",
    "menu",
)
"""Every command `Engine.command` answers (`/herlaad` is the adapter's, for admins only)."""

MAX_SUGGESTIONS = 3
"""At most this many commands in a "bedoelde je…" reply."""
NAME_SCORE_CUTOFF = 65.0
"""`ratio` between the typed and a known name from which it counts as a typo of it.
/leer → /leren scores 67, /hulp → /help 75 (/beslishulp 57), /priv → /privacy 73."""
MARGIN = 20.0
"""Suggestions this far below the best one are dropped (/stappenplna: not /start)."""
MIN_FUZZY_LENGTH = 3
"""Shorter names are only matched exactly (WRatio finds one letter in every name)."""
DESCRIPTION_SCORE = 100.0
"""A typed name that is a word of a command's description (`/112` → /noodnummers)."""
MIN_DESCRIPTION_WORD = 3
"""Description words shorter than this ('de', 'en', 'je') never match."""


def closest(typed: str, commands: Sequence[Command], stopwords: Iterable[str] = ()) -> list[str]:
    """The advertised commands closest to `typed` (without slash), best first, content order
    breaking ties; empty when nothing is close."""
    query = fold(typed).replace(" ", "")
    offered = [c for c in commands if c.commando in ANSWERED]
    if not query or not offered:
        return []
    scores: dict[str, float] = {}
    if len(query) >= MIN_FUZZY_LENGTH:
        names = {c.commando: c.commando for c in offered}
        for _, score, name in process.extract(
            query,
            names,
            scorer=fuzz.ratio,
            processor=None,
            limit=None,
            score_cutoff=NAME_SCORE_CUTOFF,
        ):
            scores[name] = max(scores.get(name, 0.0), score)
    ignored = frozenset(stopwords)
    if len(query) >= MIN_DESCRIPTION_WORD and query not in ignored:
        for command in offered:
            if query in fold(command.beschrijving).split():
                scores[command.commando] = DESCRIPTION_SCORE
    if not scores:
        return []
    best = max(scores.values())
    order = {c.commando: i for i, c in enumerate(offered)}
    ranked = sorted(scores, key=lambda name: (-scores[name], order[name]))
    return [name for name in ranked if scores[name] >= best - MARGIN][:MAX_SUGGESTIONS]
