"""The learned half of matching: softmax regression over stems and stem pairs."""

from __future__ import annotations

import pytest

from bot.item_model import ItemModel, features

EXAMPLES = [
    (features(["gesprek", "mama"]), "gesprek-ouders"),
    (features(["praten", "papa", "kwaad"]), "gesprek-ouders"),
    (features(["blauw", "plek", "arm"]), "signalen-lichamelijk"),
    (features(["blauw", "plek", "been"]), "signalen-lichamelijk"),
    (features(["prijs", "dag"]), "buiten-bereik"),
]


def test_features_are_stems_and_neighbouring_pairs() -> None:
    assert features(["blauw", "plek", "arm"]) == [
        "s:blauw",
        "s:plek",
        "s:arm",
        "b:blauw_plek",
        "b:plek_arm",
    ]


def test_it_learns_which_words_point_at_which_item() -> None:
    model = ItemModel.train(EXAMPLES)
    assert model is not None
    p = model.probabilities(features(["plek", "rug"]))
    assert max(p, key=p.__getitem__) == "signalen-lichamelijk"
    p = model.probabilities(features(["kwaad", "mama"]))
    assert max(p, key=p.__getitem__) == "gesprek-ouders"
    assert sum(p.values()) == pytest.approx(1.0)


def test_unknown_words_leave_only_the_prior() -> None:
    model = ItemModel.train(EXAMPLES)
    assert model is not None
    p = model.probabilities(features(["xyz"]))
    assert max(p.values()) < 0.6  # no word it knows: no confident answer


def test_the_same_examples_give_the_same_model_and_one_class_gives_none() -> None:
    assert ItemModel.train(EXAMPLES) == ItemModel.train(list(EXAMPLES))
    assert ItemModel.train([(features(["a"]), "x")]) is None
    assert ItemModel.train([]) is None
