"""Urgency on the shipped content and model, one test per class of message issue 7 names.

The examples are written for these tests (not taken from any evaluation set): they guard the
behaviour a worker relies on, and fail if a retrained model or an edited word list loses it.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.matching import Outcome
from bot.store import ContentStore, shipped_model
from tests.conftest import SHIPPED_CONTENT


@pytest.fixture(scope="module")
def shipped() -> Engine:
    return Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))


def _is_emergency(engine: Engine, text: str) -> bool:
    answer = engine.ask(text)
    return answer.urgent and answer.hits[0].item_id == "acuut-gevaar"


@pytest.mark.parametrize(
    "text",
    [
        # tussentaal and chat spelling
        "kweetni wa doen ze ademt ni meer en is hél bleek",
        "t manneke zijn lipkes zien blauw en hij reageert nie",
        "ge moet rap zijn, de bebe is ni wakker te krijgen",
        # the worker calls 112 or the police herself, or opens with "help"
        "ik bel nu de politie, er staat een dronken papa in de gang",
        "HELP ze heeft iets ingeslikt en krijgt geen lucht",
        "moet ik 112 bellen? hij schokt met armen en benen",
        # what she sees, without an alarm word
        "de peuter lag met zijn gezicht in de regenton",
        "we tellen er maar 11 en de poort stond open",
        "de mama is stomdronken en zet het kind in de auto om te vertrekken",
        "hij roept aan de deur dat hij ons allemaal gaat afmaken",
        # look-alike letters (a Cyrillic е and а)
        "еr stаat een papa met een mеs aan de deur",
    ],
)
def test_danger_now_gets_the_emergency_reply(shipped: Engine, text: str) -> None:
    assert _is_emergency(shipped, text)


@pytest.mark.parametrize(
    "text",
    [
        "ik ben zeker dat hij niet in gevaar is, maar ik twijfel over die blauwe plekken",
        "in de vorming vroegen ze wat je doet als een baby niet meer ademt",
        "vanmorgen zag ik blauwe plekken op haar arm, nu speelt ze rustig",
        "wat zegt de wet als een kind in ernstig gevaar is",
        "vorige maand kwam de papa dronken zijn dochter halen, wat had ik moeten doen?",
    ],
)
def test_past_imagined_denied_and_law_questions_raise_no_alarm(shipped: Engine, text: str) -> None:
    answer = shipped.ask(text)
    assert not answer.urgent
    # A real answer (or "Bedoel je…?"), not the emergency reply.
    assert answer.outcome in (Outcome.ANSWER, Outcome.CLARIFY)
    assert not answer.reply.plain_text().startswith("🚨")


def test_an_unsure_message_gets_the_danger_line_above_the_answer(shipped: Engine) -> None:
    # "in gevaar" fires a rule; the model reads the denial and overrules it: unsure.
    answer = shipped.ask(
        "ik ben zeker dat hij niet in gevaar is, maar ik twijfel over die blauwe plekken"
    )
    assert not answer.urgent
    assert answer.reading is not None
    assert answer.reading.urgency.level.value == "twijfel"
    assert answer.reply.plain_text().startswith("⚠️ Is een kind nu in gevaar? Bel 112 of 101.")


def test_the_emergency_reply_is_short_with_the_numbers_first(shipped: Engine) -> None:
    reply = shipped.ask("de baby ademt niet meer").reply
    text = reply.plain_text()
    assert text.startswith("🚨 Bel nu 112")
    assert "101" in text.splitlines()[0]
    assert len(text) < 600
    assert text.count("Is een kind nu in gevaar") == 0  # asked once at most, here never
    assert [b.data for b in reply.all_buttons()] == ["c", "i:noodnummers", "m"]


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("au secours le bébé est tout bleu et ne respire plus", "🚨 URGENCE : appelez"),
        ("help the toddler swallowed a button battery", "🚨 EMERGENCY: call 112"),
        ("my daughter fell and she is not breathing", "🚨 EMERGENCY: call 112"),
    ],
)
def test_french_and_english_emergencies_are_answered_in_that_language(
    shipped: Engine, text: str, start: str
) -> None:
    answer = shipped.ask(text)
    assert answer.urgent
    assert answer.reply.plain_text().startswith(start)


@pytest.mark.parametrize(
    "text",
    [
        "ребёнок не дышит",
        "الطفل لا يتنفس",
        "je voudrais savoir comment fonctionne la facturation de la crèche",
        "Das Kind hat heute sehr viel gespielt und gelacht, danke schön",
    ],
)
def test_other_languages_get_the_notice_with_112_and_101_first(shipped: Engine, text: str) -> None:
    answer = shipped.ask(text)
    assert answer.outcome is Outcome.FALLBACK
    first = answer.reply.plain_text().splitlines()[0]
    assert "112" in first
    assert "101" in first
    assert "This bot only speaks Dutch." in answer.reply.plain_text()


@pytest.mark.parametrize(
    ("text", "urgent", "vk"),
    [
        (
            "A daycare in Leuven, who do I contact about a child I worry about?",
            False,
            "vk-vlaams-brabant",
        ),
        ("Je travaille dans une crèche à Bruxelles, un enfant a des bleus", False, "vk-brussel"),
        ("Urgence ! Un enfant ne respire plus, crèche à Gand", True, "vk-oost-vlaanderen"),
    ],
)
def test_a_place_named_in_french_or_english_leads_to_its_vk(
    shipped: Engine, text: str, urgent: bool, vk: str
) -> None:
    answer = shipped.ask(text)
    assert answer.urgent is urgent
    assert answer.reply.all_buttons()[0].data == f"i:{vk}"  # the VK first
    assert "112" in answer.reply.plain_text().splitlines()[0]
    assert len(answer.reply.first_screen()) <= 600
    assert len(answer.reply.all_buttons()) <= 6


def test_a_foreign_message_without_a_place_asks_for_it_in_the_menu(shipped: Engine) -> None:
    answer = shipped.ask("Hello, who can I call about a child?")
    assert not any((b.data or "").startswith("i:vk-") for b in answer.reply.all_buttons())
    assert "c*" in [b.data for b in answer.reply.all_buttons()]  # the question for the place


@pytest.mark.parametrize("text", ["hallo", "merci!", "wie ben jij?", "ok", "test", "👍"])
def test_small_talk_gets_a_warm_reply_never_no_answer(shipped: Engine, text: str) -> None:
    answer = shipped.ask(text)
    assert answer.outcome is Outcome.SMALLTALK
    assert "geen passend antwoord" not in answer.reply.plain_text()
    assert answer.reply.all_buttons()  # the menu comes with it


def test_a_greeting_before_a_real_question_is_not_small_talk(shipped: Engine) -> None:
    assert _is_emergency(shipped, "hallo, de papa staat hier met een mes")


@pytest.mark.parametrize(
    ("text", "thanks"),
    [
        ("Bedankt, dit helpt ons team echt verder.", True),
        ("Bedankt voor de snelle hulp!", True),
        # A worry after the thanks is answered, never thanked away.
        ("merci, er zijn blauwe plekken op zijn rug", False),
        ("bedankt, de papa slaat de mama soms", False),
        ("merci, de kleine ademt raar en is heel bleek", False),
    ],
)
def test_thanks_in_front_of_a_worry_is_not_small_talk(
    shipped: Engine, text: str, thanks: bool
) -> None:
    answer = shipped.ask(text)
    assert (answer.outcome is Outcome.SMALLTALK) is thanks
    assert not (thanks and answer.urgent)


def test_near_domain_childcare_questions_fall_back_to_the_kind_en_gezin_lijn(
    shipped: Engine,
) -> None:
    answer = shipped.ask("hoeveel bedraagt het inkomenstarief")
    assert answer.outcome is Outcome.FALLBACK
    assert "i:kind-en-gezin-lijn" in [b.data for b in answer.reply.all_buttons()]
