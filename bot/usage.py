"""Usage figures: events counted in memory on the event loop, written by a thread every 2 s.

The event loop never waits for the database: recording an event adds to an in-memory batch
under a lock (microseconds). A flusher thread swaps the batch out every `FLUSH_SECONDS` and
writes it in one transaction. So a crash loses at most the events of the last
`FLUSH_SECONDS` (2 s) plus those of a write in progress (a few milliseconds); a failed write
(database down) is kept and retried with the next one, up to `MAX_PENDING_EVENTS`.

Who is counting: the Telegram adapter sets `current_user` for the update being handled (a
context variable: each update has its own under concurrent handling). The user id lives only
in this process's memory until the flusher turns it into pseudonyms (`bot.uniques`); it is
never written, logged or kept after the flush.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from bot import uniques
from bot.storage import Batch, Storage
from bot.unanswered import redact

log = logging.getLogger(__name__)

FLUSH_SECONDS = 2.0
"""How often counts are written: also the most a crash of the process can lose."""
PENDING_SECONDS = 3600.0
"""A "Bedoel je…?" question is held this long for "Geen van deze", then deleted."""
CLOSE_GRACE = timedelta(hours=1)
"""A year is closed (key destroyed) this long after it ended, so late flushes still count."""
NOTICE_DAYS = 30
"""Admin notices are remembered this long (to send each one once)."""
MAX_PENDING_EVENTS = 1_000_000
"""Events kept while the database is unreachable; beyond that the oldest batch is dropped."""
DEFAULT_RETENTION_DAYS = 30

current_user: ContextVar[int | None] = ContextVar("current_user", default=None)
"""The Telegram user of the update being handled (set by the adapter; memory only)."""


class Kind(StrEnum):
    """The kinds of events counted."""

    QUESTION = "vraag"
    """A free-text question; detail: its outcome (answer, clarify, fallback, smalltalk)."""
    URGENT = "dringend"
    """An urgent reply (112/101 first)."""
    ITEM = "item"
    """An item shown; subject: its id; detail: how (vraag, knop, link, commando)."""
    LINK = "link"
    """A deep link opened (`/start <id>`); subject: the item id, or `pc` for a postal code."""
    INLINE = "inline"
    """An item shared through inline mode; subject: the item id."""
    DECISION = "beslishulp"
    """An outcome of the decision aid; detail: the outcome."""
    FEEDBACK = "nuttig"
    """"Was dit nuttig?"; subject: the item id; detail: `ja` or `nee`."""
    NONE_OF_THESE = "geen-van-deze"
    """"Geen van deze" pressed under "Bedoel je…?"."""


class Via(StrEnum):
    """How an item was opened."""

    QUESTION = "vraag"
    BUTTON = "knop"
    LINK = "link"
    COMMAND = "commando"


UNANSWERED_FALLBACK = "geen-antwoord"
UNANSWERED_NONE_OF_THESE = "geen-van-deze"


@dataclass(frozen=True)
class UsageConfig:
    """What is recorded beyond the counts."""

    log_unanswered: bool = False
    retention_days: int = DEFAULT_RETENTION_DAYS
    secret: bytes = b""
    """`BOT_STATS_SECRET`: mixed into every pseudonym, never stored."""


class Usage:
    """Records events and unique users; a thread writes them to `storage`."""

    def __init__(
        self,
        storage: Storage,
        config: UsageConfig | None = None,
        *,
        clock: Callable[[], float] = time.time,
        flush_seconds: float = FLUSH_SECONDS,
    ) -> None:
        self.storage = storage
        self.config = config or UsageConfig()
        self._clock = clock
        self._flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._batch = Batch()
        self._users: dict[tuple[int, str], set[int]] = {}
        """(year, scope) → user ids seen since the last flush (memory only)."""
        self._failed = Batch()
        self._keys: dict[int, bytes | None] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_housekeeping = 0.0

    @property
    def log_unanswered(self) -> bool:
        """Whether unanswered questions are kept (redacted)."""
        return self.config.log_unanswered

    def now(self) -> datetime:
        """The current time in UTC (days, months and years of the figures are UTC)."""
        return datetime.fromtimestamp(self._clock(), UTC)

    # -- recording (event loop; memory only) -----------------------------------------------

    def count(self, kind: Kind, subject: str = "", detail: str = "", n: int = 1) -> None:
        """Count an event today."""
        key = (self.now().date().isoformat(), str(kind), subject, detail)
        with self._lock:
            self._batch.counts[key] = self._batch.counts.get(key, 0) + n

    def visit(self, *item_ids: str) -> None:
        """Count the current user as a user of the bot this year and month (and of items)."""
        user = current_user.get()
        if user is None:
            return
        now = self.now()
        scopes = [uniques.BOT_SCOPE, uniques.month_scope(now.month)]
        scopes += [uniques.item_scope(item_id) for item_id in item_ids]
        with self._lock:
            for scope in scopes:
                self._users.setdefault((now.year, scope), set()).add(user)

    def question(self, outcome: str, *, urgent: bool) -> None:
        """A free-text question and what the bot did with it."""
        self.count(Kind.QUESTION, detail=outcome)
        if urgent:
            self.count(Kind.URGENT)
        self.visit()

    def shown(self, item_id: str, via: Via) -> None:
        """An item shown to the current user."""
        self.count(Kind.ITEM, item_id, str(via))
        self.visit(item_id)

    def link(self, subject: str) -> None:
        """A deep link opened (an item id, or `pc` for a postal-code link)."""
        self.count(Kind.LINK, subject)
        self.visit()

    def inline(self, item_id: str) -> None:
        """An item chosen in inline mode (`@bot …` in another chat)."""
        self.count(Kind.INLINE, item_id)
        self.visit(item_id)

    def decision(self, outcome: str) -> None:
        """An outcome of the decision aid (its own short code, never text the user typed)."""
        self.count(Kind.DECISION, detail=outcome)
        self.visit()

    def feedback(self, item_id: str, *, useful: bool) -> None:
        """👍 or 👎 under an answer: an anonymous counter per item."""
        self.count(Kind.FEEDBACK, item_id, "ja" if useful else "nee")
        self.visit()

    def unanswered(self, text: str, known: Collection[str]) -> None:
        """A question without an answer: kept redacted, if admins asked for it."""
        if not self.log_unanswered:
            return
        row = (self.now().date().isoformat(), UNANSWERED_FALLBACK, redact(text, known))
        with self._lock:
            self._batch.unanswered.append(row)

    def hold(self, token: str, text: str, known: Collection[str]) -> None:
        """A "Bedoel je…?" question, held (redacted, an hour at most) for "Geen van deze"."""
        if not self.log_unanswered:
            return
        with self._lock:
            self._batch.pending.append((token, self._clock(), redact(text, known)))

    def none_of_these(self, token: str | None) -> None:
        """ "Geen van deze": count it, and log the held question if there is one."""
        self.count(Kind.NONE_OF_THESE)
        self.visit()
        if token and self.log_unanswered:
            claim = (token, self.now().date().isoformat(), UNANSWERED_NONE_OF_THESE)
            with self._lock:
                self._batch.claims.append(claim)

    # -- writing (flusher thread, or a test) -------------------------------------------------

    def flush(self) -> None:
        """Write what was recorded since the last flush (blocking: never on the event loop)."""
        with self._write_lock:
            with self._lock:
                batch, self._batch = self._batch, Batch()
                users, self._users = self._users, {}
            closing = (self.now() - CLOSE_GRACE).year
            try:
                keys = {year: self._key(year) if year >= closing else None for year, _ in users}
            except Exception as error:  # database away: keep everything for the next flush
                log.warning("could not read the year key (%s); kept", type(error).__name__)
                with self._lock:
                    for scope_key, ids in users.items():
                        self._users.setdefault(scope_key, set()).update(ids)
                self._failed.merge(batch)
                return
            for (year, scope), ids in users.items():
                key = keys[year]
                if key is None:
                    log.warning("%d unique-user event(s) for the closed year %d", len(ids), year)
                    continue
                batch.visitors.update(
                    (year, scope, uniques.pseudonym(key, scope, user, self.config.secret))
                    for user in ids
                )
            self._failed.merge(batch)
            try:
                self.storage.write(self._failed)
            except Exception as error:  # any driver error: keep the batch, retry next time
                size = len(self._failed.counts) + len(self._failed.visitors)
                log.warning(
                    "could not write usage figures (%s); kept %d", type(error).__name__, size
                )
                if size > MAX_PENDING_EVENTS:
                    log.error("usage figures dropped: the database has been unreachable too long")
                    self._failed = Batch()
                return
            self._failed = Batch()
            self._housekeeping()

    def _key(self, year: int) -> bytes | None:
        if year not in self._keys:
            self._keys[year] = self.storage.year_key(year, uniques.new_key())
        return self._keys[year]

    def _housekeeping(self, *, force: bool = False) -> None:
        """Once a minute: close past years, delete expired questions and notices."""
        now = self._clock()
        if not force and now - self._last_housekeeping < 60:
            return
        self._last_housekeeping = now
        current = self.now()
        year = (current - CLOSE_GRACE).year
        for closed in self.storage.close_years(before=year):
            log.info("year %d closed: unique counts kept, pseudonyms and key destroyed", closed)
            self._keys[closed] = None
        oldest = current.date() - timedelta(days=self.config.retention_days)
        deleted = self.storage.purge(
            before_day=oldest.isoformat(),
            pending_before=now - PENDING_SECONDS,
            notices_before=now - NOTICE_DAYS * 86_400,
        )
        if deleted:
            log.info("retention: %d expired row(s) deleted", deleted)

    def housekeeping(self) -> None:
        """Close past years and apply the retention now (start-up and tests)."""
        with self._write_lock:
            self._housekeeping(force=True)

    def start(self) -> None:
        """Start the flusher thread (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="usage-flusher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._flush_seconds):
            try:
                self.flush()
            except Exception:  # the thread must live on; the next flush retries
                log.exception("usage flush failed")

    def close(self) -> None:
        """Stop the thread and write what is left (shutdown)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        try:
            self.flush()
        except Exception:
            log.exception("last usage flush failed")


def day_range(year: int) -> tuple[str, str]:
    """The first and last day of a year, as YYYY-MM-DD."""
    return date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
