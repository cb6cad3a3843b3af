"""Watch the content folder and reload it by itself, debounced, in a thread.

A simple poll of every file's size, modification time and inode (2 s): it works the same on
a bind mount, a Docker volume or a network share, where file-change events often never
arrive. After a change, the folder must be quiet for `DEBOUNCE_SECONDS` before it is
reloaded, so an editor that saves in several steps (or an admin who copies five files)
causes one reload. The reload itself is `ContentStore.reload`: valid content is swapped in
whole, broken content is refused and the last good version stays in service.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from bot.content.library import Library
from bot.content.problems import Problem
from bot.store import ContentStore

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
DEBOUNCE_SECONDS = 1.0

Fingerprint = tuple[tuple[str, int, int, int], ...]
OnReload = Callable[[list[Problem], Library, Library], None]
"""Called after each reload with its problems, the library before and the one in service."""


def fingerprint(folder: Path) -> Fingerprint:
    """What changes when a file of the folder is added, removed, replaced or edited."""
    entries = []
    try:
        paths = sorted(folder.iterdir())
    except OSError:
        return ()
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((path.name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(entries)


class ContentWatcher:
    """Reloads `store` when its folder changes; reports every reload to `on_reload`."""

    def __init__(
        self,
        store: ContentStore,
        on_reload: OnReload,
        *,
        poll_seconds: float = POLL_SECONDS,
        debounce_seconds: float = DEBOUNCE_SECONDS,
    ) -> None:
        self._store = store
        self._on_reload = on_reload
        self._poll = poll_seconds
        self._debounce = debounce_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: Fingerprint = ()
        self.reloads = 0

    @property
    def folder(self) -> Path:
        """The folder of the content in service."""
        return self._store.current.library.directory

    def start(self) -> None:
        """Start watching (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        # The state to compare with is taken now, not in the thread: an edit right after
        # `start` returns is a change too.
        self._seen = fingerprint(self.folder)
        self._thread = threading.Thread(target=self._run, name="content-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        seen = self._seen
        while not self._stop.wait(self._poll):
            now = fingerprint(self.folder)
            if now == seen:
                continue
            # Changed: wait until it stays the same for the debounce time.
            while not self._stop.wait(self._debounce):
                settled = fingerprint(self.folder)
                if settled == now:
                    break
                now = settled
            if self._stop.is_set():
                return
            seen = now
            try:
                self.reload()
            except Exception:  # the watcher must live on
                log.exception("content reload by the watcher failed")

    def reload(self) -> list[Problem]:
        """Reload now and report it (what the thread does after a change)."""
        before = self._store.current.library
        problems = self._store.reload()
        self.reloads += 1
        self._on_reload(problems, before, self._store.current.library)
        return problems
