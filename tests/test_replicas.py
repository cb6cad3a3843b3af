"""Several replicas behind one webhook, sharing one database, give the figures of one.

Real processes: two `playbook run` replicas (webhook mode, `BOT_SETUP=0`) share a fresh
PostgreSQL database and a content folder; a "load balancer" (this test) sends each update
to either replica; then both are stopped with SIGTERM. The same updates through a single
replica give exactly the same counts and unique users. And no replica calls setWebhook.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

from bot.storage import Storage
from tests.bot_process import BotProcess, FakeBotApi, wait_for
from tests.conftest import FIXTURE_CONTENT
from tests.pg_server import PostgresServer
from tests.telegram_fakes import button_update, command_update, text_update

USERS = 30


def traffic() -> list[dict[str, Any]]:
    """Questions, button presses and deep links of 30 users, in a fixed shuffled order."""
    rng = random.Random(5)  # noqa: S311 - a reproducible mix
    updates: list[dict[str, Any]] = []
    for user in range(USERS):
        user_id = 6_000_000_000 + user
        updates.append(command_update("/start", user_id=user_id))
        updates.append(text_update("Ik twijfel, wat moet ik doen?", user_id=user_id))
        for _ in range(rng.randrange(1, 4)):
            updates.append(button_update("i:e-learning", user_id=user_id))
        if user % 3 == 0:
            updates.append(command_update("/start vorming", user_id=user_id))
    return updates


def run_replicas(
    count: int, url: str, tmp_path: Path, updates: list[dict[str, Any]]
) -> dict[str, Any]:
    with FakeBotApi() as api:
        replicas = [
            BotProcess(
                api,
                content=FIXTURE_CONTENT,
                data_dir=tmp_path / f"data-{count}-{n}",
                log_file=tmp_path / f"replica-{count}-{n}.log",
                env={"BOT_DATABASE_URL": url},
            )
            for n in range(count)
        ]
        try:
            for replica in replicas:
                replica.wait_ready()
            cycle = itertools.cycle(replicas)
            for update in updates:
                assert next(cycle).post(update) == 200
            # One message per update (none of them is long).
            assert wait_for(lambda: api.count("sendMessage") >= len(updates)), api.calls
        finally:
            codes = [replica.stop() for replica in replicas]
        assert codes == [0] * count, [r.log_file.read_text()[-2000:] for r in replicas]
        assert api.count("setWebhook") == 0
        assert api.count("setMyCommands") == 0
    storage = Storage.open(tmp_path, url)
    try:
        rows = storage.counts("2000-01-01", "2999-12-31")
        year = int(rows[0].day[:4])
        return {
            "counts": sorted((r.kind, r.subject, r.detail, r.n) for r in rows),
            "uniques": dict(storage.uniques(year)),
        }
    finally:
        storage.close()


def test_two_replicas_count_as_one(tmp_path: Path, postgres_server: PostgresServer) -> None:
    updates = traffic()
    two = run_replicas(2, postgres_server.new_database(), tmp_path, updates)
    one = run_replicas(1, postgres_server.new_database(), tmp_path, updates)
    assert two == one
    assert two["uniques"]["bot"] == USERS
    assert two["uniques"]["item:e-learning"] == USERS
    assert two["uniques"]["item:vorming"] == len(range(0, USERS, 3))


def test_a_stopped_replica_writes_its_last_counts(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """Stopped right after the last update (before its 2-second flush): nothing is lost."""
    updates = [text_update("twijfel", user_id=6_100_000_000 + n) for n in range(5)]
    result = run_replicas(1, postgres_server.new_database(), tmp_path, updates)
    assert result["uniques"]["bot"] == 5
