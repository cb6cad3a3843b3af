"""Content that used to take the bot down is refused, located, quickly, in little memory.

Each case breaks a copy of the fixture content the way the audit of issue 8 did (alias
bombs, giant texts, deep nesting, format specs in placeholders, files that are not files)
and is checked three ways: by `check_content` (`playbook check`), at start-up
(`ContentStore.open` raises `ContentError`) and by a reload (the old content stays in
service and the problems are returned). Every run must take under 1 s and peak under
100 MB of Python allocations: generous bounds (before the fix the 300-byte bomb ran 50 s
and died of MemoryError at 4 GiB), so they fail only when a limit stops working.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.content.limits import MAX_DEPTH, MAX_ITEM_CHARS, MAX_TEXT_CHARS
from bot.content.loader import _reply_chars, check_content
from bot.content.problems import ContentError, Level, Problem
from bot.content.templates import parse_template
from bot.engine import Engine
from bot.store import ContentStore
from tests.conftest import FIXTURE_CONTENT, TODAY

MAX_SECONDS = 1.0
MAX_PEAK_BYTES = 100 * 1024 * 1024

T = TypeVar("T")

_NO_ANCHORS = (
    "(hint: de inhoud heeft ankers (&) en verwijzingen (*) nooit nodig: schrijf de tekst "
    "voluit op elke plaats waar hij moet staan; "
)
_ANCHOR_HINT = f"{_NO_ANCHORS}een tekst die met & begint, zet je tussen aanhalingstekens)"
_LIMITS_HINT = "(hint: maak de tekst korter (zie 'Grenzen' in content/README.md))"
_LINK_HINT = "(hint: vervang de link door het bestand leren.yaml zelf)"
_CONTROL_HINT = (
    "(hint: verwijder het: typ de tekst rond deze plaats opnieuw (zulke tekens komen soms "
    "mee bij kopiëren uit Word, een pdf of een e-mail))"
)


def _lines(name: str) -> int:
    return len((FIXTURE_CONTENT / name).read_text(encoding="utf-8").splitlines())


def _bomb(levels: int) -> str:
    """A "billion laughs": `levels` lines, each nine aliases of the line before."""
    names = "abcdefghij"[:levels]
    lines = [f"{names[0]}: &{names[0]} [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    lines += [
        f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]"
        for previous, name in itertools.pairwise(names)
    ]
    return "\n".join(lines) + "\n"


def _append(name: str, text: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def breaker(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        with (folder / name).open("a", encoding="utf-8") as file:
            file.write(text)

    return breaker


def _replace(name: str, old: str, new: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def breaker(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture changed: {old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return breaker


def _replace_bytes(
    name: str, old: bytes, new: bytes
) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def breaker(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = folder / name
        data = path.read_bytes()
        assert old in data, f"fixture changed: {old!r} not in {name}"
        path.write_bytes(data.replace(old, new, 1))

    return breaker


def _giant_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 50 MB of valid YAML: one item text. Written in pieces, never held in memory whole.
    with (folder / "vragen.yaml").open("a", encoding="utf-8") as file:
        file.write("  - id: reus\n    tekst: |\n")
        line = "      " + "x" * 993 + "\n"
        for _ in range(50_000):
            file.write(line)


def _directory(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "leren.yaml").unlink()
    (folder / "leren.yaml").mkdir()


def _fifo(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "leren.yaml").unlink()
    os.mkfifo(folder / "leren.yaml")


def _symlink_loop(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "leren.yaml").unlink()
    (folder / "leren.yaml").symlink_to("andere.yaml")
    (folder / "andere.yaml").symlink_to("leren.yaml")


def _dangling_symlink(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "leren.yaml").unlink()
    (folder / "leren.yaml").symlink_to("verplaatst/leren.yaml")


def _permission_denied(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # We run as root, who may read anything: simulate a file the process cannot read.
    denied = os.fspath(folder / "partners.yaml")
    real_open = os.open

    def fake_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


@dataclass(frozen=True)
class Case:
    """One way to break the content, and the errors it must give (files as in the folder)."""

    id: str
    breaker: Callable[[Path, pytest.MonkeyPatch], None]
    errors: list[str]


VRAGEN_END = _lines("vragen.yaml") + 1

CASES = [
    Case(
        "alias-bomb-300-bytes",
        _append("vragen.yaml", _bomb(8)),
        [f"vragen.yaml:{VRAGEN_END}:4: error: ankers ('&a') zijn niet toegelaten {_ANCHOR_HINT}"],
    ),
    Case(
        "alias-bomb-7-levels-in-an-item",
        # Once accepted as valid (an unknown key is only a warning), at 13 s per load.
        _replace(
            "vragen.yaml",
            "    titel: Twijfel\n",
            "    titel: Twijfel\n    extra:\n"
            + "".join(f"      {line}\n" for line in _bomb(7).splitlines()),
        ),
        [f"vragen.yaml:6:10: error: ankers ('&a') zijn niet toegelaten {_ANCHOR_HINT}"],
    ),
    Case(
        "alias-without-anchor",
        # Also what an unquoted urgency word with a leading wildcard is: - *stikt
        _replace("vragen.yaml", "    titel: Twijfel\n", "    titel: *twijfel\n"),
        [
            "vragen.yaml:4:12: error: verwijzingen naar een anker ('*twijfel') zijn niet "
            f"toegelaten {_NO_ANCHORS}een tekst die met * begint, zet je tussen "
            'aanhalingstekens: "*twijfel")'
        ],
    ),
    Case(
        "text-of-1-mb",
        _replace("vragen.yaml", "Antwoord over twijfel.", "x" * 1_000_000),
        [
            "vragen.yaml:5:12: error: [twijfel] tekst: is te lang: 1000000 tekens (max. 4000) "
            f"{_LIMITS_HINT}"
        ],
    ),
    Case(
        "file-of-50-mb",
        _giant_file,
        [
            "vragen.yaml:1:1: error: het bestand is te groot: 47,7 MB (max. 2 MB) (hint: de "
            "inhoudsbestanden zijn elk minder dan 0,1 MB; kijk na of er niet per ongeluk iets "
            "groots in vragen.yaml geplakt is)"
        ],
    ),
    Case(
        "nesting-10000-deep",
        _append("vragen.yaml", "diep: " + "[" * 10_000 + "]" * 10_000 + "\n"),
        [
            # The root mapping is the first level, so the ninth '[' is the eleventh level.
            f"vragen.yaml:{VRAGEN_END}:{6 + MAX_DEPTH}: error: te diep genest: meer dan "
            f"{MAX_DEPTH} niveaus van lijsten en sleutels (hint: de inhoud heeft nooit meer "
            "dan 5 niveaus nodig; kijk de inspringing en de haakjes [ ] { } na)"
        ],
    ),
    Case(
        "placeholder-with-format-spec",
        _replace("teksten.yaml", "{plaats}", "{plaats:d}"),
        [
            "teksten.yaml:15:19: error: teksten.regio_gevonden: de invulplaats {plaats:d} heeft "
            "een opmaak na ':'; dat is niet toegelaten (hint: schrijf alleen de naam: {plaats}; "
            "toegelaten: {plaats}, {provincie})"
        ],
    ),
    Case(
        "placeholder-padded-to-a-megabyte",
        _replace("teksten.yaml", "{plaats}", "{plaats:.>1000000}"),
        [
            "teksten.yaml:15:19: error: teksten.regio_gevonden: de invulplaats "
            "{plaats:.>1000000} heeft een opmaak na ':'; dat is niet toegelaten (hint: schrijf "
            "alleen de naam: {plaats}; toegelaten: {plaats}, {provincie})"
        ],
    ),
    Case(
        "placeholder-conversion",
        _replace("teksten.yaml", "{plaats}", "{plaats!r}"),
        [
            "teksten.yaml:15:19: error: teksten.regio_gevonden: de invulplaats {plaats!r} heeft "
            "een omzetting na '!'; dat is niet toegelaten (hint: schrijf alleen de naam: "
            "{plaats}; toegelaten: {plaats}, {provincie})"
        ],
    ),
    Case(
        "placeholder-attribute",
        _replace("teksten.yaml", "{plaats}", "{plaats.__class__}"),
        [
            "teksten.yaml:15:19: error: teksten.regio_gevonden: de invulplaats "
            "{plaats.__class__} mag geen '.' of '[ ]' bevatten (hint: schrijf alleen de naam "
            "van de invulplaats tussen de accolades; toegelaten: {plaats}, {provincie})"
        ],
    ),
    Case(
        "placeholder-positional",
        _replace("teksten.yaml", "{plaats}", "{0}"),
        [
            "teksten.yaml:15:19: error: teksten.regio_gevonden: de invulplaats {0} heeft geen "
            "naam (hint: schrijf de naam van de invulplaats tussen de accolades, of {{ en }} "
            "voor een letterlijke accolade; toegelaten: {plaats}, {provincie})"
        ],
    ),
    Case(
        "placeholder-brace-without-partner",
        _replace("teksten.yaml", "{provincie}", "{provincie"),
        [
            "teksten.yaml:15:19: error: teksten.regio_gevonden: de accolade '{' heeft geen "
            "partner: de accolades { } kloppen niet (hint: schrijf {{ en }} voor een "
            "letterlijke accolade; toegelaten: {plaats}, {provincie})"
        ],
    ),
    Case(
        "syntax-error-after-1-mb",
        # Explained by the fast parser: the slow one would take over a second to get there.
        _append(
            "vragen.yaml",
            "groot:\n" + ("  - " + "woord " * 160 + "\n") * 1500 + "fout: a: b\n",
        ),
        [
            f"vragen.yaml:{VRAGEN_END + 1501}:8: error: dit is geen geldige YAML: mapping "
            "values are not allowed in this context (hint: kijk naar de inspringing (spaties, "
            "geen tabs) en zet tekst met ':' of '#' tussen aanhalingstekens)"
        ],
    ),
    Case(
        "unreadable-file",
        _permission_denied,
        [
            "partners.yaml:1:1: error: de bot mag dit bestand niet lezen (geen leesrechten) "
            "(hint: geef de gebruiker van de bot leesrechten op het bestand en de map)"
        ],
    ),
    Case(
        "directory-instead-of-a-file",
        _directory,
        [
            "leren.yaml:1:1: error: dit is geen gewoon bestand maar een map; de bot leest het "
            "niet (hint: vervang het door een gewoon tekstbestand leren.yaml)"
        ],
    ),
    Case(
        "fifo-instead-of-a-file",
        _fifo,
        [
            "leren.yaml:1:1: error: dit is geen gewoon bestand maar een FIFO (named pipe); de "
            "bot leest het niet (hint: vervang het door een gewoon tekstbestand leren.yaml)"
        ],
    ),
    Case(
        "symlink-loop",
        _symlink_loop,
        [
            "leren.yaml:1:1: error: dit is een symbolische link die in een kring naar zichzelf "
            f"verwijst {_LINK_HINT}"
        ],
    ),
    Case(
        "dangling-symlink",
        _dangling_symlink,
        [
            "leren.yaml:1:1: error: dit is een symbolische link naar een bestand dat niet "
            f"bestaat {_LINK_HINT}"
        ],
    ),
    Case(
        "bad-utf8-byte",
        _replace_bytes("vragen.yaml", b"Kind vertelt\n", b"Kind vert\xe9lt\n"),
        [
            "vragen.yaml:13:21: error: het bestand is geen UTF-8-tekst (de byte 0xE9 hier) "
            "(hint: bewaar het als UTF-8 in je teksteditor (niet als 'ANSI' of "
            "'Windows-1252'))"
        ],
    ),
    Case(
        "nul-character",
        _replace("vragen.yaml", "Antwoord over kind vertelt.", "Antwoord over\x00 kind."),
        [f"vragen.yaml:14:25: error: onzichtbaar stuurteken U+0000 in de tekst {_CONTROL_HINT}"],
    ),
    Case(
        "control-character-in-a-comment",
        _replace("stappen.yaml", "stappen:\n", "stappen:\n  # \x1b[31m\n"),
        [f"stappen.yaml:12:5: error: onzichtbaar stuurteken U+001B in de tekst {_CONTROL_HINT}"],
    ),
]
BY_ID = {case.id: case for case in CASES}


def _measured(action: Callable[[], T]) -> T:
    """Run `action`; assert it took under MAX_SECONDS and peaked under MAX_PEAK_BYTES."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = action()
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"took {elapsed:.2f} s"
    assert peak < MAX_PEAK_BYTES, f"peaked at {peak / 1024 / 1024:.0f} MB"
    return result


def _errors(problems: list[Problem], folder: Path) -> list[str]:
    prefix = f"{folder}{os.sep}"
    return [str(p).replace(prefix, "") for p in problems if p.level is Level.ERROR]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_refuses_it_with_file_and_line(
    case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case.breaker(folder, monkeypatch)
    library, problems = _measured(lambda: check_content(folder, today=TODAY))
    assert library is None
    assert _errors(problems, folder) == case.errors


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_start_up_refuses_it(case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case.breaker(folder, monkeypatch)

    def start() -> ContentError:
        with pytest.raises(ContentError) as raised:
            ContentStore.open(folder, today=TODAY)
        return raised.value

    error = _measured(start)
    assert _errors(error.problems, folder) == case.errors


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reload_keeps_the_old_content_and_names_files_in_the_folder(
    case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine(ContentStore.open(folder, today=TODAY))
    before = engine.store.current
    case.breaker(folder, monkeypatch)
    problems = _measured(engine.store.reload)
    assert engine.store.current is before
    assert [str(p) for p in problems if p.level is Level.ERROR] == case.errors
    # What the admin reads in Telegram: the count and the same lines, no server path.
    reply = _measured(engine.reload).plain_text()
    assert engine.store.current is before
    assert reply.startswith("Niet herladen: 1 fouten.")
    assert f"• {case.errors[0]}" in reply
    assert str(folder) not in reply
    assert engine.ask("twijfel").hits[0].item_id == "twijfel"


def test_a_file_the_process_may_not_read_is_located(folder: Path) -> None:
    # chmod 000 is the real-world case; root reads it anyway, so this runs only as a user.
    path = folder / "partners.yaml"
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: a mode-000 file is still readable")
        _, problems = check_content(folder, today=TODAY)
        assert _errors(problems, folder) == BY_ID["unreadable-file"].errors
    finally:
        path.chmod(0o644)


def test_a_fifo_is_never_opened(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fifo(folder, monkeypatch)
    opened: list[str] = []
    real_open = os.open

    def recording_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    check_content(folder, today=TODAY)
    assert os.fspath(folder / "leren.yaml") not in opened
    assert os.fspath(folder / "vragen.yaml") in opened  # the recorder did record


def test_escaped_braces_are_literal_text_never_a_format_spec() -> None:
    template = parse_template("{{plaats:.>1000000}} in {plaats}")
    assert template.render({"plaats": "Gent"}) == "{plaats:.>1000000} in Gent"


def test_the_300_byte_bomb_is_300_bytes() -> None:
    assert len(_bomb(8).encode()) <= 300


def test_the_largest_item_check_accepts_is_at_most_three_messages(folder: Path) -> None:
    # Every field of a step near its own limit, the whole item just under MAX_ITEM_CHARS.
    from bot_telegram.render import MAX_TEXT, to_messages

    words = ("woord " * 700)[:MAX_TEXT_CHARS].strip()
    checklist = "".join(f"      - {'regel ' * 45}{i}\n" for i in range(13))  # 13 x 272
    sources = f"      - https://example.org/{'b' * 200}\n"
    _replace(
        "stappen.yaml",
        "    titel: Signalen noteren\n    tekst: Antwoord over signalen noteren.\n",
        f"    titel: {'Signalen noteren ' * 7}\n    tekst: {words}\n",
    )(folder, pytest.MonkeyPatch())
    _replace(
        "stappen.yaml",
        "    bronnen:\n      - https://example.org/signalen-noteren\n",
        f"    bronnen:\n{sources}",
    )(folder, pytest.MonkeyPatch())
    _replace("stappen.yaml", "    checklist: [Wat zag je]\n", f"    checklist:\n{checklist}")(
        folder, pytest.MonkeyPatch()
    )
    library, problems = check_content(folder, today=TODAY)
    assert library is not None, _errors(problems, folder)
    step = library.items["signalen-noteren"]
    assert MAX_ITEM_CHARS - 1000 < _reply_chars(step) <= MAX_ITEM_CHARS
    reply = Engine(ContentStore.open(folder, today=TODAY)).show("signalen-noteren")
    assert reply is not None
    messages = to_messages(reply)
    assert len(messages) <= 3
    assert all(len(m.text) <= MAX_TEXT for m in messages)
