"""Where the bot keeps its anonymous figures: SQLite by default, PostgreSQL when configured.

What is stored (and nothing else; `docs/privacy.md` explains it for operators):

- `counts`: how many events of a kind happened on a day (a question's outcome, an item shown,
  a button 👍/👎), per item where that applies. No time of day, no user, no text.
- `year_keys`, `visitors`: for unique users per year, one pseudonym per user *per scope* (the
  bot, a month, an item): a keyed hash made with a random key of that year (`bot.uniques`).
  No time, no text. After the year, the counts are kept in `closed_years`, and the pseudonyms
  and the key are deleted (`close_years`).
- `unanswered`, `pending`: only when an admin enabled it, questions without an answer,
  *redacted* (`bot.unanswered`) and dated by day, for at most the retention period; `pending`
  holds a "Bedoel je…?" question for at most an hour, until "Geen van deze" claims it.
- `notices`: which admin notices were sent already (so that N replicas send one).

Every method blocks: the bot calls them from the usage flusher thread or `asyncio.to_thread`,
never on the event loop. One connection per `Storage`, used under a lock; every write is one
transaction. The schema is versioned (`schema_version`) and migrated on open, by one process
at a time (an advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

SQLITE_FILE = "playbook.sqlite3"
"""The database file in `BOT_DATA_DIR`."""
MIGRATION_LOCK = 7_261_114
"""PostgreSQL advisory lock id held while migrating (any constant the bot alone uses)."""
BUSY_TIMEOUT_S = 30.0
"""SQLite: how long a writer waits for another one (e.g. `playbook stats` while running)."""

CountKey = tuple[str, str, str, str]
"""(day as YYYY-MM-DD, kind, subject, detail)."""


class Cursor(Protocol):
    """The part of the DB-API cursor both drivers share that this module uses."""

    rowcount: int

    def execute(self, query: Any, params: Sequence[Any] = ..., /) -> Any:
        """Run one statement."""

    def executemany(self, query: Any, params: Any, /) -> Any:
        """Run one statement for each parameter tuple."""

    def fetchall(self) -> list[Any]:
        """All rows of the last query."""

    def fetchone(self) -> Any:
        """One row of the last query, or None."""


@dataclass(frozen=True)
class Dialect:
    """What differs between SQLite and PostgreSQL in the SQL this module writes."""

    name: str
    blob: str
    real: str
    bigint: str
    serial_key: str
    placeholder: str
    without_rowid: str
    """SQLite: store a table in primary-key order (random pseudonyms: no insertion order)."""

    def sql(self, statement: str) -> str:
        """`?` placeholders and `{blob}`-style type names in this dialect."""
        text = statement.format(
            blob=self.blob,
            real=self.real,
            bigint=self.bigint,
            serial_key=self.serial_key,
            without_rowid=self.without_rowid,
        )
        return text.replace("?", self.placeholder)


SQLITE = Dialect("sqlite", "BLOB", "REAL", "INTEGER", "INTEGER PRIMARY KEY", "?", " WITHOUT ROWID")
POSTGRESQL = Dialect(
    "postgresql",
    "BYTEA",
    "DOUBLE PRECISION",
    "BIGINT",
    "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    "%s",
    "",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: counts, unique users, unanswered questions, admin notices.
    (
        "CREATE TABLE counts (day TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,"
        " detail TEXT NOT NULL, n {bigint} NOT NULL, PRIMARY KEY (day, kind, subject, detail))",
        "CREATE TABLE year_keys (year INTEGER PRIMARY KEY, secret {blob} NOT NULL)",
        "CREATE TABLE visitors (year INTEGER NOT NULL, scope TEXT NOT NULL,"
        " pseudonym {blob} NOT NULL, PRIMARY KEY (year, scope, pseudonym)){without_rowid}",
        "CREATE TABLE closed_years (year INTEGER NOT NULL, scope TEXT NOT NULL,"
        " n {bigint} NOT NULL, PRIMARY KEY (year, scope))",
        "CREATE TABLE unanswered (id {serial_key}, day TEXT NOT NULL, kind TEXT NOT NULL,"
        " text TEXT NOT NULL)",
        "CREATE INDEX unanswered_day ON unanswered (day)",
        "CREATE TABLE pending (token TEXT PRIMARY KEY, created {real} NOT NULL,"
        " text TEXT NOT NULL)",
        "CREATE TABLE notices (key TEXT PRIMARY KEY, created {real} NOT NULL)",
    ),
)
"""Schema migrations in order; version N is the state after the first N entries."""

SCHEMA_VERSION = len(MIGRATIONS)


@dataclass
class Batch:
    """Everything one flush writes, in one transaction."""

    counts: dict[CountKey, int] = field(default_factory=dict)
    visitors: set[tuple[int, str, bytes]] = field(default_factory=set)
    """(year, scope, pseudonym)"""
    unanswered: list[tuple[str, str, str]] = field(default_factory=list)
    """(day, kind, redacted text)"""
    pending: list[tuple[str, float, str]] = field(default_factory=list)
    """(token, created, redacted text)"""
    claims: list[tuple[str, str, str]] = field(default_factory=list)
    """(token, day, kind): move a pending question into `unanswered`"""

    def __bool__(self) -> bool:
        return bool(self.counts or self.visitors or self.unanswered or self.pending or self.claims)

    def merge(self, other: Batch) -> None:
        """Add another batch to this one (a failed write is retried with the next)."""
        for key, n in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
        self.visitors |= other.visitors
        self.unanswered += other.unanswered
        self.pending += other.pending
        self.claims += other.claims


@dataclass(frozen=True)
class CountRow:
    """One row of `counts`."""

    day: str
    kind: str
    subject: str
    detail: str
    n: int


class StorageError(RuntimeError):
    """The database could not be opened or migrated."""


class Storage:
    """The database: one connection, used under a lock, one transaction per call."""

    def __init__(
        self,
        connection: Any,
        dialect: Dialect,
        where: str,
        reconnect: Callable[[], Any] | None = None,
    ) -> None:
        self._connection = connection
        self._reconnect = reconnect
        """PostgreSQL: a new connection when the server dropped the old one."""
        self.dialect = dialect
        self.where = where
        """Where the data is, for messages (the file, or the server without credentials)."""
        self._lock = threading.RLock()

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, database_url: str | None = None) -> Storage:
        """PostgreSQL when `database_url` is set, else SQLite in `data_dir`; migrated."""
        storage = cls.postgresql(database_url) if database_url else cls.sqlite(data_dir)
        storage.migrate()
        return storage

    @classmethod
    def sqlite(cls, data_dir: Path) -> Storage:
        """The embedded default: `data_dir/playbook.sqlite3` (the folder is created)."""
        path = data_dir / SQLITE_FILE
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            # Every commit reaches the disk; one commit every few seconds makes that cheap.
            connection.execute("PRAGMA synchronous=FULL")
            # Deleted rows (a destroyed year key, expired questions) are overwritten, not left
            # in free pages of the file.
            connection.execute("PRAGMA secure_delete=ON")
        except (OSError, sqlite3.Error) as error:
            raise StorageError(
                f"cannot open {path} ({type(error).__name__}: {error}); check BOT_DATA_DIR"
            ) from None
        return cls(connection, SQLITE, str(path))

    @classmethod
    def postgresql(cls, url: str) -> Storage:
        """A PostgreSQL server (psycopg 3); `url` as libpq takes it (postgresql://…)."""
        import psycopg

        def connect() -> Any:
            return psycopg.connect(url, autocommit=True, connect_timeout=10)

        try:
            connection = connect()
        except psycopg.Error as error:
            raise StorageError(
                f"PostgreSQL is not reachable ({type(error).__name__}); check BOT_DATABASE_URL"
            ) from None
        info = connection.info
        where = f"postgresql://{info.host}:{info.port}/{info.dbname}"  # no credentials
        return cls(connection, POSTGRESQL, where, reconnect=connect)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._lock:
            if self.dialect is SQLITE:
                cursor = self._connection.cursor()
                cursor.execute("BEGIN IMMEDIATE")
                try:
                    yield cursor
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT")
            else:
                if self._reconnect is not None and (
                    self._connection.closed or self._connection.broken
                ):
                    # The server restarted or the network dropped: a new connection (raises
                    # while the server is away; the caller keeps its data and retries).
                    self._connection = self._reconnect()
                with self._connection.transaction(), self._connection.cursor() as cursor:
                    yield cursor

    def _run(self, cursor: Cursor, statement: str, params: Sequence[Any] = ()) -> Cursor:
        cursor.execute(self.dialect.sql(statement), params)
        return cursor

    def migrate(self) -> int:
        """Bring the schema to `SCHEMA_VERSION`; returns the version found before."""
        with self.transaction() as cursor:
            if self.dialect is POSTGRESQL:
                self._run(cursor, f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            self._run(cursor, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            row = self._run(cursor, "SELECT version FROM schema_version").fetchone()
            found = int(row[0]) if row else 0
            if found > SCHEMA_VERSION:
                raise StorageError(
                    f"the database has schema version {found}, newer than this bot's "
                    f"{SCHEMA_VERSION}: run the newer bot, or restore a backup"
                )
            for statements in MIGRATIONS[found:]:
                for statement in statements:
                    self._run(cursor, statement)
            if row is None:
                self._run(cursor, "INSERT INTO schema_version (version) VALUES (?)", (0,))
            self._run(cursor, "UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
        if found < SCHEMA_VERSION:
            log.info("database schema migrated from version %d to %d", found, SCHEMA_VERSION)
        return found

    def schema_version(self) -> int:
        """The schema version of the database."""
        with self.transaction() as cursor:
            row = self._run(cursor, "SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    # -- writing ---------------------------------------------------------------------------

    def write(self, batch: Batch) -> None:
        """Write one flush's worth, all or nothing."""
        if not batch:
            return
        sql = self.dialect.sql
        with self.transaction() as cursor:
            if batch.counts:
                cursor.executemany(
                    sql(
                        "INSERT INTO counts (day, kind, subject, detail, n) VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT (day, kind, subject, detail)"
                        " DO UPDATE SET n = counts.n + excluded.n"
                    ),
                    [(*key, n) for key, n in sorted(batch.counts.items())],
                )
            if batch.visitors:
                cursor.executemany(
                    sql(
                        "INSERT INTO visitors (year, scope, pseudonym) VALUES (?, ?, ?)"
                        " ON CONFLICT DO NOTHING"
                    ),
                    sorted(batch.visitors),
                )
            if batch.pending:
                cursor.executemany(
                    sql(
                        "INSERT INTO pending (token, created, text) VALUES (?, ?, ?)"
                        " ON CONFLICT DO NOTHING"
                    ),
                    batch.pending,
                )
            rows = list(batch.unanswered)
            for token, day, kind in batch.claims:
                claimed = self._run(
                    cursor, "DELETE FROM pending WHERE token = ? RETURNING text", (token,)
                ).fetchone()
                if claimed is not None:
                    rows.append((day, kind, str(claimed[0])))
            if rows:
                cursor.executemany(
                    sql("INSERT INTO unanswered (day, kind, text) VALUES (?, ?, ?)"), rows
                )

    def year_key(self, year: int, new_secret: bytes) -> bytes | None:
        """The secret of `year`, created with `new_secret` if it has none yet; None once
        the year is closed (its key destroyed): nothing may be counted for it any more."""
        with self.transaction() as cursor:
            closed = self._run(
                cursor, "SELECT 1 FROM closed_years WHERE year = ? LIMIT 1", (year,)
            ).fetchone()
            if closed is not None:
                return None
            self._run(
                cursor,
                "INSERT INTO year_keys (year, secret) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (year, new_secret),
            )
            row = self._run(
                cursor, "SELECT secret FROM year_keys WHERE year = ?", (year,)
            ).fetchone()
        return bytes(row[0])

    def close_years(self, before: int) -> list[int]:
        """Close every year before `before`: keep its unique counts, delete its pseudonyms
        and destroy its key. Returns the years closed (by this call; another replica may
        have closed some already)."""
        closed: list[int] = []
        with self.transaction() as cursor:
            lock = " FOR UPDATE" if self.dialect is POSTGRESQL else ""
            years = [
                int(row[0])
                for row in self._run(
                    cursor,
                    f"SELECT year FROM year_keys WHERE year < ?{lock}",  # noqa: S608 - a constant
                    (before,),
                ).fetchall()
            ]
            for year in years:
                self._run(
                    cursor,
                    "INSERT INTO closed_years (year, scope, n)"
                    " SELECT year, scope, COUNT(*) FROM visitors WHERE year = ?"
                    " GROUP BY year, scope ON CONFLICT DO NOTHING",
                    (year,),
                )
                # A year without any visitor still gets a row: it marks the year closed.
                self._run(
                    cursor,
                    "INSERT INTO closed_years (year, scope, n) VALUES (?, 'bot', 0)"
                    " ON CONFLICT DO NOTHING",
                    (year,),
                )
                self._run(cursor, "DELETE FROM visitors WHERE year = ?", (year,))
                self._run(cursor, "DELETE FROM year_keys WHERE year = ?", (year,))
                closed.append(year)
        return closed

    def purge(self, *, before_day: str, pending_before: float, notices_before: float) -> int:
        """Delete unanswered questions dated before `before_day`, pending ones created
        before `pending_before`, notices before `notices_before`; returns the rows deleted."""
        with self.transaction() as cursor:
            deleted = self._run(
                cursor, "DELETE FROM unanswered WHERE day < ?", (before_day,)
            ).rowcount
            deleted += self._run(
                cursor, "DELETE FROM pending WHERE created < ?", (pending_before,)
            ).rowcount
            deleted += self._run(
                cursor, "DELETE FROM notices WHERE created < ?", (notices_before,)
            ).rowcount
        return max(deleted, 0)

    def claim_notice(self, key: str, now: float) -> bool:
        """Whether this process is the first to send the notice `key` (then it must)."""
        with self.transaction() as cursor:
            inserted = self._run(
                cursor,
                "INSERT INTO notices (key, created) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (key, now),
            ).rowcount
        return inserted == 1

    def forget_notices(self, prefix: str) -> None:
        """Forget the notices whose key starts with `prefix` (the problem was solved)."""
        with self.transaction() as cursor:
            self._run(cursor, "DELETE FROM notices WHERE key LIKE ?", (f"{prefix}%",))

    # -- reading ---------------------------------------------------------------------------

    def counts(self, first_day: str, last_day: str) -> list[CountRow]:
        """Every count from `first_day` to `last_day` (inclusive, YYYY-MM-DD)."""
        with self.transaction() as cursor:
            rows = self._run(
                cursor,
                "SELECT day, kind, subject, detail, n FROM counts WHERE day >= ? AND day <= ?"
                " ORDER BY day, kind, subject, detail",
                (first_day, last_day),
            ).fetchall()
        return [CountRow(str(d), str(k), str(s), str(t), int(n)) for d, k, s, t, n in rows]

    def uniques(self, year: int) -> Mapping[str, int]:
        """Unique users of `year` per scope (`bot`, `maand:MM`, `item:<id>`)."""
        with self.transaction() as cursor:
            rows = self._run(
                cursor,
                "SELECT scope, COUNT(*) FROM visitors WHERE year = ? GROUP BY scope",
                (year,),
            ).fetchall()
            closed = self._run(
                cursor, "SELECT scope, n FROM closed_years WHERE year = ?", (year,)
            ).fetchall()
        found = {str(scope): int(n) for scope, n in closed}
        for scope, n in rows:
            found[str(scope)] = found.get(str(scope), 0) + int(n)
        return found

    def unanswered(self, since_day: str) -> list[tuple[str, str, str]]:
        """The redacted unanswered questions from `since_day` on: (day, kind, text), newest
        first."""
        with self.transaction() as cursor:
            rows = self._run(
                cursor,
                "SELECT day, kind, text FROM unanswered WHERE day >= ? ORDER BY id DESC",
                (since_day,),
            ).fetchall()
        return [(str(day), str(kind), str(text)) for day, kind, text in rows]

    def has_year_key(self, year: int) -> bool:
        """Whether `year` still has its key (tests and `playbook stats` use this)."""
        with self.transaction() as cursor:
            row = self._run(
                cursor, "SELECT 1 FROM year_keys WHERE year = ? LIMIT 1", (year,)
            ).fetchone()
        return row is not None

    def table_rows(self, table: str) -> int:
        """Rows in one of this module's tables (for tests and diagnostics)."""
        if table not in {
            "counts",
            "year_keys",
            "visitors",
            "closed_years",
            "unanswered",
            "pending",
            "notices",
        }:
            raise ValueError(f"unknown table {table!r}")
        with self.transaction() as cursor:
            row = self._run(cursor, f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608
        return int(row[0])
