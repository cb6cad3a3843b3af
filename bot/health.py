"""The health of a running bot, in milliseconds: a status file it rewrites every 15 s.

The bot process writes `health-<host>.json` in `BOT_DATA_DIR` from its event loop (the
content it serves, its last getMe); `playbook health` (the Docker HEALTHCHECK) reads that
file — is the process alive, not stuck, serving content? — and then asks the Bot API getMe
itself, so a revoked token or a network cut shows at once. It never loads or validates the
content folder: a bad edit to mounted content is a reload problem reported to admins, while
the process goes on serving the last good content and stays healthy.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HEARTBEAT_SECONDS = 15.0
"""How often the running bot rewrites its status (and asks the Bot API getMe)."""
STALE_SECONDS = 60.0
"""A status older than this means the process is stuck or gone."""


@dataclass(frozen=True)
class Status:
    """What the running process last said about itself."""

    written: float
    pid: int
    items: int
    """Items of the content in service (0: not serving)."""
    content_loaded: float
    reload_errors: int
    """Errors of the last refused reload (0 when the folder's content is in service)."""
    api_ok: float | None
    api_error: str | None


def status_path(data_dir: Path) -> Path:
    """This host's status file (replicas sharing a data folder each have their own)."""
    return data_dir / f"health-{socket.gethostname()}.json"


def write(path: Path, status: Status) -> None:
    """Replace the status file atomically (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(asdict(status)), encoding="utf-8")
    temporary.replace(path)


def check(path: Path, now: float | None = None) -> tuple[bool, str]:
    """Whether the process is alive and serves content, and a one-line reason (the Bot API
    is probed by the caller)."""
    now = time.time() if now is None else now
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        status = Status(**data)
    except FileNotFoundError:
        return False, f"no status file {path.name}: the bot is not running (yet)"
    except (OSError, ValueError, TypeError) as error:
        return False, f"unreadable status file {path.name} ({type(error).__name__})"
    age = now - status.written
    if age > STALE_SECONDS:
        return False, f"no heartbeat for {age:.0f} s (process stuck or stopped)"
    if status.items <= 0:
        return False, "no content in service"
    errors = status.reload_errors
    note = f"; last reload refused: {errors} error(s)" if errors else ""
    return True, f"serving {status.items} items{note}"
