"""Sharing through the Telegram adapter, offline: inline mode, presses on inline-sent messages,
`/deel` (a photo and a document), `/stappenplan` in a team group, the Delen button, and every
required id opened through its deep link.

The bot is the one `playbook run` builds (`build_application`), fed real `Update` objects;
`RecordingRequest` records the Bot API calls and the uploaded files, whose QR codes are read
back with zxing-cpp (the PDF's page rendered by PDFium). The end-to-end layer (tests/e2e)
runs the same features against the emulator, extended for them at start-up.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image
from telegram.constants import MessageLimit
from telegram.error import BadRequest
from telegram.ext import CommandHandler

from bot import actions, commands
from bot.content.contract import REQUIRED_IDS
from bot.content.limits import MAX_BUTTONS
from bot.engine import Engine
from bot.inline import EMPTY_QUERY_ITEMS, INLINE_CACHE_SECONDS
from bot.sharing import as_shared, deep_link, open_button
from bot.store import ContentStore, shipped_model
from bot_telegram.app import App
from bot_telegram.render import to_messages
from tests.conftest import FIXTURE_CONTENT, SHIPPED_CONTENT
from tests.telegram_fakes import (
    BOT_USERNAME,
    CHAT_ID,
    GROUP_CHAT_ID,
    JSONDict,
    RecordingRequest,
    button_update,
    command_update,
    inline_button_update,
    inline_query_update,
    mention_entities,
    text_update,
)
from tests.test_render import assert_telegram_html
from tests.test_sharing import decode_pdf_qr, decode_qr, pdf_text, start_parameter
from tests.test_telegram_handlers import (
    MAX_CALLBACK_BYTES,
    NOT_MODIFIED,
    build,
    buttons,
    callback_data,
    feed,
    refuse_edit,
    running,
)

LINK = f"https://t.me/{BOT_USERNAME}"


@pytest.fixture
def engine() -> Engine:
    return Engine(ContentStore.open(FIXTURE_CONTENT))


@pytest.fixture
def rec() -> RecordingRequest:
    return RecordingRequest()


@pytest.fixture
async def app(engine: Engine, rec: RecordingRequest) -> AsyncIterator[App]:
    async with running(engine, rec) as application:
        yield application


def answered(rec: RecordingRequest) -> JSONDict:
    """The one answerInlineQuery call."""
    assert rec.methods == ["answerInlineQuery"]
    [params] = rec.calls_to("answerInlineQuery")
    return params


def result_ids(params: JSONDict) -> list[str]:
    return [result["id"] for result in params["results"]]


def check_result(result: JSONDict, open_label: str = "Tekst knop open in bot") -> None:
    """A result Telegram accepts, posting a message the bot's own rules allow."""
    assert result["type"] == "article"
    assert 0 < len(result["id"].encode()) <= 64
    assert result["title"]
    assert 0 < len(result["description"]) <= 100
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["link_preview_options"] == {"is_disabled": True}
    assert 0 < len(content["message_text"]) <= 4096
    assert_telegram_html(content["message_text"])
    rows = result["reply_markup"]["inline_keyboard"]
    [open_in_bot] = rows[0]
    assert open_in_bot == {"text": open_label, "url": deep_link(BOT_USERNAME, result["id"])}
    for row in rows[1:]:
        for button in row:
            # No menu and no Delen in a shared message: only callbacks the bot understands.
            assert set(button) == {"text", "callback_data"}, button
            assert button["callback_data"] != "m"
            assert len(button["callback_data"].encode()) <= MAX_CALLBACK_BYTES
            assert actions.decode(button["callback_data"]) is not None


# -- inline queries -------------------------------------------------------------------------------


async def test_an_inline_question_offers_the_answer_first(
    app: App, rec: RecordingRequest, engine: Engine
) -> None:
    await feed(app, inline_query_update("Ik twijfel, wat moet ik doen?"))

    params = answered(rec)
    assert params["inline_query_id"].startswith("iq")
    assert params["cache_time"] == INLINE_CACHE_SECONDS
    assert params["is_personal"] is False
    assert params["button"] == {"text": "Tekst knop open bot", "start_parameter": "twijfel"}
    assert result_ids(params)[0] == "twijfel"
    for result in params["results"]:
        check_result(result)
    [twijfel, *_] = params["results"]
    assert twijfel["title"] == "Twijfel"
    assert twijfel["description"] == "Antwoord over twijfel."
    # The message is the item's first screen, as the bot shows it in its own chat.
    reply = engine.show("twijfel")
    assert reply is not None
    own = to_messages(reply)[0].text
    assert twijfel["input_message_content"]["message_text"] == own
    # Main's phone-first layout (issue 9): the kern, then the details in the quotation.
    assert own.startswith("<b>Twijfel</b>\n\nKern over twijfel.\n<blockquote expandable>")


async def test_an_urgent_inline_question_puts_the_emergency_item_first(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, inline_query_update("er is een mes"))

    params = answered(rec)
    assert result_ids(params)[:2] == ["acuut-gevaar", "noodnummers"]
    for result in params["results"]:
        check_result(result)


async def test_an_empty_inline_query_lists_the_plan_the_numbers_and_the_decision_aid(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, inline_query_update(""))

    params = answered(rec)
    assert result_ids(params) == list(EMPTY_QUERY_ITEMS)
    assert params["button"]["start_parameter"] == "stappenplan"
    for result in params["results"]:
        check_result(result)
    decision = params["results"][2]
    assert decision["input_message_content"]["message_text"].startswith(
        "<b>Beslishulp</b>\n\nKern beslishulp.\n\n<b>Vraag gevaar?</b>"
    )
    # Its answers are buttons that work in the shared message (see the presses below).
    assert [b["callback_data"] for b in buttons(decision)[1:]] == ["b:bellen:1", "b:thuis:2"]


async def test_the_steps_of_a_shared_step_keep_their_navigation(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, inline_query_update("Signalen noteren"))

    [result, *_] = answered(rec)["results"]
    assert result["id"] == "signalen-noteren"
    # Step navigation moves in place in the bot's own chat (`*`, issue 9); pressed in the
    # shared message it opens the bot on that step (see the presses below).
    assert "i*:intern-overleg" in [b.get("callback_data") for b in buttons(result)]


async def test_nothing_about_an_inline_query_is_logged(
    app: App, rec: RecordingRequest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "zeldzaamgeheimwoord twijfel"

    await feed(app, inline_query_update(secret))

    assert rec.methods == ["answerInlineQuery"]
    assert "zeldzaamgeheimwoord" not in caplog.text
    for record in caplog.records:
        assert "zeldzaamgeheimwoord" not in str(record.args)


# -- presses on inline-sent messages --------------------------------------------------------------


async def test_a_decision_answer_on_an_inline_message_edits_it_by_its_id(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, inline_button_update("b:thuis:2", inline_message_id="AAQ-inline_42"))

    assert rec.methods == ["editMessageText", "answerCallbackQuery"]
    [edit] = rec.calls_to("editMessageText")
    assert edit["inline_message_id"] == "AAQ-inline_42"
    assert "chat_id" not in edit
    assert "message_id" not in edit
    assert edit["text"] == "<i>Beslishulp</i>\n\n<b>Vraag thuis?</b>"
    assert edit["parse_mode"] == "HTML"
    assert buttons(edit)[0] == {
        "text": "Tekst knop open in bot",
        "url": deep_link(BOT_USERNAME, "beslishulp"),
    }
    assert callback_data(edit) == ["b:genoteerd:21", "b:collega:22", "b:gevaar:", "b"]
    [answer] = rec.calls_to("answerCallbackQuery")
    assert "url" not in answer


async def test_an_item_button_on_an_inline_message_opens_the_bot_on_that_item(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, inline_button_update("i:intern-overleg"))

    # The shared message stays as it is for everyone in that chat; the presser gets a link.
    assert rec.methods == ["answerCallbackQuery"]
    [answer] = rec.calls_to("answerCallbackQuery")
    assert answer["url"] == deep_link(BOT_USERNAME, "intern-overleg")
    assert start_parameter(answer["url"]) == "intern-overleg"


@pytest.mark.parametrize(
    ("data", "link"),
    [
        ("p:3500", f"{LINK}?start=pc-3500"),
        ("m", LINK),
        ("c", LINK),
        ("i:bestaat-niet", LINK),
        ("forged", LINK),
    ],
)
async def test_other_buttons_on_an_inline_message_open_the_bot(
    app: App, rec: RecordingRequest, data: str, link: str
) -> None:
    await feed(app, inline_button_update(data))

    assert rec.methods == ["answerCallbackQuery"]
    assert rec.calls_to("answerCallbackQuery")[0]["url"] == link


async def test_when_an_inline_edit_is_refused_the_press_opens_the_bot(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    rec = RecordingRequest(responses={"editMessageText": refuse_edit("MESSAGE_ID_INVALID")})
    caplog.set_level(logging.INFO)
    async with running(engine, rec) as app:
        await feed(app, inline_button_update("b:thuis:2"))

    assert rec.methods == ["editMessageText", "answerCallbackQuery"]
    assert rec.calls_to("answerCallbackQuery")[0]["url"] == f"{LINK}?start=beslishulp"
    assert "could not edit the pressed message" in caplog.text  # Handlers.edit_in_place


async def test_an_inline_edit_that_changes_nothing_is_answered_quietly(engine: Engine) -> None:
    rec = RecordingRequest(responses={"editMessageText": refuse_edit(NOT_MODIFIED)})
    async with running(engine, rec) as app:
        await feed(app, inline_button_update("b:thuis:2"))

    assert rec.methods == ["editMessageText", "answerCallbackQuery"]
    assert "url" not in rec.calls_to("answerCallbackQuery")[0]


# -- /deel ----------------------------------------------------------------------------------------


def uploaded(rec: RecordingRequest, method: str) -> bytes:
    [upload] = [u for u in rec.uploads if u.method == method]
    return upload.content


@pytest.mark.parametrize(
    ("command", "payload", "sentence", "file_name"),
    [
        ("/deel", None, "Tekst deel bot.", "affiche.pdf"),
        ("/deel twijfel", "twijfel", "Deel Twijfel.", "affiche-twijfel.pdf"),
        ("/deel 3500", "pc-3500", "Deel regio 3500 Hasselt.", "affiche-pc-3500.pdf"),
        ("/deel bestaat niet qwxz", None, "Tekst deel onbekend.", "affiche.pdf"),
    ],
)
async def test_deel_sends_the_qr_code_as_a_photo_and_the_poster_as_a_document(
    app: App,
    rec: RecordingRequest,
    *,
    command: str,
    payload: str | None,
    sentence: str,
    file_name: str,
) -> None:
    await feed(app, command_update(command))

    assert rec.methods == ["sendPhoto", "sendDocument"]
    link = deep_link(BOT_USERNAME, payload)
    [photo] = rec.calls_to("sendPhoto")
    assert photo["chat_id"] == CHAT_ID
    assert photo["caption"] == f"{sentence}\n\nScan {link}"
    assert photo["parse_mode"] == "HTML"
    assert len(photo["caption"]) <= MessageLimit.CAPTION_LENGTH
    assert_telegram_html(photo["caption"])
    [open_in_bot, *share] = buttons(photo)
    assert open_in_bot == {"text": "Tekst knop open in bot", "url": link}
    if payload is not None:
        [delen] = share
        assert delen["switch_inline_query_chosen_chat"]["query"] in ("Twijfel", "Vk limburg")
    png = uploaded(rec, "sendPhoto")
    assert decode_qr(Image.open(io.BytesIO(png))) == [link]

    [document] = rec.calls_to("sendDocument")
    assert document["chat_id"] == CHAT_ID
    assert document["caption"] == "Tekst affiche bijschrift."
    [upload] = [u for u in rec.uploads if u.method == "sendDocument"]
    assert (upload.field, upload.filename, upload.mimetype) == (
        "document",
        file_name,
        "application/pdf",
    )
    assert decode_pdf_qr(upload.content) == [link]
    assert "Tekst affiche titel" in pdf_text(upload.content)


async def test_deel_in_a_group_answers_in_the_group(app: App, rec: RecordingRequest) -> None:
    await feed(
        app,
        command_update("/deel stappenplan", chat_type="supergroup", bot_username=BOT_USERNAME),
    )

    assert rec.methods == ["sendPhoto", "sendDocument"]
    assert {p["chat_id"] for _, p in rec.calls} == {GROUP_CHAT_ID}


async def test_the_second_deel_reuses_the_files_it_made(
    app: App, rec: RecordingRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    await feed(app, command_update("/deel twijfel"))
    first = [u.content for u in rec.uploads]
    made: list[Any] = []

    def poster_pdf(*arguments: Any) -> bytes:
        made.append(arguments)
        return b""

    monkeypatch.setattr("bot_telegram.sharing.poster_pdf", poster_pdf)
    rec.clear()

    await feed(app, command_update("/deel twijfel"))

    assert [u.content for u in rec.uploads] == first
    assert made == []


# -- team groups ----------------------------------------------------------------------------------


async def test_stappenplan_in_a_group_posts_one_message_fit_to_pin(
    app: App, rec: RecordingRequest
) -> None:
    await feed(
        app, command_update("/stappenplan", chat_type="supergroup", bot_username=BOT_USERNAME)
    )

    assert rec.methods == ["sendMessage"]
    [params] = rec.calls_to("sendMessage")
    assert params["chat_id"] == GROUP_CHAT_ID
    assert params["text"].startswith(
        "<i>Tekst vastzetten.</i>\n\n<b>Stappenplan</b>\n\nKern over het stappenplan.\n\n"
        "Alle stappen."
    )
    assert "<blockquote" not in params["text"]  # pinned: read in full, nothing folded
    # Only deep links: a tap opens the step in the colleague's own chat with the bot.
    keyboard = buttons(params)
    assert all(set(b) == {"text", "url"} for b in keyboard)
    assert [start_parameter(b["url"]) for b in keyboard] == [
        "signalen-noteren",
        "intern-overleg",
        "gesprek-ouders",
        "advies-vragen",
        "beslissen",
        "opvolgen",
    ]  # six steps fill the six buttons (issue 9): no separate "Open in de bot"


async def test_stappenplan_in_a_private_chat_is_the_usual_overview(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, command_update("/stappenplan"))

    [params] = rec.calls_to("sendMessage")
    assert params["text"].startswith(
        "<b>Stappenplan</b>\n\nKern over het stappenplan.\n<blockquote expandable>Alle stappen."
    )
    assert callback_data(params)[0] == "i*:signalen-noteren"  # moves in place (issue 9)


async def test_a_mention_in_a_group_is_still_answered(app: App, rec: RecordingRequest) -> None:
    text = f"@{BOT_USERNAME} twijfel"
    # A mention is an entity of the bot's own @username (issue 8), as Telegram sends it.
    await feed(app, text_update(text, chat_type="supergroup", entities=mention_entities(text)))

    [params] = rec.calls_to("sendMessage")
    assert params["chat_id"] == GROUP_CHAT_ID
    assert params["text"].startswith("<b>Twijfel</b>")


# -- the Delen button -----------------------------------------------------------------------------


async def test_an_answer_carries_a_share_button_with_its_title(
    app: App, rec: RecordingRequest
) -> None:
    await feed(app, text_update("Ik twijfel, wat moet ik doen?"))

    [params] = rec.calls_to("sendMessage")
    *_, last_row = params["reply_markup"]["inline_keyboard"]
    share, menu = last_row
    assert share == {
        "text": "Tekst knop delen",
        "switch_inline_query_chosen_chat": {
            "query": "Twijfel",
            "allow_user_chats": True,
            "allow_group_chats": True,
            "allow_channel_chats": True,
            "allow_bot_chats": False,
        },
    }
    assert menu == {"text": "Tekst knop menu", "callback_data": "m"}


async def test_the_share_query_finds_the_same_item_first(app: App, rec: RecordingRequest) -> None:
    await feed(app, command_update("/start signalen-noteren"))
    [share] = [
        b
        for b in buttons(rec.calls_to("sendMessage")[0])
        if "switch_inline_query_chosen_chat" in b
    ]
    rec.clear()

    await feed(app, inline_query_update(share["switch_inline_query_chosen_chat"]["query"]))

    assert result_ids(answered(rec))[0] == "signalen-noteren"


# -- every required id through its deep link (the shipped content) --------------------------------


async def test_every_required_id_opens_through_its_deep_link_in_telegram() -> None:
    engine = Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))
    rec = RecordingRequest()
    async with running(engine, rec) as app:
        for item_id in sorted(REQUIRED_IDS):
            payload = start_parameter(deep_link(BOT_USERNAME, item_id))
            rec.clear()
            await feed(app, command_update(f"/start {payload}"))
            reply = engine.show(item_id)
            assert reply is not None
            expected = [m.text for m in to_messages(reply)]
            assert [p["text"] for p in rec.calls_to("sendMessage")] == expected, item_id


async def test_a_long_item_is_shared_as_its_first_screen(content_copy: Path) -> None:
    path = content_copy / "vragen.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    [twijfel] = [q for q in data["vragen"] if q["id"] == "twijfel"]
    twijfel["tekst"] = "\n\n".join(["Een lange alinea over twijfel. " * 12] * 10)
    twijfel["bronnen"] = [f"https://example.org/bron-{i}-" + "x" * 150 for i in range(20)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    engine = Engine(ContentStore.open(content_copy))
    library = engine.store.current.library
    reply = engine.show("twijfel")
    assert reply is not None
    assert len(to_messages(reply)) > 1
    rec = RecordingRequest()
    async with running(engine, rec) as app:
        await feed(app, inline_query_update("Twijfel"))

    [result, *_] = answered(rec)["results"]
    shared = as_shared(reply, open_button(library, deep_link(BOT_USERNAME, "twijfel")))
    assert result["input_message_content"]["message_text"] == to_messages(shared)[0].text
    check_result(result)


def test_every_command_of_the_shipped_menu_has_a_handler() -> None:
    engine = Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))
    app = build(engine, RecordingRequest())
    handled = {
        command
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    advertised = {command.commando for command in engine.store.current.library.commands}
    assert "deel" in advertised
    assert advertised <= handled


# -- /deel through the bot's one delivery path (issues 8 and 9) -----------------------------------


async def test_deel_is_an_answered_command_and_its_suggestion_button_shares(
    app: App, rec: RecordingRequest, engine: Engine
) -> None:
    assert "deel" in commands.ANSWERED
    # A mistyped /deell gets "bedoelde je…" with /deel (the shipped menu advertises it), ...
    shipped = Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))
    suggested = shipped.command("deell")
    assert actions.run("deel") in [b.data for b in suggested.all_buttons()]
    # ... and its button sends the link's QR code and the poster, like /deel itself.
    await feed(app, button_update(actions.run("deel")))
    assert rec.methods == ["answerCallbackQuery", "sendPhoto", "sendDocument"]
    assert rec.calls_to("sendPhoto")[0]["chat_id"] == CHAT_ID


async def test_deel_in_a_forum_topic_lands_in_that_topic(app: App, rec: RecordingRequest) -> None:
    update = command_update("/deel twijfel", chat_type="supergroup", bot_username=BOT_USERNAME)
    update["message"].update(message_thread_id=77, is_topic_message=True)
    await feed(app, update)

    assert rec.methods == ["sendPhoto", "sendDocument"]
    assert [p["message_thread_id"] for _, p in rec.calls] == [77, 77]


async def test_an_edited_deel_is_not_answered_again(app: App, rec: RecordingRequest) -> None:
    update = command_update("/deel twijfel")
    update["edited_message"] = update.pop("message")
    await feed(app, update)

    assert rec.methods == []


async def test_no_apology_after_a_delivered_qr_code(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(params: JSONDict) -> object:
        raise BadRequest("Bad Request: something about the document")

    rec = RecordingRequest(responses={"sendDocument": broken})
    caplog.set_level(logging.INFO)
    async with running(engine, rec) as app:
        await feed(app, command_update("/deel twijfel"))

    # The photo arrived; the poster failed: no "er ging iets mis" after the photo.
    assert rec.methods == ["sendPhoto", "sendDocument"]
    assert "Tekst fout" not in [p.get("text") for _, p in rec.calls]
    assert "no apology for update" in caplog.text


async def test_when_nothing_of_deel_arrived_the_user_gets_the_apology(engine: Engine) -> None:
    def broken(params: JSONDict) -> object:
        raise BadRequest("Bad Request: something about the photo")

    rec = RecordingRequest(responses={"sendPhoto": broken})
    async with running(engine, rec) as app:
        await feed(app, command_update("/deel twijfel"))

    assert rec.methods == ["sendPhoto", "sendMessage"]
    assert rec.calls_to("sendMessage")[0]["text"] == "Tekst fout"


def test_every_reply_with_delen_keeps_at_most_six_buttons(engine: Engine) -> None:
    library = engine.store.current.library
    for item_id in library.items:
        reply = engine.show(item_id)
        assert reply is not None
        assert len(reply.all_buttons()) <= MAX_BUTTONS, item_id
        shared = as_shared(reply, open_button(library, deep_link(BOT_USERNAME, item_id)))
        assert len(shared.all_buttons()) <= MAX_BUTTONS, item_id
