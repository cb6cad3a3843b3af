"""End to end against telegram-test-api: several users open a learning item, and an admin's
`/statistieken` shows that number of unique users; a non-admin's `/statistieken` gets the
ordinary help. The bot is the one `playbook run` builds: `CountingEngine`, usage figures on
SQLite with their flusher thread, the admin filter, long polling against the emulator.

The chart (sendPhoto) is tested offline only: the emulator has no sendPhoto; the bot logs
that and goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from telegram import User
from telegram.ext import ApplicationBuilder

from bot.config import Settings
from bot.counting import CountingEngine
from bot.storage import Storage
from bot.store import ContentStore
from bot.usage import Usage
from bot_telegram.app import build_application
from bot_telegram.delivery import RetryPolicy
from bot_telegram.operations import Operations
from tests.conftest import FIXTURE_CONTENT
from tests.e2e.emulator import Emulator, EmulatorClient, EmulatorRequest

if TYPE_CHECKING:
    from tests.e2e.conftest import AnyApplication, AppFactory, RunApp

ADMIN = User(id=777, first_name="Beheerder", is_bot=False)
WORKERS = [User(id=5000 + n, first_name=f"W{n}", is_bot=False) for n in range(4)]


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    opened = Storage.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def counting_bot(emulator: Emulator, bot_token: str, storage: Storage) -> AppFactory:
    def factory(builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any]) -> AnyApplication:
        settings = Settings(
            content_dir=FIXTURE_CONTENT,
            token=bot_token,
            api_base_url=emulator.bot_base_url,
            admin_ids=frozenset({ADMIN.id}),
        )
        usage = Usage(storage)
        engine = CountingEngine(ContentStore.open(FIXTURE_CONTENT), usage)
        return build_application(
            settings,
            engine,
            request=EmulatorRequest(),
            updates_request=EmulatorRequest(),
            rate_limit=True,
            # The emulator answers HTTP 500 for every method it lacks (setMyCommands,
            # sendPhoto): the production retry rules, with half a second instead of 30.
            retry=RetryPolicy(budget=0.5, first_delay=0.01, max_delay=0.1),
            operations=Operations(storage=storage, usage=usage),
        )

    return factory


async def test_an_admin_sees_how_many_users_opened_a_learning_item(
    run_app: RunApp, counting_bot: AppFactory, user_client: EmulatorClient, bot_token: str
) -> None:
    async def command(user: User, text: str) -> list[str]:
        await user_client.send_command(bot_token, user.id, user, text)
        messages = await user_client.wait_for_bot_messages(bot_token, user.id, count=1)
        return [m.text for m in messages]

    async with run_app(counting_bot) as app:
        # post_init (set-up, the usage flusher) runs in run_polling; the harness starts the
        # parts by hand, so start it here as `playbook run` would.
        assert app.post_init is not None
        await app.post_init(app)
        for worker in WORKERS[:3]:
            [opened] = await command(worker, "/start e-learning")
            assert opened.startswith("<b>E learning</b>")
        [again] = await command(WORKERS[0], "/start e-learning")  # the same user again
        assert again.startswith("<b>E learning</b>")
        [help_text] = await command(WORKERS[3], "/statistieken")
        [report] = await command(ADMIN, "/statistieken")
        assert app.post_shutdown is not None
        await app.post_shutdown(app)

    # The help as issue 9 sends it: the commands in its expandable details.
    assert help_text == "Tekst hulp\n<blockquote expandable>Tekst hulp commandos</blockquote>"
    # Users of the bot: the three, and the fourth who got the help; of the item: three.
    assert "Tekst statistieken uniek aantal=4" in report
    assert "Tekst statistieken item titel=E learning aantal=4 uniek=3" in report
