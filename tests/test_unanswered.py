"""Redaction of unanswered questions, and grouping them by similarity."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.unanswered import group, redact

KNOWN = {"mijn", "wat", "hoe", "vk", "caw", "de", "ik", "mag"}


@pytest.mark.parametrize(
    ("question", "redacted"),
    [
        ("bel 0470 12 34 56 of +32 470 12.34.56", "bel [telefoon] of [telefoon]"),
        ("mail naar joske.v@voorbeeld.be", "mail naar [e-mail]"),
        ("zie www.voorbeeld.be/gezin of https://x.be/a?b=1", "zie [link] of [link]"),
        ("ze wonen in de kerkstraat 12 bus 3", "ze wonen in de [adres]"),
        ("ze wonen op de Grote Markt 5", "ze wonen op de [naam] [naam] [getal]"),
        ("op de Stationslei 4a in 2000", "op de [adres] in [getal]"),
        ("de weg naar huis, een plein", "de weg naar huis, een plein"),
        ("kind van 3 jaar en 2,5 maanden", "kind van [getal] jaar en [getal] maanden"),
        ("Mijn collega Jan zegt dat Marie slaat", "Mijn collega [naam] zegt dat [naam] slaat"),
        ("Wat doe ik? Hoe bel ik het VK of CAW", "Wat doe ik? Hoe bel ik het VK of CAW"),
        ("JAN VERMEULEN is boos", "[naam] [naam] is boos"),
        ("de mama van Émile en Zoë", "de mama van [naam] en [naam]"),
        ("Mag Ik dit", "Mag [naam] dit"),  # known, but not at the start of a sentence
    ],
)
def test_redact(question: str, redacted: str) -> None:
    assert redact(question, KNOWN) == redacted


def test_redaction_keeps_nothing_of_a_made_up_identity() -> None:
    text = redact(
        "Joske Vermeulen, Kerkstraat 12, 2000 Antwerpen, 0470/12.34.56, "
        "joske.vermeulen@voorbeeld.be, geboren 12-03-2023",
        KNOWN,
    )
    for part in ("Joske", "Vermeulen", "Kerkstraat", "2000", "0470", "joske", "12", "2023"):
        assert part not in text
    assert text.count("[naam]") == 3


def test_similar_questions_form_one_group(engine: Engine) -> None:
    normalizer = engine.store.current.index.normalizer
    questions = [
        "hoe meld ik iets bij [naam]",
        "waar is de fietsenstalling",
        "hoe moet ik iets melden",
        "Hoe meld ik dat?",
    ]
    groups = group(questions, lambda q: normalizer.question(q).content_words)
    assert [g.size for g in groups] == [3, 1]
    assert groups[0].questions[0] == "hoe meld ik iets bij [naam]"
    assert groups[1].questions == ("waar is de fietsenstalling",)


def test_an_address_keeps_the_space_after_it() -> None:
    assert redact("Kan hij van de kerkstraat 5 helpen?", KNOWN) == (
        "[naam] hij van de [adres] helpen?"
    )
