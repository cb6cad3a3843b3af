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
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from bot.config import Settings

PROBE_TIMEOUT_S = 5.0
"""How long `playbook health` waits for getMe (the HEALTHCHECK's timeout is 10 s)."""
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


def probe(base_url: str, token: str, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """Ask the Bot API getMe with the standard library (no python-telegram-bot import: the
    check starts in milliseconds); None when it answers as a bot, else why not. The reason
    never holds the URL: the token is part of it."""
    request = urllib.request.Request(  # noqa: S310 - the configured Bot API URL, http(s)
        f"{base_url}{token}/getMe",
        data=b"{}",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        return f"the Bot API answered HTTP {error.code}" + (
            " (token refused)" if error.code in (401, 404) else ""
        )
    except (OSError, ValueError) as error:
        return f"the Bot API is not reachable ({type(error).__name__})"
    result = answer.get("result") if isinstance(answer, dict) else None
    if not (isinstance(answer, dict) and answer.get("ok") and isinstance(result, dict)):
        return "the Bot API answered, but not as the Bot API does"
    return None


def run(settings: Settings, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`playbook health`: 0 when the running bot serves content (its status file) and the
    Bot API answers getMe; one line either way, with the time it took."""
    out, err = out or sys.stdout, err or sys.stderr
    if not settings.token:
        print("ok", file=out)  # no token: no Telegram bot to check (the console chat)
        return 0
    started = time.perf_counter()
    healthy, reason = check(status_path(settings.data_dir))
    if healthy:
        asked = time.perf_counter()
        problem = probe(settings.api_base_url, settings.token)
        if problem is None:
            reason += f"; Bot API answered in {(time.perf_counter() - asked) * 1000:.0f} ms"
        else:
            healthy, reason = False, problem
    elapsed = (time.perf_counter() - started) * 1000
    print(
        f"{'ok' if healthy else 'unhealthy'}: {reason} (checked in {elapsed:.0f} ms)",
        file=out if healthy else err,
    )
    return 0 if healthy else 1
