"""A small linear classifier over character and word n-grams: the learned half of urgency.

Hand-written word lists find what their authors thought of; messages nobody here wrote
describe the same danger in other words, dialect and typos. Character n-grams (3–5 letters)
see "ademt ni", "ademd nie" and "ademhaling" as related, word pairs see "vorige week" or
"wat als", and the rule findings of `urgency` enter as features too, so the model learns how
far to trust each rule. It is logistic regression trained with AdaGrad in pure Python —
small enough to train in seconds (`scripts/train_urgency.py`). Scoring reads the character
n-grams of a message as integer codes (`LinearModel.score`): a long message has some 700 of
them, which as strings looked up one by one in a dict of 100,000 weights took most of the
time of answering it. The lookups are compiled (`bot/_ngrams.c`) where the package was built
with a C compiler, and numpy code with the same results serves elsewhere.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

try:  # the compiled n-gram lookups (bot/_ngrams.c); the numpy code gives the same results
    from bot import _ngrams

    COMPILED = True
except ImportError:  # built only where a C compiler was at hand
    COMPILED = False

CHAR_NGRAMS = (3, 4, 5)
MAX_FEATURE_CHARS = 250
"""Only the start of a message is read: it holds the danger in practice, and it keeps
scoring fast for absurd lengths."""
FORMAT = "urgency-ngram-logreg/2"
"""Changes whenever `features` changes: a model file of another format is refused."""


ALPHABET = " 0123456789abcdefghijklmnopqrstuvwxyz"
"""The characters of a normalized message (`normalize.fold`)."""
_BITS = 6
"""Bits per character of an n-gram code: the alphabet and one code for anything else."""
_CODES = np.full(256, len(ALPHABET) + 1, dtype=np.int64)
_CODES[np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(1, len(ALPHABET) + 1)
_SYMBOLS = _CODES.astype(np.uint8).tobytes()
"""`_CODES` for the compiled lookups."""


def features(standard: str, findings: Iterable[str] = ()) -> frozenset[str]:
    """The features of a normalized message: words, word pairs, character n-grams, and the
    rule findings (e.g. "signal", "past") as `r:` features."""
    text = standard[:MAX_FEATURE_CHARS]
    padded = f" {text} "
    found = {padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)}
    return frozenset(found | _word_features(text, findings))


def _word_features(text: str, findings: Iterable[str]) -> set[str]:
    """The word (`w:`), word-pair (`b:`) and rule (`r:`) features. Character n-grams go in
    bare: the normalized text has no ':'."""
    words = text.split()
    found = {"w:" + w for w in words}
    found.update(f"b:{a}_{b}" for a, b in pairwise(words))
    found.update("r:" + finding for finding in findings)
    found.add("r:long" if len(words) > 12 else "r:short")
    return found


def _is_ngram(feature: str) -> bool:
    return ":" not in feature and len(feature) in CHAR_NGRAMS


def _ngram_code(gram: str) -> int:
    """The code of one n-gram, as `_ngram_codes` computes it for each n-gram of a text."""
    code = len(gram)
    for byte in gram.encode("ascii", "replace"):
        code = (code << _BITS) | int(_CODES[byte])
    return code


def _ngram_codes(text: str) -> npt.NDArray[np.int64]:
    """Each distinct character n-gram of `text` as one integer, sorted: its length, then 6
    bits per character (the same n-gram, the same code; the alphabet's characters never
    collide)."""
    chars = _CODES[np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8)]
    parts = []
    grams = chars  # the 1-grams; each longer n-gram is the one before it and one character
    for n in range(2, max(CHAR_NGRAMS) + 1):
        grams = (grams[:-1] << _BITS) | chars[n - 1 :]
        if n in CHAR_NGRAMS:
            parts.append(grams + (n << (_BITS * n)))
    codes = np.sort(np.concatenate(parts))
    # np.unique costs four times this on a few hundred codes.
    distinct = np.empty(len(codes), dtype=np.bool_)
    distinct[:1] = True
    np.not_equal(codes[1:], codes[:-1], out=distinct[1:])
    return codes[distinct]


@dataclass(frozen=True)
class LinearModel:
    """Weights per feature and a bias: P(urgent) = σ(bias + Σ weights of present features)."""

    weights: Mapping[str, float]
    bias: float
    _words: Mapping[str, float] = field(init=False, repr=False, compare=False)
    """The word (`w:`) weights by word."""
    _pairs: Mapping[str, Mapping[str, float]] = field(init=False, repr=False, compare=False)
    """The word-pair (`b:`) weights by first word, then second."""
    _rules: Mapping[str, float] = field(init=False, repr=False, compare=False)
    """The rule (`r:`) weights by finding."""
    _ngrams: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] = field(
        init=False, repr=False, compare=False
    )
    """The character n-gram weights as sorted codes (`_ngram_codes`) and their weights."""
    _table: bytes | None = field(init=False, repr=False, compare=False)
    """The codes' positions as an open-addressing table, for the compiled lookups."""

    def __post_init__(self) -> None:
        grams = sorted((_ngram_code(f), w) for f, w in self.weights.items() if _is_ngram(f))
        codes = np.array([code for code, _ in grams], dtype=np.int64)
        weights = np.array([w for _, w in grams], dtype=np.float64)
        object.__setattr__(self, "_ngrams", (codes, weights))
        # At most half full: a lookup then probes one or two slots.
        bits = max(1, (2 * len(codes)).bit_length())
        table = _ngrams.table(codes.tobytes(), bits) if COMPILED else None
        object.__setattr__(self, "_table", table)
        # `score` looks words, pairs and findings up without making feature strings, in
        # dicts of a few thousand entries instead of one of 39,000 (a long message has some 90
        # such features, and each lookup in the large dict missed the caches).
        words: dict[str, float] = {}
        pairs: dict[str, dict[str, float]] = defaultdict(dict)
        rules: dict[str, float] = {}
        for feature, weight in self.weights.items():
            kind, _, name = feature.partition(":")
            if kind == "w":
                words[name] = weight
            elif kind == "b":
                first, _, second = name.partition("_")  # normalized words hold no "_"
                pairs[first][second] = weight
            elif kind == "r":
                rules[name] = weight
        object.__setattr__(self, "_words", words)
        object.__setattr__(self, "_pairs", dict(pairs))
        object.__setattr__(self, "_rules", rules)

    def probability(self, present: Iterable[str]) -> float:
        """The probability that a message with these features is urgent."""
        # map/filter run in C: unknown features give None and drop out (as do zero weights).
        # fsum: the exact sum, whatever order a set of features comes in (it follows the hash
        # seed, and a plain sum with it in the last bit: replicas would disagree).
        return _sigmoid(self.bias + math.fsum(filter(None, map(self.weights.get, present))))

    def score(self, standard: str, findings: Iterable[str] = ()) -> float:
        """`probability(features(standard, findings))`, computed faster: the character
        n-grams as integer codes, found by `ngram_positions`."""
        text = standard[:MAX_FEATURE_CHARS]
        z = self.bias + math.fsum(self._word_weights(text, findings))  # see `probability`
        return _sigmoid(z + float(self._ngrams[1][self.ngram_positions(text)].sum()))

    def ngram_positions(self, text: str, *, numpy: bool = False) -> npt.NDArray[np.intp]:
        """Where the distinct character n-grams of a (normalized) text stand in the sorted
        n-gram codes, ascending; those not in the model left out. Compiled when the C
        extension is built, unless `numpy`."""
        padded = f" {text} "
        codes = self._ngrams[0]
        if self._table is not None and not numpy:
            found = _ngrams.positions(
                padded.encode("ascii", "replace"), _SYMBOLS, self._table, len(codes)
            )
            return np.frombuffer(found, dtype=np.int64).astype(np.intp, copy=False)
        grams = _ngram_codes(padded)
        if not len(grams) or not len(codes):
            return np.zeros(0, dtype=np.intp)
        at = codes.searchsorted(grams)
        at[at == len(codes)] = 0  # past the end: not found (codes[0] differs)
        positions: npt.NDArray[np.intp] = at[codes[at] == grams]
        return positions

    def _word_weights(self, text: str, findings: Iterable[str]) -> list[float]:
        """The weights of the word, pair and rule features of `_word_features`."""
        words = text.split()
        weights = [w for word in set(words) if (w := self._words.get(word))]
        pairs = self._pairs
        for first, second in set(pairwise(words)):
            following = pairs.get(first)
            if following is not None and (w := following.get(second)):
                weights.append(w)
        named = {*findings, "long" if len(words) > 12 else "short"}
        weights.extend(w for name in named if (w := self._rules.get(name)))
        return weights

    @classmethod
    def train(
        cls,
        examples: Sequence[tuple[frozenset[str], bool]],
        *,
        epochs: int = 12,
        rate: float = 0.02,
        l2: float = 1e-4,
        positive_weight: float = 1.5,
        seed: int = 7,
        min_weight: float = 1e-3,
    ) -> LinearModel:
        """Logistic regression with AdaGrad; deterministic for a given order and seed.

        The defaults were chosen by cross-validation on the development sets: a slow rate
        generalised best (0.3 → 0.02: +8 points of recall at 2 % false alarms); epochs,
        `l2` and `positive_weight` changed the result by less than a point.

        `positive_weight` > 1 makes a missed emergency cost more than a false alarm, which is
        the trade-off the bot wants. Weights below `min_weight` are dropped (smaller file).
        """
        weights: dict[str, float] = {}
        squares: dict[str, float] = {}
        bias = 0.0
        bias_square = 0.0
        order = list(range(len(examples)))
        shuffle = random.Random(seed).shuffle  # noqa: S311 (reproducible, not secret)
        for _ in range(epochs):
            shuffle(order)
            for index in order:
                present, urgent = examples[index]
                z = bias + sum(weights.get(f, 0.0) for f in present)
                p = _sigmoid(z)
                gradient = (p - 1.0) * positive_weight if urgent else p
                for f in present:
                    w = weights.get(f, 0.0)
                    g = gradient + l2 * w
                    squares[f] = squares.get(f, 0.0) + g * g
                    weights[f] = w - rate * g / math.sqrt(squares[f] + 1e-8)
                bias_square += gradient * gradient
                bias -= rate * gradient / math.sqrt(bias_square + 1e-8)
        kept = {f: round(w, 4) for f, w in sorted(weights.items()) if abs(w) >= min_weight}
        return cls(kept, round(bias, 4))

    def to_json(self) -> str:
        """The model as a JSON document (sorted keys, so a retrained model diffs cleanly)."""
        return json.dumps(
            {"format": FORMAT, "bias": self.bias, "weights": dict(sorted(self.weights.items()))},
            ensure_ascii=True,
            separators=(",", ":"),
            indent=0,
        )

    @classmethod
    def from_json(cls, text: str) -> LinearModel:
        """Read a model written by `to_json`; ValueError for another format."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not an urgency model of format {FORMAT}")
        weights = data["weights"]
        return cls({str(k): float(v) for k, v in weights.items()}, float(data["bias"]))

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model file."""
        return cls.from_json(path.read_text(encoding="utf-8"))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
