"""Which language a message is in: Dutch, one of the languages of `talen.yaml`, or another.

The bot speaks Dutch. A French or English message about an emergency must still get 112/101
at once, in that language; a message in any other language or script gets a notice in Dutch,
French and English. The guess is deliberately simple and explainable: a message is in a
listed language when at least two of its words are that language's common words
(`herkenning`) and they outnumber the other words the Dutch content knows. The marker lists
are the admins' choice: a word in one counts for that language only, so a list must not hold
Dutch words ("de", "je", "we"). A listed language without an emergency reply of its own
(German, Polish…) is recognised only to answer with the notice for other languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.content.model import Language
from bot.normalize import fold, latin_share

DUTCH = "nl"
OTHER = "anders"
"""Another script, which the bot cannot read at all."""
MIN_MARKERS = 2
MIN_LATIN_SHARE = 0.5


@dataclass(frozen=True)
class LanguageGuesser:
    """Guesses the language of a message from common words."""

    markers: Mapping[str, frozenset[str]]
    """language code → its common words (folded)"""
    dutch: frozenset[str]
    """words of the Dutch content that are no language's marker"""
    any_marker: frozenset[str] = frozenset()
    """the markers of every language together (a quick no for Dutch messages)"""

    @classmethod
    def build(cls, languages: Iterable[Language], dutch: Iterable[str]) -> LanguageGuesser:
        """From `talen.yaml` and the words of the Dutch content (and its spoken forms)."""
        markers = {
            language.taal: frozenset(w for m in language.herkenning for w in fold(m).split())
            for language in languages
        }
        foreign = frozenset().union(*markers.values())
        return cls(markers, frozenset(dutch) - foreign, foreign)

    def guess(self, text: str, words: Iterable[str]) -> str:
        """`nl`, a listed language code, or `anders` for another script.

        `words` are the message's folded words (spoken forms already rewritten).
        """
        if latin_share(text) < MIN_LATIN_SHARE:
            return OTHER
        tokens = list(words)
        if self.any_marker.isdisjoint(tokens):
            return DUTCH  # most messages: no marker word at all
        best, best_count = DUTCH, 0
        for code, markers in self.markers.items():
            count = sum(token in markers for token in tokens)
            if count > best_count:
                best, best_count = code, count
        if best_count < MIN_MARKERS:
            return DUTCH
        dutch_count = sum(token in self.dutch for token in tokens)
        return best if best_count > dutch_count else DUTCH
