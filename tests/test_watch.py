"""The content folder is watched: edits go live by themselves, broken ones are refused and
reported to the admins once, even by several replicas watching the same folder."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.content.library import Library
from bot.content.problems import Level, Problem
from bot.counting import CountingEngine
from bot.engine import Engine
from bot.storage import Storage
from bot.store import ContentStore
from bot.usage import Usage
from bot.watch import ContentWatcher
from bot_telegram.app import build_application
from bot_telegram.operations import Operations
from tests.telegram_fakes import RecordingRequest
from tests.test_telegram_handlers import TOKEN

ADMIN = 9001
FAST = {"poll_seconds": 0.05, "debounce_seconds": 0.15}


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def title_of(engine: Engine, item_id: str) -> str:
    reply = engine.show(item_id)
    assert reply is not None
    return reply.plain_text().splitlines()[0]


def edit(folder: Path, old: str, new: str) -> None:
    path = folder / "vragen.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_a_valid_edit_goes_live_by_itself(content_copy: Path) -> None:
    engine = Engine(ContentStore.open(content_copy))
    reports: list[list[Problem]] = []
    watcher = ContentWatcher(engine.store, lambda p, b, a: reports.append(p), **FAST)
    watcher.start()
    try:
        edit(content_copy, "titel: Twijfel", "titel: Twijfel (bewerkt)")
        assert wait_until(lambda: title_of(engine, "twijfel") == "Twijfel (bewerkt)")
    finally:
        watcher.stop()
    assert watcher.reloads == 1
    assert not any(p.level is Level.ERROR for problems in reports for p in problems)


def test_a_burst_of_saves_is_one_reload(content_copy: Path) -> None:
    engine = Engine(ContentStore.open(content_copy))
    watcher = ContentWatcher(
        engine.store, lambda p, b, a: None, poll_seconds=0.05, debounce_seconds=1.0
    )
    watcher.start()
    try:
        for n in range(5):
            edit(
                content_copy,
                f"titel: Twijfel{' ' + str(n - 1) if n else ''}",
                f"titel: Twijfel {n}",
            )
            time.sleep(0.1)
        assert wait_until(lambda: title_of(engine, "twijfel") == "Twijfel 4")
        time.sleep(1.2)  # past another debounce: no second reload
    finally:
        watcher.stop()
    assert watcher.reloads == 1


def test_a_broken_edit_keeps_the_old_content_and_is_reported_with_file_and_line(
    content_copy: Path,
) -> None:
    engine = Engine(ContentStore.open(content_copy))
    before = engine.store.current
    reports: list[list[Problem]] = []
    watcher = ContentWatcher(engine.store, lambda p, b, a: reports.append(p), **FAST)
    watcher.start()
    try:
        (content_copy / "vragen.yaml").write_text("vragen: [\n")
        assert wait_until(lambda: bool(reports))
        assert engine.store.current is before
        assert engine.ask("twijfel").hits[0].item_id == "twijfel"
    finally:
        watcher.stop()
    [errors] = [[str(p) for p in problems if p.level is Level.ERROR] for problems in reports]
    assert errors
    assert all(e.startswith("vragen.yaml:2:1: error: dit is geen geldige YAML") for e in errors)


async def test_replicas_tell_the_admins_about_a_broken_edit_once(
    content_copy: Path, tmp_path: Path
) -> None:
    """Two replicas watch one content folder and share one database: one notice."""
    recs = [RecordingRequest(), RecordingRequest()]
    storages = [Storage.open(tmp_path / "data"), Storage.open(tmp_path / "data")]
    settings = Settings(
        content_dir=content_copy, token=TOKEN, admin_ids=frozenset({ADMIN}), setup=False
    )
    apps = []
    for rec, storage in zip(recs, storages, strict=True):
        usage = Usage(storage)
        engine = CountingEngine(ContentStore.open(content_copy), usage)
        ops = Operations(
            storage=storage, usage=usage, watch=True, poll_seconds=0.05, debounce_seconds=0.15
        )
        apps.append(
            build_application(
                settings,
                engine,
                request=rec,
                updates_request=RecordingRequest(),
                rate_limit=False,
                operations=ops,
            )
        )
    for app in apps:
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
    try:
        (content_copy / "vragen.yaml").write_text("vragen: [\n")

        def notices() -> list[str]:
            return [str(p["text"]) for rec in recs for p in rec.calls_to("sendMessage")]

        for _ in range(200):
            if notices():
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.8)  # time for a second (wrong) notice to arrive
        [notice] = notices()
        assert notice.startswith("<b>Tekst inhoud fout melding fouten=1</b>")
        assert "vragen.yaml:2:1: error:" in notice
        [call] = [p for rec in recs for p in rec.calls_to("sendMessage")]
        assert call["chat_id"] == ADMIN
    finally:
        for app in apps:
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
            await app.shutdown()
        for storage in storages:
            storage.close()


def test_watcher_thread_does_not_block_the_caller(content_copy: Path) -> None:
    engine = Engine(ContentStore.open(content_copy))
    calls: list[tuple[Library, Library]] = []
    watcher = ContentWatcher(engine.store, lambda p, b, a: calls.append((b, a)), **FAST)
    started = time.perf_counter()
    watcher.start()
    assert time.perf_counter() - started < 0.5
    assert any(t.name == "content-watcher" for t in threading.enumerate())
    watcher.stop()
    assert not any(t.name == "content-watcher" for t in threading.enumerate())
