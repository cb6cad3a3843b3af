"""No secret in any output: the token never shows in logs, tracebacks or exit messages.

The start-up tests run the real `playbook` in a subprocess against `FakeBotApi` on
127.0.0.1 answering every call 401 (a revoked token) or 404 (a malformed one), where
python-telegram-bot raises `InvalidToken` with the token in its message. They capture
stdout and stderr whole: once as an operator runs it (`playbook -v run`), once with every
logger (httpx, httpcore, telegram included) at DEBUG, which only the redaction filter keeps
clean. The filter itself is unit-tested below.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
import time
from pathlib import Path

import pytest

from bot import health, redaction
from bot.config import Settings
from bot.redaction import REDACTED, SecretFilter
from tests.conftest import FIXTURE_CONTENT
from tests.fake_bot_api import FakeBotApi

TOKEN = "987654321:AAH-secretPART_of_the_token-0123456789"
SECRET_PART = TOKEN.split(":", 1)[1]
ROOT = Path(__file__).resolve().parent.parent
ONE_LINE = (
    "Telegram weigert het token: controleer TELEGRAM_BOT_TOKEN (bij @BotFather) en "
    "TELEGRAM_API_BASE_URL. / Telegram rejected the bot token."
)

EVERYTHING_AT_DEBUG = """
import logging, sys
from pathlib import Path
from bot import redaction
from bot.config import Settings, StartupError
from bot.engine import Engine
from bot.store import ContentStore
from bot_telegram.app import run

logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
for name in ("httpx", "httpcore", "telegram", "telegram.ext", "asyncio"):
    logging.getLogger(name).setLevel(logging.DEBUG)
settings = Settings.from_env()
redaction.install(settings.secrets)
try:
    run(settings, Engine(ContentStore.open(settings.content_dir)))
except StartupError as error:
    print(error, file=sys.stderr)
    sys.exit(2)
"""


def _environment(api: FakeBotApi) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "BOT_")) and "proxy" not in key.lower()
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        BOT_CONTENT_DIR=str(FIXTURE_CONTENT),
        PYTHONUNBUFFERED="1",
    )
    return env


async def _run(
    api: FakeBotApi, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=ROOT,
        env={**_environment(api), **(env or {})},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def _assert_clean(*outputs: str) -> None:
    for output in outputs:
        assert TOKEN not in output
        assert SECRET_PART not in output
        assert TOKEN.replace(":", "%3A") not in output


@pytest.mark.parametrize("status", [401, 404])
async def test_playbook_run_with_a_rejected_token_says_so_in_one_line(status: int) -> None:
    async with FakeBotApi(TOKEN, reject_with=status) as api:
        code, stdout, stderr = await _run(api, "-m", "bot", "-v", "run")

    assert api.requests["getMe"] == 1  # a final answer: not retried
    assert code == 2
    assert stderr.rstrip("\n").splitlines()[-1] == ONE_LINE
    _assert_clean(stdout, stderr)
    # PTB logged its InvalidToken with the token in it; the filter took it out.
    assert f"The token `{REDACTED}` was rejected by the server." in stderr


@pytest.mark.parametrize("status", [401, 404])
async def test_no_token_even_with_every_logger_at_debug(status: int) -> None:
    async with FakeBotApi(TOKEN, reject_with=status) as api:
        code, stdout, stderr = await _run(api, "-c", EVERYTHING_AT_DEBUG)

    assert code == 2, stderr
    assert stderr.rstrip("\n").splitlines()[-1] == ONE_LINE
    _assert_clean(stdout, stderr)
    # The lines that carried it are there, redacted: httpx's request URL, PTB's traceback.
    assert f"/bot{REDACTED}/getMe" in stderr
    assert f"The token `{REDACTED}` was rejected" in stderr
    assert "DEBUG" in stderr


async def test_playbook_health_with_a_rejected_token(tmp_path: Path) -> None:
    # Issue 11's health check reads the running bot's status file first; a fresh one makes it
    # go on to its own getMe, which the API refuses.
    now = time.time()
    health.write(health.status_path(tmp_path), health.Status(now, 1, 46, now, 0, now, None))
    async with FakeBotApi(TOKEN, reject_with=401) as api:
        code, stdout, stderr = await _run(
            api, "-m", "bot", "-v", "health", env={"BOT_DATA_DIR": str(tmp_path)}
        )
    assert api.requests["getMe"] == 1
    assert code == 1
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("unhealthy: the Bot API answered HTTP 401 (token refused)"), last
    _assert_clean(stdout, stderr)


async def test_a_reachable_api_starts_polling_and_still_shows_no_token() -> None:
    async with FakeBotApi(TOKEN) as api:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            EVERYTHING_AT_DEBUG,
            cwd=ROOT,
            env=_environment(api),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(500):  # until it polls
            if api.requests["getUpdates"]:
                break
            await asyncio.sleep(0.02)
        process.terminate()  # PTB stops cleanly on SIGTERM
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)

    assert api.requests["getUpdates"] >= 1
    _assert_clean(stdout.decode(), stderr.decode())
    assert f"/bot{REDACTED}/getUpdates" in stderr.decode()


# -- the filter ---------------------------------------------------------------------------


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("x", logging.ERROR, __file__, 1, message, args, exc_info)


def test_the_filter_redacts_message_arguments_traceback_and_stack() -> None:
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError as error:
        record = _record("calling %s with %r", f"/bot{TOKEN}/getMe", {"t": TOKEN}, exc=error)
    record.stack_info = f"Stack (most recent call last):\n  token={TOKEN}"
    assert SecretFilter([TOKEN, SECRET_PART]).filter(record) is True

    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted
    assert SECRET_PART not in formatted
    assert f"calling /bot{REDACTED}/getMe with {{'t': '{REDACTED}'}}" in formatted
    assert f"RuntimeError: The token `{REDACTED}` was rejected" in formatted
    assert f"token={REDACTED}" in formatted
    assert record.exc_info is None  # nothing left to render the raw exception from


def test_the_secret_half_alone_is_redacted_too() -> None:
    record = _record(f"url-encoded: 987654321%3A{SECRET_PART}")
    SecretFilter(Settings(token=TOKEN).secrets).filter(record)
    assert record.getMessage() == f"url-encoded: 987654321%3A{REDACTED}"


def test_a_short_test_token_does_not_redact_common_words() -> None:
    assert Settings(token="123:TEST").secrets == ("123:TEST",)
    assert Settings(token=TOKEN, webhook_secret="hook-secret").secrets == (
        TOKEN,
        SECRET_PART,
        "hook-secret",
    )


def test_the_database_url_its_password_and_the_stats_secret_are_redacted() -> None:
    url = "postgresql://playbook:p%40ss-w0rd@db.internal:5432/playbook"
    settings = Settings(token=TOKEN, database_url=url, stats_secret="stats-secret-value")
    assert settings.secrets == (
        TOKEN,
        SECRET_PART,
        url,
        "p%40ss-w0rd",
        "p@ss-w0rd",
        "stats-secret-value",
    )
    record = _record(
        f"could not connect to {url} (password p@ss-w0rd); pseudonym key stats-secret-value"
    )
    SecretFilter(settings.secrets).filter(record)
    assert record.getMessage() == (
        f"could not connect to {REDACTED} (password {REDACTED}); pseudonym key {REDACTED}"
    )
    # A URL without a password, or with a very short one, is redacted as a whole only.
    assert Settings(database_url="postgresql:///playbook").secrets == ("postgresql:///playbook",)
    short = "postgresql://u:pw@h/db"
    assert Settings(database_url=short).secrets == (short,)


def test_a_record_with_bad_arguments_still_logs() -> None:
    record = _record(f"{TOKEN} %s %s", "only one")
    assert SecretFilter([TOKEN]).filter(record) is True
    assert record.getMessage().startswith(f"{REDACTED} %s %s (arguments not formattable)")


def test_install_covers_every_handler_once() -> None:
    stream = io.StringIO()
    root_handler = logging.StreamHandler(stream)
    named = logging.getLogger("tests.secrets.named")
    named_handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(root_handler)
    named.addHandler(named_handler)
    try:
        redaction.install(["old-secret-value"])
        redaction.install([TOKEN])  # replaces, does not stack
        for handler in (root_handler, named_handler):
            filters = [f for f in handler.filters if isinstance(f, SecretFilter)]
            assert [f.secrets for f in filters] == [(TOKEN,)]
        named.propagate = False
        named.error("named %s", TOKEN)
        logging.getLogger("tests.secrets.other").error("root %s", TOKEN)
    finally:
        logging.getLogger().removeHandler(root_handler)
        named.removeHandler(named_handler)
        named.propagate = True
        for leftover in logging.getLogger().handlers:
            for f in [f for f in leftover.filters if isinstance(f, SecretFilter)]:
                leftover.removeFilter(f)
    assert stream.getvalue() == f"named {REDACTED}\nroot {REDACTED}\n"
