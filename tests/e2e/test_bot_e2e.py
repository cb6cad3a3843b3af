"""The real bot end to end: its composition root over HTTP against telegram-test-api.

The application is the one `playbook run` builds (`bot_telegram.app.build_application`), on
the fixture content, with the real `AIORateLimiter`, long polling through the harness in
conftest.py. It reaches the emulator the way production reaches a local Bot API server: the
`api_base_url` setting (`TELEGRAM_API_BASE_URL`), plus the harness's repairing request class.

Covered against the emulator: /start with the welcome text and the menu keyboard, a free-text
question and its answer with its details in an expandable quotation (`<blockquote
expandable>`, with linked source labels), a menu button press that edits the pressed message
in place (editMessageText, read back from the emulator's history), step navigation in one
message, a related item that arrives as a new message, a deep link (`/start
signalen-noteren`, `/start pc-3500`, and one that opens nothing), an urgent question, a
forged callback, a mistyped command and its suggestion button, the decision aid moving in one
edited message (`/beslishulp`, three answers, "Vorige", an outcome, the summary) and its note
for a forged button, and the start-up hook surviving the emulator's HTTP 500 for
setMyCommands (retried, then given up). The emulator never refuses an edit, so the fallback
to a new message is covered offline.

Covered only offline (tests/test_telegram_handlers.py, tests/test_render.py), because the
emulator lacks them or does not enforce them: setMyCommands and the bot descriptions actually
being set, webhook mode, groups and forum topics (mentions, replies to the bot, `/cmd@bot`,
`message_thread_id`), edits Telegram refuses (the emulator accepts every edit, even of a
message it does not have), inaccessible and inline messages, Telegram's limits (4096
characters, 64-byte callback data, HTML entity parsing), rate limits and RetryAfter, error
handling, content reloads, photos, stickers and other messages without text (the emulator
sends text only). Faults and restarts of the API: tests/test_fault_injection.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import TYPE_CHECKING, Any

import pytest
from telegram import User
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.config import Settings
from bot.engine import Engine
from bot.store import ContentStore
from bot_telegram.app import build_application
from bot_telegram.delivery import RetryPolicy
from tests.conftest import FIXTURE_CONTENT
from tests.e2e.emulator import BotMessage, Emulator, EmulatorClient, EmulatorRequest

if TYPE_CHECKING:
    from tests.e2e.conftest import AnyApplication, AppFactory, RunApp

EDIT_TIMEOUT = 10.0
"""Seconds to wait for the bot to edit a message after a press."""
MAIN_MENU = ["i*:stappenplan", "i:beslishulp", "q*", "c*", "i:noodnummers", "l*"]
QUOTE = re.compile(r"<blockquote expandable>(.*?)</blockquote>", re.DOTALL)


@pytest.fixture
def real_bot(emulator: Emulator, bot_token: str) -> AppFactory:
    """A factory for `run_app` that builds the bot with its own composition root.

    The harness hands the factory a builder already pointed at the emulator; the real bot
    builds its own from `Settings` instead, so only the transport is test-specific.
    """

    def factory(builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any]) -> AnyApplication:
        settings = Settings(
            content_dir=FIXTURE_CONTENT, token=bot_token, api_base_url=emulator.bot_base_url
        )
        engine = Engine(ContentStore.open(FIXTURE_CONTENT))
        return build_application(
            settings,
            engine,
            request=EmulatorRequest(),
            updates_request=EmulatorRequest(),
            rate_limit=True,
            # The emulator answers HTTP 500 for every method it lacks (setMyCommands…): the
            # production rules, with a budget of half a second instead of 30.
            retry=RetryPolicy(budget=0.5, first_delay=0.01, max_delay=0.1),
        )

    return factory


class Chat:
    """The test user's conversation with the bot: send something, get the bot's messages."""

    def __init__(self, client: EmulatorClient, token: str, user: User) -> None:
        self.client = client
        self.token = token
        self.user = user

    async def command(self, text: str, count: int = 1) -> list[BotMessage]:
        await self.client.send_command(self.token, self.user.id, self.user, text)
        return await self.replies(count)

    async def say(self, text: str, count: int = 1) -> list[BotMessage]:
        await self.client.send_message(self.token, self.user.id, self.user, text)
        return await self.replies(count)

    async def press(self, message: BotMessage, data: str, count: int = 1) -> list[BotMessage]:
        await self.client.send_callback(self.token, self.user.id, self.user, message, data)
        return await self.replies(count)

    async def edited(
        self,
        message: BotMessage,
        previous: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - the polling deadline, as in the harness
    ) -> str:
        """The text of one of the bot's messages once an edit changed it from `previous`
        (read back from the emulator's history, where edits are applied in place)."""
        deadline = time.monotonic() + timeout
        while True:
            for record in await self.client.get_updates_history(self.token):
                stored = record.get("message", {})
                # The bot's own messages carry chat_id; the user's carry a chat object.
                if record.get("messageId") == message.message_id and "chat_id" in stored:
                    text = str(stored.get("text", ""))
                    if text != previous:
                        return text
            if time.monotonic() >= deadline:
                raise TimeoutError(f"message {message.message_id} was not edited")
            await asyncio.sleep(0.01)

    async def press_in_place(self, message: BotMessage, label: str) -> BotMessage:
        """Press the button `label` under `message` and wait until the bot has edited that
        message (the emulator keeps edits in its history, not among new messages)."""
        [data] = [
            str(button.callback_data)
            for row in (message.keyboard.inline_keyboard if message.keyboard else ())
            for button in row
            if button.text == label
        ]
        await self.client.send_callback(self.token, self.user.id, self.user, message, data)
        async with asyncio.timeout(EDIT_TIMEOUT):
            while True:
                for record in await self.client.get_updates_history(self.token):
                    if record.get("messageId") == message.message_id and "botToken" in record:
                        edited = BotMessage.from_record(record)
                        if edited.text != message.text:
                            return edited
                await asyncio.sleep(0.02)

    async def replies(self, count: int) -> list[BotMessage]:
        messages = await self.client.wait_for_bot_messages(self.token, self.user.id, count=count)
        assert len(messages) == count, [m.text for m in messages]
        assert all(m.chat_id == self.user.id for m in messages)
        return sorted(messages, key=lambda m: m.message_id)


@pytest.fixture
def chat(user_client: EmulatorClient, bot_token: str, test_user: User) -> Chat:
    return Chat(user_client, bot_token, test_user)


async def test_the_real_bot_runs_with_the_real_rate_limiter(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot) as app:
        assert isinstance(app.bot.rate_limiter, AIORateLimiter)
        assert app.bot.username == "TestNameBot"
        [reply] = await chat.command("/start")

    assert reply.raw["message"]["parse_mode"] == "HTML"


async def test_start_welcomes_with_the_menu(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [welcome] = await chat.command("/start")

    assert welcome.text == "Tekst welkom"
    assert welcome.callback_data == MAIN_MENU
    assert welcome.keyboard is not None
    assert welcome.keyboard.inline_keyboard[0][0].text == "Tekst knop stappenplan"


async def test_a_question_gets_its_core_first_and_the_details_in_an_expandable_quotation(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [answer] = await chat.say("Ik twijfel, wat moet ik doen?")
        [clarify] = await chat.say("signalen")

    assert answer.raw["message"]["parse_mode"] == "HTML"
    assert answer.text.startswith("<b>Twijfel</b>\n\nKern over twijfel.\n<blockquote expandable>")
    [details] = QUOTE.findall(answer.text)
    assert details.startswith("Antwoord over twijfel.")
    assert 'Tekst bronnen: <a href="https://example.org/twijfel">example.org</a>' in details
    assert "Nagekeken op 01-11-2026" in details
    assert answer.callback_data == ["m"]
    assert clarify.text == "<b>Tekst bedoel je</b>"
    assert clarify.callback_data[-2:] == ["n*", "m*"]


async def test_moving_through_the_menu_and_the_step_plan_edits_the_pressed_message(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [welcome] = await chat.command("/start")
        await chat.client.send_callback(
            chat.token, chat.user.id, chat.user, welcome, "i*:stappenplan"
        )
        plan = await chat.edited(welcome, welcome.text)
        await chat.client.send_callback(
            chat.token, chat.user.id, chat.user, welcome, "i*:signalen-noteren"
        )
        step = await chat.edited(welcome, plan)
        # Nothing new arrived: the welcome message itself became the plan, then step 1.
        assert await chat.client.get_updates(chat.token, chat.user.id) == []
        # A related item under an answer, by contrast, arrives as a new message.
        [answer] = await chat.say("twijfel")
        [again] = await chat.press(answer, "i:twijfel")
        [learning] = await chat.press(answer, "l")

    assert welcome.text == "Tekst welkom"
    assert plan.startswith("<b>Stappenplan</b>\n\nKern over het stappenplan.")
    assert step.startswith("<i>Stap 1 van 6</i>\n\n<b>Signalen noteren</b>")
    assert again.message_id != answer.message_id
    assert again.text == answer.text
    assert learning.text == "<b>Tekst leren titel</b>"


async def test_deep_links(run_app: RunApp, real_bot: AppFactory, chat: Chat) -> None:
    async with run_app(real_bot):
        [step] = await chat.command("/start signalen-noteren")
        [place] = await chat.command("/start pc-3500")
        [unknown] = await chat.command("/start bestaat-niet")

    assert step.text.startswith("<i>Stap 1 van 6</i>\n\n<b>Signalen noteren</b>")
    assert place.text.startswith("<b>Voor 3500 Hasselt (Limburg):</b>\n\n<b>Vk limburg</b>")
    assert place.callback_data == ["i:caw", "i:huis-van-het-kind", "m"]
    assert unknown.text == "Tekst link verlopen\n\nTekst welkom"


async def test_an_urgent_question_opens_with_the_urgent_heading(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [first] = await chat.say("er is een mes")

    # The short emergency reply: the numbers first, the next steps, three buttons.
    assert first.text == "<b>Bel 112 of 101.</b>\n\n• Verwittig je verantwoordelijke."
    assert first.callback_data == ["c", "i:noodnummers", "m"]


@pytest.mark.parametrize("data", ["i:does-not-exist", "random-string", "i:ñandú"])
async def test_a_forged_callback_gets_the_polite_note(
    run_app: RunApp, real_bot: AppFactory, chat: Chat, data: str
) -> None:
    async with run_app(real_bot):
        [menu] = await chat.command("/start")
        [note] = await chat.press(menu, data)
        # The bot is still fine afterwards.
        [answer] = await chat.say("twijfel")

    assert note.text == "Tekst knop verlopen"
    assert note.callback_data == MAIN_MENU
    assert answer.text.startswith("<b>Twijfel</b>")


async def test_the_decision_aid_moves_in_one_message_to_the_summary(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [start] = await chat.command("/beslishulp")
        # Three answers (the third reaches an outcome), "Vorige", one more answer.
        thuis = await chat.press_in_place(start, "Nee gevaar")
        genoteerd = await chat.press_in_place(thuis, "Ja thuis")
        noteren = await chat.press_in_place(genoteerd, "Nog niet genoteerd")
        back = await chat.press_in_place(noteren, "Tekst knop vorige")
        summary = await chat.press_in_place(back, "Ja genoteerd")
        # Every step edited the one message: the bot sent nothing new.
        assert await chat.client.get_updates(chat.token, chat.user.id) == []

    # The decision aid's kern on the first screen, its tekst in the expandable details.
    assert start.text.startswith("<b>Beslishulp</b>\n\nKern beslishulp.\n\n<b>Vraag gevaar?")
    assert QUOTE.findall(start.text) == ["Uitleg beslishulp."]
    assert thuis.text == "<i>Beslishulp</i>\n\n<b>Vraag thuis?</b>"
    assert genoteerd.text == back.text == "<i>Beslishulp</i>\n\n<b>Vraag genoteerd?</b>"
    assert back.callback_data == genoteerd.callback_data
    assert "<b>Uitkomst noteren</b>" in noteren.text
    assert {m.message_id for m in (thuis, genoteerd, noteren, back, summary)} == {start.message_id}
    assert summary.text.startswith(
        "<i>Tekst samenvatting</i>\n\n• Vraag gevaar? → Nee gevaar\n• Vraag thuis? → Ja thuis\n"
        "• Vraag genoteerd? → Ja genoteerd\n\n<b>Uitkomst advies</b>\n\nAdvies vk.\n\n"
        "<b>Tekst slotzin.</b>"
    )
    assert summary.callback_data == [
        "c",
        "i:advies-vragen",
        "i:caw",
        "i:stappenplan",
        "b:genoteerd:21",
        "b",
    ]  # six buttons at most: no menu under an outcome ("Vorige" and "Opnieuw" lead to it)


async def test_a_forged_decision_button_gets_the_note_and_the_start(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [start] = await chat.command("/beslishulp")
        forged = BotMessage(
            start.message_id,
            start.chat_id,
            start.text,
            {"inline_keyboard": [[{"text": "Oud", "callback_data": "b:bestaat-niet:12"}]]},
            start.raw,
        )
        note = await chat.press_in_place(forged, "Oud")

    assert note.text.startswith("<b>Tekst verlopen.</b>\n\n<b>Beslishulp</b>")
    assert note.callback_data == ["b:bellen:1", "b:thuis:2", "m"]


async def test_a_mistyped_command_suggests_the_closest_one(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [suggestion] = await chat.command("/stappenplna")
        [plan] = await chat.press(suggestion, "k:stappenplan")

    assert suggestion.text == "<b>Tekst onbekend commando</b>"
    # The suggestion, then the main menu as far as six buttons allow.
    assert suggestion.callback_data == ["k:stappenplan", *MAIN_MENU[:5]]
    assert plan.text.startswith("<b>Stappenplan</b>\n\nKern over het stappenplan.")


async def test_start_up_hook_survives_the_emulator_refusing_set_my_commands(
    run_app: RunApp, real_bot: AppFactory, chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot_telegram.app")
    async with run_app(real_bot) as app:
        assert app.post_init is not None
        await app.post_init(app)  # setMyCommands answers HTTP 500 here: logged, not raised
        [welcome] = await chat.command("/start")

    assert welcome.text == "Tekst welkom"
    [record] = [r for r in caplog.records if r.name == "bot_telegram.app"]
    assert record.getMessage().startswith("could not set the command menu or description")
