"""A real PostgreSQL server for the tests: started in a temporary folder, stopped after.

It uses the server binaries of Debian's `postgresql` package (`scripts/test.sh` installs it
when they are missing): `initdb`, then `pg_ctl start` on 127.0.0.1 and a free port, trust
authentication, no fsync (a throw-away cluster). As root, the server runs as the `postgres`
system user, since PostgreSQL refuses to run as root. Each test gets a database of its own.

When no server binaries can be found (and `scripts/test.sh` could not install them),
`find_binaries` says why, and the PostgreSQL half of the suite is skipped with that reason,
loudly: in every skipped test and in a banner at the end of the run (`tests/conftest.py`).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

START_TIMEOUT_S = 60


def find_binaries() -> tuple[Path | None, str]:
    """The folder with `initdb` and `pg_ctl`, or None and the reason."""
    override = os.environ.get("PLAYBOOK_PG_BIN")
    if override:
        folder = Path(override)
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder, ""
        return None, f"PLAYBOOK_PG_BIN={override} has no initdb and pg_ctl"
    candidates: list[Path] = []
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder, ""
    return None, (
        "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin; "
        "scripts/test.sh installs Debian's 'postgresql' package, or set PLAYBOOK_PG_BIN"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """`with PostgresServer(bin_dir) as server: server.new_database()` → a URL."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="playbook-pg-"))
        self._user: str | None = None
        self._databases = itertools.count(1)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, check=True, capture_output=True, text=True, user=self._user, timeout=120
        )

    def __enter__(self) -> PostgresServer:
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                subprocess.run(
                    ["useradd", "--system", "--no-create-home", "postgres"],
                    check=True,
                    capture_output=True,
                )
            self._user = "postgres"
            shutil.chown(self.root, user="postgres")
        data, sockets, logfile = self.root / "data", self.root / "sockets", self.root / "log"
        sockets.mkdir()
        if self._user:
            shutil.chown(sockets, user=self._user)
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "playbook",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        options = (
            f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        try:
            self._run(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(logfile),
                "-w",
                "-t",
                str(START_TIMEOUT_S),
                "start",
            )
        except subprocess.CalledProcessError as error:
            log = logfile.read_text() if logfile.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {error.stderr}\n{log}") from None
        return self

    @property
    def url(self) -> str:
        """The server's maintenance database."""
        return f"postgresql://playbook@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"test_{next(self._databases)}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql://playbook@127.0.0.1:{self.port}/{name}"

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self._run(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "stop"
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
