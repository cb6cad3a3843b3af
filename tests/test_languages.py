from __future__ import annotations

from bot.content.model import Language
from bot.languages import DUTCH, OTHER, LanguageGuesser
from bot.normalize import fold

GUESSER = LanguageGuesser.build(
    [
        Language(taal="fr", herkenning=["le", "la", "est", "ne", "mon", "enfant"]),
        Language(taal="en", herkenning=["the", "is", "not", "my", "child"]),
    ],
    dutch={"kind", "de", "is", "ademt", "niet", "papa"},
)


def guess(text: str) -> str:
    return GUESSER.guess(text, fold(text).split())


def test_two_marker_words_that_outnumber_dutch_make_a_language() -> None:
    assert guess("mon enfant ne respire plus") == "fr"
    assert guess("my child is not breathing") == "en"


def test_dutch_stays_dutch_and_one_marker_is_not_enough() -> None:
    assert guess("de papa ademt niet") == DUTCH
    assert guess("het kind is niet ok") == DUTCH  # "is" is a marker, but also Dutch
    assert guess("le kind ademt niet") == DUTCH


def test_a_word_in_a_marker_list_counts_for_that_language_only() -> None:
    # "is" is listed for English, so it no longer counts as Dutch either.
    assert "is" not in GUESSER.dutch


def test_another_script_is_other() -> None:
    assert guess("ребёнок не дышит") == OTHER
    assert guess("mеs") == DUTCH  # look-alike letters are Latin
