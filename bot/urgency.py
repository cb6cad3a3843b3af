"""Urgent-danger detection: runs before matching, tolerant of typos and dialect.

Two halves, combined in `UrgencyDetector.assess`:

- `UrgencyRules`, word lists that admins edit in `urgent.yaml` (and per language in
  `talen.yaml`): explainable, and a new danger word works at once;
- a linear classifier over character and word n-grams (`bot.classifier`), trained on
  labelled messages written for that purpose (`scripts/train_urgency.py`), which also reads
  the rules' findings as features: it recognises danger described in words no list has, and
  it can overrule a rule that fires on a law question or a training case.

A rule that fires is urgent unless the model is all but sure it is not (then the answer gets
the one "Is een kind nu in gevaar?" line on top); the model alone is urgent above a high
probability, and "unsure" in between. The thresholds are the named constants below, chosen
by cross-validation on the development sets (`scripts/train_urgency.py --cv`).

The rules, all fed by `urgent.yaml`:

1. a *signal word* ("bewusteloos", "verslik*") or *signal phrase* ("ademt niet") is urgent,
   unless a *past word* ("vorige maand", "hoe herken") says it is over or imagined and no
   *now word* says otherwise;
2. a *harm word* ("slaat", "dronken", "dreig*") is urgent together with a *now word* ("nu",
   "hier", "vanavond", "help", "voor de deur") — violence that is happening or about to —
   unless a *past word* ("vorige week", "vroeger", "wat als") says it is over or imagined;
3. *no-alarm phrases* ("wat moet ik nu doen", "niet acuut") are removed first, so a casual
   "nu" does not turn every question into an alarm; so is "geen X" ("ik zie geen wonden").

A '*' in a term stands for any letters, so "verslik*" covers "verslikt" and "verslikken".
Typos are forgiven by first correcting each word of 5 letters or more to the nearest word of
the signal and harm lists (one letter off, and never a word the content itself uses), so
"bewustelos" and "adempt niet" are found too; short words like "mes" must match exactly, or
"mee"/"mis" would raise false alarms, which cost trust too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz.distance import Levenshtein

from bot.classifier import LinearModel
from bot.normalize import fold

MIN_FUZZY_WORD = 5
"""Words shorter than this only match exactly."""
_NEGATED = re.compile(r" geen [a-z0-9]+")


PHRASE_GAP = 2
"""Other words allowed between the words of a signal or harm phrase."""
MAX_TYPO_EDITS = 1
"""One letter off: two would turn "vermoeden" into "vermoorden", "ontmoeten" into "ontvoeren"."""


def _alternative(term: str, gap: int) -> str:
    """A regex alternative for a folded term; '*' stands for any letters within a word.

    The words of a phrase may have up to `gap` other words between them, so "reageert niet
    meer" also finds "reageert niet goed meer" and "ademt raar" finds "ademt heel raar".
    """
    words = [
        r"[a-z0-9]*".join(re.escape(part) for part in word.split("*")) for word in term.split()
    ]
    between = rf"(?: [a-z0-9]+){{0,{gap}}} " if gap else " "
    return between.join(words)


@dataclass(frozen=True)
class _Terms:
    """Terms for fast lookup: plain words as a set, plain phrases indexed by their first word,
    and one regex for the terms with a '*' wildcard."""

    single: frozenset[str]
    phrases: Mapping[str, re.Pattern[str]]
    """first word → a regex of every plain phrase starting with it"""
    wildcards: re.Pattern[str] | None
    words: frozenset[str]
    """every plain word in the terms (what typos are corrected towards)"""
    needs: Mapping[str, tuple[frozenset[str], ...]]
    """first word → the words of each phrase in `phrases`: a phrase can only match a text
    that holds all of them, so most regexes need not run"""

    @classmethod
    def of(cls, entries: Iterable[str], *, gap: int = 0) -> _Terms:
        terms: set[str] = set()
        for entry in entries:
            # Fold word by word and part by part: folding would turn '*' into a space.
            term = " ".join(
                "*".join(fold(part) for part in word.split("*")) for word in entry.split()
            )
            if term.strip("*"):
                terms.add(term)
        # Python's regex alternation tries every branch at every position, so only the few
        # wildcard terms share one regex; a phrase is tried only when its first word occurs.
        single = {t for t in terms if " " not in t and "*" not in t}
        by_first: dict[str, list[str]] = defaultdict(list)
        for term in sorted(terms - single, key=lambda t: (-len(t), t)):
            if "*" not in term:
                by_first[term.split()[0]].append(term)
        wild = sorted((t for t in terms if "*" in t), key=lambda t: (-len(t), t))
        return cls(
            frozenset(single),
            {first: _compile(group, gap) for first, group in by_first.items()},
            _compile(wild, gap) if wild else None,
            frozenset(w for t in terms for w in t.split() if "*" not in w),
            {
                first: tuple(frozenset(t.split()) for t in group)
                for first, group in by_first.items()
            },
        )

    def found_in(self, folded: str) -> str | None:
        """The term found in folded text (for explanations), or None."""
        tokens = set(folded.split())
        hits = self.single & tokens
        if hits:
            return min(hits)
        firsts = tokens & self.phrases.keys()
        if firsts:
            # Try each phrase regex only where its first word starts, not along the whole
            # text: a long message holds a dozen first words ("de", "een", "op"…).
            padded = f" {folded} "
            for first in sorted(firsts):
                if not any(words <= tokens for words in self.needs[first]):
                    continue
                pattern = self.phrases[first]
                needle = f" {first} "
                at = padded.find(needle)
                while at >= 0:
                    found = pattern.match(padded, at + 1)
                    if found:
                        return found.group(0)
                    at = padded.find(needle, at + 1)
        found = self.wildcards.search(folded) if self.wildcards is not None else None
        return found.group(0) if found else None


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _compile(terms: list[str], gap: int) -> re.Pattern[str]:
    alternatives = "|".join(_alternative(term, gap) for term in terms)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


@dataclass(frozen=True)
class UrgencyRules:
    """Word-list rules: whether a question describes a child in danger now."""

    signals: _Terms
    harm: _Terms
    now: _Terms
    past: _Terms
    no_alarm: tuple[str, ...]
    vocabulary: tuple[str, ...]
    """words of 5+ letters in signals and harm words: misspellings are corrected to these"""
    known: frozenset[str]
    """real words (from the content): never treated as a misspelling of a danger word"""
    no_alarm_words: tuple[tuple[str, frozenset[str]], ...] = ()
    """each no-alarm phrase with its words: a phrase is only tried when they all occur"""
    _typos: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _position: Mapping[str, int] = field(init=False, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        words: Iterable[str],
        phrases: Iterable[str],
        *,
        harm: Iterable[str] = (),
        now: Iterable[str] = (),
        no_alarm: Iterable[str] = (),
        past: Iterable[str] = (),
        known: Iterable[str] = (),
    ) -> UrgencyRules:
        """From the lists in `urgent.yaml`."""
        signals = _Terms.of([*words, *phrases], gap=PHRASE_GAP)
        no_alarm_folded = tuple(
            sorted({fold(p) for p in no_alarm if fold(p)}, key=len, reverse=True)
        )
        harm_terms = _Terms.of(harm, gap=PHRASE_GAP)
        # Only whole single-word terms are correction targets: words inside phrases ("diepe"
        # of "diepe wonde") would turn ordinary words ("dieje") into danger words.
        vocabulary = sorted(
            w for w in signals.single | harm_terms.single if len(w) >= MIN_FUZZY_WORD
        )
        return cls(
            signals,
            harm_terms,
            _Terms.of(now),
            _Terms.of(past),
            no_alarm_folded,
            tuple(vocabulary),
            # Words of any term are real words too: "wapen" (in "een wapen") must not become
            # the harm word "wagen", nor "pillen" become "gillen".
            frozenset(known) | signals.words | harm_terms.words,
            tuple((p, frozenset(p.split())) for p in no_alarm_folded),
        )

    def __post_init__(self) -> None:
        # One-letter deletions of each vocabulary word → the words (in vocabulary order):
        # the words one edit from a token share a deletion with it, so a few dict lookups
        # find them, where comparing each token with the whole vocabulary took longer.
        typos: dict[str, list[str]] = defaultdict(list)
        for word in self.vocabulary:
            for variant in dict.fromkeys([word, *_deletions(word)]):
                typos[variant].append(word)
        object.__setattr__(self, "_typos", {k: tuple(v) for k, v in typos.items()})
        object.__setattr__(self, "_position", {w: i for i, w in enumerate(self.vocabulary)})

    def _corrected(self, folded: str) -> str:
        """The text with misspelled danger words replaced by the word meant ("bewustelos")."""
        return " ".join(
            (self._correction(token) or token)
            if len(token) >= MIN_FUZZY_WORD and token not in self.known
            else token
            for token in folded.split()
        )

    def _correction(self, token: str) -> str | None:
        """The first vocabulary word at most `MAX_TYPO_EDITS` (one) edit from `token`."""
        typos = self._typos
        near = {w for key in (token, *_deletions(token)) for w in typos.get(key, ())}
        near = {w for w in near if Levenshtein.distance(token, w) <= MAX_TYPO_EDITS}
        return min(near, key=self._position.__getitem__) if near else None

    def is_urgent(self, text: str) -> bool:
        """Whether `text` describes danger now (also slightly misspelled)."""
        return self.trigger(text) is not None

    def _without_no_alarm(self, folded: str, *, negations: bool = True) -> str:
        """The text without no-alarm phrases ("wat moet ik nu doen") and "geen …" negations."""
        padded = f" {folded} "
        words = set(folded.split())
        for phrase, needed in self.no_alarm_words:
            if needed <= words:  # most phrases cannot occur: skip the replace
                padded = padded.replace(f" {phrase} ", " ")
        return (_NEGATED.sub(" ", padded) if negations else padded).strip()

    def trigger(self, text: str) -> str | None:
        """What makes `text` urgent ("mes", "nu + slaat", "~ademt niet"), or None."""
        return self.read(text)[0]

    def read(self, text: str) -> tuple[str | None, tuple[str, ...]]:
        """The trigger (or None), and every finding ("signal", "past", …) for the model."""
        return self.read_folded(fold(text))

    def read_folded(self, folded: str) -> tuple[str | None, tuple[str, ...]]:
        """`read` for a text that is folded already, such as `NormalizedQuestion.standard`
        (folding it again would change nothing)."""
        if not folded:
            return None, ()
        without = self._without_no_alarm(self._corrected(folded), negations=False)
        signal = self.signals.found_in(without)
        # "geen …" is dropped for harm words only: "geen eten meer" is itself a signal.
        rest = _NEGATED.sub(" ", f" {without} ").strip()
        # Now- and past-words are read as typed: typo correction is only for danger words.
        as_typed = self._without_no_alarm(folded)
        now = self.now.found_in(as_typed)
        past = self.past.found_in(as_typed)
        harm = self.harm.found_in(rest)
        found = {
            "signal": signal is not None,
            "harm": harm is not None,
            "now": now is not None,
            "past": past is not None,
            "calmed": len(as_typed) < len(folded),
        }
        findings = tuple(name for name, present in found.items() if present)
        if signal is not None and (past is None or now is not None):
            return signal, findings
        if now is None or past is not None or harm is None:
            return None, findings
        return f"{now} + {harm}", findings


# --- Chosen by cross-validation on the development sets (scripts/train_urgency.py --cv).
# Change them only with a new run: each one trades missed emergencies against false alarms. ---
URGENT_PROBABILITY = 0.5
"""The model alone makes a message urgent from this probability on."""
VETO_PROBABILITY = 0.1
"""A rule that fires is overruled (and the message only "unsure") below this probability."""
UNSURE_PROBABILITY = 0.15
"""From here up to `URGENT_PROBABILITY` the answer gets the "Is een kind nu in gevaar?" line."""


@dataclass(frozen=True)
class Thresholds:
    """The three probabilities `assess` uses (the tuner passes its own)."""

    urgent: float = URGENT_PROBABILITY
    veto: float = VETO_PROBABILITY
    unsure: float = UNSURE_PROBABILITY


class Level(StrEnum):
    """How urgent a message reads."""

    URGENT = "urgent"
    UNSURE = "twijfel"
    NONE = "geen"


@dataclass(frozen=True)
class Assessment:
    """The verdict on one message, with what led to it (for `playbook ask --json`)."""

    level: Level
    probability: float
    reason: str
    findings: tuple[str, ...] = ()
    """What the rules found (the model's `r:` features)."""

    @property
    def urgent(self) -> bool:
        """Whether the full emergency reply is due."""
        return self.level is Level.URGENT


@dataclass(frozen=True)
class UrgencyDetector:
    """Rules and model together: the one place that decides how urgent a message is."""

    rules: UrgencyRules
    model: LinearModel | None = None
    languages: Mapping[str, UrgencyRules] = field(default_factory=dict)
    """Rules for messages in another language (fr, en), from `talen.yaml`."""
    thresholds: Thresholds = field(default_factory=Thresholds)

    def findings(
        self, standard: str, language: str = "nl", extra: Iterable[str] = ()
    ) -> tuple[str | None, tuple[str, ...]]:
        """The rules' trigger and findings, as the model sees them."""
        rules = self.languages.get(language, self.rules)
        trigger, findings = rules.read_folded(standard)
        term = (f"term-{trigger.replace(' ', '_')}",) if trigger else ()
        return trigger, (*findings, *term, f"taal-{language}", *extra)

    def assess(self, standard: str, language: str = "nl", extra: Iterable[str] = ()) -> Assessment:
        """How urgent a normalized message (`NormalizedQuestion.standard`) is.

        `extra` adds findings from elsewhere, e.g. that the message matched the urgent item
        best ("item").
        """
        trigger, findings = self.findings(standard, language, extra)
        if self.model is None:
            p = 1.0 if trigger else 0.0
        else:
            p = self.model.score(standard, findings)
        t = self.thresholds
        if trigger is not None and p >= t.veto:
            return Assessment(Level.URGENT, p, trigger, findings)
        if p >= t.urgent:
            return Assessment(Level.URGENT, p, f"model {p:.2f}", findings)
        if trigger is not None or p >= t.unsure:
            return Assessment(Level.UNSURE, p, trigger or f"model {p:.2f}", findings)
        return Assessment(Level.NONE, p, "", findings)
