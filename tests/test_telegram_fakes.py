"""The offline layer drives a real PTB Application: handlers run, Bot API calls are recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.telegram_fakes import (
    BOT_USERNAME,
    GROUP_CHAT_ID,
    USER_ID,
    JSONDict,
    RecordingRequest,
    button_update,
    command_update,
    group_text_update,
    text_update,
)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="step:2")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    payload = context.args[0] if context.args else "-"
    await message.reply_text(f"Welcome ({payload})", reply_markup=KEYBOARD)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    edited = await query.edit_message_text(f"Step {query.data}")
    # The canned answer is a real Message, so handlers can use it.
    assert not isinstance(edited, bool)
    assert edited.text == f"Step {query.data}"


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    reply = "reply to bot" if message.reply_to_message else message.text
    await message.reply_text(reply)


@pytest.fixture
def recorder() -> RecordingRequest:
    return RecordingRequest()


@pytest.fixture
async def app(recorder: RecordingRequest) -> AsyncIterator[AnyApplication]:
    application = (
        ApplicationBuilder()
        .token("123:TEST")
        .request(recorder)
        .get_updates_request(RecordingRequest())
        .updater(None)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^step:"))
    mentioned = filters.Mention(BOT_USERNAME)
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & (filters.ChatType.PRIVATE | mentioned), echo
        )
    )
    async with application:
        recorder.clear()  # drop initialize()'s getMe
        yield application


async def feed(app: AnyApplication, payload: JSONDict) -> None:
    await app.process_update(Update.de_json(payload, app.bot))


async def test_initialize_asks_getme_and_learns_the_username() -> None:
    recorder = RecordingRequest()
    application = (
        ApplicationBuilder()
        .token("123:TEST")
        .request(recorder)
        .get_updates_request(RecordingRequest())
        .updater(None)
        .build()
    )
    async with application:
        assert application.bot.username == BOT_USERNAME
        assert application.bot.id == 123
    assert recorder.methods == ["getMe"]


async def test_start_with_deep_link_payload_sends_keyboard(
    app: AnyApplication, recorder: RecordingRequest
) -> None:
    await feed(app, command_update("/start abc"))

    assert recorder.calls == [
        (
            "sendMessage",
            {"chat_id": USER_ID, "text": "Welcome (abc)", "reply_markup": KEYBOARD.to_dict()},
        )
    ]


async def test_button_press_answers_and_edits(
    app: AnyApplication, recorder: RecordingRequest
) -> None:
    await feed(app, button_update("step:2", message_text="Welcome (-)", message_id=7))

    assert recorder.methods == ["answerCallbackQuery", "editMessageText"]
    [edit] = recorder.calls_to("editMessageText")
    assert edit == {"chat_id": USER_ID, "message_id": 7, "text": "Step step:2"}


@pytest.mark.parametrize(
    ("payload", "expected_texts"),
    [
        pytest.param(text_update("hallo"), ["hallo"], id="private-text-echoed"),
        pytest.param(text_update("ok", reply_to_bot=True), ["reply to bot"], id="reply-to-bot"),
        pytest.param(
            group_text_update("hallo", mention_bot=True),
            [f"@{BOT_USERNAME} hallo"],
            id="group-mention-answered",
        ),
        pytest.param(
            group_text_update("hallo", mention_bot=False), [], id="group-chatter-ignored"
        ),
        pytest.param(
            command_update("/start", chat_type="group", bot_username=BOT_USERNAME),
            ["Welcome (-)"],
            id="group-command-for-this-bot",
        ),
        pytest.param(
            command_update("/start", chat_type="group", bot_username="OtherBot"),
            [],
            id="group-command-for-another-bot",
        ),
    ],
)
async def test_which_updates_get_a_reply(
    app: AnyApplication, recorder: RecordingRequest, payload: JSONDict, expected_texts: list[str]
) -> None:
    await feed(app, payload)

    assert recorder.sent_texts() == expected_texts


async def test_group_reply_goes_to_the_group(
    app: AnyApplication, recorder: RecordingRequest
) -> None:
    await feed(app, group_text_update("hallo", mention_bot=True))

    [sent] = recorder.calls_to("sendMessage")
    assert sent["chat_id"] == GROUP_CHAT_ID
