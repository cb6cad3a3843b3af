"""The scoring arithmetic of `bot.matching`, checked against the formula written out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import matching
from bot.matching import Evidence, MatchIndex, scores
from bot.store import ContentStore
from tests.conftest import FIXTURE_CONTENT


def _by_hand(
    phrases: list[tuple[float, float, float]], item_matched: float, query: float
) -> float:
    """One item's score as the module docstring describes it, one phrase at a time."""
    best = 0.0
    for matched, mass, similarity in phrases:
        coverage = (
            matching.PHRASE_COVERAGE_WEIGHT * matched / mass
            + (1 - matching.PHRASE_COVERAGE_WEIGHT) * matched / query
        ) * min(1.0, matched / matching.EVIDENCE_MASS)
        phrase = (
            matching.COVERAGE_WEIGHT * coverage + (1 - matching.COVERAGE_WEIGHT) * similarity / 100
        )
        best = max(best, phrase)
    whole = item_matched / query
    return 100 * ((1 - matching.ITEM_WEIGHT) * best + matching.ITEM_WEIGHT * whole)


def test_scores_take_each_items_best_phrase_and_its_whole_match() -> None:
    a = [(2.0, 4.0, 50.0), (1.0, 1.0, 0.0)]
    b = [(3.0, 3.0, 100.0)]
    found = Evidence(
        items=("a", "b"),
        phrase_items=np.array([0, 1, 0]),
        matched=np.array([a[0][0], b[0][0], a[1][0]]),
        masses=np.array([a[0][1], b[0][1], a[1][1]]),
        similarity=np.array([a[0][2], b[0][2], a[1][2]]),
        item_matched=np.array([2.5, 3.0]),
        known_mass=5.0,
        unknown=1,
    )
    query = 5.0 + matching.UNKNOWN_WORD_WEIGHT
    assert scores(found).tolist() == pytest.approx(
        [_by_hand(a, 2.5, query), _by_hand(b, 3.0, query)]
    )
    assert scores(matching.NO_EVIDENCE).tolist() == []


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return ContentStore.open(FIXTURE_CONTENT).current.index


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_matched_phrases_sum_the_idf_of_the_stems_they_hold(
    index: MatchIndex, data: st.DataObject
) -> None:
    postings = index._postings
    stems = data.draw(
        st.lists(st.sampled_from(sorted(postings)), min_size=1, max_size=6, unique=True)
    )
    ids, weights = index._matched(stems)
    expected: dict[int, float] = {}
    for stem in stems:
        for phrase in postings[stem].tolist():
            expected[phrase] = expected.get(phrase, 0.0) + index._idf[stem]
    assert ids.tolist() == sorted(expected)
    assert weights.tolist() == pytest.approx([expected[i] for i in sorted(expected)])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0]), max_size=12),
    st.integers(min_value=0, max_value=6),
)
def test_first_without_a_second_key_picks_what_a_stable_sort_picks(
    values: list[float], k: int
) -> None:
    p = np.array(values)
    expected = np.argsort(-p, kind="stable")[:k].tolist()
    assert matching._first(p, k).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, 1.5, 2.0, 3.25]), st.sampled_from([1.0, 2.0, 4.0])),
        max_size=15,
    ),
    st.integers(min_value=0, max_value=8),
)
def test_first_is_the_start_of_a_full_sort(pairs: list[tuple[float, float]], k: int) -> None:
    high = np.array([h for h, _ in pairs])
    low = np.array([lo for _, lo in pairs])
    expected = np.lexsort((low, -high))[:k].tolist()
    assert matching._first(high, k, low).tolist() == expected
