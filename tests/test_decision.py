"""The decision aid (beslishulp): its content check, its walk, and its buttons.

The shipped tree is walked path by path through `Engine.press`, the way a worker walks it:
every outcome is reached, every "Vorige" shows the place before, "Opnieuw" the start. Fixture
trees with one mistake each are refused by the check with the file and line of the mistake.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import actions
from bot.actions import MAX_PAYLOAD_BYTES, DecisionStep, Verb, decision, decision_step, decode
from bot.content.limits import MAX_DECISION_ANSWERS, MAX_DECISION_DEPTH
from bot.content.loader import check_content
from bot.content.model import DecisionFile, DecisionNode, DecisionOutcome, DecisionTexts
from bot.content.problems import Level
from bot.engine import Engine
from bot.matching import Outcome
from bot.replies import Button, Reply, Style, line_text
from bot.store import ContentStore
from tests.conftest import FIXTURE_CONTENT, SHIPPED_CONTENT, TODAY

# -- walking the shipped tree ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Engine:
    return Engine(ContentStore.open(SHIPPED_CONTENT, today=TODAY))


def _tree(engine: Engine) -> DecisionFile:
    return engine.store.current.library.file(DecisionFile)


def _button(reply: Reply, label: str) -> Button:
    [button] = [b for b in reply.all_buttons() if b.label == label]
    return button


def _press(engine: Engine, button: Button) -> Reply:
    assert button.data is not None
    return engine.press(button.data)


def _leaf_paths(content: DecisionFile) -> Iterator[tuple[str, ...]]:
    """Every path from the first question to an outcome, as answer labels, read from the
    content model directly (not through the code under test)."""
    questions = {q.id: q for q in content.vragen}

    def walk(node_id: str, labels: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        question = questions.get(node_id)
        if question is None:
            yield labels
            return
        for answer in question.antwoorden:
            yield from walk(answer.naar, (*labels, answer.knop))

    return walk(content.beslishulp.start, ())


def _check_outcome(
    reply: Reply, outcome: DecisionOutcome, labels: tuple[str, ...], texts: DecisionTexts
) -> None:
    """The summary: her answers, in order, then the advice ending with the closing sentence,
    and buttons to the items, the step plan and (when asked for) the regional VK."""
    text = reply.plain_text()
    [answered] = [
        [line_text(line) for line in b.lines]
        for b in reply.blocks
        if b.style is Style.BULLETS and "→" in line_text(b.lines[0])
    ]
    assert [line.rsplit(" → ", 1)[1] for line in answered] == list(labels)
    assert text.index(answered[-1]) < text.index(outcome.titel)
    advice_end = text.index(texts.slotzin)
    assert text.index(outcome.titel) < advice_end
    last_line = outcome.tekst.strip().splitlines()[-1].removeprefix("- ")
    assert text[:advice_end].rstrip().endswith(last_line)
    data = [b.data for b in reply.all_buttons()]
    assert actions.show("stappenplan") in data
    assert all(actions.show(i) in data for i in outcome.items)
    assert (str(Verb.CONTACT) in data) == (outcome.vk_knop or outcome.noodantwoord)
    if outcome.noodantwoord:
        assert reply.blocks[0].style is Style.ALERT
        assert "112" in reply.blocks[0].lines[0]


def test_the_shipped_tree_walks_every_path_to_its_outcome(shipped: Engine) -> None:
    content = _tree(shipped)
    texts = content.teksten
    library = shipped.store.current.library
    back_label = library.text("knop_vorige")
    start = shipped.show("beslishulp")
    assert start is not None
    assert not start.replace  # opened from a menu, a link or a question: a new message
    questions = {q.id: q for q in content.vragen}
    outcomes = {o.id: o for o in content.uitkomsten}
    reached: set[str] = set()
    walked: list[tuple[str, ...]] = []

    def walk(reply: Reply, node: DecisionNode, labels: tuple[str, ...]) -> None:
        reached.add(node.id)
        assert reply.blocks[-2 if node.uitleg else -1].lines == (node.vraag,)
        labels_shown = [b.label for b in reply.all_buttons()]
        assert labels_shown[: len(node.antwoorden)] == [a.knop for a in node.antwoorden]
        for answer in node.antwoorden:
            following = _press(shipped, _button(reply, answer.knop))
            assert following.replace  # every answer moves the same message on
            # "Vorige" shows this question again, exactly; "Opnieuw" the start.
            back = _press(shipped, _button(following, back_label))
            assert back.blocks == reply.blocks
            assert [b.data for b in back.all_buttons()] == [b.data for b in reply.all_buttons()]
            again = _press(shipped, _button(following, texts.knop_opnieuw))
            assert (again.blocks, again.buttons) == (start.blocks, start.buttons)
            assert again.replace
            path = (*labels, answer.knop)
            if answer.naar in questions:
                walk(following, questions[answer.naar], path)
            else:
                reached.add(answer.naar)
                walked.append(path)
                _check_outcome(following, outcomes[answer.naar], path, texts)

    walk(start, questions[content.beslishulp.start], ())

    assert reached == set(questions) | set(outcomes)
    assert sorted(walked) == sorted(_leaf_paths(content))
    assert len(walked) >= len(outcomes)


def test_the_shipped_tree_covers_the_topics_of_the_issue(shipped: Engine) -> None:
    content = _tree(shipped)
    outcomes = {o.id: o for o in content.uitkomsten}
    pointed = {i for o in content.uitkomsten for i in o.items}
    first = {q.id: q for q in content.vragen}[content.beslishulp.start]
    # Danger now comes first and leads straight to the emergency reply.
    assert "gevaar" in first.vraag
    assert outcomes[first.antwoorden[0].naar].noodantwoord
    assert {"caw", "huis-van-het-kind", "lokaal-team-kind-en-gezin"} <= pointed
    assert {"grensoverschrijdend-gedrag-personeel", "advies-vragen", "gesprek-ouders"} <= pointed
    assert any(o.vk_knop for o in content.uitkomsten)
    assert content.teksten.slotzin == (
        "De beslissing blijft bij jou en je verantwoordelijke; overleg met het VK bij twijfel."
    )


@pytest.mark.parametrize(
    "question",
    ["moet ik melden?", "wat moet ik nu doen?", "is dit erg genoeg om te bellen?", "beslishulp"],
)
def test_free_text_questions_open_the_decision_aid(shipped: Engine, question: str) -> None:
    answer = shipped.ask(question)
    assert answer.outcome is Outcome.ANSWER
    assert answer.hits[0].item_id == "beslishulp"
    start = shipped.show("beslishulp")
    assert start is not None
    assert answer.reply.blocks[-len(start.blocks) :] == start.blocks
    assert not answer.urgent


def test_the_decision_aid_is_reachable_from_menu_command_link_and_related_buttons(
    shipped: Engine,
) -> None:
    start = shipped.show("beslishulp")
    assert start is not None
    assert shipped.command("beslishulp") == start
    assert shipped.start("beslishulp") == start
    assert shipped.press(actions.show("beslishulp")) == start
    for source in ("beslissen", "twijfel"):
        item = shipped.show(source)
        assert item is not None
        assert actions.show("beslishulp") in [b.data for b in item.all_buttons()], source
    menu = shipped.press("m")
    assert actions.show("beslishulp") in [b.data for b in menu.all_buttons()]
    commands = {c.commando for c in shipped.store.current.library.commands}
    assert "beslishulp" in commands


# -- the fixture tree, exactly --------------------------------------------------------------------


def test_the_start_introduces_and_asks_the_first_question(engine: Engine) -> None:
    reply = engine.press("b")
    assert reply.replace
    # The kern and the question on the first screen; the decision aid's tekst in the details.
    assert Reply(reply.blocks).plain_text() == (
        "Beslishulp\n\nKern beslishulp.\n\nVraag gevaar?\n\nUitleg gevaar."
    )
    assert Reply(reply.details).plain_text() == "Uitleg beslishulp."
    assert [(b.label, b.data) for b in reply.all_buttons()] == [
        ("Ja gevaar", "b:bellen:1"),
        ("Nee gevaar", "b:thuis:2"),
        ("Tekst knop menu", "m"),
    ]


def test_a_question_further_on_has_vorige_and_opnieuw(engine: Engine) -> None:
    reply = engine.press("b:genoteerd:21")
    assert reply.replace
    assert reply.plain_text() == "Beslishulp\n\nVraag genoteerd?"
    assert reply.blocks[0].style is Style.NOTE
    assert [(b.label, b.data) for b in reply.all_buttons()] == [
        ("Ja genoteerd", "b:advies:211"),
        ("Nog niet genoteerd", "b:noteren:212"),
        ("Weet niet genoteerd", "b:advies:213"),
        ("Tekst knop vorige", "b:thuis:2"),
        ("Tekst knop opnieuw", "b"),
        ("Tekst knop menu", "m"),
    ]


def test_a_question_of_four_answers_further_on_leaves_out_the_menu(content_copy: Path) -> None:
    # Four answers, "Vorige" and "Opnieuw" are six buttons: no room for the menu ("Opnieuw"
    # leads to the first question, which has it).
    _edit(
        content_copy,
        "      - knop: Weet niet genoteerd\n        naar: advies\n",
        "      - knop: Weet niet genoteerd\n        naar: advies\n"
        "      - knop: Vierde antwoord\n        naar: noteren\n",
    )
    assert _errors(content_copy) == []
    engine = Engine(ContentStore.open(content_copy, today=TODAY))
    reply = engine.press("b:genoteerd:21")
    assert [b.data for b in reply.all_buttons()] == [
        "b:advies:211",
        "b:noteren:212",
        "b:advies:213",
        "b:noteren:214",
        "b:thuis:2",
        "b",
    ]


def test_an_outcome_is_the_summary_to_keep_or_forward(engine: Engine) -> None:
    reply = engine.press("b:advies:213")
    assert reply.replace
    assert reply.plain_text() == (
        "Tekst samenvatting\n\n"
        "• Vraag gevaar? → Nee gevaar\n"
        "• Vraag thuis? → Ja thuis\n"
        "• Vraag genoteerd? → Weet niet genoteerd\n\n"
        "Uitkomst advies\n\n"
        "Advies vk.\n\n"
        "Tekst slotzin.\n\n"
        "Tekst bewaren.\n\n"
        "Tekst bronnen: example.org (https://example.org/beslishulp)\n"
        "Nagekeken op 01-11-2026"
    )
    # The summary is read whole (and forwarded): only the sources go in the details.
    assert Reply(reply.details).plain_text().startswith("Tekst bronnen: example.org")
    assert [(b.label, b.data) for b in reply.all_buttons()] == [
        ("Tekst knop contact", "c"),  # vk_knop: asks for the place, then the regional VK
        ("Advies vragen", "i:advies-vragen"),
        ("Caw", "i:caw"),
        ("Tekst knop stappenplan", "i:stappenplan"),
        ("Tekst knop vorige", "b:genoteerd:21"),
        ("Tekst knop opnieuw", "b"),
    ]  # six buttons at most: no menu under an outcome (the questions "Vorige" leads to have it)
    # The place button asks for the place, as everywhere else.
    assert engine.press("c").plain_text() == "Tekst vraag postcode\n\nTekst privacy kort"


def test_danger_now_gives_the_emergency_reply_at_once(engine: Engine) -> None:
    reply = engine.press("b:bellen:1")
    emergency = engine.ask("er is een mes").reply
    assert reply.blocks[: len(emergency.blocks)] == emergency.blocks
    assert reply.plain_text().startswith("Bel 112 of 101.\n\n• Verwittig je verantwoordelijke.")
    assert [b.data for b in reply.all_buttons()] == [
        "c",
        "i:noodnummers",
        "i:acuut-gevaar",
        "i:stappenplan",
        "b:gevaar:",
        "b",
    ]


def test_the_console_walks_the_same_tree(engine: Engine) -> None:
    import io

    from bot.console import chat

    out = io.StringIO()
    # /beslishulp, "Nee gevaar", "Ja thuis", "Vorige", "Nee thuis" (an outcome), stop.
    chat(engine, io.StringIO("/beslishulp\n2\n1\n4\n2\nstop\n"), out)
    text = out.getvalue()
    assert (
        text.count("Vraag thuis?\n\nTekst chat keuze\n[1] Ja thuis") == 2
    )  # asked, and asked again by "Vorige"
    assert "Vraag genoteerd?" in text
    assert "• Vraag gevaar? → Nee gevaar\n• Vraag thuis? → Nee thuis" in text
    assert "Uitkomst collega" in text


# -- forged, outdated and removed buttons ---------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "b:gevaar:1",  # the path leads elsewhere than the button says
        "b:thuis:",
        "b:advies:22",
        "b:thuis:9",
        "b:thuis:5",
        "b:bestaat-niet:",
        "b:noteren:2122",  # past an outcome
        "b:Thuis:2",
        "b:thuis:2 ",
        "b:thuis:2\n",
        "b:thuis",
        "b::",
        "b:" + "1" * 40,
        "b:thuis:" + "2" * (MAX_DECISION_DEPTH + 1),
    ],
)
def test_a_forged_or_outdated_decision_button_gets_the_note_and_the_start(
    engine: Engine, payload: str
) -> None:
    reply = engine.press(payload)
    start = engine.press("b")
    assert reply.replace
    assert reply.blocks[0].lines == ("Tekst verlopen.",)
    assert reply.blocks[1:] == start.blocks
    assert reply.buttons == start.buttons


def test_a_non_ascii_decision_payload_gets_the_general_note(engine: Engine) -> None:
    # The bot writes only ASCII payloads, so `actions.decode` refuses anything else outright.
    reply = engine.press("b:💣")
    assert reply.blocks[0].lines == ("Tekst knop verlopen",)
    assert reply.buttons == engine.press("m").buttons  # and the main menu


def test_a_button_of_a_question_removed_by_a_reload_starts_over(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    path = content / "beslishulp.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["vragen"].append(
        {
            "id": "extra",
            "vraag": "Vraag extra?",
            "antwoorden": [{"knop": "A", "naar": "advies"}, {"knop": "B", "naar": "noteren"}],
        }
    )
    data["vragen"][1]["antwoorden"].append({"knop": "Extra thuis", "naar": "extra"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    engine = Engine(ContentStore.open(content, today=TODAY))
    assert engine.press("b:extra:23").plain_text().endswith("Vraag extra?")

    assert not [p for p in engine.store.reload(FIXTURE_CONTENT) if p.level is Level.ERROR]

    reply = engine.press("b:extra:23")
    assert reply.blocks[0].lines == ("Tekst verlopen.",)
    assert reply.blocks[1:] == engine.press("b").blocks


# -- payloads -------------------------------------------------------------------------------------


def test_the_deepest_payload_of_the_longest_id_fits_64_bytes() -> None:
    payload = decision("a" * 40, [MAX_DECISION_ANSWERS - 1] * MAX_DECISION_DEPTH)
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    action = decode(payload)
    assert action is not None
    assert decision_step(action) == DecisionStep(
        "a" * 40, (MAX_DECISION_ANSWERS - 1,) * MAX_DECISION_DEPTH
    )


def test_decision_payloads_round_trip() -> None:
    assert decision() == "b"
    assert decision("gevaar") == "b:gevaar:"
    assert decision("advies", [1, 0, 2]) == "b:advies:213"
    action = decode("b:advies:213")
    assert action is not None
    assert decision_step(action) == DecisionStep("advies", (1, 0, 2))


@pytest.mark.parametrize(
    "path", [[MAX_DECISION_ANSWERS], [-1], [0] * (MAX_DECISION_DEPTH + 1)], ids=str
)
def test_decision_payloads_out_of_bounds_are_refused(path: list[int]) -> None:
    with pytest.raises(ValueError, match="out of bounds"):
        decision("thuis", path)


# -- the content check ----------------------------------------------------------------------------


def _errors(directory: Path) -> list[str]:
    _, problems = check_content(directory, today=TODAY)
    return [str(p).replace(str(directory), "content") for p in problems if p.level is Level.ERROR]


def _edit(directory: Path, old: str, new: str) -> None:
    path = directory / "beslishulp.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


UNREACHABLE = (
    "  - id: vergeten\n    vraag: Vergeten vraag?\n    antwoorden:\n"
    "      - knop: A\n        naar: advies\n      - knop: B\n        naar: noteren\n"
    "uitkomsten:\n"
)
THUIS_ANSWERS = (
    "    vraag: Vraag thuis?\n    antwoorden:\n      - knop: Ja thuis\n"
    "        naar: genoteerd\n      - knop: Nee thuis\n        naar: collega\n"
)

BROKEN_TREES = [
    pytest.param(
        "        naar: noteren\n",
        "        naar: noteern\n",
        [
            "content/beslishulp.yaml:39:15: error: [genoteerd] antwoorden.naar: verwijst naar "
            "'noteern', maar die vraag of uitkomst bestaat niet (hint: bedoelde je 'noteren'?)"
        ],
        id="dangling-answer",
    ),
    pytest.param(
        "uitkomsten:\n",
        UNREACHABLE,
        [
            "content/beslishulp.yaml:42:9: error: [vergeten] id: deze vraag is vanaf de eerste "
            "vraag ('gevaar') niet te bereiken (hint: laat een antwoord ernaar verwijzen "
            "('naar: vergeten'), of schrap ze)"
        ],
        id="unreachable-question",
    ),
    pytest.param(
        "      - knop: Weet niet genoteerd\n        naar: advies\n",
        "      - knop: Weet niet genoteerd\n        naar: thuis\n",
        [
            "content/beslishulp.yaml:41:15: error: [genoteerd] antwoorden.naar: dit antwoord "
            "gaat terug naar 'thuis' en maakt een kring (thuis → genoteerd → thuis): zo komt de "
            "beslishulp nooit bij een uitkomst (hint: laat het antwoord naar een volgende vraag "
            "of een uitkomst gaan)"
        ],
        id="cycle",
    ),
    pytest.param(
        "        naar: bellen\n",
        "        naar: gevaar\n",
        [
            "content/beslishulp.yaml:23:15: error: [gevaar] antwoorden.naar: dit antwoord gaat "
            "terug naar 'gevaar' en maakt een kring (gevaar → gevaar): zo komt de beslishulp "
            "nooit bij een uitkomst (hint: laat het antwoord naar een volgende vraag of een "
            "uitkomst gaan)",
            # Nothing leads to the outcome of that answer any more: true, so it is said.
            "content/beslishulp.yaml:43:9: error: [bellen] id: deze uitkomst is vanaf de eerste "
            "vraag ('gevaar') niet te bereiken (hint: laat een antwoord ernaar verwijzen "
            "('naar: bellen'), of schrap ze)",
        ],
        id="cycle-to-itself",
    ),
    pytest.param(
        THUIS_ANSWERS,
        "    vraag: Vraag thuis?\n",
        [
            "content/beslishulp.yaml:26:9: error: [thuis] id: doodlopende vraag: ze heeft geen "
            "antwoorden, dus geen weg naar een uitkomst (hint: geef 2 tot 4 antwoorden, elk met "
            "'knop:' en 'naar:' (de id van een vraag of een uitkomst))"
        ],
        id="dead-end",
    ),
    pytest.param(
        THUIS_ANSWERS,
        "    vraag: Vraag thuis?\n    antwoorden: []\n",
        [
            "content/beslishulp.yaml:28:17: error: [thuis] antwoorden: doodlopende vraag: ze "
            "heeft geen antwoorden, dus geen weg naar een uitkomst (hint: geef 2 tot 4 "
            "antwoorden, elk met 'knop:' en 'naar:' (de id van een vraag of een uitkomst))"
        ],
        id="dead-end-empty",
    ),
    pytest.param(
        "      - knop: Nee thuis\n        naar: collega\n",
        "",
        [
            "content/beslishulp.yaml:29:7: error: [thuis] antwoorden: maar 1 antwoord: een "
            "vraag heeft 2 tot 4 antwoorden (hint: voeg een antwoord toe, of schrap de vraag en "
            "laat het antwoord ervoor meteen verder gaan)"
        ],
        id="one-answer",
    ),
    pytest.param(
        "      - knop: Weet niet genoteerd\n        naar: advies\n",
        "      - knop: Weet niet genoteerd\n        naar: advies\n"
        "      - knop: C\n        naar: advies\n      - knop: D\n        naar: advies\n",
        [
            "content/beslishulp.yaml:36:7: error: [genoteerd] antwoorden: te veel elementen: 5 "
            "(max. 4) (hint: schrap of verdeel elementen (zie 'Grenzen' in content/README.md))"
        ],
        id="five-answers",
    ),
    pytest.param(
        "  start: gevaar\n",
        "  start: bellen\n",
        [
            "content/beslishulp.yaml:10:10: error: [beslishulp] start: de beslishulp begint met "
            "een vraag, niet met een uitkomst (hint: zet bij 'start' de id van een vraag)"
        ],
        id="start-is-an-outcome",
    ),
    pytest.param(
        "  start: gevaar\n",
        "  start: gevar\n",
        [
            "content/beslishulp.yaml:10:10: error: [beslishulp] start: verwijst naar 'gevar', "
            "maar die vraag bestaat niet (hint: bedoelde je 'gevaar'?)"
        ],
        id="start-missing",
    ),
    pytest.param(
        "  - id: collega\n",
        "  - id: thuis\n",
        [
            "content/beslishulp.yaml:48:9: error: [thuis] id: de id 'thuis' bestaat al in dit "
            "bestand (regel 26) (hint: elke vraag en elke uitkomst heeft een eigen id)",
            "content/beslishulp.yaml:32:15: error: [thuis] antwoorden.naar: verwijst naar "
            "'collega', maar die vraag of uitkomst bestaat niet (hint: kijk de schrijfwijze na)",
        ],
        id="duplicate-id",
    ),
    pytest.param(
        "    items: [signalen-noteren]\n",
        "    items: [signalen-notern]\n",
        [
            "content/beslishulp.yaml:60:13: error: [noteren] items: verwijst naar "
            "'signalen-notern', maar dat id bestaat niet (hint: bedoelde je 'signalen-noteren'?)"
        ],
        id="missing-item",
    ),
    pytest.param(
        "    vk_knop: ja\n",
        "    vk_knop: misschien\n",
        [
            "content/beslishulp.yaml:55:14: error: [advies] vk_knop: 'misschien' is geen ja of "
            "nee (hint: schrijf ja of nee)"
        ],
        id="not-yes-or-no",
    ),
    pytest.param(
        "    vraag: Vraag thuis?\n",
        "    vraag: |\n      Vraag thuis?\n      Tweede regel.\n",
        [
            "content/beslishulp.yaml:27:12: error: [thuis] vraag: moet op één regel passen "
            "(zonder regeleinde)"
        ],
        id="question-on-two-lines",
    ),
    pytest.param(
        "      - knop: Ja thuis\n",
        "      - knop: " + "x" * 41 + "\n",
        [
            "content/beslishulp.yaml:29:15: error: [thuis] antwoorden.knop: is te lang: 41 "
            "tekens (max. 40) (hint: maak de tekst korter (zie 'Grenzen' in content/README.md))"
        ],
        id="answer-too-long-for-a-button",
    ),
    pytest.param(
        "    vraag: Vraag thuis?\n",
        "    vraag: " + "x" * 121 + "\n",
        [
            "content/beslishulp.yaml:27:12: error: [thuis] vraag: is te lang: 121 tekens "
            "(max. 120) (hint: maak de tekst korter (zie 'Grenzen' in content/README.md))"
        ],
        id="question-too-long-for-a-phone",
    ),
    pytest.param(
        # vk_knop and three items: with the step plan, "Vorige" and "Opnieuw", seven buttons.
        "    items: [advies-vragen, caw]\n",
        "    items: [advies-vragen, caw, signalen-noteren]\n",
        [
            "content/beslishulp.yaml:56:12: error: [advies] items: te veel knoppen onder deze "
            "uitkomst: 4 (max. 3 naast het stappenplan, Vorige en Opnieuw; hoogstens 6 in "
            "totaal) (hint: schrap de items die ze het minst nodig heeft; 'vk_knop: ja' telt "
            "als één knop, 'noodantwoord: ja' als twee (het VK van de regio en de noodnummers))"
        ],
        id="too-many-buttons-under-an-outcome",
    ),
    pytest.param(
        "    items: [advies-vragen, caw]\n",
        "    items: [advies-vragen, caw, signalen-noteren, opvolgen]\n",
        [
            "content/beslishulp.yaml:56:12: error: [advies] items: te veel elementen: 4 (max. 3) "
            "(hint: schrap of verdeel elementen (zie 'Grenzen' in content/README.md))"
        ],
        id="too-many-items",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN_TREES)
def test_a_broken_tree_is_refused_with_file_and_line(
    content_copy: Path, old: str, new: str, expected: list[str]
) -> None:
    _edit(content_copy, old, new)
    assert _errors(content_copy) == expected


def _chain_tree(questions: int, question_text: str, outcome_text: str) -> dict[str, object]:
    """A tree of `questions` questions in a row; each question's answers lead on or stop."""
    vragen = [
        {
            "id": f"v{n}",
            "vraag": question_text,
            "antwoorden": [
                {"knop": "x" * 40, "naar": f"v{n + 1}" if n + 1 < questions else "einde"},
                {"knop": "Stop", "naar": "einde"},
            ],
        }
        for n in range(questions)
    ]
    data: dict[str, Any] = yaml.safe_load(
        (FIXTURE_CONTENT / "beslishulp.yaml").read_text(encoding="utf-8")
    )
    data["beslishulp"]["start"] = "v0"
    data["vragen"] = vragen
    data["uitkomsten"] = [
        {"id": "einde", "titel": "Einde", "tekst": outcome_text, "items": ["signalen-noteren"]}
    ]
    return data


def _write_tree(directory: Path, data: dict[str, object]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    (directory / "beslishulp.yaml").write_text(text, encoding="utf-8")


def test_a_path_too_deep_for_a_button_is_refused(content_copy: Path) -> None:
    _write_tree(content_copy, _chain_tree(MAX_DECISION_DEPTH + 1, "Verder?", "Klaar."))
    [error] = _errors(content_copy)
    assert error.endswith(
        "error: [einde] id: deze uitkomst ligt tot 21 antwoorden diep (max. 20 vanaf 'v0') "
        "(hint: elke knop draagt de hele weg mee in 64 bytes; maak de weg korter)"
    )
    assert error.startswith("content/beslishulp.yaml:")


def test_the_deepest_allowed_path_loads_and_walks(content_copy: Path) -> None:
    _write_tree(content_copy, _chain_tree(MAX_DECISION_DEPTH, "Verder?", "Klaar."))
    assert _errors(content_copy) == []
    engine = Engine(ContentStore.open(content_copy, today=TODAY))
    reply = engine.press("b")
    for _ in range(MAX_DECISION_DEPTH):
        data = reply.all_buttons()[0].data
        assert data is not None
        assert len(data.encode()) <= MAX_PAYLOAD_BYTES
        reply = engine.press(data)
    assert "Einde" in reply.plain_text()
    assert reply.plain_text().count("Verder? → " + "x" * 40) == MAX_DECISION_DEPTH


def test_a_summary_too_long_for_one_message_is_refused(content_copy: Path) -> None:
    _write_tree(content_copy, _chain_tree(15, "x" * 119 + "?", "y" * 1500))
    [error] = _errors(content_copy)
    assert "error: [einde] id: de samenvatting bij deze uitkomst kan " in error
    assert "tekens lang worden (max. 3500" in error


def test_a_missing_decision_file_is_an_error(content_copy: Path) -> None:
    (content_copy / "beslishulp.yaml").unlink()
    errors = _errors(content_copy)
    assert errors
    assert all(e.startswith("content/beslishulp.yaml:") for e in errors), errors


def test_other_items_may_point_at_the_decision_aid(content_copy: Path) -> None:
    # (Not the overview: its buttons are the steps.)
    path = content_copy / "vragen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "    kern: Kern over twijfel.\n",
            "    kern: Kern over twijfel.\n    verwant: [beslishulp]\n",
            1,
        ),
        encoding="utf-8",
    )
    assert _errors(content_copy) == []
    engine = Engine(ContentStore.open(content_copy, today=TODAY))
    item = engine.show("twijfel")
    assert item is not None
    assert "i:beslishulp" in [b.data for b in item.all_buttons()]


def test_the_shipped_tree_passes_the_check() -> None:
    assert _errors(SHIPPED_CONTENT) == []
