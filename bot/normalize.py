"""Text normalization shared by the index and the questions, so both sides compare alike.

Steps, in order: fold (lowercase, strip accents, punctuation to spaces), rewrite synonyms from
content (longest variant first, so "vertrouwens centrum" wins over "centrum"), join split
compounds that the vocabulary knows ("kinder mishandeling" → "kindermishandeling"), drop stop
words. Typo correction against the index vocabulary lives in `matching`, which owns that
vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.content.model import Synonym

_NON_WORD = re.compile(r"[^0-9a-z]+")
MAX_QUESTION_CHARS = 1000
"""Only the start of a very long message is matched; it holds the question in practice."""


def fold(text: str) -> str:
    """Lowercase, strip accents (geïmplementeerd → geimplementeerd), punctuation to spaces."""
    lowered = text.casefold()
    if not lowered.isascii():
        # Decompose (é → e + ´) and drop everything outside ASCII: the accents, and letters of
        # other scripts, which the index cannot match anyway.
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", lowered).strip()


def tokens(text: str) -> list[str]:
    """The folded words of a text."""
    folded = fold(text)
    return folded.split() if folded else []


@dataclass(frozen=True)
class Normalizer:
    """Folding, synonyms, compound joining and stop words, configured from content."""

    synonyms: Mapping[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    vocabulary: frozenset[str] = frozenset()
    max_variant_length: int = 1

    @classmethod
    def from_content(cls, synonyms: Iterable[Synonym], stopwords: Iterable[str]) -> Normalizer:
        """Build from the synonym list and stop words of `synoniemen.yaml`."""
        table: dict[tuple[str, ...], tuple[str, ...]] = {}
        for synonym in synonyms:
            term = tuple(tokens(synonym.term))
            for variant in synonym.varianten:
                key = tuple(tokens(variant))
                if key and key != term:
                    table[key] = term
        return cls(
            synonyms=table,
            stopwords=frozenset(w for s in stopwords for w in tokens(s)),
            max_variant_length=max((len(k) for k in table), default=1),
        )

    def with_vocabulary(self, vocabulary: Iterable[str]) -> Normalizer:
        """The same normalizer, also joining split compounds found in `vocabulary`."""
        return Normalizer(
            self.synonyms, self.stopwords, frozenset(vocabulary), self.max_variant_length
        )

    def words(self, text: str) -> list[str]:
        """Normalized words of a text, stop words included (used for phrase matching)."""
        words = tokens(text[:MAX_QUESTION_CHARS])
        words = self._rewrite_synonyms(words)
        return self._join_compounds(words)

    def content_words(self, text: str) -> list[str]:
        """Normalized words without stop words: what matching compares."""
        return [w for w in self.words(text) if w not in self.stopwords]

    def _rewrite_synonyms(self, words: list[str]) -> list[str]:
        if not self.synonyms:
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(self.max_variant_length, len(words) - i), 0, -1):
                replacement = self.synonyms.get(tuple(words[i : i + size]))
                if replacement is not None:
                    out.extend(replacement)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def _join_compounds(self, words: list[str]) -> list[str]:
        if not self.vocabulary:
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            if i + 1 < len(words) and words[i] + words[i + 1] in self.vocabulary:
                out.append(words[i] + words[i + 1])
                i += 2
            else:
                out.append(words[i])
                i += 1
        return out
