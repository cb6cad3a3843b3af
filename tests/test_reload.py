"""/herlaad: admins reload content; broken content is refused and the last good one stays."""

from __future__ import annotations

import shutil
from pathlib import Path

from telegram import Update

from bot.config import Settings
from bot.engine import Engine
from bot.store import ContentStore
from bot_telegram.app import build_application
from tests.conftest import FIXTURE_CONTENT
from tests.telegram_fakes import USER_ID, RecordingRequest, command_update

TOKEN = "123:TEST"
HELP = "Tekst hulp\n<blockquote expandable>Tekst hulp commandos</blockquote>"
"""The fixture's help as sent: the commands in its expandable details (issue 9)."""


async def _herlaad(engine: Engine, admins: frozenset[int]) -> list[str]:
    rec = RecordingRequest()
    settings = Settings(content_dir=FIXTURE_CONTENT, token=TOKEN, admin_ids=admins)
    app = build_application(
        settings, engine, request=rec, updates_request=RecordingRequest(), rate_limit=False
    )
    async with app:
        update = Update.de_json(command_update("/herlaad"), app.bot)
        assert update is not None
        await app.process_update(update)
    return rec.sent_texts()


def _copy(tmp_path: Path) -> tuple[Path, Engine]:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    return folder, Engine(ContentStore.open(folder))


async def test_an_admin_reloads_edited_content(tmp_path: Path) -> None:
    folder, engine = _copy(tmp_path)
    vragen = folder / "vragen.yaml"
    vragen.write_text(vragen.read_text().replace("titel: Twijfel", "titel: Twijfel (nieuw)"))
    texts = await _herlaad(engine, frozenset({USER_ID}))
    # What changed: the item and its file.
    assert texts == [
        "Herladen: 46 items, 6 waarschuwingen.\n\n"
        "• Tekst herladen gewijzigd ids=twijfel\n"
        "• Tekst herladen bestanden bestanden=vragen.yaml"
    ]
    reply = engine.show("twijfel")
    assert reply is not None
    assert "Twijfel (nieuw)" in reply.plain_text()


async def test_broken_content_is_refused_and_the_last_good_stays(tmp_path: Path) -> None:
    folder, engine = _copy(tmp_path)
    (folder / "vragen.yaml").write_text("vragen: [\n")
    texts = await _herlaad(engine, frozenset({USER_ID}))
    assert len(texts) == 1
    assert texts[0].startswith("<b>Niet herladen: 1 fouten.</b>")
    # The file as named in the content folder: an admin never sees the server's paths.
    assert "• vragen.yaml:2:1: error: dit is geen geldige YAML" in texts[0]
    assert str(tmp_path) not in texts[0]
    # The bot still answers from the previous content.
    assert engine.ask("twijfel").hits[0].item_id == "twijfel"


async def test_non_admins_get_the_ordinary_help_and_nothing_reloads(tmp_path: Path) -> None:
    folder, engine = _copy(tmp_path)
    before = engine.store.current
    (folder / "vragen.yaml").write_text("vragen: [\n")
    assert await _herlaad(engine, frozenset({999})) == [HELP]
    assert engine.store.current is before


async def test_a_reload_says_what_was_added_removed_or_that_nothing_changed(
    tmp_path: Path,
) -> None:
    folder, engine = _copy(tmp_path)
    assert await _herlaad(engine, frozenset({USER_ID})) == [
        "Herladen: 46 items, 6 waarschuwingen.\n\nTekst herladen niets"
    ]
    vragen = folder / "vragen.yaml"
    text = vragen.read_text()
    start = text.index("  - id: cijfers")
    end = text.index("  - id:", start + 1)
    extra = text[start:end].replace("id: cijfers", "id: cijfers-extra")
    vragen.write_text(text[:end] + extra + text[end:])
    [reply] = await _herlaad(engine, frozenset({USER_ID}))
    assert reply.startswith("Herladen: 47 items")
    assert "• Tekst herladen nieuw ids=cijfers-extra\n" in reply
    assert engine.show("cijfers-extra") is not None
    vragen.write_text(text)
    [reply] = await _herlaad(engine, frozenset({USER_ID}))
    assert "• Tekst herladen verwijderd ids=cijfers-extra\n" in reply
    assert engine.show("cijfers-extra") is None
