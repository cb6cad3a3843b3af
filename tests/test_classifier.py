from __future__ import annotations

import pytest

from bot.classifier import FORMAT, LinearModel, features
from bot.store import shipped_model


def test_features_hold_words_pairs_char_ngrams_and_findings() -> None:
    found = features("ademt niet", ["signal"])
    assert {"w:ademt", "w:niet", "b:ademt_niet", "r:signal", "r:short"} <= found
    assert {" ad", "adem", "ademt", "t ni"} <= found  # character n-grams, bare
    assert not any(":" in f for f in found if f[:2] not in {"w:", "b:", "r:"})


def test_only_the_start_of_an_absurd_message_is_read() -> None:
    assert features("a" * 100_000) == features("a" * 250)


def test_training_learns_a_separable_toy_problem_and_is_deterministic() -> None:
    urgent = ["baby ademt niet", "kind ademt niet meer", "hij ademt niet", "ze ademt niet goed"]
    calm = ["baby slaapt goed", "kind eet goed", "hij speelt buiten", "ze lacht veel"]
    examples = [(features(t), True) for t in urgent] + [(features(t), False) for t in calm]
    model = LinearModel.train(examples, epochs=30, rate=0.3)
    assert model.probability(features("de peuter ademt niet")) > 0.5
    assert model.probability(features("de peuter eet goed")) < 0.5
    assert LinearModel.train(examples, epochs=30, rate=0.3) == model


def test_a_model_survives_its_json_and_refuses_another_format() -> None:
    model = LinearModel({"w:mes": 1.5, "c:dem": -0.25}, -2.0)
    assert LinearModel.from_json(model.to_json()) == model
    with pytest.raises(ValueError, match=FORMAT):
        LinearModel.from_json('{"format": "something-else", "bias": 0, "weights": {}}')


def test_the_shipped_model_loads_and_is_of_the_current_format() -> None:
    model = shipped_model()
    assert model is not None
    assert len(model.weights) > 1000
    assert model.probability(features("de baby ademt niet meer", ["signal"])) > 0.9
    assert model.probability(features("wat is het inkomenstarief")) < 0.1
