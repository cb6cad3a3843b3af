"""The real bot end to end: its composition root over HTTP against telegram-test-api.

The application is the one `playbook run` builds (`bot_telegram.app.build_application`), on
the fixture content, with the real `AIORateLimiter`, long polling through the harness in
conftest.py. It reaches the emulator the way production reaches a local Bot API server: the
`api_base_url` setting (`TELEGRAM_API_BASE_URL`), plus the harness's repairing request class.

Covered against the emulator: /start with the welcome text and the menu keyboard, a free-text
question and its answer, a menu button press and its effect, step navigation, a deep link
(`/start signalen-noteren`, `/start pc-3500`), an urgent question, a forged callback, and the
start-up hook surviving the emulator's HTTP 500 for setMyCommands.

Covered only offline (tests/test_telegram_handlers.py, tests/test_render.py), because the
emulator lacks them or does not enforce them: setMyCommands and the bot descriptions actually
being set, webhook mode, groups (mentions, replies to the bot, `/cmd@bot`), Telegram's limits
(4096 characters, 64-byte callback data, HTML entity parsing), rate limits and RetryAfter,
error handling and content reloads.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
from telegram import User
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.config import Settings
from bot.engine import Engine
from bot.store import ContentStore
from bot_telegram.app import build_application
from tests.conftest import FIXTURE_CONTENT
from tests.e2e.emulator import BotMessage, Emulator, EmulatorClient, EmulatorRequest

if TYPE_CHECKING:
    from tests.e2e.conftest import AnyApplication, AppFactory, RunApp

MAIN_MENU = ["i:stappenplan", "c", "l", "i:noodnummers", "i:privacy"]


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


async def test_a_question_gets_its_answer(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [answer] = await chat.say("Ik twijfel, wat moet ik doen?")
        [clarify] = await chat.say("signalen")

    assert answer.text.startswith("<b>Twijfel</b>\n\nAntwoord over twijfel.")
    assert answer.callback_data == ["m"]
    assert clarify.text == "<b>Tekst bedoel je</b>"
    assert clarify.callback_data[-2:] == ["n", "m"]


async def test_pressing_a_menu_button_shows_that_item_and_its_steps(
    run_app: RunApp, real_bot: AppFactory, chat: Chat
) -> None:
    async with run_app(real_bot):
        [menu] = await chat.command("/start")
        [plan] = await chat.press(menu, "i:stappenplan")
        [step] = await chat.press(plan, "i:signalen-noteren")
        [following] = await chat.press(step, "i:intern-overleg")
        [learning] = await chat.press(menu, "l")

    assert plan.text.startswith("<b>Stappenplan</b>\n\nAlle stappen.")
    assert plan.callback_data[0] == "i:signalen-noteren"
    assert step.text.startswith("<i>Stap 1 van 6</i>\n\n<b>Signalen noteren</b>")
    assert "i:intern-overleg" in step.callback_data
    assert following.text.startswith("<i>Stap 2 van 6</i>\n\n<b>Intern overleg</b>")
    assert "i:signalen-noteren" in following.callback_data  # "vorige"
    assert learning.text == "<b>Tekst leren titel</b>"


async def test_deep_links(run_app: RunApp, real_bot: AppFactory, chat: Chat) -> None:
    async with run_app(real_bot):
        [step] = await chat.command("/start signalen-noteren")
        [place] = await chat.command("/start pc-3500")
        [unknown] = await chat.command("/start bestaat-niet")

    assert step.text.startswith("<i>Stap 1 van 6</i>\n\n<b>Signalen noteren</b>")
    assert place.text.startswith("<b>Voor 3500 (Limburg):</b>\n\n<b>Vk limburg</b>")
    assert place.callback_data == ["i:caw", "i:huis-van-het-kind", "m"]
    assert unknown.text == "Tekst welkom"


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
