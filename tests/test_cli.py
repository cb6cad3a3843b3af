"""The `playbook` command line: exit codes and the JSON shapes tools rely on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.model import FILES
from tests.conftest import FIXTURE_CONTENT


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_check_passes_on_good_content() -> None:
    code, out = _run("check", str(FIXTURE_CONTENT))
    assert code == 0
    assert out.splitlines()[-1].startswith("OK: 46 items, 0 fouten")


def test_check_fails_and_lists_errors(content_copy: Path) -> None:
    stappen = content_copy / "stappen.yaml"
    stappen.write_text(stappen.read_text().replace("verwant: [signalen-noteren]", "verwant: [x]"))
    code, out = _run("check", str(content_copy))
    assert code == 1
    assert (
        f"{content_copy}/stappen.yaml:10:13: error: [stappenplan] verwant: verwijst naar 'x'"
        in out
    )
    assert out.splitlines()[-1].startswith("NIET OK: 1 fouten")


def test_list_json_gives_every_item() -> None:
    code, out = _run("--content", str(FIXTURE_CONTENT), "list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert {"id": "acuut-gevaar", "kind": "urgent", "title": "Acuut gevaar"} in rows
    assert len(rows) == 46
    assert all(set(row) == {"id", "kind", "title"} for row in rows)


def test_ask_json_shape() -> None:
    code, out = _run("--content", str(FIXTURE_CONTENT), "ask", "--json", "er", "is", "een", "mes")
    data = json.loads(out)
    assert code == 0
    # The fields issue 3 promised stay; urgency v3 adds how urgent and which language, and
    # issue 9 what the first screen shows.
    assert set(data) == {
        "query",
        "outcome",
        "urgent",
        "hits",
        "text",
        "first_screen",
        "buttons",
        "elapsed_ms",
        "urgency",
        "language",
    }
    assert data["urgency"]["level"] == "urgent"
    assert data["urgency"]["reason"] == "mes"
    assert data["language"] == "nl"
    assert data["query"] == "er is een mes"
    assert data["urgent"] is True
    assert data["hits"][0]["id"] == "acuut-gevaar"
    assert set(data["hits"][0]) == {"id", "kind", "title", "score"}
    assert all(set(b) == {"label", "data"} for b in data["buttons"])


def test_ask_batch_writes_one_json_line_per_question() -> None:
    questions = "twijfel\n3500\n\nblabla onzin\n" + "x" * 5000 + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--content", str(FIXTURE_CONTENT), "ask", "--batch"],
        input=questions,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    parsed = [json.loads(line) for line in lines]
    assert [p["outcome"] for p in parsed[:2]] == ["answer", "answer"]
    assert parsed[1]["hits"][0]["id"] == "vk-limburg"
    assert parsed[2]["outcome"] == "fallback"


def test_show_unknown_id_exits_1() -> None:
    assert _run("--content", str(FIXTURE_CONTENT), "show", "bestaat-niet")[0] == 1
    code, out = _run("--content", str(FIXTURE_CONTENT), "show", "beslissen", "--json")
    assert code == 0
    assert json.loads(out)["text"].startswith("Stap 5 van 6")


def test_show_has_the_phone_structure_first_screen_details_buttons() -> None:
    code, out = _run("--content", str(FIXTURE_CONTENT), "show", "twijfel")
    assert code == 0
    assert out == (
        "Twijfel\n\nKern over twijfel.\n\n"
        "▼ Tekst details\n"
        "│ Antwoord over twijfel.\n"
        "│\n"
        "│ Tekst bronnen: example.org (https://example.org/twijfel)\n"
        "│ Nagekeken op 01-11-2026\n\n"
        "[1] Tekst knop menu\n"
    )
    code, out = _run("--content", str(FIXTURE_CONTENT), "show", "twijfel", "--json")
    data = json.loads(out)
    assert data["first_screen"] == "Twijfel\n\nKern over twijfel."
    assert data["details"].startswith("Antwoord over twijfel.")


def test_schema_covers_every_file_and_closes_objects() -> None:
    code, out = _run("schema")
    schema = json.loads(out)
    assert code == 0
    assert {f"file:{name}" for name in FILES} <= set(schema["$defs"])
    partner = schema["$defs"]["Partner"]
    assert partner["additionalProperties"] is False
    assert "telefoon" in json.dumps(schema["$defs"]["ContactKind"])


def test_committed_schema_files_are_up_to_date(tmp_path: Path) -> None:
    _run("schema", "--write", str(tmp_path))
    committed = Path(__file__).parent.parent / "content" / "schema"
    for generated in tmp_path.iterdir():
        assert (committed / generated.name).read_text() == generated.read_text(), generated.name


def test_broken_content_refuses_to_start_with_a_clear_message(
    content_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (content_copy / "urgent.yaml").write_text("acuut: [\n")
    code, _ = _run("--content", str(content_copy), "ask", "hallo")
    assert code == 1
    err = capsys.readouterr().err
    assert "urgent.yaml:2:1: error: dit is geen geldige YAML" in err
    assert "De inhoud heeft fouten" in err


def test_chat_reads_questions_and_numbered_buttons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("twijfel\n1\nstop\n"))
    code, out = _run("--content", str(FIXTURE_CONTENT), "chat")
    assert code == 0
    assert out.count("Tekst chat prompt") == 3
    assert "Twijfel" in out
    assert "[1] " in out
    assert out.rstrip().endswith("Tekst chat einde")


def test_link_and_qr_code(tmp_path: Path) -> None:
    target = tmp_path / "stappenplan.svg"
    code, out = _run(
        "--content",
        str(FIXTURE_CONTENT),
        "link",
        "stappenplan",
        "--bot",
        "@PlaybookBot",
        "--qr",
        str(target),
    )
    assert code == 0
    assert out.splitlines()[0] == "https://t.me/PlaybookBot?start=stappenplan"
    assert target.read_text().startswith("<?xml")
    assert _run("--content", str(FIXTURE_CONTENT), "link", "bestaat-niet", "--bot", "Bot1")[0] == 1
    assert _run("--content", str(FIXTURE_CONTENT), "link", "pc-3500", "--bot", "x")[0] == 1


def test_the_shipped_content_passes_check() -> None:
    code, out = _run("check", str(Path(__file__).parent.parent / "content"))
    assert code == 0, out
    assert " 0 fouten" in out.splitlines()[-1]
