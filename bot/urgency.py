"""Urgent-danger detection: runs before matching, tolerant of typos, words from content.

Three rules, all fed by `urgent.yaml`:

1. a *signal word* ("bewusteloos", "mes") or *signal phrase* ("ademt niet") alone is urgent;
2. a *harm word* ("slaat", "bloedt", "pijn doen") is urgent together with a *now word*
   ("nu", "hier", "vanavond", "dringend"): violence that is happening or about to happen,
   as opposed to a signal from the past ("vorige week had hij een blauwe plek");
3. *no-alarm phrases* ("wat moet ik nu doen") are removed first, so a casual "nu" does not
   turn every question into an alarm.

Typos are forgiven on longer words only (one edit up to 7 letters, two beyond): short words
like "mes" must match exactly, or "mee"/"mis" would raise false alarms, which cost trust too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.normalize import fold

MIN_FUZZY_WORD = 5
"""Words shorter than this only match exactly."""
PHRASE_SCORE = 90.0
"""`partial_ratio` a long signal phrase needs against the question to count (typos allowed)."""
MIN_FUZZY_PHRASE = 10
"""Shorter signal phrases must appear literally."""


def _max_edits(word: str) -> int:
    if len(word) < MIN_FUZZY_WORD:
        return 0
    return 1 if len(word) <= 7 else 2


@dataclass(frozen=True)
class _Terms:
    """Single words (exact set + fuzzy candidates) and multi-word phrases."""

    words: frozenset[str]
    fuzzy: tuple[str, ...]
    phrases: tuple[str, ...]

    @classmethod
    def of(cls, entries: Iterable[str]) -> _Terms:
        single: set[str] = set()
        multi: set[str] = set()
        for entry in entries:
            folded = fold(entry)
            if " " in folded:
                multi.add(folded)
            elif folded:
                single.add(folded)
        fuzzy = tuple(sorted(w for w in single if len(w) >= MIN_FUZZY_WORD))
        return cls(frozenset(single), fuzzy, tuple(sorted(multi)))

    def found_in(self, padded: str, tokens: set[str], *, fuzzy: bool) -> str | None:
        """The term found in the text (for explanations), or None."""
        for phrase in self.phrases:
            if f" {phrase} " in padded:
                return phrase
        for token in sorted(tokens & self.words):
            return token
        if not fuzzy:
            return None
        for token in sorted(tokens):
            near = self._near(token) if len(token) >= MIN_FUZZY_WORD else None
            if near is not None:
                return f"{near}~{token}"
        for phrase in self.phrases:
            if len(phrase) >= MIN_FUZZY_PHRASE and fuzz.partial_ratio(
                phrase, padded, score_cutoff=PHRASE_SCORE
            ):
                return f"~{phrase}"
        return None

    def _near(self, token: str) -> str | None:
        found = process.extractOne(
            token, self.fuzzy, scorer=Levenshtein.distance, processor=None, score_cutoff=2
        )
        if found is not None and found[1] <= min(_max_edits(token), _max_edits(found[0])):
            return str(found[0])
        return None


@dataclass(frozen=True)
class UrgencyDetector:
    """Tells whether a question describes a child in danger now."""

    signals: _Terms
    harm: _Terms
    now: _Terms
    no_alarm: tuple[str, ...]

    @classmethod
    def build(
        cls,
        words: Iterable[str],
        phrases: Iterable[str],
        *,
        harm: Iterable[str] = (),
        now: Iterable[str] = (),
        no_alarm: Iterable[str] = (),
    ) -> UrgencyDetector:
        """From the lists in `urgent.yaml`."""
        return cls(
            _Terms.of([*words, *phrases]),
            _Terms.of(harm),
            _Terms.of(now),
            tuple(sorted({fold(p) for p in no_alarm if fold(p)}, key=len, reverse=True)),
        )

    def is_urgent(self, text: str) -> bool:
        """Whether `text` describes danger now (also slightly misspelled)."""
        return self.trigger(text) is not None

    def trigger(self, text: str) -> str | None:
        """What makes `text` urgent ("mes", "nu + slaat", "~ademt niet"), or None."""
        folded = fold(text)
        if not folded:
            return None
        padded = f" {folded} "
        signal = self.signals.found_in(padded, set(folded.split()), fuzzy=True)
        if signal is not None:
            return signal
        for phrase in self.no_alarm:
            padded = padded.replace(f" {phrase} ", " ")
        tokens = set(padded.split())
        # Now-words are short and common: exact matches only.
        now = self.now.found_in(padded, tokens, fuzzy=False)
        harm = self.harm.found_in(padded, tokens, fuzzy=True) if now else None
        return f"{now} + {harm}" if now and harm else None
