"""The Telegram adapter offline: real updates through the real composition root.

Every test builds the bot with `bot_telegram.app.build_application` (the one `playbook run`
uses) on the fixture content, feeds it real `Update.de_json(...)` objects with
`process_update`, and asserts on the Bot API calls recorded by `RecordingRequest`: method
names, chat ids, texts and keyboards. After every test the `app` fixture also checks each
recorded sendMessage against Telegram's rules (HTML parse mode, 4096 characters, 64 bytes of
callback data that `bot.actions.decode` reads back).

Offline only (the emulator lacks them or does not enforce them, see tests/e2e):
setMyCommands and the descriptions, groups (mention entities, replies to the bot,
`/cmd@bot`, /herlaad answered privately), Telegram's limits, flood waits (429 RetryAfter)
through the real AIORateLimiter, webhook mode (PTB's webhook server on 127.0.0.1 with the
secret token; setWebhook recorded), error handling, content reloads, photos with captions and
every other message without text, edited messages, lone surrogates, and a rejected token
(401/404). Retries are in tests/test_delivery.py and tests/test_fault_injection.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from telegram import Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import AIORateLimiter
from telegram.request import RequestData

from bot import actions
from bot.config import Settings, StartupError
from bot.engine import Answer, Engine
from bot.matching import Outcome
from bot.replies import Block, Button, Reply, Style
from bot.store import ContentStore
from bot_telegram.app import COMMANDS, App, build_application, run
from bot_telegram.delivery import RetryPolicy
from tests.conftest import FIXTURE_CONTENT
from tests.telegram_fakes import (
    BOT_ID,
    BOT_USERNAME,
    CHAT_ID,
    GROUP_CHAT_ID,
    NON_TEXT_CONTENT,
    USER_ID,
    Fault,
    FaultyRequest,
    JSONDict,
    RecordingRequest,
    bot_user_dict,
    button_update,
    chat_dict,
    command_update,
    group_text_update,
    media_update,
    mention_entities,
    scripted,
    text_update,
    user_dict,
)
from tests.test_render import assert_telegram_html, first_screen_of

TOKEN = f"{BOT_ID}:TEST"
HELP = "Tekst hulp\n<blockquote expandable>Tekst hulp commandos</blockquote>"
MAIN_MENU = ["i*:stappenplan", "i:beslishulp", "q*", "c*", "i:noodnummers", "l*"]
PROVINCES = [
    "i*:vk-antwerpen",
    "i*:vk-limburg",
    "i*:vk-oost-vlaanderen",
    "i*:vk-vlaams-brabant",
    "i*:vk-west-vlaanderen",
    "i*:vk-brussel",
]
FALLBACK = ["c", "q", "i:stappenplan", "i:kind-en-gezin-lijn", "i:1712", "m"]
STEPS = [
    "signalen-noteren",
    "intern-overleg",
    "gesprek-ouders",
    "advies-vragen",
    "beslissen",
    "opvolgen",
]
MAX_CALLBACK_BYTES = 64
MAX_BUTTONS = 6
FAST_RETRY = RetryPolicy(budget=2.0, first_delay=0.001, max_delay=0.01, jitter=0.0)
"""The production policy's rules with waits of milliseconds (tests pass it, never patch it)."""


# -- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
def engine() -> Engine:
    return Engine(ContentStore.open(FIXTURE_CONTENT))


@pytest.fixture
def rec() -> RecordingRequest:
    return RecordingRequest()


def build(
    engine: Engine,
    rec: RecordingRequest,
    *,
    rate_limit: bool = False,
    retry: RetryPolicy = FAST_RETRY,
    admins: frozenset[int] = frozenset(),
    clock: Callable[[], float] | None = None,
) -> App:
    """The bot as `playbook run` builds it, with the offline transport."""
    settings = Settings(content_dir=FIXTURE_CONTENT, token=TOKEN, admin_ids=admins)
    return build_application(
        settings,
        engine,
        request=rec,
        updates_request=RecordingRequest(),
        rate_limit=rate_limit,
        retry=retry,
        clock=clock or time.monotonic,
    )


@asynccontextmanager
async def running(
    engine: Engine,
    rec: RecordingRequest,
    *,
    rate_limit: bool = False,
    retry: RetryPolicy = FAST_RETRY,
    admins: frozenset[int] = frozenset(),
    clock: Callable[[], float] | None = None,
) -> AsyncIterator[App]:
    """An initialised app; the getMe of start-up is forgotten, the sent messages are checked."""
    app = build(engine, rec, rate_limit=rate_limit, retry=retry, admins=admins, clock=clock)
    async with app:
        assert rec.methods == ["getMe"]
        rec.clear()
        yield app
        check_sent_messages(rec)


@pytest.fixture
async def app(engine: Engine, rec: RecordingRequest) -> AsyncIterator[App]:
    async with running(engine, rec) as application:
        yield application


async def feed(app: App, payload: JSONDict) -> None:
    update = Update.de_json(payload, app.bot)
    assert update is not None
    await app.process_update(update)


def check_sent_messages(rec: RecordingRequest) -> None:
    """Every message the bot sent or edited is one Telegram accepts, with at most six buttons
    the bot understands."""
    for params in shown_messages(rec):
        text = params["text"]
        assert isinstance(text, str)
        assert 0 < len(text) <= MessageLimit.MAX_TEXT_LENGTH
        assert params["parse_mode"] == "HTML"
        assert params["link_preview_options"] == {"is_disabled": True}
        assert_telegram_html(text)
        assert len(buttons(params)) <= MAX_BUTTONS
        for button in buttons(params):
            assert button["text"]
            kinds = {"url", "callback_data", "switch_inline_query_chosen_chat"} & button.keys()
            assert len(kinds) == 1, button
            if "callback_data" in button:
                data = button["callback_data"]
                assert len(data.encode()) <= MAX_CALLBACK_BYTES, data
                assert actions.decode(data) is not None, data


def sent(rec: RecordingRequest) -> list[JSONDict]:
    return rec.calls_to("sendMessage")


def shown_messages(rec: RecordingRequest) -> list[JSONDict]:
    """What the user saw change: every sendMessage and editMessageText, in order."""
    return [p for m, p in rec.calls if m in ("sendMessage", "editMessageText")]


def only_message(rec: RecordingRequest, chat_id: int = CHAT_ID) -> JSONDict:
    """The single sendMessage of a one-message reply, to `chat_id`."""
    [params] = sent(rec)
    assert params["chat_id"] == chat_id
    return params


def buttons(params: JSONDict) -> list[JSONDict]:
    markup = params.get("reply_markup")
    if markup is None:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


def callback_data(params: JSONDict) -> list[str]:
    return [b["callback_data"] for b in buttons(params) if "callback_data" in b]


def button_for(params: JSONDict, label: str) -> str:
    [data] = [b["callback_data"] for b in buttons(params) if b["text"] == label]
    assert isinstance(data, str)
    return data


def all_text(rec: RecordingRequest) -> str:
    return "\n".join(rec.sent_texts())


@pytest.fixture
def questions(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the questions the handlers pass to `engine.ask`."""
    asked: list[str] = []
    original = engine.ask

    def ask(text: str) -> Answer:
        asked.append(text)
        return original(text)

    monkeypatch.setattr(engine, "ask", ask)
    return asked


# -- commands -------------------------------------------------------------------------------------


async def test_start_welcomes_with_the_main_menu(app: App, rec: RecordingRequest) -> None:
    await feed(app, command_update("/start"))

    assert rec.methods == ["sendMessage"]
    params = only_message(rec)
    assert params["text"] == "Tekst welkom"
    assert callback_data(params) == MAIN_MENU
    assert [b["text"] for b in buttons(params)] == [
        "Tekst knop stappenplan",
        "Knop beslishulp",
        "Tekst knop faq",
        "Tekst knop contact",
        "Tekst knop noodnummers",
        "Tekst knop leren",
    ]  # six at most: privacy, the least likely need, is left out (/privacy; in "Mag dat?")


@pytest.mark.parametrize(
    ("command", "expected_start", "expected_buttons"),
    [
        (
            "/stappenplan",
            "<b>Stappenplan</b>\n\nKern over het stappenplan.\n<blockquote expandable>Alle "
            "stappen.",
            [f"i*:{step}" for step in STEPS],
        ),
        ("/contact", "Tekst vraag postcode\n\n<i>Tekst privacy kort</i>", PROVINCES),
        ("/contact 3500", "<b>Voor 3500 Hasselt (Limburg):</b>\n\n<b>Vk limburg</b>", None),
        (
            "/contact Gent",
            "<b>Voor Gent (Oost-Vlaanderen):</b>\n\n<b>Vk oost vlaanderen</b>",
            None,
        ),
        ("/contact Atlantis", "Tekst regio niet gevonden", MAIN_MENU),
        (
            "/leren",
            "<b>Tekst leren titel</b>",
            ["i:e-learning", "i:vorming", "i:supervisie", "i:draaiboek", "m*"],
        ),
        ("/noodnummers", "<b>Noodnummers</b>\n\nKern over noodnummers.", ["m"]),
        ("/privacy", "<b>Privacy</b>\n\nKern over privacy.", ["m"]),
        (
            "/help",
            "Tekst hulp\n<blockquote expandable>Tekst hulp commandos",
            [*MAIN_MENU[:5], "i:privacy"],  # help is also about what (not) to type
        ),
        ("/menu", "<b>Tekst menu titel</b>", MAIN_MENU),
    ],
)
async def test_commands(
    app: App,
    rec: RecordingRequest,
    command: str,
    expected_start: str,
    expected_buttons: list[str] | None,
) -> None:
    await feed(app, command_update(command))

    params = only_message(rec)
    assert params["text"].startswith(expected_start)
    if expected_buttons is not None:
        assert callback_data(params) == expected_buttons


@pytest.mark.parametrize("command", ["/contact 3500", "/contact Gent"])
async def test_contact_with_a_place_shows_the_regional_vk_and_local_partners(
    app: App, rec: RecordingRequest, command: str
) -> None:
    await feed(app, command_update(command))

    params = only_message(rec)
    # The central website as a short linked label, and the phone route (1712) on the first
    # screen; no "partners in your neighbourhood" heading over generic partners.
    assert (
        'Tekst contact website: <a href="https://www.vertrouwenscentrum-kindermishandeling.be">'
        "vertrouwenscentrum-kindermishandeling.be</a>" in params["text"]
    )
    assert "Tekst vk telefoon route" in first_screen_of(params["text"])
    assert callback_data(params) == ["i:caw", "i:huis-van-het-kind", "m"]


def test_every_command_in_the_content_menu_has_a_handler(engine: Engine) -> None:
    advertised = {command.commando for command in engine.store.current.library.commands}
    assert advertised
    assert advertised <= {"start", *COMMANDS}


# -- free text ------------------------------------------------------------------------------------


async def test_a_question_gets_its_answer(app: App, rec: RecordingRequest) -> None:
    await feed(app, text_update("Ik twijfel, wat nu?"))

    params = only_message(rec)
    # The core first; the text, the sources as short linked labels and the review date in
    # the expandable quotation below it.
    assert params["text"] == (
        "<b>Twijfel</b>\n\nKern over twijfel.\n<blockquote expandable>Antwoord over twijfel."
        '\n\nTekst bronnen: <a href="https://example.org/twijfel">example.org</a>\n'
        "Nagekeken op 01-11-2026</blockquote>"
    )
    assert first_screen_of(params["text"]) == "Twijfel\n\nKern over twijfel.\n"
    assert callback_data(params) == ["m"]


async def test_an_ambiguous_question_asks_bedoel_je_with_one_option_a_row(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, text_update("signalen"))

    params = only_message(rec)
    assert params["text"] == "<b>Tekst bedoel je</b>"
    rows = params["reply_markup"]["inline_keyboard"]
    assert all(len(row) == 1 for row in rows)
    data = callback_data(params)
    assert len(data) == 6
    assert all(d.startswith("i*:signalen-") for d in data[:-2])
    assert data[-2:] == ["n*", "m*"]
    assert [b["text"] for b in buttons(params)][-2:] == ["Tekst geen van deze", "Tekst knop menu"]


async def test_an_unknown_question_falls_back_to_human_routes(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, text_update("wat is het weer op mars"))

    params = only_message(rec)
    # The danger line comes first, then the honest "not found", then the human routes.
    assert (
        params["text"] == "<b>Is een kind nu in gevaar? Bel 112 of 101.</b>\n\nTekst geen antwoord"
    )
    assert callback_data(params) == FALLBACK


@pytest.mark.parametrize(
    "question", ["er is een mes", "het kind is bewusteloos", "ze is in gevaar"]
)
async def test_an_urgent_question_opens_with_the_urgent_heading(
    app: App, rec: RecordingRequest, question: str
) -> None:
    await feed(app, text_update(question))

    first = only_message(rec)
    assert first["chat_id"] == CHAT_ID
    # The emergency reply alone: the numbers first, the next steps, three buttons.
    assert first["text"] == "<b>Bel 112 of 101.</b>\n\n• Verwittig je verantwoordelijke."
    assert callback_data(first) == ["c", "i:noodnummers", "m"]


async def test_only_punctuation_gets_the_empty_message_text(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, text_update("?!"))
    assert only_message(rec)["text"] == "Tekst leeg bericht"


async def test_an_edited_message_is_not_answered_again(app: App, rec: RecordingRequest) -> None:
    payload = text_update("twijfel")
    payload["edited_message"] = payload.pop("message")
    await feed(app, payload)
    assert rec.calls == []


# -- buttons --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected_start", "expected_buttons"),
    [
        ("i:twijfel", "<b>Twijfel</b>\n\nKern over twijfel.", ["m"]),
        ("i:vk-limburg", "<b>Vk limburg</b>", ["m"]),
        ("m", "<b>Tekst menu titel</b>\n\n<i>Tekst privacy kort</i>", MAIN_MENU),
        ("c", "Tekst vraag postcode", PROVINCES),
        (
            "l",
            "<b>Tekst leren titel</b>",
            ["i:e-learning", "i:vorming", "i:supervisie", "i:draaiboek", "m*"],
        ),
        ("n", "<b>Is een kind nu in gevaar? Bel 112 of 101.</b>", FALLBACK),
        (
            "p:3500",
            "<b>Voor 3500 Hasselt (Limburg):</b>\n\n<b>Vk limburg</b>",
            ["i:caw", "i:huis-van-het-kind", "m"],
        ),
        ("p:9999", "Tekst regio niet gevonden", MAIN_MENU),
        ("q", "<b>Tekst faq titel</b>", ["t*:signalen", "t*:recht", "m*"]),
        (
            "t:signalen",
            "<b>Thema signalen</b>",
            ["i:twijfel", "i:signalen-lichamelijk", "i:signalen-seksueel", "q*"],
        ),
    ],
)
async def test_every_button_kind(
    app: App,
    rec: RecordingRequest,
    data: str,
    expected_start: str,
    expected_buttons: list[str],
) -> None:
    payload = button_update(data)
    await feed(app, payload)

    # The press is acknowledged first (the spinner on the button stops), then answered.
    assert rec.methods == ["answerCallbackQuery", "sendMessage"]
    assert rec.calls_to("answerCallbackQuery") == [
        {"callback_query_id": payload["callback_query"]["id"]}
    ]
    params = only_message(rec)
    assert params["text"].startswith(expected_start)
    assert callback_data(params) == expected_buttons


async def test_step_navigation_walks_the_plan_forwards_and_back_in_one_message(
    app: App, rec: RecordingRequest
) -> None:
    """Moving through the step plan edits the pressed message: the plan stays one message."""
    await feed(app, button_update("i*:stappenplan", message_id=777))
    [overview] = rec.calls_to("editMessageText")
    assert overview["message_id"] == 777
    assert "sendMessage" not in rec.methods
    data = button_for(overview, "Signalen noteren")

    # Forwards with "volgende", from the first step to the last.
    for number, step in enumerate(STEPS, start=1):
        await feed(app, button_update(data, message_id=777))
        params = rec.calls_to("editMessageText")[-1]
        assert params["message_id"] == 777
        title = step.replace("-", " ").capitalize()
        assert params["text"].startswith(f"<i>Stap {number} van 6</i>\n\n<b>{title}</b>")
        labels = [b["text"] for b in buttons(params)]
        assert ("Tekst knop vorige" in labels) == (number > 1)
        assert ("Tekst knop volgende" in labels) == (number < len(STEPS))
        assert button_for(params, "Tekst knop alle stappen") == "i*:stappenplan"
        assert button_for(params, "Tekst knop menu") == "m*"
        if number < len(STEPS):
            data = button_for(params, "Tekst knop volgende")
            assert data == f"i*:{STEPS[number]}"

    # And back with "vorige", from the last step to the first.
    for number in range(len(STEPS), 1, -1):
        data = button_for(rec.calls_to("editMessageText")[-1], "Tekst knop vorige")
        assert data == f"i*:{STEPS[number - 2]}"
        await feed(app, button_update(data, message_id=777))
        assert rec.calls_to("editMessageText")[-1]["text"].startswith(
            f"<i>Stap {number - 1} van 6</i>"
        )

    assert "sendMessage" not in rec.methods
    assert rec.methods.count("answerCallbackQuery") == 1 + len(STEPS) + len(STEPS) - 1


async def test_a_related_item_under_a_step_opens_as_a_new_message(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, button_update("i:twijfel"))
    assert rec.methods == ["answerCallbackQuery", "sendMessage"]


@pytest.mark.parametrize(
    "failure",
    [
        "Bad Request: message to edit not found",
        "Bad Request: message can't be edited",
    ],
)
async def test_when_the_pressed_message_cannot_be_edited_a_new_one_is_sent(
    engine: Engine, failure: str
) -> None:
    def refuse(params: JSONDict) -> object:
        raise BadRequest(failure)

    rec = RecordingRequest(responses={"editMessageText": refuse})
    async with running(engine, rec) as app:
        await feed(app, button_update("i*:stappenplan"))

    assert rec.methods == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    assert sent(rec)[0]["text"].startswith("<b>Stappenplan</b>")
    assert callback_data(sent(rec)[0])[0] == "i*:signalen-noteren"


async def test_a_menu_edit_that_changes_nothing_sends_nothing_more(engine: Engine) -> None:
    def unchanged(params: JSONDict) -> object:
        raise BadRequest("Bad Request: message is not modified: specified new message content")

    rec = RecordingRequest(responses={"editMessageText": unchanged})
    async with running(engine, rec) as app:
        await feed(app, button_update("m*"))
    assert rec.methods == ["answerCallbackQuery", "editMessageText"]


async def test_a_too_old_message_is_not_edited_but_answered_anew(
    app: App, rec: RecordingRequest
) -> None:
    # Telegram sends an InaccessibleMessage (date 0) for a message it no longer lets us touch.
    payload = button_update("i*:stappenplan")
    message = payload["callback_query"]["message"]
    payload["callback_query"]["message"] = {
        "chat": message["chat"],
        "message_id": message["message_id"],
        "date": 0,
    }
    await feed(app, payload)
    assert rec.methods == ["answerCallbackQuery", "sendMessage"]
    assert only_message(rec)["text"].startswith("<b>Stappenplan</b>")


async def test_a_step_button_under_an_inline_message_opens_the_bot_on_it(
    engine: Engine,
) -> None:
    # A shared message stays the same for everyone in its chat (issue 12): only the decision
    # aid moves in it (see the next test); a step button answers with a deep link that opens
    # it in the presser's own chat with the bot.
    payload = button_update("i*:stappenplan")
    query = payload["callback_query"]
    del query["message"]
    query["inline_message_id"] = "inline-1"

    rec = RecordingRequest()
    async with running(engine, rec) as app:
        await feed(app, payload)
    assert rec.methods == ["answerCallbackQuery"]
    [answer] = rec.calls_to("answerCallbackQuery")
    assert answer["url"] == f"https://t.me/{BOT_USERNAME}?start=stappenplan"


async def test_replies_land_in_the_forum_topic_they_answer(
    app: App, rec: RecordingRequest, questions: list[str]
) -> None:
    topic = 55
    text = f"@{BOT_USERNAME} twijfel"
    question = text_update(text, chat_type="supergroup", entities=mention_entities(text))
    question["message"].update(message_thread_id=topic, is_topic_message=True)
    command = command_update("/menu", chat_type="supergroup", bot_username=BOT_USERNAME)
    command["message"].update(message_thread_id=topic, is_topic_message=True)
    press = button_update("i:twijfel", chat_type="supergroup")
    press["callback_query"]["message"].update(message_thread_id=topic, is_topic_message=True)
    for payload in (question, command, press):
        await feed(app, payload)

    assert len(sent(rec)) == 3
    assert all(p["chat_id"] == GROUP_CHAT_ID for p in sent(rec))
    assert all(p["message_thread_id"] == topic for p in sent(rec))


async def test_outside_topics_no_thread_is_named(app: App, rec: RecordingRequest) -> None:
    text = f"@{BOT_USERNAME} twijfel"
    await feed(app, text_update(text, chat_type="supergroup", entities=mention_entities(text)))
    assert "message_thread_id" not in only_message(rec, GROUP_CHAT_ID)


async def test_in_a_topic_only_a_reply_to_the_bot_itself_counts_as_addressed(
    app: App, rec: RecordingRequest
) -> None:
    # In a forum topic every message "replies" to the topic's first message; when the bot
    # opened the topic, that is not a question to it.
    payload = text_update("twijfel", chat_type="supergroup", reply_to_bot=True)
    message = payload["message"]
    message.update(message_thread_id=message["reply_to_message"]["message_id"])
    message["is_topic_message"] = True
    await feed(app, payload)
    assert rec.calls == []


async def test_every_button_the_bot_sends_leads_somewhere(
    app: App, rec: RecordingRequest, engine: Engine
) -> None:
    """Crawl: press every button reachable from /start, /help, the fallback and a place; none
    is dead."""
    for payload in (
        command_update("/start"),
        command_update("/help"),  # privacy: the main menu has no room for it
        text_update("wat is het weer op mars"),
        text_update("signalen"),
        command_update("/contact 3500"),
    ):
        await feed(app, payload)
    pressed: set[str] = set()
    while todo := sorted({d for p in shown_messages(rec) for d in callback_data(p)} - pressed):
        for data in todo:
            pressed.add(data)
            before = len(shown_messages(rec))
            await feed(app, button_update(data))
            replies = shown_messages(rec)[before:]
            assert replies, data
            assert "Tekst knop verlopen" not in replies[0]["text"], data
            assert "Tekst verlopen." not in replies[0]["text"], data

    items = set(engine.store.current.library.items)
    shown = {d.partition(":")[2] for d in pressed if d.startswith(("i:", "i*:"))}
    assert shown <= items
    learning = {"e-learning", "vorming", "supervisie", "draaiboek"}
    assert {*STEPS, *learning, "stappenplan", "1712", "caw", "noodnummers", "privacy"} <= shown
    assert {"beslishulp", "signalen-noteren", "advies-vragen"} <= shown
    assert {"c", "c*", "l*", "m", "m*", "n*", "q*", "t*:signalen", "t*:recht", "b"} <= pressed
    # Every question and outcome of the fixture tree was reached by pressing.
    decided = {d.split(":")[1] for d in pressed if d.startswith("b:")}
    assert decided == {"gevaar", "thuis", "genoteerd", "bellen", "collega", "advies", "noteren"}


# -- the decision aid: moving in one message ------------------------------------------------------

DECISION_START = (
    "<b>Beslishulp</b>\n\nKern beslishulp.\n\n<b>Vraag gevaar?</b>\n\nUitleg gevaar.\n"
    "<blockquote expandable>Uitleg beslishulp.</blockquote>"
)


def edits(rec: RecordingRequest) -> list[JSONDict]:
    return rec.calls_to("editMessageText")


async def test_beslishulp_command_sends_the_first_question(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, command_update("/beslishulp"))

    params = only_message(rec)
    assert params["text"] == DECISION_START
    assert callback_data(params) == ["b:bellen:1", "b:thuis:2", "m"]


@pytest.mark.parametrize(
    "payload",
    [
        command_update("/start beslishulp"),
        button_update("i:beslishulp"),
        text_update("beslishulp"),
    ],
    ids=["deep-link", "menu-button", "free-text"],
)
async def test_every_way_in_sends_the_first_question_as_a_new_message(
    app: App, rec: RecordingRequest, payload: JSONDict
) -> None:
    await feed(app, payload)

    assert edits(rec) == []
    assert sent(rec)[-1]["text"].endswith(DECISION_START)


async def test_an_answer_edits_the_pressed_message(app: App, rec: RecordingRequest) -> None:
    payload = button_update("b:thuis:2", message_id=777, message_text="Vraag gevaar?")
    await feed(app, payload)

    assert rec.methods == ["answerCallbackQuery", "editMessageText"]
    [edit] = edits(rec)
    assert edit["chat_id"] == CHAT_ID
    assert edit["message_id"] == 777
    assert edit["parse_mode"] == "HTML"
    assert edit["text"] == "<i>Beslishulp</i>\n\n<b>Vraag thuis?</b>"
    assert callback_data(edit) == ["b:genoteerd:21", "b:collega:22", "b:gevaar:", "b", "m"]


async def test_a_walk_to_an_outcome_stays_in_one_message(app: App, rec: RecordingRequest) -> None:
    await feed(app, command_update("/beslishulp"))
    shown = sent(rec)[-1]
    # Three answers (to an outcome), "Vorige", another answer (another outcome).
    for label in ("Nee gevaar", "Ja thuis", "Nog niet genoteerd", "Tekst knop vorige"):
        await feed(app, button_update(button_for(shown, label), message_id=4242))
        shown = edits(rec)[-1]
    assert shown["text"] == "<i>Beslishulp</i>\n\n<b>Vraag genoteerd?</b>"
    await feed(app, button_update(button_for(shown, "Ja genoteerd"), message_id=4242))

    assert len(sent(rec)) == 1  # only /beslishulp itself sent a message
    assert [e["message_id"] for e in edits(rec)] == [4242] * 5
    assert "<b>Uitkomst noteren</b>" in edits(rec)[2]["text"]
    summary = edits(rec)[-1]
    assert summary["text"].startswith(
        "<i>Tekst samenvatting</i>\n\n• Vraag gevaar? → Nee gevaar\n• Vraag thuis? → Ja thuis\n"
        "• Vraag genoteerd? → Ja genoteerd\n\n<b>Uitkomst advies</b>\n\nAdvies vk.\n\n"
        "<b>Tekst slotzin.</b>"
    )
    assert "i:stappenplan" in callback_data(summary)


NOT_MODIFIED = (
    "Message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
"""Telegram's refusal of an edit that changes nothing."""


def refuse_edit(description: str) -> Callable[[JSONDict], object]:
    def refuse(params: JSONDict) -> object:
        raise BadRequest(description)

    return refuse


@pytest.mark.parametrize(
    "description",
    [
        "Message can't be edited",
        "Message to edit not found",
        "MESSAGE_ID_INVALID",
    ],
)
async def test_when_the_edit_fails_the_answer_comes_as_a_new_message(
    engine: Engine, description: str, caplog: pytest.LogCaptureFixture
) -> None:
    rec = RecordingRequest(responses={"editMessageText": refuse_edit(description)})
    caplog.set_level(logging.INFO)
    async with running(engine, rec) as app:
        await feed(app, button_update("b:thuis:2", message_id=5))

    assert rec.methods == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    params = only_message(rec)
    assert params["text"] == "<i>Beslishulp</i>\n\n<b>Vraag thuis?</b>"
    assert callback_data(params) == ["b:genoteerd:21", "b:collega:22", "b:gevaar:", "b", "m"]
    assert "could not edit the pressed message" in caplog.text


async def test_a_decision_edit_that_changes_nothing_sends_nothing_more(engine: Engine) -> None:
    rec = RecordingRequest(responses={"editMessageText": refuse_edit(NOT_MODIFIED)})
    async with running(engine, rec) as app:
        await feed(app, button_update("b:thuis:2"))

    assert rec.methods == ["answerCallbackQuery", "editMessageText"]


async def test_an_inaccessible_message_is_answered_with_a_new_one(
    app: App, rec: RecordingRequest
) -> None:
    payload = button_update("b:thuis:2", message_id=9)
    # How the Bot API shows a message too old or deleted: only its chat, id and date 0.
    payload["callback_query"]["message"] = {
        "chat": chat_dict(CHAT_ID),
        "message_id": 9,
        "date": 0,
    }
    await feed(app, payload)

    assert rec.methods == ["answerCallbackQuery", "sendMessage"]
    assert only_message(rec)["text"] == "<i>Beslishulp</i>\n\n<b>Vraag thuis?</b>"


async def test_an_inline_message_button_edits_that_message_through_its_id(
    app: App, rec: RecordingRequest
) -> None:
    # More on presses on inline-sent messages in tests/test_sharing_telegram.py.
    payload = button_update("b:thuis:2")
    del payload["callback_query"]["message"]
    payload["callback_query"]["inline_message_id"] = "inline-1"
    await feed(app, payload)

    # The decision aid moves on in the inline message too (it has no chat to answer in);
    # the press is answered after the edit (a refused edit is answered with a deep link).
    assert rec.methods == ["editMessageText", "answerCallbackQuery"]
    [edit] = edits(rec)
    assert edit["inline_message_id"] == "inline-1"
    assert "chat_id" not in edit
    assert edit["text"] == "<i>Beslishulp</i>\n\n<b>Vraag thuis?</b>"


async def test_a_reply_too_long_for_one_message_edits_the_first_part_and_sends_the_rest(
    app: App, rec: RecordingRequest, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = Reply(
        tuple(Block(Style.TEXT, (f"{n} " + "x" * 3000,)) for n in range(3)),
        ((Button("Ok", "m"),),),
        replace=True,
    )
    monkeypatch.setattr(engine, "press", lambda payload: long)
    await feed(app, button_update("b:thuis:2", message_id=3))

    assert rec.methods == ["answerCallbackQuery", "editMessageText", "sendMessage", "sendMessage"]
    assert edits(rec)[0]["text"].startswith("0 x")
    assert "reply_markup" not in edits(rec)[0] or edits(rec)[0]["reply_markup"] is None
    assert [p["text"][:3] for p in sent(rec)] == ["1 x", "2 x"]
    assert callback_data(sent(rec)[-1]) == ["m"]


async def test_the_rest_of_a_long_edited_reply_lands_in_the_pressed_message_topic(
    app: App, rec: RecordingRequest, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = Reply(
        tuple(Block(Style.TEXT, (f"{n} " + "x" * 3000,)) for n in range(2)),
        ((Button("Ok", "m"),),),
        replace=True,
    )
    monkeypatch.setattr(engine, "press", lambda payload: long)
    payload = button_update("i*:stappenplan", chat_type="supergroup", message_id=8)
    payload["callback_query"]["message"].update(message_thread_id=55, is_topic_message=True)
    await feed(app, payload)

    assert rec.methods == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    assert edits(rec)[0]["message_id"] == 8
    [rest] = sent(rec)
    assert rest["chat_id"] == GROUP_CHAT_ID
    assert rest["message_thread_id"] == 55


@pytest.mark.parametrize(
    "data", ["b:gevaar:1", "b:bestaat-niet:", "b:thuis:9", "b:thuis:2 ", "b::"]
)
async def test_a_forged_decision_button_gets_the_note_and_the_start_in_place(
    app: App, rec: RecordingRequest, data: str
) -> None:
    await feed(app, button_update(data))

    assert rec.methods == ["answerCallbackQuery", "editMessageText"]
    [edit] = edits(rec)
    assert edit["text"] == "<b>Tekst verlopen.</b>\n\n" + DECISION_START
    assert callback_data(edit) == ["b:bellen:1", "b:thuis:2", "m"]


async def test_opnieuw_edits_back_to_the_start(app: App, rec: RecordingRequest) -> None:
    await feed(app, button_update("b"))

    [edit] = edits(rec)
    assert edit["text"] == DECISION_START
    assert sent(rec) == []


# -- forged or outdated callback data -------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "random-string",
        "i:does-not-exist",
        "i:" + "a" * 60,
        "i:" + "a" * 62,  # exactly 64 bytes
        "x" * 200,  # more than Telegram would ever deliver
        "i:ñandú",
        "💣",
        "i:Twijfel",
        "i:twijfel ",
        "i:../../etc/passwd",
        "m:extra",
        "p:0000",
        "p:35000",
        "p:",
        "i:",
        ":",
        "",
    ],
)
async def test_forged_callback_data_gets_a_polite_note_and_the_menu(
    app: App, rec: RecordingRequest, data: str
) -> None:
    await feed(app, button_update(data))

    assert rec.methods == ["answerCallbackQuery", "sendMessage"]
    params = only_message(rec)
    assert params["text"] == "Tekst knop verlopen"
    assert callback_data(params) == MAIN_MENU


# -- deep links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected_start"),
    [
        ("/start signalen-noteren", "<i>Stap 1 van 6</i>\n\n<b>Signalen noteren</b>"),
        ("/start twijfel", "<b>Twijfel</b>"),
        ("/start pc-3500", "<b>Voor 3500 Hasselt (Limburg):</b>\n\n<b>Vk limburg</b>"),
        (
            "/start pc-9000",
            "<b>Voor 9000 Gent (Oost-Vlaanderen):</b>\n\n<b>Vk oost vlaanderen</b>",
        ),
        ("/start pc-9999", "Tekst regio niet gevonden"),
        ("/start", "Tekst welkom"),
        ("/start bestaat-niet", "Tekst link verlopen\n\nTekst welkom"),
        ("/start pc-0000", "Tekst link verlopen\n\nTekst welkom"),
        ("/start Twijfel", "Tekst link verlopen\n\nTekst welkom"),
        ("/start " + "a" * 64, "Tekst link verlopen\n\nTekst welkom"),
        ("/start <b>x</b>", "Tekst link verlopen\n\nTekst welkom"),
        ("/start \ud800", "Tekst link verlopen\n\nTekst welkom"),
    ],
)
async def test_deep_links(
    app: App, rec: RecordingRequest, command: str, expected_start: str
) -> None:
    await feed(app, command_update(command))
    assert only_message(rec)["text"].startswith(expected_start)


# -- groups ---------------------------------------------------------------------------------------


async def test_a_plain_group_message_is_ignored(app: App, rec: RecordingRequest) -> None:
    await feed(app, group_text_update("twijfel", mention_bot=False))
    await feed(app, group_text_update("er is een mes", mention_bot=False))
    assert rec.calls == []


async def test_a_mention_of_another_bot_is_ignored(app: App, rec: RecordingRequest) -> None:
    await feed(app, group_text_update("twijfel", mention_bot=True, bot_username="OtherBot"))
    assert rec.calls == []


@pytest.mark.parametrize(
    ("text", "expected_question"),
    [
        (f"@{BOT_USERNAME} twijfel", "twijfel"),
        (f"ik @{BOT_USERNAME} twijfel", "ik   twijfel"),
        (f"twijfel @{BOT_USERNAME.lower()}", "twijfel"),
        (f"twijfel, @{BOT_USERNAME}?", "twijfel,  ?"),
    ],
)
async def test_a_mention_is_answered_without_the_mention(
    app: App, rec: RecordingRequest, questions: list[str], text: str, expected_question: str
) -> None:
    entities = mention_entities(text)
    assert len(entities) == 1
    await feed(app, text_update(text, chat_type="supergroup", entities=entities))

    assert questions == [expected_question]
    params = only_message(rec, GROUP_CHAT_ID)
    assert params["text"].startswith("<b>Twijfel</b>")


async def test_a_reply_to_the_bot_in_a_group_is_answered(
    app: App, rec: RecordingRequest, questions: list[str]
) -> None:
    await feed(app, text_update("twijfel", chat_type="supergroup", reply_to_bot=True))

    assert questions == ["twijfel"]
    assert only_message(rec, GROUP_CHAT_ID)["text"].startswith("<b>Twijfel</b>")


async def test_a_reply_to_someone_else_in_a_group_is_ignored(
    app: App, rec: RecordingRequest
) -> None:
    payload = text_update("twijfel", chat_type="supergroup")
    payload["message"]["reply_to_message"] = {
        "message_id": 1,
        "date": payload["message"]["date"],
        "chat": chat_dict(GROUP_CHAT_ID, "supergroup"),
        "from": user_dict(USER_ID + 1),
        "text": "hallo",
    }
    await feed(app, payload)
    assert rec.calls == []


@pytest.mark.parametrize(
    ("command", "expected_start"),
    [
        ("/start", "Tekst welkom"),
        ("/menu", "<b>Tekst menu titel</b>"),
        ("/contact 3500", "<b>Voor 3500 Hasselt (Limburg):</b>"),
    ],
)
async def test_commands_addressed_to_the_bot_in_a_group(
    app: App, rec: RecordingRequest, command: str, expected_start: str
) -> None:
    await feed(app, command_update(command, chat_type="supergroup", bot_username=BOT_USERNAME))
    assert only_message(rec, GROUP_CHAT_ID)["text"].startswith(expected_start)


async def test_commands_for_another_bot_in_a_group_are_ignored(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, command_update("/start", chat_type="supergroup", bot_username="OtherBot"))
    assert rec.calls == []


async def test_a_button_in_a_group_answers_in_the_group(app: App, rec: RecordingRequest) -> None:
    await feed(app, button_update("i:twijfel", chat_type="supergroup"))
    assert only_message(rec, GROUP_CHAT_ID)["text"].startswith("<b>Twijfel</b>")


# -- long texts -----------------------------------------------------------------------------------


async def test_a_10000_character_message_is_answered_within_the_limits(
    app: App, rec: RecordingRequest, questions: list[str]
) -> None:
    text = ("twijfel " + "<&> " * 2498)[:10_000]
    assert len(text) == 10_000
    await feed(app, text_update(text))

    assert questions == [text]  # the adapter passes it on; the engine cuts it
    assert sent(rec)
    assert all(len(p["text"]) <= MessageLimit.MAX_TEXT_LENGTH for p in sent(rec))
    assert sent(rec)[0]["text"].startswith("<b>Twijfel</b>")


async def test_a_huge_reply_is_split_with_the_keyboard_on_the_last_message(
    app: App, rec: RecordingRequest, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = (
        Block(Style.TITLE, ("Lang <antwoord> & meer",)),
        *(Block(Style.TEXT, (f"alinea{n} " + " ".join(["woord"] * 600),)) for n in range(8)),
        Block(Style.BULLETS, tuple(f"punt{n} " + "x" * 80 for n in range(100))),
        Block(Style.NOTE, (" ".join(["noot"] * 1500),)),
    )
    huge = Reply(blocks, ((Button("Menu", "m"), Button("Site", url="https://example.org")),))

    def ask(text: str) -> Answer:
        return Answer(Outcome.ANSWER, False, (), huge, 0.0)

    monkeypatch.setattr(engine, "ask", ask)
    await feed(app, text_update("iets"))

    messages = sent(rec)
    assert len(messages) >= 6
    assert all(p["chat_id"] == CHAT_ID for p in messages)
    assert all(len(p["text"]) <= MessageLimit.MAX_TEXT_LENGTH for p in messages)
    assert ["reply_markup" in p for p in messages] == [False] * (len(messages) - 1) + [True]
    assert buttons(messages[-1]) == [
        {"text": "Menu", "callback_data": "m"},
        {"text": "Site", "url": "https://example.org"},
    ]
    visible = "\n".join(assert_telegram_html(p["text"]) for p in messages)
    assert visible.startswith("Lang <antwoord> & meer")
    for n in range(8):
        assert f"alinea{n}" in visible
    assert [line for line in visible.split("\n") if line.startswith("• punt")] == [
        f"• punt{n} " + "x" * 80 for n in range(100)
    ]
    assert visible.split().count("noot") == 1500


# -- HTML safety ----------------------------------------------------------------------------------


async def test_user_input_never_reaches_a_message_unescaped(
    app: App, rec: RecordingRequest
) -> None:
    for text in (
        "<script>alert(1)</script> twijfel",
        "<b>Gent</b> & co",
        "/contact <i>3500</i>",
        "<a href='x'>signalen</a>",
    ):
        payload = command_update(text) if text.startswith("/") else text_update(text)
        await feed(app, payload)
    await feed(app, command_update("/contact <b>Atlantis</b> &amp;"))

    assert len(sent(rec)) == 5
    everything = all_text(rec)
    for raw in ("<script>", "<a href='x'>", "<b>Gent", "<i>3500", "<b>Atlantis", "&amp;amp;"):
        assert raw not in everything


@pytest.fixture
def html_content(content_copy: Path) -> Path:
    """The fixture content with HTML-like characters in an item's title and text."""
    path = content_copy / "vragen.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    [item] = [i for i in data["vragen"] if i["id"] == "twijfel"]
    item["titel"] = "Twijfel <b>& co</b> <script>"
    item["tekst"] = "A < B & C > D, &amp; blijft &amp;."
    item["knop"] = "Twijfel <&>"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return content_copy


async def test_content_with_html_characters_is_escaped(html_content: Path) -> None:
    rec = RecordingRequest()
    async with running(Engine(ContentStore.open(html_content)), rec) as app:
        await feed(app, text_update("twijfel"))
        await feed(app, text_update("twijfel vorming"))

    text = sent(rec)[0]["text"]
    assert text.startswith("<b>Twijfel &lt;b&gt;&amp; co&lt;/b&gt; &lt;script&gt;</b>\n\n")
    assert "A &lt; B &amp; C &gt; D, &amp;amp; blijft &amp;amp;." in text
    assert assert_telegram_html(text).startswith("Twijfel <b>& co</b> <script>\n\n")
    # Button labels are plain text in Telegram: not escaped.
    assert "Twijfel <&>" in [b["text"] for p in sent(rec) for b in buttons(p)]


# -- errors ---------------------------------------------------------------------------------------

PRIVATE_QUESTION = "Mijn buurkind Jantje Peeters (Kerkstraat 7) heeft blauwe plekken"


async def test_a_failing_handler_tells_the_user_and_logs_no_message_text(
    app: App,
    rec: RecordingRequest,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def ask(text: str) -> Answer:
        # The worst case: an exception whose message quotes what the user typed.
        raise RuntimeError(f"engine exploded on {text!r}")

    monkeypatch.setattr(engine, "ask", ask)
    caplog.set_level(logging.INFO)
    payload = text_update(PRIVATE_QUESTION)
    await feed(app, payload)

    params = only_message(rec)
    assert params["text"] == "Tekst fout"
    assert callback_data(params) == MAIN_MENU
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.name == "bot_telegram.handlers"
    message = record.getMessage()
    assert str(payload["update_id"]) in message
    assert "RuntimeError" in message
    assert "in ask" in message  # the traceback's frames are there ...
    # ... but not the exception's message, which here quotes what the user typed.
    for word in ("Jantje", "Peeters", "Kerkstraat", "blauwe plekken"):  # ... the question not
        assert word not in caplog.text
        assert all(word not in str(r.args) for r in caplog.records)


async def test_a_failing_button_handler_tells_the_user(
    app: App, rec: RecordingRequest, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def press(payload: str) -> Reply:
        raise KeyError(payload)

    monkeypatch.setattr(engine, "press", press)
    await feed(app, button_update("i:twijfel"))

    assert rec.methods == ["answerCallbackQuery", "sendMessage"]
    assert only_message(rec)["text"] == "Tekst fout"


async def test_when_telegram_keeps_failing_the_update_is_given_up_without_an_apology(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(params: JSONDict) -> object:
        raise NetworkError("connection reset")  # the request went out: it may have landed

    rec = RecordingRequest(responses={"sendMessage": unreachable})
    caplog.set_level(logging.INFO)
    async with running(engine, rec) as app:
        await feed(app, text_update(PRIVATE_QUESTION))  # must not raise

    # Two attempts that may both have landed, then no third (at most twice on screen), and
    # no "er ging iets mis" after an answer that may be there.
    assert rec.methods == ["sendMessage", "sendMessage"]
    assert [p["text"] for p in sent(rec)] == [sent(rec)[0]["text"]] * 2
    assert "Tekst fout" not in all_text(rec)
    levels = [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.WARNING]
    assert levels == [("bot_telegram.delivery", "WARNING"), ("bot_telegram.handlers", "ERROR")]
    [given_up] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "SendFailed" in given_up.getMessage()
    assert "no apology for update" in caplog.text
    assert "Jantje" not in caplog.text


# -- start-up: command menu and descriptions ------------------------------------------------------


async def test_initialize_does_not_run_post_init(app: App, rec: RecordingRequest) -> None:
    # PTB runs post_init only in run_polling/run_webhook; `async with app` does not.
    assert "setMyCommands" not in rec.methods


async def test_post_init_sets_commands_and_descriptions_from_content(
    app: App, rec: RecordingRequest, engine: Engine
) -> None:
    assert app.post_init is not None
    await app.post_init(app)

    assert rec.methods == ["setMyCommands", "setMyDescription", "setMyShortDescription"]
    [commands] = rec.calls_to("setMyCommands")
    library = engine.store.current.library
    assert commands["commands"] == [
        {"command": c.commando, "description": c.beschrijving} for c in library.commands
    ]
    assert commands["commands"][:2] == [
        {"command": "start", "description": "Commando start"},
        {"command": "stappenplan", "description": "Commando stappenplan"},
    ]
    assert rec.calls_to("setMyDescription") == [{"description": "Tekst bot beschrijving"}]
    assert rec.calls_to("setMyShortDescription") == [
        {"short_description": "Tekst bot korte beschrijving"}
    ]


async def test_post_init_survives_telegram_refusing(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(params: JSONDict) -> object:
        raise NetworkError("HTTP 500")

    rec = RecordingRequest(responses={"setMyCommands": refuse})
    async with running(engine, rec) as app:
        assert app.post_init is not None
        await app.post_init(app)  # must not raise
        await feed(app, command_update("/start"))  # and the bot still works

    # Retried once (the refusal came after the request went out), then given up.
    assert rec.methods == ["setMyCommands", "setMyCommands", "sendMessage"]
    assert "could not set the command menu" in caplog.text


class FloodedRequest(RecordingRequest):
    """Answers the first `floods` sendMessage calls the way Telegram does when flooded (429)."""

    def __init__(self, floods: int) -> None:
        super().__init__()
        self.floods = floods

    async def do_request(  # noqa: PLR0917 - the signature is BaseRequest.do_request's
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if url.endswith("/sendMessage") and self.floods > 0:
            self.floods -= 1
            self.calls.append(
                ("sendMessage", dict(request_data.parameters) if request_data else {})
            )
            answer = {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 0.01",
                "parameters": {"retry_after": 0.01},
            }
            return HTTPStatus.TOO_MANY_REQUESTS, json.dumps(answer).encode()
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )


@pytest.fixture
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22.8 builds every RetryAfter with a PTBDeprecationWarning unless this documented
    # opt-in is set; the AIORateLimiter reads the timedelta either way.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.mark.usefixtures("ptb_timedelta")
async def test_the_rate_limiter_retries_after_a_flood_wait(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    rec = FloodedRequest(floods=2)
    caplog.set_level(logging.INFO)
    async with running(engine, rec, rate_limit=True) as app:
        await feed(app, text_update("twijfel"))

    # Two 429 answers, then the answer got through: the user sees it once.
    assert rec.methods == ["sendMessage"] * 3
    assert len({p["text"] for p in sent(rec)}) == 1
    assert sent(rec)[-1]["text"].startswith("<b>Twijfel</b>")
    assert caplog.text.count("Rate limit hit") == 2


@pytest.mark.usefixtures("ptb_timedelta")
async def test_a_flood_that_does_not_end_is_given_up_without_crashing(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    rec = FloodedRequest(floods=100)
    async with running(engine, rec, rate_limit=True) as app:
        await feed(app, text_update(PRIVATE_QUESTION))  # must not raise

    # The answer: 1 try + 3 retries; the apology: the same. Then the handler gives up.
    assert rec.methods == ["sendMessage"] * 8
    assert [p["text"] for p in sent(rec)][4:] == ["Tekst fout"] * 4
    assert "could not tell the user about the error" in caplog.text
    assert "Jantje" not in caplog.text


WEBHOOK_SECRET = "s3cret-Token_1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_webhook_mode_checks_the_secret_and_answers(
    engine: Engine, rec: RecordingRequest
) -> None:
    """Webhook mode with the arguments `bot_telegram.app.run` passes to `run_webhook`."""
    settings = Settings(
        content_dir=FIXTURE_CONTENT,
        token=TOKEN,
        webhook_url="https://bot.example.org/",
        webhook_secret=WEBHOOK_SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=free_port(),
    )
    app = build_application(
        settings, engine, request=rec, updates_request=RecordingRequest(), rate_limit=False
    )
    url = f"http://{settings.webhook_listen}:{settings.webhook_port}/"
    header = "X-Telegram-Bot-Api-Secret-Token"
    async with app:
        assert app.updater is not None
        await app.updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        await app.start()
        try:
            async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
                missing = await http.post(url, json=text_update("twijfel"))
                wrong = await http.post(url, json=text_update("twijfel"), headers={header: "x"})
                right = await http.post(
                    url, json=text_update("twijfel"), headers={header: WEBHOOK_SECRET}
                )
                for _ in range(500):
                    if sent(rec):
                        break
                    await asyncio.sleep(0.01)
        finally:
            await app.updater.stop()
            await app.stop()

    assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    [webhook] = rec.calls_to("setWebhook")
    assert webhook["url"] == "https://bot.example.org/"
    assert webhook["secret_token"] == WEBHOOK_SECRET
    assert webhook["allowed_updates"] == list(Update.ALL_TYPES)
    assert only_message(rec)["text"].startswith("<b>Twijfel</b>")


def test_rate_limiter_is_the_real_one_unless_turned_off(engine: Engine) -> None:
    assert isinstance(
        build(engine, RecordingRequest(), rate_limit=True).bot.rate_limiter, AIORateLimiter
    )
    assert build(engine, RecordingRequest()).bot.rate_limiter is None


def test_building_without_a_token_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN"):
        build_application(Settings(content_dir=FIXTURE_CONTENT), engine)


# -- content reload -------------------------------------------------------------------------------


@pytest.fixture
def content_with_extra_item(tmp_path: Path) -> Path:
    """The fixture content plus one item that the plain fixture lacks."""
    target = tmp_path / "with-extra"
    shutil.copytree(FIXTURE_CONTENT, target)
    path = target / "vragen.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["vragen"].append(
        {
            "id": "tijdelijk-item",
            "titel": "Tijdelijk item",
            "kern": "Kern over een tijdelijk item.",
            "tekst": "Antwoord over een tijdelijk item.",
            "zoektermen": ["tijdelijk item"],
            "bronnen": ["https://example.org/tijdelijk"],
            "nagekeken": "2026-11-01",
        }
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


async def test_a_button_for_an_item_removed_by_a_reload_gets_the_polite_note(
    content_with_extra_item: Path,
) -> None:
    engine = Engine(ContentStore.open(content_with_extra_item))
    rec = RecordingRequest()
    async with running(engine, rec) as app:
        await feed(app, button_update("i:tijdelijk-item"))
        assert sent(rec)[-1]["text"].startswith("<b>Tijdelijk item</b>")

        problems = engine.store.reload(FIXTURE_CONTENT)  # the same content without the item
        assert not [p for p in problems if p.level.name == "ERROR"]
        assert "tijdelijk-item" not in engine.store.current.library.items

        await feed(app, button_update("i:tijdelijk-item"))
        await feed(app, text_update("tijdelijk item"))

    after_reload = sent(rec)[1]
    assert after_reload["text"] == "Tekst knop verlopen"
    assert callback_data(after_reload) == MAIN_MENU
    assert "Tijdelijk" not in sent(rec)[2]["text"]


async def test_a_deep_link_to_an_item_removed_by_a_reload_says_the_link_is_outdated(
    content_with_extra_item: Path,
) -> None:
    engine = Engine(ContentStore.open(content_with_extra_item))
    rec = RecordingRequest()
    async with running(engine, rec) as app:
        await feed(app, command_update("/start tijdelijk-item"))
        engine.store.reload(FIXTURE_CONTENT)  # the same content without the item
        await feed(app, command_update("/start tijdelijk-item"))

    before, after = sent(rec)
    assert before["text"].startswith("<b>Tijdelijk item</b>")
    assert after["text"] == "Tekst link verlopen\n\nTekst welkom"
    assert callback_data(after) == MAIN_MENU


# -- /herlaad in groups, refusals --------------------------------------------------------------


async def test_herlaad_in_a_group_sends_the_result_privately_and_a_note_in_the_group(
    engine: Engine,
) -> None:
    rec = RecordingRequest()
    async with running(engine, rec, admins=frozenset({USER_ID})) as app:
        await feed(app, command_update("/herlaad", chat_type="supergroup"))

    private, note = sent(rec)
    assert private["chat_id"] == USER_ID
    assert private["text"].startswith("Herladen: ")
    assert note["chat_id"] == GROUP_CHAT_ID
    assert note["text"] == "Tekst herladen in prive"
    assert "reply_markup" not in note
    assert "Herladen" not in note["text"]  # the result never shows in the group


async def test_herlaad_in_a_group_when_the_bot_cannot_write_privately(engine: Engine) -> None:
    def forbidden_in_private(method: str, params: JSONDict, count: int) -> Fault | None:
        if method == "sendMessage" and params["chat_id"] == USER_ID:
            return Fault(status=403)  # "bot can't initiate conversation with a user"
        return None

    rec = FaultyRequest(forbidden_in_private)
    async with running(engine, rec, admins=frozenset({USER_ID})) as app:
        await feed(app, command_update("/herlaad", chat_type="supergroup"))

    assert rec.attempts_at("sendMessage") == [Fault(status=403), None]
    note = only_message(rec, GROUP_CHAT_ID)
    assert note["text"] == "Tekst herladen prive onmogelijk"


async def test_herlaad_refused_in_a_group_says_nothing(engine: Engine) -> None:
    rec = RecordingRequest()
    async with running(engine, rec, admins=frozenset({999})) as app:
        await feed(app, command_update("/herlaad", chat_type="supergroup"))
    assert rec.calls == []


async def test_refused_herlaad_is_logged_at_most_once_a_minute(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    now = [1000.0]
    rec = RecordingRequest()
    async with running(engine, rec, admins=frozenset({999}), clock=lambda: now[0]) as app:
        for _ in range(5):
            await feed(app, command_update("/herlaad"))
            now[0] += 10  # five refusals within 50 s
        now[0] += 20  # 70 s after the first
        await feed(app, command_update("/herlaad"))

    # Issue 11: a non-admin gets the ordinary help for an admin command, never a hint.
    assert [p["text"] for m, p in rec.calls] == [HELP] * 6
    lines = [r.getMessage() for r in caplog.records if "command refused" in r.getMessage()]
    assert lines == [
        "an admin command refused for a user who is not an admin",
        "an admin command refused for a user who is not an admin"
        " (and 4 more since the last report)",
    ]


# -- no silence: unknown commands, captions, everything else ---------------------------------


@pytest.mark.parametrize(
    ("command", "suggested"),
    [
        ("/hulp", "help"),
        ("/112", "noodnummers"),
        ("/contacts", "contact"),
        ("/noodnummer", "noodnummers"),
        ("/stappenplna", "stappenplan"),
        ("/Stappenplna met iets erachter", "stappenplan"),
    ],
)
async def test_an_unknown_command_gets_bedoelde_je_with_the_closest_and_the_menu(
    app: App, rec: RecordingRequest, command: str, suggested: str
) -> None:
    await feed(app, command_update(command))

    params = only_message(rec)
    assert params["text"] == "<b>Tekst onbekend commando</b>"
    assert buttons(params)[0] == {"text": f"/{suggested}", "callback_data": f"k:{suggested}"}
    assert callback_data(params)[1:] == MAIN_MENU[:5]  # the menu, as far as six buttons allow

    # The button runs that command.
    rec.clear()
    await feed(app, button_update(f"k:{suggested}"))
    pressed = sent(rec)[0]["text"]
    rec.clear()
    await feed(app, command_update(f"/{suggested}"))
    assert pressed == sent(rec)[0]["text"]


async def test_a_command_like_nothing_known_points_to_help(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, command_update("/xyz"))
    params = only_message(rec)
    assert params["text"] == "Tekst onbekend commando geen"
    assert callback_data(params) == MAIN_MENU


@pytest.mark.parametrize(
    ("command", "answered"),
    [
        (f"/hulp@{BOT_USERNAME}", True),
        (f"/hulp@{BOT_USERNAME.lower()}", True),
        ("/hulp", False),  # in a group, maybe meant for another bot
        ("/hulp@OtherBot", False),
    ],
)
async def test_an_unknown_command_in_a_group_only_when_addressed_to_the_bot(
    app: App, rec: RecordingRequest, command: str, answered: bool
) -> None:
    text, _, name = command.partition("@")
    await feed(app, command_update(text, chat_type="supergroup", bot_username=name or None))
    if answered:
        assert only_message(rec, GROUP_CHAT_ID)["text"] == "<b>Tekst onbekend commando</b>"
    else:
        assert rec.calls == []


async def test_an_unknown_command_for_another_bot_in_private_is_ignored(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, command_update("/hulp", bot_username="OtherBot"))
    assert rec.calls == []


@pytest.mark.parametrize("kind", ["photo", "document", "video"])
async def test_a_caption_is_read_as_a_question(
    app: App, rec: RecordingRequest, questions: list[str], kind: str
) -> None:
    await feed(app, media_update(kind, "Ik twijfel, wat nu?"))

    assert questions == ["Ik twijfel, wat nu?"]
    assert only_message(rec)["text"].startswith("<b>Twijfel</b>")


async def test_an_urgent_caption_gets_the_urgent_reply_first(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, media_update("photo", "er staat een papa met een mes aan de deur"))

    first = sent(rec)[0]
    assert first["text"].startswith("<b>Bel 112 of 101.</b>")
    assert "Bel 112 of 101." in first["text"]


@pytest.mark.parametrize("kind", sorted(NON_TEXT_CONTENT))
async def test_anything_without_text_gets_112_first_and_that_the_bot_reads_text(
    app: App, rec: RecordingRequest, questions: list[str], kind: str
) -> None:
    await feed(app, media_update(kind))  # a photo, document or video without caption too

    params = only_message(rec)
    assert params["text"] == "<b>Tekst urgent kop</b>\n\nTekst alleen tekst"
    assert callback_data(params) == MAIN_MENU
    assert questions == []


async def test_an_empty_caption_is_not_a_question(app: App, rec: RecordingRequest) -> None:
    await feed(app, media_update("photo", ""))
    assert only_message(rec)["text"] == "<b>Tekst urgent kop</b>\n\nTekst alleen tekst"


@pytest.mark.parametrize(
    "service",
    [
        {"new_chat_members": [user_dict(USER_ID + 1)]},
        {"left_chat_member": user_dict(USER_ID + 1)},
        {"new_chat_title": "Nieuwe naam"},
        {"group_chat_created": True},
    ],
    ids=["joined", "left", "title", "created"],
)
async def test_service_messages_get_no_reply(
    app: App, rec: RecordingRequest, service: JSONDict
) -> None:
    for chat_type in ("private", "supergroup"):
        payload = media_update("dice", chat_type=chat_type)
        del payload["message"]["dice"]
        payload["message"].update(service)
        await feed(app, payload)
    assert rec.calls == []


async def test_in_a_group_media_only_when_addressed(
    app: App, rec: RecordingRequest, questions: list[str]
) -> None:
    caption = f"@{BOT_USERNAME} twijfel"
    await feed(app, media_update("sticker", chat_type="supergroup"))
    await feed(app, media_update("photo", "twijfel", chat_type="supergroup"))
    await feed(app, media_update("photo", caption, chat_type="supergroup"))  # no entity
    assert rec.calls == []

    await feed(
        app,
        media_update(
            "photo", caption, chat_type="supergroup", caption_entities=mention_entities(caption)
        ),
    )
    await feed(app, media_update("sticker", chat_type="supergroup", reply_to_bot=True))
    first, second = sent(rec)
    assert questions == ["twijfel"]
    assert first["text"].startswith("<b>Twijfel</b>")
    assert second["text"] == "<b>Tekst urgent kop</b>\n\nTekst alleen tekst"


# -- groups: what addresses the bot -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        (f"mail info@{BOT_USERNAME}.be over twijfel", []),
        (
            f"mail info@{BOT_USERNAME}.be over twijfel",
            [{"type": "email", "offset": 5, "length": len(f"info@{BOT_USERNAME}.be")}],
        ),
        (f"twijfel @{BOT_USERNAME}", []),  # the text, but Telegram made no mention of it
        (f"twijfel @{BOT_USERNAME}x", mention_entities(f"twijfel @{BOT_USERNAME}x", "OtherX")),
        (f"@{BOT_USERNAME}bis twijfel", [{"type": "mention", "offset": 0, "length": 19}]),
    ],
    ids=["email-no-entity", "email-entity", "no-entity", "other-mention", "longer-name"],
)
async def test_only_a_real_mention_of_the_bot_addresses_it(
    app: App, rec: RecordingRequest, text: str, entities: list[JSONDict]
) -> None:
    await feed(app, text_update(text, chat_type="supergroup", entities=entities))
    assert rec.calls == []


async def test_a_text_mention_of_the_bot_addresses_it(
    app: App, rec: RecordingRequest, questions: list[str]
) -> None:
    entity = {"type": "text_mention", "offset": 0, "length": 3, "user": bot_user_dict()}
    await feed(app, text_update("Bot twijfel", chat_type="supergroup", entities=[entity]))
    assert questions == ["twijfel"]
    assert only_message(rec, GROUP_CHAT_ID)["text"].startswith("<b>Twijfel</b>")


async def test_a_mention_after_emoji_is_found_by_its_utf16_offset(
    app: App, rec: RecordingRequest, questions: list[str]
) -> None:
    text = f"🙂🙂 @{BOT_USERNAME} twijfel"  # each emoji is two UTF-16 code units
    entities = mention_entities(text)
    assert entities[0]["offset"] == 5
    await feed(app, text_update(text, chat_type="supergroup", entities=entities))
    assert questions == ["🙂🙂   twijfel"]


# -- edited messages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        command_update("/start"),
        command_update("/stappenplan"),
        command_update("/hulp"),
        command_update("/herlaad"),
        media_update("photo", "twijfel"),
        media_update("sticker"),
    ],
    ids=["start", "stappenplan", "unknown", "herlaad", "caption", "sticker"],
)
async def test_an_edited_message_is_never_answered(engine: Engine, payload: JSONDict) -> None:
    payload["edited_message"] = payload.pop("message")
    payload["edited_message"]["edit_date"] = payload["edited_message"]["date"]
    rec = RecordingRequest()
    async with running(engine, rec, admins=frozenset({USER_ID})) as app:
        await feed(app, payload)
    assert rec.calls == []


# -- lone surrogates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        button_update("\ud800"),
        button_update("i:\udfff"),
        text_update("twijfel \ud800"),
        command_update("/start \ud800"),
        command_update("/hulp\ud800"),
        media_update("photo", "\ud83d twijfel"),
        text_update(
            f"\ud800 @{BOT_USERNAME} twijfel",
            chat_type="supergroup",
            entities=[{"type": "mention", "offset": 2, "length": len(BOT_USERNAME) + 1}],
        ),
    ],
    ids=["button", "button-item", "text", "deep-link", "command", "caption", "group-mention"],
)
async def test_a_lone_surrogate_anywhere_gets_a_reply_not_an_error(
    app: App, rec: RecordingRequest, payload: JSONDict, caplog: pytest.LogCaptureFixture
) -> None:
    await feed(app, payload)

    [params] = sent(rec)
    assert params["text"] != "Tekst fout"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- the token ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 404])
async def test_a_rejected_token_stops_start_up_and_ptb_would_quote_it(
    engine: Engine, status: int
) -> None:
    rec = FaultyRequest(scripted({"getMe": [Fault(status=status)]}))
    app = build(engine, rec)
    with pytest.raises(InvalidToken) as raised:
        await app.initialize()
    # PTB's own message carries the token: this is why `run` never lets it through.
    assert TOKEN in str(raised.value)
    assert rec.attempts_at("getMe") == [Fault(status=status)]  # a final answer, not retried


@pytest.mark.parametrize("status", [401, 404])
def test_run_turns_a_rejected_token_into_one_line_without_it(engine: Engine, status: int) -> None:
    settings = Settings(content_dir=FIXTURE_CONTENT, token=TOKEN)
    rec = FaultyRequest(scripted({"getMe": [Fault(status=status)]}))
    # `run` runs (and closes) the thread's event loop, as `playbook run` does: give it its own.
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        with pytest.raises(StartupError) as raised:
            run(settings, engine, request=rec, updates_request=RecordingRequest())
    finally:
        asyncio.set_event_loop(None)

    message = str(raised.value)
    assert "\n" not in message
    assert TOKEN not in message
    assert "TELEGRAM_BOT_TOKEN" in message
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


# -- layering -------------------------------------------------------------------------------------


def test_the_engine_does_not_import_telegram() -> None:
    code = """
import importlib, pkgutil, sys
import bot
names = sorted(
    m.name for m in pkgutil.walk_packages(bot.__path__, "bot.") if m.name != "bot.__main__"
)
for name in names:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m == "telegram" or m.startswith("telegram."))
assert not leaked, leaked
print(len(names))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 15  # every module was imported, not an empty walk


# -- every message, everywhere --------------------------------------------------------------------

CORPUS: list[Callable[[], JSONDict]] = [
    lambda: command_update("/start"),
    lambda: command_update("/stappenplan"),
    lambda: command_update("/contact 2070"),
    lambda: text_update("zwijndrecht"),
    lambda: text_update("er is een mes in gent"),
    lambda: text_update("signalen"),
    lambda: text_update("كيف حالك"),
    lambda: text_update("😀"),
    lambda: button_update("l"),
    lambda: button_update("i:noodnummers"),
]


async def test_every_reply_in_a_corpus_follows_telegrams_rules(
    app: App, rec: RecordingRequest
) -> None:
    for make in CORPUS:
        await feed(app, make())
    assert len(sent(rec)) >= len(CORPUS)
    check_sent_messages(rec)  # also run after every test by the fixture; explicit here
    zwijndrecht = sent(rec)[2]["text"]
    assert "<b>Let op: Welk VK Zwijndrecht bedient is nog te bevestigen.</b>" in zwijndrecht


def test_the_checker_catches_a_bad_keyboard() -> None:
    rec = RecordingRequest()
    rec.calls.append(
        (
            "sendMessage",
            {
                "chat_id": CHAT_ID,
                "text": "ok",
                "parse_mode": "HTML",
                "link_preview_options": {"is_disabled": True},
                "reply_markup": {
                    "inline_keyboard": [[{"text": "x", "callback_data": "i:" + "a" * 70}]]
                },
            },
        )
    )
    with pytest.raises(AssertionError):
        check_sent_messages(rec)
