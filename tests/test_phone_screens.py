"""Issue 9 on the shipped content: a phone's first screen, six buttons, no dead ends.

Every reply is rendered through the Telegram adapter (the real `Application` with the offline
`RecordingRequest`), and what a phone shows before the details are expanded is measured the
way Telegram shows it: the text outside expandable quotations, tags stripped, entities
unescaped. The walks press buttons through the engine, as a worker taps, and never type a
command.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import actions
from bot.actions import Verb, decode
from bot.config import Settings
from bot.content.limits import MAX_BUTTONS, MAX_FIRST_SCREEN_CHARS
from bot.content.model import DecisionAid, Partner
from bot.engine import Engine
from bot.replies import Reply, mentions_vk
from bot.store import ContentStore, shipped_model
from bot_telegram.app import App, build_application
from tests.conftest import SHIPPED_CONTENT
from tests.telegram_fakes import (
    BOT_ID,
    JSONDict,
    RecordingRequest,
    button_update,
    command_update,
    text_update,
)
from tests.test_render import first_screen_of
from tests.test_telegram_handlers import buttons, feed

MAX_TAPS = 3


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))


@pytest.fixture
def rec() -> RecordingRequest:
    return RecordingRequest()


@pytest.fixture
async def app(engine: Engine, rec: RecordingRequest) -> AsyncIterator[App]:
    settings = Settings(content_dir=SHIPPED_CONTENT, token=f"{BOT_ID}:TEST")
    application = build_application(
        settings, engine, request=rec, updates_request=RecordingRequest(), rate_limit=False
    )
    async with application:
        rec.clear()
        yield application


async def _screens(app: App, rec: RecordingRequest, payload: JSONDict) -> list[JSONDict]:
    """The messages the bot sent or edited for one update."""
    rec.clear()
    await feed(app, payload)
    return [p for m, p in rec.calls if m in ("sendMessage", "editMessageText")]


def _assert_fits_a_phone(messages: list[JSONDict], what: str) -> int:
    assert messages, what
    shown = first_screen_of(messages[0]["text"])
    assert len(shown) <= MAX_FIRST_SCREEN_CHARS, (what, len(shown), shown)
    for message in messages:
        assert len(buttons(message)) <= MAX_BUTTONS, (what, buttons(message))
    return len(shown)


def _item_ids(engine: Engine) -> list[str]:
    return list(engine.store.current.library.items)


async def test_every_item_fits_a_phone_screen_with_at_most_six_buttons(
    app: App, rec: RecordingRequest, engine: Engine
) -> None:
    sizes = {}
    for item_id in _item_ids(engine):
        # As a deep link shows it, and as a button press shows it.
        for payload in (command_update(f"/start {item_id}"), button_update(actions.go(item_id))):
            sizes[item_id] = _assert_fits_a_phone(await _screens(app, rec, payload), item_id)
    assert len(sizes) == len(_item_ids(engine)) >= 47


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(lambda: command_update("/start"), id="welcome"),
        pytest.param(lambda: command_update("/menu"), id="menu"),
        pytest.param(lambda: command_update("/help"), id="help"),
        pytest.param(lambda: button_update("m*"), id="menu-button"),
        pytest.param(lambda: button_update("q*"), id="faq"),
        pytest.param(lambda: button_update("l*"), id="learning"),
        pytest.param(lambda: button_update("c*"), id="ask-place"),
        pytest.param(lambda: text_update("wat is het weer op mars"), id="fallback"),
        pytest.param(lambda: button_update("n*"), id="none-of-these"),
        pytest.param(lambda: text_update("signalen"), id="clarify"),
        pytest.param(
            lambda: text_update("er staat een papa met een mes aan de deur"), id="urgent"
        ),
        pytest.param(
            lambda: text_update("ik werk in Sint-Martens-Latem en er is een mes"),
            id="urgent+place",
        ),
        pytest.param(lambda: text_update("papa staat dronken aan de deur"), id="urgent+answer"),
        pytest.param(lambda: text_update("is dit dringend, een blauwe plek?"), id="unsure"),
        pytest.param(lambda: text_update("hallo"), id="small-talk"),
        pytest.param(lambda: text_update("bonjour, il y a un couteau"), id="french-emergency"),
        pytest.param(lambda: command_update("/contact Atlantis"), id="place-not-found"),
    ],
)
async def test_menus_fallback_and_urgent_replies_fit_a_phone_screen(
    app: App, rec: RecordingRequest, payload: object
) -> None:
    assert callable(payload)
    _assert_fits_a_phone(await _screens(app, rec, payload()), str(payload))


async def test_every_place_reply_fits_a_phone_screen(
    app: App, rec: RecordingRequest, engine: Engine
) -> None:
    regions = engine.store.current.library.regions
    codes = sorted({area.postcode for area in regions.postcodes})
    for code in codes:
        _assert_fits_a_phone(await _screens(app, rec, command_update(f"/contact {code}")), code)
    for theme in ("q*", *(f"t*:{t}" for t in ("signalen", "mag-dat", "na-je-zorg"))):
        _assert_fits_a_phone(await _screens(app, rec, button_update(theme)), theme)
    assert len(codes) > 500


def _walk(engine: Engine) -> dict[str, int]:
    """Every item a worker reaches from /start by tapping, with the fewest taps."""
    seen: dict[str, int] = {}
    frontier: list[tuple[Reply, int]] = [(engine.start(None), 0)]
    pressed: set[str] = set()
    while frontier:
        reply, taps = frontier.pop(0)
        if taps >= MAX_TAPS:
            continue
        for button in reply.all_buttons():
            data = button.data
            if data is None or data in pressed:
                continue
            pressed.add(data)
            action = decode(data)
            assert action is not None, data
            if action.verb is Verb.ITEM:
                seen.setdefault(action.argument, taps + 1)
            frontier.append((engine.press(data), taps + 1))
    return seen


def test_every_item_is_reachable_from_start_in_three_taps(engine: Engine) -> None:
    reached = _walk(engine)
    missing = sorted(set(_item_ids(engine)) - set(reached))
    assert not missing, f"not reachable in {MAX_TAPS} taps: {missing}"


def test_veelgestelde_vragen_is_in_the_menu_with_themes_from_content(engine: Engine) -> None:
    menu = engine.start(None)
    [faq] = [b for b in menu.all_buttons() if b.data == "q*"]
    themes = engine.press("q*")
    assert faq.label == "❓ Veelgestelde vragen"
    assert [b.data for b in themes.all_buttons()][-1] == "m*"
    theme = engine.press(themes.all_buttons()[0].data or "")
    assert theme.replace
    # A question opens as a new message: the list of the theme stays to pick another.
    question = engine.press(theme.all_buttons()[0].data or "")
    assert not question.replace


def test_a_reply_that_points_to_the_vk_has_a_button_that_asks_for_the_place(
    engine: Engine,
) -> None:
    library = engine.store.current.library
    for item_id, item in library.items.items():
        if (isinstance(item, Partner) and item.provincie) or item_id == library.overview.id:
            # A VK is the regional VK; the overview's buttons are the six steps (step 4 has it).
            continue
        if isinstance(item, DecisionAid):
            # Its first screen is a question to answer; the outcomes that advise the VK have
            # the button (`vk_knop`, tests/test_decision.py).
            continue
        if mentions_vk(f"{item.kern}\n{item.tekst}"):
            reply = engine.show(item_id)
            assert reply is not None
            assert "c" in [b.data for b in reply.all_buttons()], item_id
    step_four = engine.show("advies-vragen")
    assert step_four is not None
    assert step_four.all_buttons()[0].data == "c"


def test_the_vk_reply_gives_a_phone_route_while_no_number_is_verified(engine: Engine) -> None:
    library = engine.store.current.library
    for province in library.regions.provincies:
        reply = engine.show(province.vk)
        assert reply is not None
        shown = reply.first_screen()
        assert "1712" in shown, province.vk
        assert "vertrouwenscentrum-kindermishandeling.be" in shown, province.vk


def test_unconfirmed_place_shows_the_candidates_never_this_is_your_vk(engine: Engine) -> None:
    for question in ("2070", "zwijndrecht", "welk vk voor zwijndrecht", "burcht"):
        answer = engine.ask(question)
        text = answer.reply.plain_text()
        assert "is dit je Vertrouwenscentrum" not in text, question
        assert "Dit vond ik ook" not in text, question
        data = [b.data for b in answer.reply.all_buttons()]
        assert data[:2] == ["i:vk-antwerpen", "i:vk-oost-vlaanderen"], question
        assert "1712" in answer.reply.first_screen(), question


def test_place_replies_do_not_claim_local_partners_or_repeat_the_province(
    engine: Engine,
) -> None:
    for question in ("2000", "Antwerpen", "9000", "3500", "1000"):
        text = engine.place(question).plain_text()
        assert "in je buurt" not in text
        assert "(Antwerpen)" not in text.replace("(Antwerpen) is", ""), text[:80]
    assert engine.place("2000").plain_text().startswith("Voor 2000 Antwerpen is dit je")
    assert engine.place("Antwerpen").plain_text().startswith("Voor Antwerpen is dit je")


def test_no_reply_shows_a_bare_url(engine: Engine) -> None:
    for item_id in _item_ids(engine):
        reply = engine.show(item_id)
        assert reply is not None
        assert "http" not in reply.first_screen(), item_id
        assert "http" not in Reply(reply.details).first_screen(), item_id


def test_dutch_sources_are_labelled_as_netherlands_practice(engine: Engine) -> None:
    for item_id in _item_ids(engine):
        reply = engine.show(item_id)
        assert reply is not None
        for block in reply.details:
            for line in block.lines:
                for part in line if isinstance(line, tuple) else ():
                    if not isinstance(part, str) and ".nl/" in part.url:
                        assert "Nederland" in part.label, (item_id, part)


def test_only_items_whose_core_is_unconfirmed_carry_a_notice(engine: Engine) -> None:
    library = engine.store.current.library
    notice = library.text("te_verifieren_item")
    flagged = [i for i in _item_ids(engine) if notice in engine.show(i).plain_text()]  # type: ignore[union-attr]
    assert flagged == [i for i, item in library.items.items() if item.status == "te-verifieren"]
    cijfers = engine.show("cijfers")
    assert cijfers is not None
    assert "schriftelijke antwoord van de Vlaamse minister op een parlementaire vraag" in (
        cijfers.first_screen()
    )
    assert "bevestigd" not in cijfers.plain_text()


def test_the_claims_issue_9_found_unsupported_are_gone(engine: Engine) -> None:
    items = engine.store.current.library.items

    def said(item_id: str) -> str:
        return f"{items[item_id].kern}\n{items[item_id].tekst}"

    # The Kind en Gezin-Lijn is the parents' line: staff concerns go to the organiser/Opgroeien.
    assert "Je hebt een vermoeden over een collega" not in said("kind-en-gezin-lijn")
    assert "Kind en Gezin-Lijn (078 150 100)" not in said("grensoverschrijdend-gedrag-personeel")
    assert "Opgroeien" in items["grensoverschrijdend-gedrag-personeel"].kern
    assert "voorbije uren of dagen" not in said("signalen-seksueel")
    assert "consultatiebureau" not in said("lokaal-team-kind-en-gezin")
    assert "moet altijd" not in said("beroepsgeheim")
    assert "zolang je daarmee jezelf of anderen niet in ernstig gevaar brengt" in said(
        "beroepsgeheim"
    )
    # "Ja, je kunt…" read as a yes to "mag ik de naam geven zonder dat de ouders het weten".
    assert not items["anoniem-advies"].kern.startswith("Ja")
    assert items["anoniem-advies"].verwant[0] == "toestemming-ouders"
