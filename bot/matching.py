"""Question matching: which items a free-text question is about, and how sure we are.

How it works (all built once per content version, in `MatchIndex.build`):

1. Every item's title and `zoektermen` become *phrases*, normalized like questions are
   (`normalize.Normalizer`) and reduced to Dutch stems (Snowball, via PyStemmer).
2. A question's words are stemmed too; a word the index does not know is corrected to the
   closest known word (edit distance 1, or 2 for long words) through a SymSpell-style table of
   one-letter deletions, so that "kindermishandelign" still finds "kindermishandeling" without
   scanning the vocabulary.
3. An inverted index from stems to phrases yields the candidates: only phrases sharing a word
   with the question are scored, which keeps answering fast for 10,000 items too.
4. Each candidate gets two scores: *coverage* (how much of the phrase, weighted by how rare
   each word is, the question contains; and how much of the question the phrase explains) and
   rapidfuzz's `WRatio` on the normalized strings via `process.extract` (explicit scorer,
   `processor=None`, `score_cutoff`), which rewards phrases that read like the question.
   Results are folded per item (best phrase wins).
5. `decide` turns the ranked items into one of three outcomes: answer, clarify, fallback.
   Its thresholds are the named constants below, tuned on `eval/questions.yaml`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import Stemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.content.model import Item
from bot.normalize import Normalizer

# --- Tuned on eval/questions.yaml (see README "Matching quality"); change with the eval. ---
ANSWER_SCORE = 62.0
"""Top score needed to answer directly."""
ANSWER_MARGIN = 8.0
"""How far the top score must lead the runner-up (of another item) to answer directly."""
CLARIFY_SCORE = 45.0
"""Below this, nothing is close enough even to ask "Bedoel je…?": fall back."""
CLARIFY_WINDOW = 12.0
"""Options within this distance of the top score are offered in "Bedoel je…?"."""
MAX_OPTIONS = 4
COVERAGE_WEIGHT = 0.75
"""Share of the final score that comes from word coverage; the rest is WRatio."""
PHRASE_COVERAGE_WEIGHT = 0.6
"""Within coverage: how much of the phrase is in the question vs. of the question in the phrase."""
UNKNOWN_WORD_WEIGHT = 2.0
"""Weight (in idf units) of a question word the index does not know: it is left unexplained."""
EVIDENCE_MASS = 4.0
"""Matched idf mass needed for full confidence; one common word alone is weak evidence."""
WRATIO_CUTOFF = 30.0
MIN_TYPO_LENGTH = 5
"""Shorter words are never typo-corrected: "kost" → "oost" would be noise."""


class Outcome(StrEnum):
    """What the bot does with a question."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Hit:
    """An item and how well a question matches it (0–100)."""

    item_id: str
    score: float


@dataclass(frozen=True)
class Match:
    """The decision for one question: the outcome and the ranked items it rests on."""

    outcome: Outcome
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class _Phrase:
    item_id: str
    text: str
    stems: frozenset[str]
    mass: float


class MatchIndex:
    """An immutable search index over the answerable items of one content version."""

    def __init__(
        self,
        *,
        normalizer: Normalizer,
        phrases: list[_Phrase],
        postings: Mapping[str, tuple[int, ...]],
        idf: Mapping[str, float],
        surface_to_stem: Mapping[str, str],
        deletions: Mapping[str, tuple[str, ...]],
        order: Mapping[str, int],
    ) -> None:
        self._normalizer = normalizer
        self._phrases = phrases
        self._postings = postings
        self._idf = idf
        self._surface_to_stem = surface_to_stem
        self._deletions = deletions
        self._order = order
        self._stemmer = Stemmer.Stemmer("dutch")

    @classmethod
    def build(cls, items: Iterable[Item], normalizer: Normalizer) -> MatchIndex:
        """Index the title and search terms of every item."""
        stemmer = Stemmer.Stemmer("dutch")
        items = list(items)
        surface: set[str] = set()
        raw_phrases: list[tuple[str, str]] = []
        for item in items:
            for text in (item.titel, *item.zoektermen):
                raw_phrases.append((item.id, text))
                surface.update(normalizer.words(text))
        # Compound joining needs the vocabulary, so phrases are normalized a second time with it.
        normalizer = normalizer.with_vocabulary(surface)
        surface_to_stem: dict[str, str] = {}
        phrase_words: list[tuple[str, list[str]]] = []
        for item_id, text in raw_phrases:
            words = normalizer.content_words(text)
            if not words:
                continue
            for word in words:
                surface_to_stem[word] = str(stemmer.stemWord(word))
            phrase_words.append((item_id, words))
        document_frequency: dict[str, set[str]] = defaultdict(set)
        for item_id, words in phrase_words:
            for word in words:
                document_frequency[surface_to_stem[word]].add(item_id)
        total = max(len(items), 1)
        idf = {stem: math.log(1 + total / len(ids)) for stem, ids in document_frequency.items()}
        phrases: list[_Phrase] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for item_id, words in phrase_words:
            stems = frozenset(surface_to_stem[w] for w in words)
            for stem in stems:
                postings[stem].append(len(phrases))
            mass = sum(idf[s] for s in stems)
            phrases.append(_Phrase(item_id, " ".join(words), stems, mass))
        deletions: dict[str, set[str]] = defaultdict(set)
        for word in surface_to_stem:
            if len(word) >= MIN_TYPO_LENGTH:
                deletions[word].add(word)
                for variant in _one_deletions(word):
                    deletions[variant].add(word)
        return cls(
            normalizer=normalizer,
            phrases=phrases,
            postings={stem: tuple(ids) for stem, ids in postings.items()},
            idf=idf,
            surface_to_stem=surface_to_stem,
            deletions={key: tuple(sorted(words)) for key, words in deletions.items()},
            order={item.id: position for position, item in enumerate(items)},
        )

    @property
    def normalizer(self) -> Normalizer:
        """The normalizer (with the index vocabulary) used for questions."""
        return self._normalizer

    def stems(self, words: list[str]) -> tuple[list[str], int]:
        """The known stems of normalized words after typo correction, and how many are unknown."""
        stems: list[str] = []
        unknown = 0
        for word in words:
            stem = self._stem_of(word)
            if stem is None:
                unknown += not word.isdigit()
            elif stem not in stems:
                stems.append(stem)
        return stems, unknown

    def _stem_of(self, word: str) -> str | None:
        known = self._surface_to_stem.get(word)
        if known is not None:
            return known
        stem = str(self._stemmer.stemWord(word))
        if stem in self._idf:
            return stem
        corrected = self._correct(word)
        return self._surface_to_stem[corrected] if corrected else None

    def _correct(self, word: str) -> str | None:
        """The closest known word within a small edit distance, or None."""
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return None
        limit = 1 if len(word) < 7 else 2
        candidates: set[str] = set(self._deletions.get(word, ()))
        for variant in _one_deletions(word):
            candidates.update(self._deletions.get(variant, ()))
        best: tuple[int, float, str] | None = None
        for candidate in candidates:
            distance = Levenshtein.distance(word, candidate, score_cutoff=limit)
            if distance > limit:
                continue
            # Prefer the smallest distance, then the more specific (rarer) word.
            key = (distance, -self._idf.get(self._surface_to_stem[candidate], 0.0), candidate)
            if best is None or key < best:
                best = key
        return best[2] if best else None

    def search(self, text: str) -> list[Hit]:
        """Items matching a question, best first (score 0–100), one hit per item."""
        words = self._normalizer.content_words(text)
        stems, unknown = self.stems(words)
        if not stems:
            return []
        query_mass = sum(self._idf[s] for s in stems) + UNKNOWN_WORD_WEIGHT * unknown
        query_stems = set(stems)
        candidates: dict[int, float] = {}
        for stem in stems:
            for index in self._postings.get(stem, ()):
                if index not in candidates:
                    phrase = self._phrases[index]
                    matched = sum(self._idf[s] for s in phrase.stems & query_stems)
                    coverage = (
                        PHRASE_COVERAGE_WEIGHT * matched / phrase.mass
                        + (1 - PHRASE_COVERAGE_WEIGHT) * matched / query_mass
                    )
                    evidence = min(1.0, matched / EVIDENCE_MASS)
                    candidates[index] = 100.0 * coverage * evidence
        query = " ".join(words)
        choices = {index: self._phrases[index].text for index in candidates}
        similarity = {
            key: score
            for _, score, key in process.extract(
                query,
                choices,
                scorer=fuzz.WRatio,
                processor=None,
                score_cutoff=WRATIO_CUTOFF,
                limit=None,
            )
        }
        best: dict[str, float] = {}
        for index, coverage in candidates.items():
            score = COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * similarity.get(index, 0)
            item_id = self._phrases[index].item_id
            if score > best.get(item_id, -1.0):
                best[item_id] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self._order.get(kv[0], 0)))
        return [Hit(item_id, round(score, 1)) for item_id, score in ranked]


def decide(hits: list[Hit]) -> Match:
    """Answer, clarify or fall back, from hits ranked best first."""
    if not hits or hits[0].score < CLARIFY_SCORE:
        return Match(Outcome.FALLBACK, tuple(hits[:MAX_OPTIONS]))
    top = hits[0].score
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if top >= ANSWER_SCORE and top - runner_up >= ANSWER_MARGIN:
        return Match(Outcome.ANSWER, tuple(hits[:MAX_OPTIONS]))
    options = tuple(h for h in hits[:MAX_OPTIONS] if top - h.score <= CLARIFY_WINDOW)
    if len(options) == 1 and top >= ANSWER_SCORE:
        return Match(Outcome.ANSWER, tuple(hits[:MAX_OPTIONS]))
    return Match(Outcome.CLARIFY, options if len(options) > 1 else tuple(hits[:2]))


def _one_deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
