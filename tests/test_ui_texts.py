"""Every UI text that content must define is shown somewhere (issue 9), and the VK phone route.

The fixture content gives every text a distinct value ("Tekst knop menu"), so a walk over the
bot's replies, the console chat and the start-up hook can see which texts reach a user. A
text content must define but nothing shows would only be dead weight for admins (and a privacy
nudge in it would never be read); `playbook check` warns about the opposite, a text key in
content that nothing uses.
"""

from __future__ import annotations

import ast
import io
import shutil
from pathlib import Path

import pytest
import yaml

from bot.console import chat
from bot.content.model import TEXT_KEYS
from bot.content.templates import parse_template
from bot.engine import Engine
from bot.replies import Reply
from bot.store import ContentStore
from tests.conftest import FIXTURE_CONTENT

ROOT = Path(__file__).resolve().parent.parent


def _rich_content(tmp_path: Path) -> Path:
    """The fixture content plus what only some content has: every kind of verified contact, a
    VK phone number with its source and date, an item whose core is unconfirmed, an
    unverified contact of a partner that is not a VK, a Dutch (.nl) source."""
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    partners_path = folder / "partners.yaml"
    partners = yaml.safe_load(partners_path.read_text(encoding="utf-8"))
    for partner in partners["partners"]:
        if partner["id"] == "vk-limburg":
            partner["contact"][0] = {
                "soort": "telefoon",
                "waarde": "011 00 00 00",
                "label": "VK Limburg",
                "bron": "https://www.vk-limburg.example.be/contact",
                "nagekeken": "2026-11-30",
            }
        if partner["id"] == "kind-en-gezin-lijn":
            partner["contact"] = [
                {"soort": "email", "waarde": "info@example.be"},
                {"soort": "adres", "waarde": "Straat 1, 1000 Brussel"},
                {"soort": "uren", "waarde": "werkdagen 9-17"},
                {"soort": "chat", "waarde": "https://chat.example.be"},
                {"soort": "telefoon", "status": "te-verifieren"},
            ]
    partners_path.write_text(yaml.safe_dump(partners, allow_unicode=True), encoding="utf-8")
    questions_path = folder / "vragen.yaml"
    questions = yaml.safe_load(questions_path.read_text(encoding="utf-8"))
    for question in questions["vragen"]:
        if question["id"] == "cijfers":
            question["status"] = "te-verifieren"
        if question["id"] == "twijfel":
            question["bronnen"].append("https://www.voorbeeld.nl/signalen")
    questions_path.write_text(yaml.safe_dump(questions, allow_unicode=True), encoding="utf-8")
    return folder


def _everything_shown(engine: Engine) -> str:
    """Every reply a user can get, as text: a walk over all buttons from many starts."""
    library = engine.store.current.library
    starts: list[Reply] = [
        engine.start(None),
        engine.command("help"),
        engine.command("menu"),
        engine.ask("wat is het weer op mars").reply,  # fallback
        engine.ask("signalen").reply,  # "bedoel je"
        engine.ask("er is een mes").reply,  # emergency
        engine.ask("?!").reply,  # empty
        engine.ask("2000").reply,  # a place named like its province
        engine.ask("3500 twijfel").reply,  # a place and another answer
        engine.start("pc-2070"),  # unconfirmed mapping
        engine.place("Atlantis"),  # not found
        engine.press("i:bestaat-niet"),  # outdated button
        engine.reload(),  # admin: reloaded
        engine.reload_note(sent_privately=True),  # /herlaad in a group
        engine.reload_note(sent_privately=False),
        engine.command("stappenplna"),  # a mistyped command: "bedoelde je…"
        engine.command("xyzzy"),  # a command like nothing known
        engine.start("bestaat-niet"),  # a deep link that opens nothing
        engine.not_text(),  # a sticker, a photo without caption…
        *(engine.show(item_id) or Reply(()) for item_id in library.items),
    ]
    texts: list[str] = []
    pressed: set[str] = set()
    todo = list(starts)
    while todo:
        reply = todo.pop()
        texts.append(reply.plain_text())
        texts.append(reply.details_label)
        texts += [b.label for b in reply.all_buttons()]
        for button in reply.all_buttons():
            if button.data and button.data not in pressed:
                pressed.add(button.data)
                todo.append(engine.press(button.data))
    out = io.StringIO()
    chat(engine, io.StringIO("twijfel\n1\nstop\n"), out)  # the console chat
    texts.append(out.getvalue())
    return "\n".join(texts)


def _literal(key: str, text: str) -> str:
    """The longest fixed part of a text (placeholders are filled in differently)."""
    return max(parse_template(text).literals, key=len).strip()


def test_every_ui_text_content_must_define_reaches_a_user(tmp_path: Path) -> None:
    engine = Engine(ContentStore.open(_rich_content(tmp_path)))
    library = engine.store.current.library
    shown = _everything_shown(engine)
    # Shown where this walk does not go, and tested there: Telegram shows the descriptions on
    # the bot's profile (test_post_init_sets_commands_and_descriptions_from_content), the
    # error handler says "fout" (test_a_failing_handler_tells_the_user_and_logs_no_message_text)
    # and /herlaad its errors (test_broken_content_is_refused_and_the_last_good_stays).
    elsewhere = {"bot_beschrijving", "bot_korte_beschrijving", "fout", "herladen_fout"}
    missing = [
        key
        for key in TEXT_KEYS
        if key not in elsewhere and _literal(key, library.texts[key]) not in shown
    ]
    assert missing == []


def test_every_ui_text_content_must_define_is_read_by_the_code() -> None:
    """No key is required for nothing: each one is a string constant in the bot's code."""
    constants: set[str] = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "bot_telegram").rglob("*.py")]:
        if path.name == "model.py":
            continue  # where the keys are declared
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
    assert sorted(set(TEXT_KEYS) - constants) == []


# -- the VK phone route ---------------------------------------------------------------------------


def test_an_unverified_vk_number_is_replaced_by_the_phone_route_that_works() -> None:
    engine = Engine(ContentStore.open(FIXTURE_CONTENT))
    reply = engine.show("vk-limburg")
    assert reply is not None
    first = reply.first_screen()
    assert "Tekst vk telefoon route" in first  # 1712 and the central website, in content
    assert "Tekst contact website: vertrouwenscentrum-kindermishandeling.be" in first
    assert "Tekst contact telefoon" not in reply.plain_text()


def test_a_verified_vk_number_with_source_and_date_is_shown(tmp_path: Path) -> None:
    engine = Engine(ContentStore.open(_rich_content(tmp_path)))
    reply = engine.show("vk-limburg")
    assert reply is not None
    first = reply.first_screen()
    assert "Tekst contact telefoon (VK Limburg): 011 00 00 00" in first
    assert "Tekst vk telefoon route" not in first
    details = Reply(reply.details).plain_text()
    assert (
        "Bron van Tekst contact telefoon (VK Limburg): vk-limburg.example.be "
        "(https://www.vk-limburg.example.be/contact) · Nagekeken op 30-11-2026" in details
    )
    # Other VKs keep the route until their number is verified too.
    other = engine.show("vk-antwerpen")
    assert other is not None
    assert "Tekst vk telefoon route" in other.first_screen()


@pytest.mark.parametrize("field", ["bron", "nagekeken"])
def test_a_vk_number_without_its_source_or_date_is_refused(tmp_path: Path, field: str) -> None:
    folder = _rich_content(tmp_path)
    path = folder / "partners.yaml"
    partners = yaml.safe_load(path.read_text(encoding="utf-8"))
    [vk] = [p for p in partners["partners"] if p["id"] == "vk-limburg"]
    del vk["contact"][0][field]
    path.write_text(yaml.safe_dump(partners, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Exception, match="het telefoonnummer van een Vertrouwenscentrum"):
        ContentStore.open(folder)
