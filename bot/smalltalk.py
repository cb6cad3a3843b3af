"""Small talk: greetings, thanks, "ok", "test", "wie ben jij?" get a short reply from content.

A message counts only when it is (almost) wholly one of the phrases of `praatjes.yaml`, so a
greeting in front of a real question ("hallo, de papa is dronken") still goes to urgency and
matching. Urgency is always decided first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.model import SmallTalk

MAX_WORDS = 6
"""Longer messages are questions, not small talk."""
SIMILARITY = 88.0
"""rapidfuzz `ratio` (0–100) a message needs with a phrase: "dankjewel!!" and "dank je wel"."""


@dataclass(frozen=True)
class SmallTalkIndex:
    """Phrases (normalized) → the small-talk entry they belong to."""

    phrases: Mapping[str, str]
    """normalized phrase → entry id"""
    symbols: Mapping[str, str]
    """phrases without letters (emoji) as typed → entry id"""
    replies: Mapping[str, str]
    """entry id → the reply text"""

    @classmethod
    def build(
        cls, entries: Iterable[SmallTalk], normalize: Callable[[str], str]
    ) -> SmallTalkIndex:
        """From `praatjes.yaml`; `normalize` is the one questions get (`standard`)."""
        phrases: dict[str, str] = {}
        symbols: dict[str, str] = {}
        replies: dict[str, str] = {}
        for entry in entries:
            replies[entry.id] = entry.antwoord
            for phrase in entry.zinnen:
                key = normalize(phrase)
                if key:
                    phrases.setdefault(key, entry.id)
                else:
                    symbols.setdefault(phrase.strip(), entry.id)
        return cls(phrases, symbols, replies)

    def find(self, text: str, standard: str) -> str | None:
        """The entry a message is, or None. `standard` is its normalized form."""
        if not standard:
            return self.symbols.get(text.strip())
        if len(standard.split()) > MAX_WORDS:
            return None
        exact = self.phrases.get(standard)
        if exact is not None:
            return exact
        found = process.extractOne(
            standard,
            self.phrases.keys(),
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=SIMILARITY,
        )
        return self.phrases[found[0]] if found else None
