"""Which item a question asks for, learned from the example questions: matching's second half.

Fuzzy matching compares a question with each phrase on its own; a learned model weighs every
word against all examples of all items at once, so that "gesprek", "mama" and "kwaad"
together point at the conversation with the parents even when no one example holds all three.
It is softmax regression over the question's index stems and stem pairs (typos already
corrected by the index), trained at load time on the examples of `voorbeeldvragen.yaml`, the
items' titles and search terms, and the out-of-scope terms. An admin's new example counts on
the next reload, with no developer step.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import numpy as np
import numpy.typing as npt

EPOCHS = 8
RATE = 0.3
"""Chosen by leave-one-set-out runs on the labelled sets (see README, "Matching")."""
SEED = 3
MIN_GRADIENT = 0.01
"""Classes whose probability is this close to right are not updated (most of them): training
time and memory then grow with the classes a word is confused with, not with all items
(327 items: 25 s and 300 MB with 0.001, 8 s and 113 MB with 0.01; the same results)."""
MIN_WEIGHT = 0.05
"""Smaller weights are dropped after training: a third of the weights (37,000 of 117,000 on the
shipped content) and of the scoring time, with the same leave-one-set-out results (0.01 and
0.1 gave the same too)."""


def features(stems: Sequence[str]) -> list[str]:
    """The model's features of a question: its known stems and each pair of neighbours."""
    return [*("s:" + s for s in stems), *(f"b:{a}_{b}" for a, b in pairwise(stems))]


@dataclass(frozen=True)
class ItemModel:
    """Per feature the weights of the classes it moves; P(class) is their softmax."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, Mapping[int, float]]
    _rows: Mapping[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]] = field(
        init=False, repr=False, compare=False
    )
    """`weights` as arrays (classes, weights) per feature, for `probabilities`."""
    _bias: npt.NDArray[np.float64] = field(init=False, repr=False, compare=False)
    """`bias` as an array (made once: from a tuple of a few hundred floats it took µs)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_bias", np.array(self.bias, dtype=np.float64))
        rows = {
            feature: (np.array(list(row), dtype=np.intp), np.array(list(row.values())))
            for feature, row in self.weights.items()
        }
        object.__setattr__(self, "_rows", rows)

    def probabilities(self, present: Iterable[str]) -> dict[str, float]:
        """P(item | question) for every class (item ids and the out-of-scope pseudo item)."""
        return dict(zip(self.classes, self.distribution(present).tolist(), strict=True))

    def distribution(self, present: Iterable[str]) -> npt.NDArray[np.float64]:
        """`probabilities` as an array in the order of `classes`."""
        z = self._bias
        rows = [row for feature in present if (row := self._rows.get(feature)) is not None]
        if rows:
            classes = np.concatenate([k for k, _ in rows])
            z = z + np.bincount(classes, np.concatenate([w for _, w in rows]), len(self.classes))
        p = np.exp(z - z.max())
        result: npt.NDArray[np.float64] = p / p.sum()
        return result

    @classmethod
    def train(cls, examples: Iterable[tuple[Sequence[str], str]]) -> ItemModel | None:
        """Softmax regression by SGD with a decaying rate; deterministic. None without data.

        The same examples give the same model, so a process trains each content version once
        (replicas and tests open the same content many times; training takes seconds).
        """
        return _train(tuple((tuple(f), label) for f, label in examples))


@lru_cache(maxsize=4)
def _train(examples: tuple[tuple[tuple[str, ...], str], ...]) -> ItemModel | None:
    classes = tuple(sorted({label for _, label in examples}))
    if len(classes) < 2:
        return None
    position = {c: i for i, c in enumerate(classes)}
    weights: dict[str, dict[int, float]] = {}
    bias = [0.0] * len(classes)
    order = list(range(len(examples)))
    shuffle = random.Random(SEED).shuffle  # noqa: S311 (reproducible, not secret)
    for epoch in range(EPOCHS):
        shuffle(order)
        rate = RATE / (1 + epoch)
        for n in order:
            present, label = examples[n]
            p = _softmax(_logits(weights, bias, present))
            right = position[label]
            for k in range(len(classes)):
                gradient = p[k] - (1.0 if k == right else 0.0)
                if abs(gradient) < MIN_GRADIENT:
                    continue
                step = rate * gradient
                bias[k] -= step
                for feature in present:
                    row = weights.setdefault(feature, {})
                    row[k] = row.get(k, 0.0) - step
    kept = {
        feature: pruned
        for feature, row in weights.items()
        if (pruned := {k: w for k, w in row.items() if abs(w) >= MIN_WEIGHT})
    }
    return ItemModel(classes, tuple(bias), kept)


def _logits(
    weights: Mapping[str, Mapping[int, float]], bias: Sequence[float], present: Iterable[str]
) -> list[float]:
    z = list(bias)
    for feature in present:
        for k, w in weights.get(feature, {}).items():
            z[k] += w
    return z


def _softmax(z: list[float]) -> list[float]:
    top = max(z)
    exps = [math.exp(v - top) for v in z]
    total = sum(exps)
    return [e / total for e in exps]
