from __future__ import annotations

import math
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.classifier import (
    ALPHABET,
    COMPILED,
    FORMAT,
    LinearModel,
    _ngram_code,
    _ngram_codes,
    features,
)
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


CHAR_TEXT = st.text(alphabet=" abcdefghijklmnopqrstuvwxyz0123456789é?", max_size=300)


@settings(max_examples=200, deadline=None)
@given(CHAR_TEXT)
def test_ngram_codes_are_the_distinct_ngrams_one_code_each(text: str) -> None:
    padded = f" {text} "
    grams = {g for g in features(text) if ":" not in g}
    assert _ngram_codes(padded).tolist() == sorted({_ngram_code(g) for g in grams})


@settings(max_examples=200, deadline=None)
@given(CHAR_TEXT, st.lists(st.sampled_from(["signal", "past", "now", "item"]), max_size=3))
def test_score_is_the_probability_of_the_features(text: str, findings: list[str]) -> None:
    model = shipped_model()
    assert model is not None
    expected = model.probability(features(text, findings))
    assert model.score(text, findings) == pytest.approx(expected, abs=1e-12)


def test_score_reads_ngrams_of_every_length_and_nothing_else() -> None:
    # One weight per kind: each must count exactly once, also when it occurs twice.
    model = LinearModel({" ab": 1.0, "abab": 2.0, "babab": 4.0, "w:ababab": 8.0}, 0.0)
    z = 1.0 + 2.0 + 4.0 + 8.0
    assert model.score("ababab") == pytest.approx(model.probability(features("ababab")))
    assert model.score("ababab") == pytest.approx(1 / (1 + math.exp(-z)))
    assert LinearModel({}, 0.0).score("") == 0.5


def test_score_counts_each_word_pair_and_finding_once() -> None:
    weights = {"w:ab": 1.0, "b:ab_cd": 2.0, "b:cd_ab": 4.0, "r:signal": 8.0, "r:short": 16.0}
    model = LinearModel({**weights, "b:cd_xx": 32.0, "r:long": 64.0}, 0.0)
    # "ab cd" twice: each word and pair is one feature; four words make the message short.
    text, findings = "ab cd ab cd", ["signal", "signal"]
    assert model.score(text, findings) == model.probability(features(text, findings))
    assert model.score(text, findings) == pytest.approx(1 / (1 + math.exp(-sum(weights.values()))))


def test_the_compiled_lookups_are_built_where_a_compiler_is() -> None:
    # Without this, a broken build would leave CI testing the numpy code alone.
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler: the numpy code serves")
    assert COMPILED


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET + "é?\u0301ß_", max_size=300))
def test_compiled_and_numpy_lookups_find_the_same_ngrams(text: str) -> None:
    model = shipped_model()
    assert model is not None
    numpy = model.ngram_positions(text, numpy=True)
    assert model.ngram_positions(text).tolist() == numpy.tolist()


def test_lookups_find_each_ngram_once_and_only_known_ones() -> None:
    # Sorted codes: the 3-grams " ab" (0) and "zzz" (1), then "abab" (2), then "babab" (3).
    model = LinearModel({" ab": 1.0, "abab": 2.0, "babab": 4.0, "zzz": 8.0}, 0.0)
    for numpy in (True, False):
        assert model.ngram_positions("ababab", numpy=numpy).tolist() == [0, 2, 3]
        assert model.ngram_positions("", numpy=numpy).tolist() == []


@pytest.mark.skipif(not COMPILED, reason="the C extension is not built")
def test_compiled_lookups_refuse_malformed_tables() -> None:
    from bot import _ngrams

    with pytest.raises(ValueError, match="twice as many slots"):
        _ngrams.table(bytes(8 * 10), 3)  # 10 codes, 8 slots
    table = _ngrams.table(bytes(8), 2)
    with pytest.raises(ValueError, match="256 bytes"):
        _ngrams.positions(b" ab ", b"short", table, 1)
    with pytest.raises(ValueError, match="2\\*\\*k slots"):
        _ngrams.positions(b" ab ", bytes(256), table[:-16], 1)
    # A table with no empty slot (not one `table` makes) ends the lookup all the same.
    full = bytes(16) * 4  # four slots, each holding code 0 at position 0
    assert _ngrams.positions(b" ab ", bytes(256), full, 1) == b""
