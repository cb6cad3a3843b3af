"""Text normalization shared by the index and the questions, so both sides compare alike.

Steps, in order: fold (look-alike letters of other scripts to Latin, lowercase, strip accents,
punctuation to spaces), rewrite spoken Flemish to standard Dutch ("ni" → "niet", "'k" → "ik",
from `spreektaal.yaml`), rewrite synonyms from content (longest variant first, so "vertrouwens
centrum" wins over "centrum"), join split compounds that the vocabulary knows ("kinder
mishandeling" → "kindermishandeling"), drop stop words. Typo correction against the index
vocabulary lives in `matching`, which owns that vocabulary.

A question is normalized once, into a `NormalizedQuestion` that urgency, places and matching
all read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from bot.content.model import SpokenForm, Synonym

_NON_WORD = re.compile(r"[^0-9a-z]+")
MAX_QUESTION_CHARS = 1000
"""Only the start of a very long question is matched; it holds the question in practice.
(Content texts are indexed whole.)"""

QUESTION_WORDS = frozenset(
    {"hoe", "wat", "wie", "waar", "wanneer", "waarom", "welk", "welke", "hoeveel", "hoelang"}
)
"""Dutch question words (folded): never part of a misspelt place name ("hoe laat" is not
Hoeilaart), and a sign that a message asks something."""

_CONFUSABLES = str.maketrans(
    # Cyrillic and Greek letters that look like Latin ones: "mеs" with a Cyrillic "е" must
    # read as "mes", or a look-alike letter would hide urgent danger from the word lists.
    "аеорсухіїјѕԁһӏɡαβεικνορτυχıɩ",
    "aeopcyxiijsdhlgabeiknoptuxii",
)


def fold(text: str) -> str:
    """Look-alikes to Latin, lowercase, strip accents (geïmplementeerd → geimplementeerd),
    punctuation to spaces."""
    lowered = text.casefold()
    if not lowered.isascii():
        # Decompose (é → e + ´, ｆ → f) and drop everything outside ASCII: the accents, and
        # letters of other scripts, which the index cannot match anyway.
        decomposed = unicodedata.normalize("NFKD", lowered.translate(_CONFUSABLES))
        lowered = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", lowered).strip()


def latin_share(text: str) -> float:
    """The share of letters that are Latin (look-alikes counted as Latin); 1.0 without
    letters. Below one half, the message is in another script."""
    if text.isascii():
        return 1.0  # the common case, without a per-letter loop
    letters = [ch for ch in text.translate(_CONFUSABLES) if ch.isalpha()]
    if not letters:
        return 1.0
    latin = sum(unicodedata.normalize("NFKD", ch)[0].isascii() for ch in letters)
    return latin / len(letters)


def tokens(text: str) -> list[str]:
    """The folded words of a text."""
    folded = fold(text)
    return folded.split() if folded else []


Table = Mapping[tuple[str, ...], tuple[str, ...]]
"""Word sequences (folded) → what they are rewritten to."""


def _table(pairs: Iterable[tuple[str, Iterable[str]]]) -> Table:
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for target, variants in pairs:
        term = tuple(tokens(target))
        for variant in variants:
            key = tuple(tokens(variant))
            if key and key != term:
                table[key] = term
    return table


def _heads(table: Table) -> dict[str, tuple[int, ...]]:
    """The first word of every sequence in `table` → the lengths of the sequences it starts,
    longest first."""
    lengths: dict[str, set[int]] = {}
    for key in table:
        lengths.setdefault(key[0], set()).add(len(key))
    return {word: tuple(sorted(sizes, reverse=True)) for word, sizes in lengths.items()}


def _rewrite(words: list[str], table: Table, heads: Mapping[str, tuple[int, ...]]) -> list[str]:
    """Replace every known word sequence, longest first, scanning left to right."""
    if not table:
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        # Most words start no sequence: one dict lookup, then only the lengths that exist.
        for size in heads.get(words[i], ()):
            if i + size <= len(words):
                replacement = table.get(tuple(words[i : i + size]))
                if replacement is not None:
                    out.extend(replacement)
                    i += size
                    break
        else:
            out.append(words[i])
            i += 1
    return out


@dataclass(frozen=True)
class NormalizedQuestion:
    """One question, normalized once; urgency, places and matching all read this value."""

    text: str
    """As typed (control characters dropped, absurd lengths cut): places read this."""
    folded: str
    """Folded only (`fold`): the language guess reads this, before Flemish is rewritten."""
    standard: str
    """Folded, spoken Flemish rewritten to standard Dutch: urgency reads this."""
    words: tuple[str, ...]
    """Synonyms rewritten and compounds joined, stop words kept: phrase matching."""
    content_words: tuple[str, ...]
    """`words` without stop words: what matching compares."""


@dataclass(frozen=True)
class Normalizer:
    """Folding, spoken forms, synonyms, compound joining and stop words, from content."""

    synonyms: Table = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    vocabulary: frozenset[str] = frozenset()
    spoken: Table = field(default_factory=dict)
    """Spoken Flemish → standard Dutch (`spreektaal.yaml`), applied before the synonyms."""
    _synonym_heads: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    _spoken_heads: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived lookups for `_rewrite`; frozen, so set once here (and again by `replace`).
        object.__setattr__(self, "_synonym_heads", _heads(self.synonyms))
        object.__setattr__(self, "_spoken_heads", _heads(self.spoken))

    @classmethod
    def from_content(
        cls,
        synonyms: Iterable[Synonym],
        stopwords: Iterable[str],
        spoken: Iterable[SpokenForm] = (),
    ) -> Normalizer:
        """Build from `synoniemen.yaml` (synonyms, stop words) and `spreektaal.yaml`."""
        synonym_table = _table((s.term, s.varianten) for s in synonyms)
        spoken_table = _table((s.standaard, s.varianten) for s in spoken)
        return cls(
            synonyms=synonym_table,
            stopwords=frozenset(w for s in stopwords for w in tokens(s)),
            spoken=spoken_table,
        )

    def with_vocabulary(self, vocabulary: Iterable[str]) -> Normalizer:
        """The same normalizer, also joining split compounds found in `vocabulary`."""
        return replace(self, vocabulary=frozenset(vocabulary))

    def standard(self, text: str) -> list[str]:
        """Folded words, spoken forms rewritten ("kweet ni" → "ik weet niet")."""
        return _rewrite(tokens(text), self.spoken, self._spoken_heads)

    def words(self, text: str) -> list[str]:
        """Normalized words of a text, stop words included (used for phrase matching)."""
        return self._from_standard(self.standard(text))

    def _from_standard(self, words: list[str]) -> list[str]:
        words = _rewrite(words, self.synonyms, self._synonym_heads)
        return self._join_compounds(words)

    def content_words(self, text: str) -> list[str]:
        """Normalized words without stop words: what matching compares."""
        return [w for w in self.words(text) if w not in self.stopwords]

    def question(self, text: str) -> NormalizedQuestion:
        """Normalize a question once (only its start: see `MAX_QUESTION_CHARS`)."""
        folded = tokens(text[:MAX_QUESTION_CHARS])
        standard = _rewrite(folded, self.spoken, self._spoken_heads)
        words = tuple(self._from_standard(standard))
        return NormalizedQuestion(
            text=text,
            folded=" ".join(folded),
            standard=" ".join(standard),
            words=words,
            content_words=tuple(w for w in words if w not in self.stopwords),
        )

    def _join_compounds(self, words: list[str]) -> list[str]:
        # A stop word is never the tail of a compound: "ouder en" is not "ouderen", "in een"
        # is not "ineen" ("mama en papa" → "ouder en ouder" must stay two parents).
        if not self.vocabulary:
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            if (
                i + 1 < len(words)
                and words[i + 1] not in self.stopwords
                and words[i] + words[i + 1] in self.vocabulary
            ):
                out.append(words[i] + words[i + 1])
                i += 2
            else:
                out.append(words[i])
                i += 1
        return out
