from __future__ import annotations

import pytest

from bot.urgency import UrgencyDetector

DETECTOR = UrgencyDetector.build(
    ["mes", "bewusteloos", "bloedt", "schudden"], ["in gevaar", "ademt niet"]
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
