"""Privacy end to end: a made-up name, phone number, e-mail and address, sent through the
whole bot (a real `playbook run` process, debug logging, unanswered questions logged), never
appear in any file the bot wrote, in the database's files or in its log — and neither does
the user's id or the chat's id. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.storage import Storage
from tests.bot_process import BotProcess, FakeBotApi, wait_for
from tests.conftest import FIXTURE_CONTENT
from tests.pg_server import PostgresServer
from tests.telegram_fakes import button_update, command_update, text_update

USER_ID = 8_765_432_109
NAME, SURNAME = "Joske", "Vermeulen"
PHONE = "0470 12 34 56"
EMAIL = "joske.vermeulen@voorbeeld.be"
STREET = "Kerkstraat"
QUESTIONS = (
    f"Mijn collega {NAME} {SURNAME} ({PHONE}, {EMAIL}) woont in de {STREET} 12, wat nu?",
    f"{NAME} {SURNAME} 0470123456 {EMAIL}",
    f"hoe zit het met de kleine {NAME} uit de {STREET}",
    f"vk {NAME}",
)
NEEDLES = (
    NAME,
    SURNAME,
    "joske_v",
    "0470",
    "12 34 56",
    "470123456",
    "voorbeeld.be",
    STREET,
    str(USER_ID),
)
"""What must be found nowhere (case-insensitive); the id also as 8 raw bytes, both orders."""


def as_joske(update: dict[str, Any]) -> dict[str, Any]:
    """The update as sent by a user whose Telegram profile carries the made-up name."""
    body = update.get("message") or update["callback_query"]
    people = [body["from"]]
    if "chat" in body:
        people.append(body["chat"])
    if "message" in body:
        people.append(body["message"]["chat"])
    for person in people:
        if person.get("type", "private") == "private" and not person.get("is_bot"):
            person.update(first_name=NAME, last_name=SURNAME, username="joske_v")
    return update


def leaks(folder: Path) -> list[str]:
    """Every file under `folder` with one of the needles, and which."""
    raw = [n.lower().encode() for n in NEEDLES]
    raw += [struct.pack(">q", USER_ID), struct.pack("<q", USER_ID)]
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        lowered = data.lower()
        for needle in raw:
            if needle in lowered or needle in data:
                found.append(f"{path.relative_to(folder)}: {needle!r}")
    return found


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_nothing_that_identifies_anyone_is_written_anywhere(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    env = {"BOT_LOG_UNANSWERED": "1", "BOT_ADMIN_IDS": "5"}
    server: PostgresServer | None = None
    url: str | None = None
    if backend == "postgresql":
        server = request.getfixturevalue("postgres_server")
        url = server.new_database()
        env["BOT_DATABASE_URL"] = url
    data_dir = tmp_path / "data"
    log_file = tmp_path / "bot.log"
    with FakeBotApi() as api:
        bot = BotProcess(
            api,
            content=FIXTURE_CONTENT,
            data_dir=data_dir,
            log_file=log_file,
            env=env,
            verbose=True,
        )
        try:
            bot.wait_ready()
            expected = 0
            for question in QUESTIONS:
                bot.post(as_joske(text_update(question, user_id=USER_ID)))
                expected += 1
            bot.post(as_joske(command_update(f"/start {NAME}", user_id=USER_ID)))
            expected += 1
            assert wait_for(lambda: api.count("sendMessage") >= expected)
            # "Geen van deze" under the "Bedoel je…?" of the last question logs it too.
            clarify = next(m for m in api.messages if '"n*:' in str(m.get("reply_markup", "")))
            markup = json.loads(clarify["reply_markup"])
            token = next(
                b["callback_data"]
                for row in markup["inline_keyboard"]
                for b in row
                if b.get("callback_data", "").startswith("n*:")
            )
            bot.post(as_joske(button_update(token, user_id=USER_ID)))
            # Its answer replaces the pressed message (issue 9), or comes as a new one.
            assert wait_for(
                lambda: api.count("editMessageText") + api.count("sendMessage") > expected
            )
        finally:
            assert bot.stop() == 0, log_file.read_text()[-3000:]
    storage = Storage.open(data_dir, url)
    try:
        kept = storage.unanswered("2000-01-01")
    finally:
        storage.close()
    # The unanswered questions were kept, redacted, including the one of "Geen van deze".
    kinds = sorted({kind for _, kind, _ in kept})
    assert kinds == ["geen-antwoord", "geen-van-deze"], kept
    assert any("[naam]" in text and "[e-mail]" in text for _, _, text in kept)
    assert "DEBUG" in log_file.read_text()  # debug logging was on
    assert leaks(data_dir) == []
    assert leaks(tmp_path) == []  # the log and everything else of this test's folder
    if server is not None and url is not None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CHECKPOINT")  # everything on disk, WAL and tables
        assert leaks(server.root) == []
