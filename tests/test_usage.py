"""Usage figures on both backends: counts, exact unique users, retention, closing a year.

Every test here runs twice, on SQLite and on a real PostgreSQL server (`database` fixture).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import uniques
from bot.storage import SCHEMA_VERSION, Batch, Storage
from bot.usage import Kind, Usage, UsageConfig, Via, current_user
from tests.pg_server import PostgresServer

YEAR = 2026


class Clock:
    """A settable clock (seconds since the epoch)."""

    def __init__(self, when: datetime) -> None:
        self.now = when.timestamp()

    def __call__(self) -> float:
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when.timestamp()


def at(month: int, day: int = 1, hour: int = 12) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(at(1, 5))


@pytest.fixture
def usage(storage: Storage, clock: Clock) -> Usage:
    return Usage(storage, UsageConfig(log_unanswered=True, retention_days=30), clock=clock)


def visit_as(usage: Usage, user_id: int, *items: str) -> None:
    token = current_user.set(user_id)
    try:
        if items:
            for item in items:
                usage.shown(item, Via.BUTTON)
        else:
            usage.question("answer", urgent=False)
    finally:
        current_user.reset(token)


def total(storage: Storage, kind: str, subject: str | None = None) -> int:
    rows = storage.counts(f"{YEAR}-01-01", f"{YEAR}-12-31")
    return sum(r.n for r in rows if r.kind == kind and (subject is None or r.subject == subject))


def test_the_schema_is_migrated_once_and_reopening_changes_nothing(
    database: tuple[Path, str | None],
) -> None:
    first = Storage.open(*database)
    assert first.schema_version() == SCHEMA_VERSION
    second = Storage.open(*database)  # a second replica starting on the same database
    assert second.migrate() == SCHEMA_VERSION
    assert second.schema_version() == SCHEMA_VERSION
    first.close()
    second.close()


def test_events_are_counted_per_day_kind_and_item(usage: Usage, storage: Storage) -> None:
    visit_as(usage, 1)
    visit_as(usage, 2, "e-learning")
    visit_as(usage, 2, "e-learning")
    usage.question("fallback", urgent=False)
    usage.question("answer", urgent=True)
    usage.feedback("e-learning", useful=True)
    usage.feedback("e-learning", useful=False)
    usage.feedback("e-learning", useful=True)
    usage.flush()
    usage.flush()  # nothing new: nothing doubles
    assert total(storage, Kind.QUESTION) == 3
    assert total(storage, Kind.URGENT) == 1
    assert total(storage, Kind.ITEM, "e-learning") == 2
    feedback = {
        r.detail: r.n
        for r in storage.counts(f"{YEAR}-01-01", f"{YEAR}-12-31")
        if r.kind == Kind.FEEDBACK
    }
    assert feedback == {"ja": 2, "nee": 1}
    days = {r.day for r in storage.counts(f"{YEAR}-01-01", f"{YEAR}-12-31")}
    assert days == {"2026-01-05"}


def test_unique_users_are_exact_for_a_simulated_year_of_300_users(
    usage: Usage, storage: Storage, clock: Clock
) -> None:
    rng = random.Random(11)  # noqa: S311 - a reproducible simulation
    items = ["e-learning", "vorming", "supervisie", "draaiboek", "twijfel"]
    seen_year: set[int] = set()
    seen_month: dict[int, set[int]] = {}
    seen_item: dict[str, set[int]] = {}
    day = at(1, 1)
    while day.year == YEAR:
        clock.set(day)
        # 0 to 12 visits a day by any of 300 users, often the same ones again.
        for _ in range(rng.randrange(13)):
            user = rng.randrange(300) + 10_000_000
            chosen = rng.sample(items, rng.randrange(3))
            visit_as(usage, user, *chosen)
            seen_year.add(user)
            seen_month.setdefault(day.month, set()).add(user)
            for item in chosen:
                seen_item.setdefault(item, set()).add(user)
        if day.day % 7 == 0:
            usage.flush()
        day += timedelta(days=1)
    usage.flush()
    counted = storage.uniques(YEAR)
    assert counted["bot"] == len(seen_year) == 300
    for month, users in seen_month.items():
        assert counted[uniques.month_scope(month)] == len(users)
    for item, users in seen_item.items():
        assert counted[uniques.item_scope(item)] == len(users)


def test_unique_users_are_within_two_percent_for_50000(usage: Usage, storage: Storage) -> None:
    for user in range(50_000):
        visit_as(usage, 7_000_000_000 + user)
        if user % 3 == 0:
            visit_as(usage, 7_000_000_000 + user)  # repeated visits
        if user % 10_000 == 9_999:
            usage.flush()
    usage.flush()
    counted = storage.uniques(YEAR)["bot"]
    error = abs(counted - 50_000) / 50_000
    assert error <= 0.02
    assert counted == 50_000  # the keyed hash is exact at any size


def test_two_replicas_sharing_the_database_count_a_user_once(
    database: tuple[Path, str | None], clock: Clock
) -> None:
    one, two = Storage.open(*database), Storage.open(*database)
    first, second = Usage(one, clock=clock), Usage(two, clock=clock)
    for user in range(40):
        # Every user's updates land on either replica, as behind a load balancer.
        visit_as(first if user % 2 else second, user, "vorming")
        visit_as(second if user % 2 else first, user, "vorming")
    first.flush()
    second.flush()
    assert one.uniques(YEAR)["bot"] == 40
    assert two.uniques(YEAR)[uniques.item_scope("vorming")] == 40
    assert total(one, Kind.ITEM, "vorming") == 80
    one.close()
    two.close()


def test_a_closed_year_keeps_its_counts_and_destroys_key_and_pseudonyms(
    usage: Usage, storage: Storage, clock: Clock
) -> None:
    for user in range(25):
        visit_as(usage, user, "draaiboek")
    usage.flush()
    assert storage.has_year_key(YEAR)
    clock.set(datetime(YEAR + 1, 1, 1, 0, 30, tzinfo=UTC))
    usage.housekeeping()  # within the grace hour: still open
    assert storage.has_year_key(YEAR)
    clock.set(datetime(YEAR + 1, 1, 1, 2, tzinfo=UTC))
    usage.housekeeping()
    assert not storage.has_year_key(YEAR)
    assert storage.table_rows("visitors") == 0
    counted = storage.uniques(YEAR)
    assert counted["bot"] == 25
    assert counted[uniques.item_scope("draaiboek")] == 25
    # Nothing can be counted for that year any more: its key is gone for good.
    assert storage.year_key(YEAR, uniques.new_key()) is None


def test_unanswered_questions_are_redacted_and_deleted_after_the_retention(
    usage: Usage, storage: Storage, clock: Clock
) -> None:
    usage.unanswered("Mag Joske van Jan naar 0470 12 34 56 bellen?", {"mag"})
    usage.flush()
    clock.set(at(1, 5) + timedelta(days=20))
    usage.unanswered("hoe lang duurt een melding", set())
    usage.flush()
    assert [text for _, _, text in storage.unanswered("2026-01-01")] == [
        "hoe lang duurt een melding",
        "Mag [naam] van [naam] naar [telefoon] bellen?",
    ]
    clock.set(at(1, 5) + timedelta(days=31))
    usage.housekeeping()
    assert [text for _, _, text in storage.unanswered("2026-01-01")] == [
        "hoe lang duurt een melding"
    ]
    clock.set(at(1, 5) + timedelta(days=51))
    usage.housekeeping()
    assert storage.table_rows("unanswered") == 0


def test_nothing_is_kept_when_unanswered_logging_is_off(storage: Storage, clock: Clock) -> None:
    off = Usage(storage, UsageConfig(log_unanswered=False), clock=clock)
    off.unanswered("waar woont Joske", set())
    off.hold("abcdefgh1234", "signalen", set())
    off.none_of_these("abcdefgh1234")
    off.flush()
    assert storage.table_rows("unanswered") == 0
    assert storage.table_rows("pending") == 0
    assert total(storage, Kind.NONE_OF_THESE) == 1


def test_none_of_these_logs_the_held_question_and_unclaimed_ones_expire(
    usage: Usage, storage: Storage, clock: Clock
) -> None:
    usage.hold("token-one-123", "signalen bij Joske", {"signalen"})
    usage.hold("token-two-456", "vk", set())
    usage.flush()
    usage.none_of_these("token-one-123")
    usage.none_of_these("token-one-123")  # pressed twice: logged once
    usage.flush()
    assert storage.unanswered("2026-01-01") == [
        ("2026-01-05", "geen-van-deze", "signalen bij [naam]")
    ]
    assert storage.table_rows("pending") == 1
    clock.set(at(1, 5, hour=14))
    usage.housekeeping()
    assert storage.table_rows("pending") == 0


def test_a_failed_write_is_kept_and_written_with_the_next(
    usage: Usage, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = storage.write
    calls: list[Batch] = []

    def failing(batch: Batch) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise ConnectionError("database away")
        real_write(batch)

    monkeypatch.setattr(storage, "write", failing)
    visit_as(usage, 5)
    usage.flush()
    assert total(storage, Kind.QUESTION) == 0
    visit_as(usage, 6)
    usage.flush()
    assert total(storage, Kind.QUESTION) == 2
    assert storage.uniques(YEAR)["bot"] == 2


def test_a_notice_is_claimed_by_one_replica_only(database: tuple[Path, str | None]) -> None:
    one, two = Storage.open(*database), Storage.open(*database)
    assert one.claim_notice("inhoud:abc", 1.0)
    assert not two.claim_notice("inhoud:abc", 2.0)
    two.forget_notices("inhoud:")
    assert two.claim_notice("inhoud:abc", 3.0)
    one.close()
    two.close()


def test_the_flusher_thread_writes_within_its_interval(storage: Storage) -> None:
    threaded = Usage(storage, flush_seconds=0.05)
    threaded.start()
    try:
        token = current_user.set(77)
        threaded.question("answer", urgent=False)
        current_user.reset(token)
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        today = datetime.now(UTC).date().isoformat()
        while datetime.now(UTC) < deadline and not storage.counts(today, today):
            threaded._stop.wait(0.05)
        assert [r.n for r in storage.counts(today, today)] == [1]
    finally:
        threaded.close()


def test_unique_users_are_kept_when_the_year_key_cannot_be_read(
    usage: Usage, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = storage.year_key
    calls: list[int] = []

    def failing(year: int, secret: bytes) -> bytes | None:
        calls.append(year)
        if len(calls) == 1:
            raise ConnectionError("database away")
        return real(year, secret)

    monkeypatch.setattr(storage, "year_key", failing)
    visit_as(usage, 1)
    usage.flush()
    visit_as(usage, 2)
    usage.flush()
    assert storage.uniques(YEAR)["bot"] == 2
    assert total(storage, Kind.QUESTION) == 2


def test_postgresql_connection_dropped_by_the_server_is_reopened(
    postgres_server: PostgresServer, tmp_path: Path, clock: Clock
) -> None:
    import psycopg

    url = postgres_server.new_database()
    storage = Storage.open(tmp_path, url)
    usage = Usage(storage, clock=clock)
    visit_as(usage, 1)
    usage.flush()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    visit_as(usage, 2)
    usage.flush()  # fails on the dead connection: kept
    visit_as(usage, 3)
    usage.flush()  # a new connection: everything written
    assert storage.uniques(YEAR)["bot"] == 3
    assert total(storage, Kind.QUESTION) == 3
    storage.close()
