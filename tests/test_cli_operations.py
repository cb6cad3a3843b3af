"""`playbook stats`, `playbook setup` and `playbook health`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import health
from bot.cli import main
from bot.storage import Storage
from bot.usage import Usage, Via, current_user
from tests.bot_process import TOKEN, FakeBotApi
from tests.conftest import FIXTURE_CONTENT


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--content", str(FIXTURE_CONTENT), *argv], out=out)
    return code, out.getvalue()


@pytest.fixture
def figures(database: tuple[Path, str | None], monkeypatch: pytest.MonkeyPatch) -> int:
    """A storage (each backend) with three users in March of a year; that year."""
    data_dir, url = database
    monkeypatch.setenv("BOT_DATA_DIR", str(data_dir))
    if url:
        monkeypatch.setenv("BOT_DATABASE_URL", url)
    storage = Storage.open(data_dir, url)
    when = datetime(2025, 3, 10, tzinfo=UTC).timestamp()
    usage = Usage(storage, clock=lambda: when)
    for user in (1, 2, 3):
        token = current_user.set(user)
        usage.shown("e-learning", Via.BUTTON)
        usage.question("answer", urgent=user == 2)
        current_user.reset(token)
    usage.feedback("e-learning", useful=True)
    usage.flush()
    storage.close()
    return 2025


def test_stats_as_json(figures: int) -> None:
    code, out = _run("stats", "--jaar", str(figures), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["year"] == figures
    assert report["unique_users"] == 3
    assert report["questions"]["answer"] == 3
    assert report["urgent"] == 1
    march = report["months"][2]
    assert march == {"month": 3, "questions": 3, "items": 3, "unique": 3}
    [item] = report["items"]
    assert item | {"title": ""} == {
        "id": "e-learning",
        "kind": "leren",
        "title": "",
        "shown": 3,
        "unique": 3,
        "useful": 1,
        "not_useful": 0,
    }


def test_stats_as_text_and_chart(figures: int, tmp_path: Path) -> None:
    chart = tmp_path / "gebruik.png"
    code, out = _run("stats", "--jaar", str(figures), "--png", str(chart))
    assert code == 0
    assert f"Tekst statistieken titel jaar={figures}" in out
    assert "Tekst statistieken uniek aantal=3" in out
    assert "maand=mrt vragen=3 items=3 uniek=3" in out
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_stats_of_an_empty_year(figures: int) -> None:
    code, out = _run("stats", "--jaar", "1999")
    assert code == 0
    assert "Tekst statistieken leeg jaar=1999" in out


def test_setup_sets_the_webhook_menus_and_descriptions(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeBotApi() as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", api.base_url)
        monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.org/telegram")
        monkeypatch.setenv("BOT_WEBHOOK_SECRET", "s3cret")
        monkeypatch.setenv("BOT_ADMIN_IDS", "11,12")
        code, out = _run("setup")
        calls = dict(api.calls)
    assert code == 0
    assert out.splitlines() == [
        "webhook set",
        "command menu: 8 commands",
        "admin menu (11 commands): 2 of 2",
        "description and short description",
    ]
    assert calls["setWebhook"] == 1
    assert calls["setMyCommands"] == 3  # everyone, and each of the two admins


def test_health_reads_the_status_file_and_probes_the_bot_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeBotApi() as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", api.base_url)
        monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
        code, _ = _run("health")
        assert code == 1
        assert "unhealthy: no status file" in capsys.readouterr().err
        now = time.time()
        health.write(health.status_path(tmp_path), health.Status(now, 1, 45, now, 0, now, None))
        # A content folder that does not even exist: health never loads the content.
        out = io.StringIO()
        code = main(["--content", str(tmp_path / "nowhere"), "health"], out=out)
        assert api.count("getMe") >= 1  # the probe: a live getMe
    assert code == 0, capsys.readouterr().err
    line = out.getvalue()
    assert line.startswith("ok: serving 45 items; Bot API answered in ")
    elapsed = float(line.rsplit("checked in ", 1)[1].split(" ms")[0])
    assert elapsed < 2000  # one local round trip; no content is read


def test_health_is_unhealthy_when_the_bot_api_is_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    now = time.time()
    health.write(health.status_path(tmp_path), health.Status(now, 1, 45, now, 0, now, None))
    code, _ = _run("health")
    assert code == 1
    assert "unhealthy: the Bot API is not reachable (URLError)" in capsys.readouterr().err


def test_health_without_a_token_says_ok() -> None:
    assert _run("health") == (0, "ok\n")


@pytest.mark.parametrize(
    ("argv", "fast"),
    [
        (["health"], True),
        (["--content", "x", "health"], True),
        (["-v", "--content=x", "health"], True),
        (["health", "extra"], False),
        (["check"], False),
        (["ask", "health"], False),
        ([], False),
    ],
)
def test_only_the_health_command_takes_the_short_way(argv: list[str], fast: bool) -> None:
    from bot.entry import _is_health

    assert _is_health(argv) is fast


def test_the_health_check_loads_neither_the_bot_nor_telegram(tmp_path: Path) -> None:
    code = (
        "import sys; from bot.entry import main; code = main(['health']);"
        "print(code, 'telegram' in sys.modules, 'bot.cli' in sys.modules,"
        " 'pydantic' in sys.modules)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
        "BOT_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert result.stdout.split() == ["1", "False", "False", "False"]
    assert "unhealthy: no status file" in result.stderr
