"""Shared fixtures: the small, stable fixture content and an engine on it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.storage import Storage
from bot.store import ContentStore
from tests.pg_server import PostgresServer, find_binaries

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
SHIPPED_CONTENT = Path(__file__).parent.parent / "content"
TODAY = date(2026, 11, 29)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture content, to break on purpose."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


@pytest.fixture(scope="session")
def engine() -> Engine:
    """An engine on the fixture content (shared: engines hold no per-user state)."""
    return Engine(ContentStore.open(FIXTURE_CONTENT, today=TODAY))


# -- storage: every storage test runs against SQLite and a real PostgreSQL server -------------

BACKENDS = ("sqlite", "postgresql")
_postgres_missing: list[str] = []


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (each test gets its own database)."""
    bin_dir, reason = find_binaries()
    if bin_dir is None:
        _postgres_missing.append(reason)
        pytest.skip(f"POSTGRESQL TESTS SKIPPED: {reason}")
    with PostgresServer(bin_dir) as server:
        yield server


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str | None]:
    """(data dir, database URL): SQLite in a temporary folder, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "data", None
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return tmp_path / "data", server.new_database()


@pytest.fixture
def storage(database: tuple[Path, str | None]) -> Iterator[Storage]:
    """A migrated, empty storage on each backend."""
    opened = Storage.open(*database)
    yield opened
    opened.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly, at the end, that the PostgreSQL half of the suite did not run."""
    for reason in dict.fromkeys(_postgres_missing):
        terminalreporter.write_sep("!", "POSTGRESQL TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(reason, red=True)
