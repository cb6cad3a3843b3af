"""The journeys of issue 9, replayed through the engine on the shipped content.

A worker types a question in her own words (never a command) and then only taps buttons;
each journey must end at a useful answer, in a few turns, without a dead end or a loop.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.replies import Reply
from bot.store import ContentStore, shipped_model
from tests.conftest import SHIPPED_CONTENT


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))


def _tap(engine: Engine, reply: Reply, label_or_data: str) -> Reply:
    """Press the button with this label or payload (it must be there)."""
    for button in reply.all_buttons():
        if label_or_data in (button.label, button.data):
            assert button.data is not None
            return engine.press(button.data)
    raise AssertionError(
        f"no button {label_or_data!r} in {[b.label for b in reply.all_buttons()]}"
    )


def _data(reply: Reply) -> list[str | None]:
    return [b.data for b in reply.all_buttons()]


def _title(engine: Engine, item_id: str) -> str:
    return engine.store.current.library.items[item_id].titel


def test_from_a_gut_feeling_to_the_regional_vk_in_two_taps(engine: Engine) -> None:
    doubt = engine.ask("ik heb alleen een onderbuikgevoel, geen bewijs").reply
    assert doubt.first_screen().startswith(_title(engine, "twijfel"))
    # The core points to the VK, so its button comes first: it asks for the place ...
    assert _data(doubt)[0] == "c"
    where = _tap(engine, doubt, "c")
    assert "postcode of gemeente" in where.first_screen()
    # ... the worker taps her province (or types her postal code: not a command).
    vk = _tap(engine, where, "i*:vk-antwerpen")
    assert vk.replace
    assert vk.first_screen().startswith(_title(engine, "vk-antwerpen"))
    assert "1712" in vk.first_screen()  # a phone route that works today
    typed = engine.ask("2800").reply
    assert typed.first_screen().startswith("Voor 2800 Mechelen (Antwerpen) is dit je")


def test_a_solo_onthaalouder_gets_her_own_route_not_a_loop(engine: Engine) -> None:
    first = engine.ask("ik werk alleen als onthaalouder, bij wie kan ik terecht met mijn zorg")
    overleg = first.reply
    if first.outcome.value == "clarify":
        overleg = _tap(engine, overleg, "i*:intern-overleg")
    screen = overleg.first_screen()
    assert "organisator of ondersteuner" in screen
    assert "Vertrouwenscentrum Kindermishandeling" in screen
    # "I have no colleague and no one in charge": the same step answers it on its first
    # screen, and its first button leads to the VK rather than back into the plan.
    follow_up = engine.ask("ik heb geen collega en geen verantwoordelijke").reply
    assert "Heb je niemand om mee te overleggen" in follow_up.first_screen()
    assert _data(follow_up)[0] == "c"
    vk = _tap(engine, _tap(engine, follow_up, "c"), "i*:vk-limburg")
    assert vk.first_screen().startswith(_title(engine, "vk-limburg"))


def test_a_child_telling_about_violence_between_the_parents(engine: Engine) -> None:
    told = engine.ask("een kind vertelt me iets").reply
    assert told.first_screen().startswith(_title(engine, "kind-vertelt"))
    violence = _tap(engine, told, "i:signalen-partnergeweld")
    assert violence.first_screen().startswith(_title(engine, "signalen-partnergeweld"))
    assert "i:caw" in _data(violence)  # help for the parent, too


def test_the_name_to_the_vk_without_the_parents_knowing_is_not_answered_yes(
    engine: Engine,
) -> None:
    answer = engine.ask(
        "mag ik de naam van het kind aan het vk geven zonder dat de ouders het weten"
    )
    screen = answer.reply.first_screen()
    body = screen.split("\n\n", 1)[1]
    assert not body.startswith("Ja")
    # The consent item itself: it says the rule is not clearly settled.
    assert answer.hits[0].item_id == "toestemming-ouders"
    assert "niet duidelijk geregeld" in screen


def test_may_i_refuse_a_drunk_father_says_so(engine: Engine) -> None:
    answer = engine.ask("Mag ik de papa weigeren het kind mee te geven als hij gedronken heeft?")
    reply = answer.reply
    if not reply.first_screen().count("geef je het niet mee"):
        reply = _tap(engine, reply, "i:ouder-onder-invloed")
    assert "in gevaar is, dan geef je het niet mee" in reply.first_screen()
    assert "Bel 101" in reply.first_screen()


def test_a_drunk_father_at_the_door_now_gets_112_101_and_what_to_do_at_the_door(
    engine: Engine,
) -> None:
    answer = engine.ask("papa staat dronken aan de deur en wil zijn kind meenemen")
    assert answer.urgent
    assert answer.reply.first_screen().startswith("🚨 Bel nu 112")
    door = _tap(engine, answer.reply, "i:ouder-onder-invloed")
    assert "geef je het niet mee" in door.first_screen()


def test_separated_parents_and_who_may_pick_up(engine: Engine) -> None:
    reply = engine.ask(
        "de mama zegt dat ik het kind niet aan de papa mag meegeven, ze zijn gescheiden"
    ).reply
    assert _title(engine, "gescheiden-ouders") in reply.first_screen()
    assert "vonnis" in reply.first_screen()
    # And from the menu, in three taps, without typing anything.
    menu = engine.start(None)
    themes = _tap(engine, menu, "q*")
    theme = _tap(engine, themes, "t*:ouders-en-ophalen")
    separated = _tap(engine, theme, "i:gescheiden-ouders")
    assert "Zonder vonnis zijn beide ouders gelijk" in separated.first_screen()


def test_zwijndrecht_in_free_text_offers_both_candidate_vks(engine: Engine) -> None:
    reply = engine.ask("welk vk is er voor zwijndrecht").reply
    assert "is dit je Vertrouwenscentrum" not in reply.plain_text()
    assert "Dit vond ik ook" not in reply.plain_text()
    antwerpen = _tap(engine, reply, "i:vk-antwerpen")
    assert "2070" in antwerpen.plain_text()
