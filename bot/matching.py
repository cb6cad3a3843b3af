"""Question matching: which items a free-text question is about, and how sure we are.

How it works (all built once per content version, in `MatchIndex.build`):

1. Every item's title and `zoektermen` become *phrases*, normalized like questions are
   (`normalize.Normalizer`) and reduced to Dutch stems (Snowball, via PyStemmer). Words of the
   answer texts join the vocabulary: they are real words, not typos to correct, and they
   weigh in a question by their rarity, but only search phrases score (measured: scoring the
   answer text as well lowered top-1).
2. A question's words are stemmed too; a word the index does not know is corrected to the
   closest known word (edit distance 1, or 2 for long words; two swapped neighbours count as
   one edit, "limbrug" → "limburg", "weghalne" → "weghalen"; never of another first letter)
   through a SymSpell-style table of
   one-letter deletions, so that "kindermishandelign" still finds "kindermishandeling" without
   scanning the vocabulary.
3. An inverted index from stems to phrases yields the candidates: only phrases sharing a
   specific word with the question (common words only add weight), and for a large index
   only the best-covering ones, are scored in full — which keeps answering fast for 10,000
   items too.
4. Each candidate gets two scores: *coverage* (how much of the phrase, weighted by how rare
   each word is, the question contains; and how much of the question the phrase explains) and
   rapidfuzz's `fuzz.ratio` (normalized Indel similarity) on the normalized strings via
   `process.extract` (explicit scorer, `processor=None`, `score_cutoff`), which rewards
   phrases that read like the question. (`WRatio` was 30 times slower on long questions, for
   a difference within noise: see `SIMILARITY_CUTOFF`.)
   Results are folded per item: the best phrase, plus how much of the question the item's
   phrases together explain. The candidates are numpy arrays (`Evidence`), scored for all
   items at once (`scores`): per-element Python loops were most of a long question's time.
5. `decide` turns the ranked items into one of three outcomes: answer, clarify, fallback.
   Its thresholds are the named constants below. Phrases of `buiten-bereik.yaml` compete as
   the pseudo item `OUT_OF_SCOPE`: when they win, the bot falls back honestly.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import Stemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.content.model import Item
from bot.item_model import ItemModel
from bot.item_model import features as item_features
from bot.normalize import NormalizedQuestion, Normalizer

# --- Tuned with eval/tune.py on both question sets (see README, "Matching"). Change them only
# together with a new eval run: each one moves the balance between answering, asking and
# falling back. ---
ANSWER_SCORE = 40.0
"""Top score needed to answer directly."""
ANSWER_MARGIN = 0.5
"""How far the top score must lead the runner-up (of another item) to answer directly."""
SHORT_QUESTION_WORDS = 2
SHORT_ANSWER_MARGIN = 2.0
"""A question of at most `SHORT_QUESTION_WORDS` content words ("signalen", "vk bellen") needs
this lead: near-equal items then share its few words, and "Bedoel je…?" is the honest reply."""
CLARIFY_SCORE = 40.0
"""Below this, nothing is close enough even to ask "Bedoel je…?": fall back. (Tuned on the dev
sets r1/r2 with the example questions in: 35 → 40 and a margin of 1 → 0.5 gave 2 more right
answers of 340 and 3 more honest fallbacks of 48; a weak best item is now a fallback, not a
"Bedoel je…?".)"""
CLEAR_LEAD = 8.0
"""A lead this large answers directly even below `ANSWER_SCORE` (but above `CLARIFY_SCORE`)."""
CLARIFY_WINDOW = 12.0
"""Options within this distance of the top score are offered in "Bedoel je…?"."""
MAX_OPTIONS = 4
MAX_HITS = 8
"""How many ranked items a search returns (options, related hits, the eval's top-3)."""
COMMON_SHARE = 0.03
"""A word in more than this share of the phrases does not make a phrase a candidate alone."""
MIN_COMMON_POSTINGS = 25
MAX_CANDIDATE_PHRASES = 30
"""Beyond this many candidate phrases, only the best-covering ones are scored in full."""
PRESELECT_FACTOR = 3
"""Before coverage is computed, keep this many times `MAX_CANDIDATE_PHRASES` by weight."""
COVERAGE_WEIGHT = 0.9
"""Share of the final score that comes from word coverage; the rest is string similarity."""
PHRASE_COVERAGE_WEIGHT = 0.7
"""Within coverage: how much of the phrase is in the question vs. of the question in the phrase."""
UNKNOWN_WORD_WEIGHT = 4.0
"""Weight (in idf units) of a question word the index does not know: it is left unexplained."""
EVIDENCE_MASS = 2.5
"""Matched idf mass needed for full confidence; one common word alone is weak evidence."""
ITEM_WEIGHT = 0.4
"""Share of the score from how much of the question all of an item's phrases together cover."""
SIMILARITY_CUTOFF = 30.0
"""Below this `fuzz.ratio`, a phrase's string similarity counts as 0. Leave-one-set-out over
18 labelled sets: `fuzz.ratio` 86.6 % right answers and 90.2 % honest fallbacks, `WRatio`
87.0 % and 89.1 %; `WRatio` took 100 µs per long question, `fuzz.ratio` 3 µs."""
MODEL_WEIGHT = 0.3
"""Share of an item's score from the learned model (`item_model`), the rest from fuzzy
matching. Leave-one-set-out over 13 labelled sets: 0 → 0.3 took right answers from 84.3 % to
87.5 % and honest fallbacks from 86.9 % to 92.4 %; 0.2 and 0.4 were a little worse."""
MODEL_CANDIDATES = 5
"""The model's most likely items join the fuzzy candidates (they need fuzzy evidence to win:
alone they reach at most `MODEL_WEIGHT` × 100, under `CLARIFY_SCORE`)."""
LONG_WORD = 9
"""Words this long may be two edits off ("kindermishandelign"); shorter ones one."""
MIN_TYPO_LENGTH = 5
"""Shorter words are never typo-corrected: "kost" → "oost" would be noise."""


OUT_OF_SCOPE = "buiten-bereik"
"""Pseudo item for `buiten-bereik.yaml`: never shown, only makes `decide` fall back."""


class Outcome(StrEnum):
    """What the bot does with a question."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    SMALLTALK = "smalltalk"
    """A greeting, thanks, "ok": a short warm reply (decided before matching)."""


@dataclass(frozen=True)
class Policy:
    """The thresholds `decide` uses: the module constants, or a tuner's own values."""

    answer_score: float = ANSWER_SCORE
    answer_margin: float = ANSWER_MARGIN
    short_answer_margin: float = SHORT_ANSWER_MARGIN
    clarify_score: float = CLARIFY_SCORE
    clear_lead: float = CLEAR_LEAD
    clarify_window: float = CLARIFY_WINDOW


class Hit(NamedTuple):
    """An item and how well a question matches it (0–100). A named tuple: a search makes
    eight, and a frozen dataclass took a microsecond each."""

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
    mass: float


class MatchIndex:
    """An immutable search index over the answerable items of one content version."""

    def __init__(
        self,
        *,
        normalizer: Normalizer,
        phrases: list[_Phrase],
        postings: Mapping[str, npt.NDArray[np.intp]],
        item_stems: Mapping[str, frozenset[str]],
        idf: Mapping[str, float],
        surface_to_stem: Mapping[str, str],
        deletions: Mapping[str, tuple[str, ...]],
        order: Mapping[str, int],
        model: ItemModel | None = None,
    ) -> None:
        self._normalizer = normalizer
        self._postings = postings
        self._item_stems = item_stems
        self._idf = idf
        self._surface_to_stem = surface_to_stem
        self._deletions = deletions
        self._order = order
        self._model = model
        classes = model.classes if model is not None else ()
        self._class_of = {item_id: k for k, item_id in enumerate(classes)}
        # `search` breaks ties as `rank` does (content order, then id): each class's place in
        # that order.
        tied = sorted(range(len(classes)), key=lambda k: (order.get(classes[k], 0), classes[k]))
        self._class_rank = np.empty(len(tied), dtype=np.intp)
        self._class_rank[tied] = np.arange(len(tied))
        self._stemmer = Stemmer.Stemmer("dutch")
        common_limit = max(MIN_COMMON_POSTINGS, int(COMMON_SHARE * len(phrases)))
        self._common: dict[str, npt.NDArray[np.bool_]] = {}
        """Stems in so many phrases that they do not make a phrase a candidate alone, each
        with a mask of its phrases (a lookup per candidate, where searching the long posting
        list took longer)."""
        for stem, ids in postings.items():
            if len(ids) > common_limit:
                self._common[stem] = np.zeros(len(phrases), dtype=np.bool_)
                self._common[stem][ids] = True
        self._masses = np.array([phrase.mass for phrase in phrases])
        # Each posting's weight (its stem's idf), ready to join with the postings.
        self._posting_idf = {stem: np.full(len(ids), idf[stem]) for stem, ids in postings.items()}
        self._texts = [phrase.text for phrase in phrases]
        # Items by number (in phrase order), for arrays: each phrase's item, and per stem the
        # items that hold it in a phrase (what `item_matched` sums).
        self._items = tuple(dict.fromkeys(phrase.item_id for phrase in phrases))
        numbers = {item_id: k for k, item_id in enumerate(self._items)}
        self._phrase_item = np.array([numbers[p.item_id] for p in phrases], dtype=np.intp)
        holders: dict[str, list[int]] = defaultdict(list)
        for item_id in self._items:
            for stem in item_stems[item_id]:
                holders[stem].append(numbers[item_id])
        self._holders = {
            stem: (np.array(found, dtype=np.intp), np.full(len(found), idf[stem]))
            for stem, found in holders.items()
        }

    @classmethod
    def build(
        cls,
        items: Iterable[Item],
        normalizer: Normalizer,
        out_of_scope: Iterable[str] = (),
        examples: Iterable[tuple[str, str]] = (),
    ) -> MatchIndex:
        """Index the title, search terms and answer text of every item.

        `out_of_scope` phrases compete like an item (`OUT_OF_SCOPE`): when they match a
        question best, the bot falls back instead of stretching an answer to fit.
        `examples` are (item id or `OUT_OF_SCOPE`, question) pairs from voorbeeldvragen.yaml:
        questions as workers typed them, which become phrases of their item. Workers' own
        wording, typos and all, finds new questions that the authors' phrasings miss.
        """
        stemmer = Stemmer.Stemmer("dutch")
        items = list(items)
        known = {item.id for item in items} | {OUT_OF_SCOPE}
        surface: set[str] = set()
        raw_phrases: list[tuple[str, str]] = [(OUT_OF_SCOPE, text) for text in out_of_scope]
        # Examples of an item that is not there (hidden, or removed on a reload) are dropped.
        raw_phrases.extend((item_id, text) for item_id, text in examples if item_id in known)
        for _, text in raw_phrases:
            surface.update(normalizer.words(text))
        bodies: dict[str, str] = {}
        for item in items:
            for text in (item.titel, *item.zoektermen):
                raw_phrases.append((item.id, text))
                surface.update(normalizer.words(text))
            bodies[item.id] = " ".join([item.tekst, *getattr(item, "checklist", [])])
            surface.update(normalizer.words(bodies[item.id]))
        # Compound joining needs the vocabulary, so texts are normalized a second time with it.
        normalizer = normalizer.with_vocabulary(surface)
        surface_to_stem: dict[str, str] = {}

        def stems_of(text: str) -> list[str]:
            words = normalizer.content_words(text)
            for word in words:
                if word not in surface_to_stem:
                    surface_to_stem[word] = str(stemmer.stemWord(word))
            return [surface_to_stem[w] for w in words]

        phrase_stems = [(item_id, text, stems_of(text)) for item_id, text in raw_phrases]
        body_stems = {item_id: frozenset(stems_of(text)) for item_id, text in bodies.items()}
        # How specific a word is, is judged by the search phrases: answer texts mention 1712 or
        # the VK everywhere, which must not make those words count for nothing. Words that only
        # occur in answer texts get a weight from their spread over the texts.
        phrase_df: dict[str, set[str]] = defaultdict(set)
        for item_id, _, stems in phrase_stems:
            for stem in stems:
                phrase_df[stem].add(item_id)
        body_df: dict[str, set[str]] = defaultdict(set)
        for item_id, body in body_stems.items():
            for stem in body:
                body_df[stem].add(item_id)
        total = len(items) + 1  # the out-of-scope pseudo item counts as a document too
        idf = {stem: math.log(1 + total / len(ids)) for stem, ids in body_df.items()}
        idf.update({stem: math.log(1 + total / len(ids)) for stem, ids in phrase_df.items()})
        phrases: list[_Phrase] = []
        postings: dict[str, list[int]] = defaultdict(list)
        item_stems: dict[str, set[str]] = defaultdict(set)
        for item_id, text, stems in phrase_stems:
            if not stems:
                continue
            unique = frozenset(stems)
            for stem in unique:
                postings[stem].append(len(phrases))
            item_stems[item_id].update(unique)
            normalized = " ".join(normalizer.content_words(text))
            # fsum: a set's order changes with Python's hash seed, and a plain sum with it (in
            # the last bit), which tipped ties differently in another process or replica.
            mass = math.fsum(idf[s] for s in unique)
            phrases.append(_Phrase(item_id, normalized, mass))
        deletions: dict[str, set[str]] = defaultdict(set)
        for word in surface_to_stem:
            if len(word) >= MIN_TYPO_LENGTH:
                deletions[word].add(word)
                for variant in _one_deletions(word):
                    deletions[variant].add(word)
        # The learned half: every phrase (examples, titles, search terms, out-of-scope terms) is
        # a labelled example of its item, with its stems once each, as `stems` gives a question.
        model = ItemModel.train(
            (item_features(list(dict.fromkeys(stems))), item_id)
            for item_id, _, stems in phrase_stems
            if stems
        )
        return cls(
            normalizer=normalizer,
            phrases=phrases,
            postings={stem: np.array(ids, dtype=np.intp) for stem, ids in postings.items()},
            item_stems={item_id: frozenset(stems) for item_id, stems in item_stems.items()},
            idf=idf,
            surface_to_stem=surface_to_stem,
            deletions={key: tuple(sorted(words)) for key, words in deletions.items()},
            order={item.id: position for position, item in enumerate(items)},
            model=model,
        )

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every (normalized, unstemmed) word the content uses."""
        return frozenset(self._surface_to_stem)

    @property
    def normalizer(self) -> Normalizer:
        """The normalizer (with the index vocabulary) used for questions."""
        return self._normalizer

    def stems(self, words: list[str]) -> tuple[list[str], int]:
        """The known stems of normalized words after typo correction, and how many are unknown."""
        stems: list[str] = []
        unknown = 0
        for word in words:
            stem = self.stem_of(word)
            if stem is None:
                unknown += not word.isdigit()
            elif stem not in stems:
                stems.append(stem)
        return stems, unknown

    def item_stems(self, item_id: str) -> frozenset[str]:
        """The stems of an item's title and search terms."""
        return self._item_stems.get(item_id, frozenset())

    def stem_of(self, word: str) -> str | None:
        """The index stem of a normalized word (typos corrected), or None if unknown."""
        known = self._surface_to_stem.get(word)
        if known is not None:
            return known
        stem = str(self._stemmer.stemWord(word))
        if stem in self._idf:
            return stem
        if word in self._idf:
            # Snowball stems "bereken" to "berek" but "berekenen" to "bereken": the word itself
            # may be an indexed stem.
            return word
        corrected = self._correct(word)
        return self._surface_to_stem[corrected] if corrected else None

    def _correct(self, word: str) -> str | None:
        """The closest known word within a small edit distance, or None."""
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return None
        # Two edits only for long words: "bereken" is two edits from "breuk".
        limit = 1 if len(word) < LONG_WORD else 2
        candidates: set[str] = set(self._deletions.get(word, ()))
        for variant in _one_deletions(word):
            candidates.update(self._deletions.get(variant, ()))
        best: tuple[int, float, str] | None = None
        for candidate in candidates:
            if candidate[0] != word[0]:
                # Typos rarely hit the first letter, and real words outside the content do
                # differ there: "water" is not "later", "poort" not "hoort", "nacht" not "lacht".
                continue
            distance = OSA.distance(word, candidate, score_cutoff=limit)
            if distance > limit:
                continue
            # Prefer the smallest distance, then the more specific (rarer) word.
            key = (distance, -self._idf.get(self._surface_to_stem[candidate], 0.0), candidate)
            if best is None or key < best:
                best = key
        return best[2] if best else None

    def evidence(self, text: str | NormalizedQuestion) -> Evidence:
        """What the candidate items have in common with a question (input to `scores`).

        Candidates come from the question's specific words; very common words (in more than
        `COMMON_SHARE` of the phrases) only add weight to candidates found otherwise, which
        keeps a long question from touching every phrase of a large index.
        """
        words = self._content_words(text)
        stems, unknown = self.stems(words)
        return self._evidence(words, stems, unknown)

    def _content_words(self, text: str | NormalizedQuestion) -> list[str]:
        if isinstance(text, NormalizedQuestion):
            return list(text.content_words)
        return self._normalizer.content_words(text)

    def _evidence(self, words: list[str], stems: list[str], unknown: int) -> Evidence:
        if not stems:
            return NO_EVIDENCE
        idf = self._idf
        postings = self._postings
        known_mass = sum(idf[s] for s in stems)
        specific = [s for s in stems if s not in self._common]
        common = [s for s in stems if s in self._common]
        lead = [s for s in specific or common if s in postings]  # not answer-text-only words
        if not lead:
            return NO_EVIDENCE
        candidates, weights = self._matched(lead)
        if specific:
            # Common words add weight only to the phrases the specific ones found.
            for stem in common:
                np.add(weights, idf[stem], out=weights, where=self._common[stem][candidates])
        masses = self._masses[candidates]
        if len(candidates) > MAX_CANDIDATE_PHRASES:
            # A large index: score the rest in full only for the phrases that cover the
            # question best (the word-coverage part of `score`, without similarity and item-level
            # parts, which cannot lift a phrase this far down to the top). Ties go to the
            # smaller phrase: a short phrase made of just the question's common words ("moet
            # ik melden?") covers it best.
            if len(candidates) > PRESELECT_FACTOR * MAX_CANDIDATE_PHRASES:
                keep = _first(weights, PRESELECT_FACTOR * MAX_CANDIDATE_PHRASES, masses)
                candidates, weights, masses = candidates[keep], weights[keep], masses[keep]
            query_mass = known_mass + UNKNOWN_WORD_WEIGHT * unknown
            coverage = _coverage(weights, masses, query_mass)
            keep = _first(coverage, MAX_CANDIDATE_PHRASES, masses)
            candidates, weights, masses = candidates[keep], weights[keep], masses[keep]
        texts = self._texts
        similarity = np.zeros(len(candidates))
        for _, value, position in process.extract(
            " ".join(words),
            [texts[index] for index in candidates.tolist()],
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=SIMILARITY_CUTOFF,
            limit=None,
        ):
            similarity[position] = value
        # The candidates' items, numbered from 0 in index order.
        numbers = self._phrase_item[candidates]
        present = np.zeros(len(self._items), dtype=np.bool_)
        present[numbers] = True
        found = present.nonzero()[0]
        local = np.empty(len(self._items), dtype=np.intp)
        local[found] = np.arange(len(found))
        return Evidence(
            items=tuple(self._items[k] for k in found.tolist()),
            phrase_items=local[numbers],
            matched=weights,
            masses=masses,
            similarity=similarity,
            item_matched=self._item_matched(stems)[found],
            known_mass=known_mass,
            unknown=unknown,
        )

    def _matched(self, stems: list[str]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """The phrases that hold any of `stems` (ascending) and the idf mass they hold.

        numpy sorts the joined posting lists and sums per phrase in a few calls, where a
        Python loop would touch each of their (for long questions thousands of) entries.
        """
        lists = [self._postings[stem] for stem in stems]
        ids = np.concatenate(lists)
        weights = np.concatenate([self._posting_idf[stem] for stem in stems])
        order = ids.argsort(kind="stable")
        ids, weights = ids[order], weights[order]
        first = np.empty(len(ids), dtype=np.bool_)
        first[:1] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        starts = first.nonzero()[0]
        return ids[starts], np.add.reduceat(weights, starts)

    def _item_matched(self, stems: list[str]) -> npt.NDArray[np.float64]:
        """Per item (by number): the idf mass of `stems` found in any of its phrases."""
        found = [holders for stem in stems if (holders := self._holders.get(stem)) is not None]
        mass = np.zeros(len(self._items))
        if found:
            # Summed in question order: the same in every process (not so for a set's order).
            items = np.concatenate([numbers for numbers, _ in found])
            mass += np.bincount(items, np.concatenate([idf for _, idf in found]), len(mass))
        return mass

    def search(self, text: str | NormalizedQuestion) -> list[Hit]:
        """Items matching a question, best first (score 0–100), one hit per item: fuzzy
        evidence blended with the learned model (`MODEL_WEIGHT`)."""
        words = self._content_words(text)
        stems, unknown = self.stems(words)
        evidence = self._evidence(words, stems, unknown)
        model = self._model
        if model is None or not evidence.items:
            return self.rank(evidence)
        # Per class of the model (every item with a phrase, and `OUT_OF_SCOPE`): the blend of
        # both halves; the fuzzy candidates and the model's likeliest classes compete.
        learned = model.distribution(item_features(stems))
        found = np.array([self._class_of[item_id] for item_id in evidence.items], dtype=np.intp)
        fuzzy = np.zeros(len(learned))
        fuzzy[found] = scores(evidence)
        blend = (1 - MODEL_WEIGHT) * fuzzy + MODEL_WEIGHT * 100 * learned
        competing = np.zeros(len(learned), dtype=np.bool_)
        competing[found] = True
        competing[_first(learned, MODEL_CANDIDATES)] = True
        pool = competing.nonzero()[0]
        best = pool[np.lexsort((self._class_rank[pool], -blend[pool]))[:MAX_HITS]]
        return [
            Hit(model.classes[k], round(value, 1))
            for k, value in zip(best.tolist(), blend[best].tolist(), strict=True)
        ]

    def rank(self, evidence: Evidence, limit: int = MAX_HITS) -> list[Hit]:
        """The `limit` best items by fuzzy score alone, ties in content order."""
        order = self._order
        best = heapq.nsmallest(
            limit,
            (
                (-value, order.get(item_id, 0), item_id)
                for item_id, value in zip(evidence.items, scores(evidence).tolist(), strict=True)
            ),
        )
        return [Hit(item_id, round(-negated, 1)) for negated, _, item_id in best]


class Evidence(NamedTuple):
    """What a question has in common with its candidate phrases; `scores` turns it into a
    score per item. Arrays, one entry per phrase or per item: numpy scores them all at once."""

    items: tuple[str, ...]
    """the candidate items"""
    phrase_items: npt.NDArray[np.intp]
    """per phrase: its item's position in `items`"""
    matched: npt.NDArray[np.float64]
    """per phrase: idf mass of its words found in the question"""
    masses: npt.NDArray[np.float64]
    """per phrase: idf mass of all its words"""
    similarity: npt.NDArray[np.float64]
    """per phrase: rapidfuzz `fuzz.ratio` of question and phrase (normalized strings)"""
    item_matched: npt.NDArray[np.float64]
    """per item: idf mass of question words found in any of its phrases"""
    known_mass: float
    """idf mass of the question's known words"""
    unknown: int
    """question words the index does not know"""


_NO_FLOATS: npt.NDArray[np.float64] = np.zeros(0)
NO_EVIDENCE = Evidence(
    (), np.zeros(0, dtype=np.intp), _NO_FLOATS, _NO_FLOATS, _NO_FLOATS, _NO_FLOATS, 0.0, 0
)


def _first(
    high: npt.NDArray[np.float64], k: int, low: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.intp]:
    """The positions of the first `k` by `high` descending, then `low` ascending (if given),
    then position: `np.lexsort((low, -high))[:k]`, with only the candidates sorted."""
    chosen: npt.NDArray[np.intp] = np.arange(len(high))
    if 0 < k < len(high):
        # The first k all have at least the k-th largest `high`.
        kth = np.partition(high, len(high) - k)[len(high) - k]
        chosen = (high >= kth).nonzero()[0]
    keys = (-high[chosen],) if low is None else (low[chosen], -high[chosen])
    order: npt.NDArray[np.intp] = np.lexsort(keys)
    return chosen[order[: max(k, 0)]]


def _coverage(
    matched: npt.NDArray[np.float64], phrase_mass: npt.NDArray[np.float64], query_mass: float
) -> npt.NDArray[np.float64]:
    """How much of each phrase the question holds and of the question the phrase explains."""
    coverage = (
        PHRASE_COVERAGE_WEIGHT * matched / phrase_mass
        + (1 - PHRASE_COVERAGE_WEIGHT) * matched / query_mass
    )
    result: npt.NDArray[np.float64] = coverage * np.minimum(1.0, matched / EVIDENCE_MASS)
    return result


def scores(found: Evidence) -> npt.NDArray[np.float64]:
    """Each item's match score (0–100): its best phrase, and its phrases together."""
    query_mass = found.known_mass + UNKNOWN_WORD_WEIGHT * found.unknown
    phrase = (
        COVERAGE_WEIGHT * _coverage(found.matched, found.masses, query_mass)
        + (1 - COVERAGE_WEIGHT) * found.similarity / 100
    )
    best = np.zeros(len(found.items))
    np.maximum.at(best, found.phrase_items, phrase)
    whole = found.item_matched / query_mass
    result: npt.NDArray[np.float64] = 100.0 * ((1 - ITEM_WEIGHT) * best + ITEM_WEIGHT * whole)
    return result


DEFAULT_POLICY = Policy()


def decide(hits: list[Hit], policy: Policy = DEFAULT_POLICY, words: int | None = None) -> Match:
    """Answer, clarify or fall back, from hits ranked best first.

    Answer when the best item is good and ahead, or merely fair but far ahead of the rest;
    ask "Bedoel je…?" when several are close; fall back when even the best is weak. `words`
    is the question's number of content words: a short question needs a larger lead.
    """
    if hits and hits[0].item_id == OUT_OF_SCOPE:
        return Match(Outcome.FALLBACK, ())
    hits = [hit for hit in hits if hit.item_id != OUT_OF_SCOPE]
    if not hits or hits[0].score < policy.clarify_score:
        return Match(Outcome.FALLBACK, tuple(hits[:MAX_OPTIONS]))
    top = hits[0].score
    lead = top - (hits[1].score if len(hits) > 1 else 0.0)
    short = words is not None and words <= SHORT_QUESTION_WORDS
    margin = (
        max(policy.answer_margin, policy.short_answer_margin) if short else policy.answer_margin
    )
    if (top >= policy.answer_score and lead >= margin) or lead >= policy.clear_lead:
        return Match(Outcome.ANSWER, tuple(hits[:MAX_OPTIONS]))
    options = tuple(h for h in hits[:MAX_OPTIONS] if top - h.score <= policy.clarify_window)
    return Match(Outcome.CLARIFY, options if len(options) > 1 else tuple(hits[:2]))


def _one_deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
