"""Urgent-danger detection: runs before matching, tolerant of typos, words from content.

A single danger word ("bewusteloos", "mes") or a multi-word phrase ("in gevaar") from
`urgent.yaml` makes a question urgent. Typos are forgiven on longer words only (one edit up
to 7 letters, two beyond): short words like "mes" must match exactly, or "mee"/"mis" would
raise false alarms, which cost trust too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.normalize import fold

MIN_FUZZY_WORD = 5
"""Danger words shorter than this only match exactly."""
PHRASE_SCORE = 90.0
"""`partial_ratio` a multi-word phrase needs against the question to count (typos allowed)."""


def _max_edits(word: str) -> int:
    if len(word) < MIN_FUZZY_WORD:
        return 0
    return 1 if len(word) <= 7 else 2


@dataclass(frozen=True)
class UrgencyDetector:
    """Tells whether a question describes a child in danger now."""

    words: frozenset[str]
    fuzzy_words: tuple[str, ...]
    phrases: tuple[str, ...]

    @classmethod
    def build(cls, words: Iterable[str], phrases: Iterable[str]) -> UrgencyDetector:
        """From `signaalwoorden` and `signaalzinnen`; multi-word entries count as phrases."""
        single: set[str] = set()
        multi: list[str] = []
        for entry in (*words, *phrases):
            folded = fold(entry)
            if " " in folded:
                multi.append(folded)
            elif folded:
                single.add(folded)
        fuzzy = tuple(sorted(w for w in single if len(w) >= MIN_FUZZY_WORD))
        return cls(frozenset(single), fuzzy, tuple(sorted(set(multi))))

    def is_urgent(self, text: str) -> bool:
        """Whether `text` contains a danger word or phrase (also slightly misspelled)."""
        folded = fold(text)
        if not folded:
            return False
        padded = f" {folded} "
        if any(f" {phrase} " in padded for phrase in self.phrases):
            return True
        for token in set(folded.split()):
            if token in self.words:
                return True
            if len(token) >= MIN_FUZZY_WORD and self._near_word(token):
                return True
        return any(
            fuzz.partial_ratio(phrase, folded, score_cutoff=PHRASE_SCORE)
            for phrase in self.phrases
            if len(phrase) >= 10
        )

    def _near_word(self, token: str) -> bool:
        found = process.extractOne(
            token,
            self.fuzzy_words,
            scorer=Levenshtein.distance,
            processor=None,
            score_cutoff=2,
        )
        return found is not None and found[1] <= min(_max_edits(token), _max_edits(found[0]))
