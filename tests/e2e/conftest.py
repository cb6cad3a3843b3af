"""Fixtures for the end-to-end tests against the telegram-test-api emulator.

What runs against the emulator: /start (with deep-link payload), text messages, commands,
inline-button presses, edits of the bot's messages, and, with the routes server.js adds at
start-up from extensions.js, inline queries, presses on inline-sent messages and photo and
document uploads (test_sharing_e2e.py). What is tested only offline (`tests/telegram_fakes.py`):
setMyCommands and other methods the emulator lacks, and Telegram's limits (4096 characters,
64-byte callback data, deep-link payload rules), which the emulator does not enforce.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from telegram import Update, User
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from tests.e2e.emulator import Emulator, EmulatorClient, EmulatorRequest

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
# Receives a builder already pointed at the emulator (token, base_url, request classes) and
# returns the built application, e.g. `lambda builder: builder.build()` after adding handlers,
# or a wrapper around the bot's composition root.
AppFactory = Callable[[ApplicationBuilder[Any, Any, Any, Any, Any, Any]], AnyApplication]

E2E_TESTS = Path(__file__).resolve().parent
POLL_INTERVAL = 0.05  # the emulator's getUpdates answers at once; this keeps polling cheap


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in tests/e2e with `e2e`."""
    for item in items:
        if item.path.is_relative_to(E2E_TESTS):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """One emulator process for the test session (tests isolate by bot token)."""
    if shutil.which("node") is None:
        reason = "Node.js ('node') is not installed; the e2e tests need it for telegram-test-api"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{reason} (CI is set, so this is an error)")
        pytest.skip(reason)
    with Emulator() as running:
        yield running


_token_numbers = itertools.count(100_001)


@pytest.fixture
def bot_token(request: pytest.FixtureRequest) -> str:
    """A fresh bot token per test: the emulator's update and message counters are global."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", request.node.name)[:40]
    return f"{next(_token_numbers)}:E2E-{name}"


@pytest.fixture
def test_user() -> User:
    """The human user the tests act as."""
    return User(id=4242, first_name="Test", is_bot=False, username="test_user", language_code="nl")


@pytest.fixture
async def user_client(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    """The user's side of the emulator, closed at the end of the test."""
    async with emulator.client() as client:
        yield client


def emulator_builder(
    emulator: Emulator, token: str
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An ApplicationBuilder pointed at the emulator, with the repairing request class."""
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(emulator.bot_base_url)
        .request(EmulatorRequest())
        .get_updates_request(EmulatorRequest())
    )


@asynccontextmanager
async def running_app(
    emulator: Emulator, token: str, factory: AppFactory
) -> AsyncIterator[AnyApplication]:
    """Run the application from `factory` with long polling against the emulator.

    Errors raised in handlers or while polling are collected and re-raised when the block
    exits, so a broken handler fails the test instead of only timing it out.
    """
    app = factory(emulator_builder(emulator, token))
    errors: list[BaseException] = []

    async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            errors.append(context.error)

    app.add_error_handler(record_error)
    updater = app.updater
    if updater is None:
        raise ValueError("the application needs an Updater for long polling")
    async with app:
        await updater.start_polling(
            poll_interval=POLL_INTERVAL,
            allowed_updates=Update.ALL_TYPES,
            error_callback=errors.append,
        )
        await app.start()
        try:
            yield app
        except BaseException as exc:
            for error in errors:
                exc.add_note(f"error inside the bot while polling: {error!r}")
            raise
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
    if errors:
        raise errors[0]


RunApp = Callable[[AppFactory], AbstractAsyncContextManager[AnyApplication]]


@pytest.fixture
def run_app(emulator: Emulator, bot_token: str) -> RunApp:
    """`async with run_app(factory) as app:` runs the app with this test's bot token."""

    def run(factory: AppFactory) -> AbstractAsyncContextManager[AnyApplication]:
        return running_app(emulator, bot_token, factory)

    return run
