"""The e2e harness works: a tiny PTB app, built here, round-trips through the emulator."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update, User
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from tests.e2e.emulator import EmulatorClient, EmulatorRequest, repair_payload

if TYPE_CHECKING:
    from tests.e2e.conftest import AnyApplication, RunApp

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Red", callback_data="color:red")],
        [InlineKeyboardButton("Blue", callback_data="color:blue")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    text = f"Welcome! payload={context.args[0]}" if context.args else "Welcome!"
    await message.reply_text(text, reply_markup=KEYBOARD)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    await query.answer()
    # The emulator answers edits with null; EmulatorRequest turns that into True.
    assert await query.edit_message_text(f"Chosen: {query.data}") is True
    await context.bot.send_message(query.message.chat.id, f"You pressed {query.data}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    await message.reply_text(message.text)


def build_echo_app(builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any]) -> AnyApplication:
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^color:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


async def test_start_round_trip(
    run_app: RunApp, user_client: EmulatorClient, bot_token: str, test_user: User
) -> None:
    async with run_app(build_echo_app) as app:
        assert app.bot.username == "TestNameBot"
        await user_client.send_command(bot_token, test_user.id, test_user, "/start")
        [reply] = await user_client.wait_for_bot_messages(bot_token, test_user.id)

    assert reply.text == "Welcome!"
    assert reply.callback_data == ["color:red", "color:blue"]


async def test_deep_link_payload_reaches_handler(
    run_app: RunApp, user_client: EmulatorClient, bot_token: str, test_user: User
) -> None:
    async with run_app(build_echo_app):
        await user_client.send_command(bot_token, test_user.id, test_user, "/start abc")
        [reply] = await user_client.wait_for_bot_messages(bot_token, test_user.id)

    assert reply.text == "Welcome! payload=abc"


async def test_text_message_round_trip(
    run_app: RunApp, user_client: EmulatorClient, bot_token: str, test_user: User
) -> None:
    async with run_app(build_echo_app):
        await user_client.send_message(bot_token, test_user.id, test_user, "hoe meld ik dit?")
        [reply] = await user_client.wait_for_bot_messages(bot_token, test_user.id)

    assert reply.text == "hoe meld ik dit?"


async def test_html_defaults_with_link_previews_off(
    run_app: RunApp, user_client: EmulatorClient, bot_token: str, test_user: User
) -> None:
    # The bot's own Defaults: the emulator echoes link_preview_options back as a JSON string.
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )

    def build(builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any]) -> AnyApplication:
        return build_echo_app(builder.defaults(defaults))

    async with run_app(build):
        await user_client.send_message(bot_token, test_user.id, test_user, "<b>vet</b>")
        [reply] = await user_client.wait_for_bot_messages(bot_token, test_user.id)

    assert reply.text == "<b>vet</b>"
    assert reply.raw["message"]["parse_mode"] == "HTML"


async def test_button_press_answers_edits_and_sends(
    run_app: RunApp, user_client: EmulatorClient, bot_token: str, test_user: User
) -> None:
    async with run_app(build_echo_app):
        await user_client.send_command(bot_token, test_user.id, test_user, "/start")
        [menu] = await user_client.wait_for_bot_messages(bot_token, test_user.id)

        await user_client.send_callback(bot_token, test_user.id, test_user, menu, "color:blue")
        # Sent right after the press: stock PTB would drop this batch (no chat_instance).
        await user_client.send_message(bot_token, test_user.id, test_user, "next")
        replies = await user_client.wait_for_bot_messages(bot_token, test_user.id, count=2)
        history = await user_client.get_updates_history(bot_token)

    assert sorted(r.text for r in replies) == ["You pressed color:blue", "next"]
    [edited] = [r for r in history if r.get("messageId") == menu.message_id]
    assert edited["message"]["text"] == "Chosen: color:blue"


async def test_each_test_has_its_own_bot(
    run_app: RunApp, user_client: EmulatorClient, bot_token: str, test_user: User
) -> None:
    async with run_app(build_echo_app):
        # Nothing left over from other tests, and no messages without a trigger.
        assert await user_client.get_updates(bot_token, test_user.id) == []
        assert await user_client.get_updates_history(bot_token) == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param(
            {"ok": True, "result": {"id": 666, "first_name": "B", "username": "TestNameBot"}},
            {
                "ok": True,
                "result": {
                    "id": 666,
                    "first_name": "B",
                    "username": "TestNameBot",
                    "is_bot": True,
                },
            },
            id="getMe-gets-is_bot",
        ),
        pytest.param(
            {
                "ok": True,
                "result": {
                    "message_id": 1,
                    "date": 1_700_000_000_123,
                    "chat": {},
                    "reply_markup": '{"inline_keyboard": []}',
                },
            },
            {
                "ok": True,
                "result": {
                    "message_id": 1,
                    "date": 1_700_000_000,
                    "chat": {},
                    "reply_markup": {"inline_keyboard": []},
                },
            },
            id="message-date-in-ms",
        ),
        pytest.param({"ok": True, "result": None}, {"ok": True, "result": True}, id="null-result"),
        pytest.param(
            {
                "ok": True,
                "result": [
                    {
                        "update_id": 3,
                        "callback_query": {
                            "id": "1",
                            "from": {"id": 7, "first_name": "U"},
                            "data": "x",
                            "message": {
                                "message_id": 2,
                                "date": 1,
                                "chat": {"id": 7, "type": "private"},
                            },
                        },
                    }
                ],
            },
            {
                "ok": True,
                "result": [
                    {
                        "update_id": 3,
                        "callback_query": {
                            "id": "1",
                            "from": {"id": 7, "first_name": "U", "is_bot": False},
                            "data": "x",
                            "chat_instance": "emulator-7",
                            "message": {
                                "message_id": 2,
                                "date": 1,
                                "chat": {"id": 7, "type": "private"},
                            },
                        },
                    }
                ],
            },
            id="callback-gets-chat_instance",
        ),
        pytest.param(
            {"ok": False, "error_code": 400, "description": "Bad Request"},
            {"ok": False, "error_code": 400, "description": "Bad Request"},
            id="errors-untouched",
        ),
    ],
)
def test_repair_payload(answer: dict[str, Any], expected: dict[str, Any]) -> None:
    payload = json.dumps(answer).encode()
    assert repair_payload(copy.deepcopy(answer)) == expected
    assert EmulatorRequest.parse_json_payload(payload) == expected
