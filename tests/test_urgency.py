from __future__ import annotations

import pytest

from bot.urgency import UrgencyRules

DETECTOR = UrgencyRules.build(
    ["mes", "bewusteloos", "bloedt", "schudden"],
    ["in gevaar", "ademt niet"],
    # A single-word term is what typos are corrected towards ("adempt" → "ademt").
    harm=["ademt"],
)


@pytest.mark.parametrize(
    "text",
    [
        "de papa heeft een MES",
        "kind is bewusteloos",
        "kind is bewustelos",  # one letter missing
        "baby bloed hevig",  # 'bloedt' misspelled
        "ze schudde de baby",  # close to 'schudden'
        "het kind is nu in gevaar!",
        "baby ademt niet meer",
        "baby adempt niet",  # phrase with a typo
    ],
)
def test_urgent_phrasings_are_detected(text: str) -> None:
    assert DETECTOR.is_urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "wat moet ik doen met blauwe plekken",
        "mee naar huis",  # 'mee' is not 'mes': short words must match exactly
        "ik mis een formulier",
        "vroeger was er gevaar, nu niet meer",
        "",
        "🙂",
    ],
)
def test_ordinary_questions_are_not_urgent(text: str) -> None:
    assert not DETECTOR.is_urgent(text)


COMBINED = UrgencyRules.build(
    ["mes"],
    [],
    harm=["slaat", "geslagen", "pijn doen", "agressief"],
    now=["nu", "hier", "vanavond", "op dit moment"],
    no_alarm=["wat moet ik nu doen", "tot nu toe"],
)


@pytest.mark.parametrize(
    "text",
    [
        "papa slaat de mama hier in de gang",
        "hij gaat hem vanavond weer pijn doen",
        "een ouder is agressief op dit moment",
        "ze wordt nu geslagn",  # harm word with a typo
    ],
)
def test_harm_with_a_now_word_is_urgent(text: str) -> None:
    assert COMBINED.is_urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "kind vertelt dat papa slaat",  # harm, but no sign that it happens now
        "kind vertelt dat papa slaat, wat moet ik nu doen?",  # casual 'nu' is neutralised
        "tot nu toe is hij nooit geslagen",
        "hier een vraag over de e-learning",  # now-word without harm
    ],
)
def test_harm_or_now_alone_is_not_urgent(text: str) -> None:
    assert not COMBINED.is_urgent(text)


GAPS = UrgencyRules.build(
    ["acuut", "wil * meenemen"],
    ["reageert niet meer", "geen eten meer"],
    harm=["slaat"],
    now=["nu"],
    no_alarm=["niet acuut"],
    past=["vorige week"],
)


@pytest.mark.parametrize(
    "text",
    [
        "de kleine reageert niet goed meer",  # up to two words inside a phrase
        "papa wil de tweeling meenemen",  # '*' as a whole word
        "ze geeft de baby al dagen geen eten meer",  # a signal that starts with "geen"
    ],
)
def test_phrases_allow_a_few_words_between(text: str) -> None:
    assert GAPS.is_urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "niet acuut, gewoon een vraag",  # no-alarm phrases apply to signals too
        "vorige week reageerde hij niet meer op zijn naam",  # past wording vetoes
        "de kleine reageert niet, ook niet als mama er is, en eet meer dan vroeger",
    ],
)
def test_no_alarm_past_and_distance_keep_it_quiet(text: str) -> None:
    assert not GAPS.is_urgent(text)
