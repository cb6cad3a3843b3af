"""Small talk: greetings, thanks, "ok", "test", "wie ben jij?" get a short reply from content.

A message counts only when it is (almost) wholly one of the phrases of `praatjes.yaml`, or
made only of their words and stop words ("merci hé, da helpt mij al"), or opens with thanks
and asks nothing while its words match no item well ("Bedankt, dit helpt ons team verder."),
so a greeting in front of a real question ("hallo, de papa is dronken") still goes to urgency
and matching. Urgency
is always decided first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.content.model import SmallTalk
from bot.normalize import QUESTION_WORDS

MAX_WORDS = 6
"""Longer messages are questions, not small talk (unless they open with an opener)."""
MAX_OPENER_WORDS = 15
"""A message that opens with thanks and asks nothing is thanks up to this many words."""
ASKING_WORDS = QUESTION_WORDS | {"mag", "moet", "kan", "kun", "kunt", "maar", "nog"}
"""Words that make "bedankt, maar…" a question after all."""
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
    words: Mapping[str, str] = field(default_factory=dict)
    """a word of the phrases (not a stop word) → the entry it belongs to first"""
    neutral: frozenset[str] = frozenset()
    """stop words: allowed beside small-talk words, never enough on their own"""
    openers: Mapping[str, str] = field(default_factory=dict)
    """a first word (normalized) that makes a longer message asking nothing this entry"""

    @classmethod
    def build(
        cls,
        entries: Iterable[SmallTalk],
        normalize: Callable[[str], str],
        stopwords: Iterable[str] = (),
    ) -> SmallTalkIndex:
        """From `praatjes.yaml`; `normalize` is the one questions get (`standard`)."""
        neutral = frozenset(stopwords)
        phrases: dict[str, str] = {}
        symbols: dict[str, str] = {}
        replies: dict[str, str] = {}
        words: dict[str, str] = {}
        openers: dict[str, str] = {}
        for entry in entries:
            replies[entry.id] = entry.antwoord
            for opener in entry.openers:
                key = normalize(opener)
                if key:
                    openers.setdefault(key.split()[0], entry.id)
            for phrase in entry.zinnen:
                key = normalize(phrase)
                if key:
                    phrases.setdefault(key, entry.id)
                    for word in key.split():
                        if word not in neutral:
                            words.setdefault(word, entry.id)
                else:
                    symbols.setdefault(phrase.strip(), entry.id)
        return cls(phrases, symbols, replies, words, neutral, openers)

    def find(self, text: str, standard: str, *, opened: bool = True) -> str | None:
        """The entry a message is, or None. `standard` is its normalized form.

        `opened=False` leaves out messages that are small talk only by their opener: the
        engine passes it when the rest of the message matches an item well ("merci, er zijn
        blauwe plekken op zijn rug" is a worry, not thanks) or may be urgent.
        """
        if not standard:
            return self.symbols.get(text.strip())
        if len(standard.split()) > MAX_WORDS:
            return self._opened(text, standard) if opened else None
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
        if found is not None:
            return self.phrases[found[0]]
        tokens = standard.split()
        if all(t in self.words or t in self.neutral for t in tokens):
            # Only small-talk words and stop words: the entry of the first small-talk word.
            return next((self.words[t] for t in tokens if t in self.words), None)
        return self._opened(text, standard) if opened else None

    def _opened(self, text: str, standard: str) -> str | None:
        """ "Merci voor de snelle hulp gisteren, is opgelost": thanks that asks nothing."""
        tokens = standard.split()
        entry = self.openers.get(tokens[0])
        if entry is None or len(tokens) > MAX_OPENER_WORDS or "?" in text:
            return None
        return None if ASKING_WORDS.intersection(tokens) else entry
