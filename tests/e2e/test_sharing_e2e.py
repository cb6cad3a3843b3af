"""Sharing end to end: the real bot over HTTP against telegram-test-api, extended for it.

The emulator has no inline mode and no file uploads; the test launcher (server.js) adds them
at start-up from `extensions.js`, in front of the package's own routes: answerInlineQuery,
edits of inline-sent messages, sendPhoto/sendDocument (multipart), and the user's side of
them (send an inline query, pick a result into a chat, press its buttons, read the uploaded
files back).

Covered against the (extended) emulator:
- an inline query is answered (a question, an urgent question, an empty query): result ids,
  `cache_time`, `is_personal=False`, the message each result posts, "Open in de bot";
- a deep link opens its item: the start parameter of a result's "Open in de bot" button, sent
  as `/start <payload>`, opens that item;
- a result picked into a group becomes an inline-sent message; a decision-aid answer pressed
  on it edits it through its `inline_message_id`, an item button answers with a deep link;
- `/deel` sends an image: the PNG photo and the PDF document are uploaded, fetched back from
  the emulator and their QR codes decoded (zxing-cpp; the PDF page rendered by PDFium);
- `/stappenplan` in a group posts the plan fit to pin, with deep-link buttons only.

Only offline (tests/test_sharing_telegram.py, tests/test_sharing.py), because the emulator
cannot show them: an inline edit Telegram refuses (the emulator always accepts), Telegram's
limits on results and captions, what is (not) logged, and the file cache.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image
from telegram import User
from telegram.ext import ApplicationBuilder

from bot.config import Settings
from bot.engine import Engine
from bot.inline import EMPTY_QUERY_ITEMS, INLINE_CACHE_SECONDS
from bot.sharing import deep_link
from bot.store import ContentStore
from bot_telegram.app import build_application
from tests.conftest import FIXTURE_CONTENT
from tests.e2e.emulator import (
    EMULATOR_BOT_USERNAME,
    BotMessage,
    Emulator,
    EmulatorClient,
    EmulatorRequest,
)
from tests.test_sharing import decode_pdf_qr, decode_qr, start_parameter

if TYPE_CHECKING:
    from tests.e2e.conftest import AnyApplication, AppFactory, RunApp

GROUP = -100777
WAIT = 10.0


@pytest.fixture
def real_bot(emulator: Emulator, bot_token: str) -> AppFactory:
    """The bot from its own composition root, pointed at the emulator by `api_base_url`."""

    def factory(builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any]) -> AnyApplication:
        settings = Settings(
            content_dir=FIXTURE_CONTENT, token=bot_token, api_base_url=emulator.bot_base_url
        )
        return build_application(
            settings,
            Engine(ContentStore.open(FIXTURE_CONTENT)),
            request=EmulatorRequest(),
            updates_request=EmulatorRequest(),
            rate_limit=True,
        )

    return factory


def link(payload: str | None) -> str:
    return deep_link(EMULATOR_BOT_USERNAME, payload)


def keyboard(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def ask_inline(
    client: EmulatorClient, token: str, user: User, query: str
) -> tuple[str, dict[str, Any]]:
    query_id = await client.send_inline_query(token, user, query)
    return query_id, await client.inline_answer(token, query_id, timeout=WAIT)


async def wait_for_edit(
    client: EmulatorClient, token: str, inline_message_id: str
) -> dict[str, Any]:
    """The inline-sent message once the bot has edited it."""
    async with asyncio.timeout(WAIT):
        while True:
            message = await client.inline_message(token, inline_message_id)
            if message["edits"]:
                return message
            await asyncio.sleep(0.02)


async def wait_for_link_answer(client: EmulatorClient, token: str) -> None:
    """Until the bot has answered a callback query with a URL."""
    async with asyncio.timeout(WAIT):
        while True:
            if any("url" in answer for answer in await client.callback_answers(token)):
                return
            await asyncio.sleep(0.02)


async def test_an_inline_query_is_answered(
    run_app: RunApp,
    real_bot: AppFactory,
    user_client: EmulatorClient,
    bot_token: str,
    test_user: User,
) -> None:
    async with run_app(real_bot):
        _, question = await ask_inline(
            user_client, bot_token, test_user, "Ik twijfel, wat moet ik doen?"
        )
        _, urgent = await ask_inline(user_client, bot_token, test_user, "er is een mes")
        _, empty = await ask_inline(user_client, bot_token, test_user, "")

    assert question["cache_time"] == INLINE_CACHE_SECONDS
    assert question["is_personal"] is False
    [first, *_] = question["results"]
    assert first["id"] == "twijfel"
    assert first["title"] == "Twijfel"
    assert first["input_message_content"]["message_text"].startswith(
        "<b>Twijfel</b>\n\nKern over twijfel.\n<blockquote expandable>Antwoord over twijfel."
    )
    assert keyboard(first)[0] == {"text": "Tekst knop open in bot", "url": link("twijfel")}
    assert [r["id"] for r in urgent["results"]][:2] == ["acuut-gevaar", "noodnummers"]
    assert [r["id"] for r in empty["results"]] == list(EMPTY_QUERY_ITEMS)


async def test_a_deep_link_from_an_inline_result_opens_its_item(
    run_app: RunApp,
    real_bot: AppFactory,
    user_client: EmulatorClient,
    bot_token: str,
    test_user: User,
) -> None:
    async with run_app(real_bot):
        _, answer = await ask_inline(user_client, bot_token, test_user, "Signalen noteren")
        [result, *_] = answer["results"]
        payload = start_parameter(keyboard(result)[0]["url"])
        await user_client.send_command(bot_token, test_user.id, test_user, f"/start {payload}")
        [opened] = await user_client.wait_for_bot_messages(bot_token, test_user.id, timeout=WAIT)

    assert payload == "signalen-noteren"
    assert opened.text.startswith("<i>Stap 1 van 6</i>\n\n<b>Signalen noteren</b>")
    assert opened.text == result["input_message_content"]["message_text"]


async def test_presses_on_an_inline_sent_message(
    run_app: RunApp,
    real_bot: AppFactory,
    user_client: EmulatorClient,
    bot_token: str,
    test_user: User,
) -> None:
    async with run_app(real_bot):
        query_id, _ = await ask_inline(user_client, bot_token, test_user, "")
        posted = await user_client.choose_inline_result(
            bot_token, query_id, "beslishulp", GROUP, test_user
        )
        inline_id = str(posted["inline_message_id"])
        [answer_button] = [b for b in keyboard(posted) if b.get("text") == "Nee gevaar"]
        await user_client.press_inline(
            bot_token, test_user, inline_id, answer_button["callback_data"]
        )
        edited = await wait_for_edit(user_client, bot_token, inline_id)
        # An item button on a shared step: the presser gets a link, the message stays.
        query_id, _ = await ask_inline(user_client, bot_token, test_user, "Signalen noteren")
        step = await user_client.choose_inline_result(
            bot_token, query_id, "signalen-noteren", GROUP, test_user
        )
        await user_client.press_inline(
            bot_token, test_user, str(step["inline_message_id"]), "i:intern-overleg"
        )
        await wait_for_link_answer(user_client, bot_token)
        answers = await user_client.callback_answers(bot_token)
        unchanged = await user_client.inline_message(bot_token, str(step["inline_message_id"]))

    assert posted["text"].startswith("<b>Beslishulp</b>\n\nKern beslishulp.")
    assert edited["text"] == "<i>Beslishulp</i>\n\n<b>Vraag thuis?</b>"
    assert keyboard(edited)[0] == {"text": "Tekst knop open in bot", "url": link("beslishulp")}
    assert [b.get("callback_data") for b in keyboard(edited)[1:]] == [
        "b:genoteerd:21",
        "b:collega:22",
        "b:gevaar:",
        "b",
    ]
    assert answers[-1]["url"] == link("intern-overleg")
    assert unchanged["edits"] == 0


async def test_deel_sends_the_qr_code_as_an_image_and_the_poster(
    run_app: RunApp,
    real_bot: AppFactory,
    user_client: EmulatorClient,
    bot_token: str,
    test_user: User,
) -> None:
    async with run_app(real_bot):
        await user_client.send_command(bot_token, test_user.id, test_user, "/deel twijfel")
        messages = await user_client.wait_for_bot_messages(
            bot_token, test_user.id, count=2, timeout=WAIT
        )
        photo, document = sorted(messages, key=lambda m: m.message_id)
        png = await user_client.get_file(bot_token, photo.raw["message"]["photo"][0]["file_id"])
        pdf = await user_client.get_file(bot_token, document.raw["message"]["document"]["file_id"])

    expected = link("twijfel")
    assert photo.raw["message"]["caption"] == f"Deel Twijfel.\n\nScan {expected}"
    assert photo.raw["message"]["photo"][0]["width"] >= 250
    assert decode_qr(Image.open(io.BytesIO(png))) == [expected]
    assert document.raw["message"]["document"]["file_name"] == "affiche-twijfel.pdf"
    assert document.raw["message"]["document"]["mime_type"] == "application/pdf"
    assert decode_pdf_qr(pdf) == [expected]


async def test_stappenplan_in_a_group_is_fit_to_pin(
    run_app: RunApp,
    real_bot: AppFactory,
    user_client: EmulatorClient,
    bot_token: str,
    test_user: User,
) -> None:
    async with run_app(real_bot):
        await user_client.send_command(
            bot_token, GROUP, test_user, "/stappenplan", chat_type="supergroup"
        )
        [pinned] = await user_client.wait_for_bot_messages(bot_token, GROUP, timeout=WAIT)

    assert isinstance(pinned, BotMessage)
    assert pinned.text.startswith("<i>Tekst vastzetten.</i>\n\n<b>Stappenplan</b>")
    assert pinned.callback_data == []
    urls = [b["url"] for b in keyboard({"reply_markup": pinned.reply_markup})]
    # The six steps fill the six buttons (issue 9): no separate "Open in de bot".
    assert [start_parameter(u) for u in urls][-1] == "opvolgen"
    assert len(urls) == 6
