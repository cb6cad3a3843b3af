"""Shared fixtures: the small, stable fixture content and an engine on it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.store import ContentStore

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
