"""Write content/voorbeeldvragen.yaml from labelled question sets that are no longer unseen.

Usage:
  .venv/bin/python scripts/examples_from_sets.py    # (re)write content/voorbeeldvragen.yaml

The sources are the sets that were already used (`SOURCES`): the team's own sets, every
blind development set, every final set once its single run was reported, and the training
sets written for the purpose (`eval/train/`). A final set not yet run must never be listed
here: once its questions are examples, its score says nothing about questions the bot has
not seen.

What becomes an example: every Dutch, non-urgent question under its first expected item
(out of scope under `buiten-bereik`). Left out: urgent messages (urgency has its own model),
questions whose only answer is the urgent item (a trap question would otherwise teach the
urgency model that matching the urgent item means little), French, English and other
languages (the bot answers those with a notice), small talk (`praatjes.yaml`), one-word
messages ("melden?": which item a bare keyword opens is the content's choice, in its
`zoektermen`), and exact duplicates. An admin may add, move or remove examples by hand;
rerunning the script rewrites the file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bot.content.loader import load_library
from bot.evaluation import LabelledQuestion, load_questions
from bot.matching import OUT_OF_SCOPE
from bot.normalize import fold

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "eval/questions.yaml",
    "eval/generalization.yaml",
    "eval/fresh.yaml",
    "eval/blind/q1-vragen.yaml",
    "eval/blind/u1-standaard.yaml",
    "eval/blind/u2-tussentaal.yaml",
    "eval/blind/u3-veiligheid.yaml",
    "eval/final/final-vragen.yaml",
    "eval/final/final-urgentie.yaml",
    "eval/dev/r1-urgentie.yaml",
    "eval/dev/r2-vragen.yaml",
    "eval/final2/f2-urgentie.yaml",
    "eval/final2/f2-vragen.yaml",
    "eval/dev/r3-gemengd.yaml",
    "eval/final3/f3-urgentie.yaml",
    "eval/final3/f3-vragen.yaml",
    "eval/train/t1-buiten-bereik.yaml",
    "eval/train/t2-buren.yaml",
)
OUTPUT = ROOT / "content" / "voorbeeldvragen.yaml"
OTHER_LANGUAGES = frozenset({"frans", "engels", "anders"})
LATER_ITEMS = (
    (
        "ouder-onder-invloed",
        re.compile(r"dronk|\bzat(te)?\b|onder invloed|drugs|alcohol|gedronken|beschonken"),
        re.compile(r"halen|meegeven|meegeef|meenemen|deur|weigeren|rijden|auto"),
        frozenset({"hulpplicht", "beslissen", "twijfel", "noodnummers"}),
    ),
    (
        "gescheiden-ouders",
        re.compile(r"gescheiden|scheiding|vonnis|omgangsregeling|verblijfsregeling|\bex\b"),
        re.compile(r"halen|meegeven|meegeef|meenemen|ophaal"),
        frozenset({"hulpplicht", "beslissen", "twijfel", OUT_OF_SCOPE}),
    ),
)
"""Items added after the older sets were written (issue 9). Their writers labelled a drunk
parent at pick-up, or separated parents who may pick up, with the closest item of their time;
as examples, those questions go to the item that now answers them (the sets keep their
labels). Each rule: item, what the question is about, the pick-up, the labels it replaces."""
HEADER = """\
# yaml-language-server: $schema=schema/voorbeeldvragen.schema.json
# Voorbeeldvragen: vragen zoals begeleiders ze echt typen, bij het item dat ze beantwoordt.
# Een nieuwe vraag die op een van deze lijkt, krijgt dat item; onder 'buiten-bereik' staan
# vragen waarop de bot eerlijk zegt dat hij geen antwoord heeft.
# Deze vragen komen uit de testsets die al gebruikt zijn en uit oefensets die ervoor
# geschreven zijn (scripts/examples_from_sets.py schrijft dit bestand opnieuw).
# Je mag vragen toevoegen, verplaatsen of schrappen. Typ geen namen van kinderen of ouders.
# Zet hier geen dringende vragen: gevaar NU herkent de bot met urgent.yaml.
"""


def _target(question: LabelledQuestion, urgent_id: str) -> str | None:
    """The item a question is an example of, or None when it is no example."""
    if question.is_urgent or question.categorie == "praatje":
        return None
    if len(fold(question.vraag).split()) < 2:
        return None
    if (question.taalvorm or "") in OTHER_LANGUAGES:
        return None
    answers = [item for item in question.verwacht if item != urgent_id]
    if question.verwacht and not answers:
        return None
    target = answers[0] if answers else OUT_OF_SCOPE
    text = question.vraag.lower()
    for item, topic, pick_up, replaced in LATER_ITEMS:
        if target in replaced and topic.search(text) and pick_up.search(text):
            return item
    return target


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render() -> str:
    """The file's text: groups in content order, questions in set order."""
    library = load_library(ROOT / "content")
    order = [*library.items, OUT_OF_SCOPE]
    groups: dict[str, list[str]] = {item: [] for item in order}
    seen: set[str] = set()
    for source in SOURCES:
        for question in load_questions(ROOT / source):
            target = _target(question, library.urgent.id)
            key = " ".join(fold(question.vraag).split())
            if target is None or target not in groups or key in seen:
                continue
            seen.add(key)
            groups[target].append(question.vraag.strip())
    lines = [HEADER, "voorbeelden:"]
    for item in order:
        if groups[item]:
            lines.append(f"  - item: {_quoted(item)}")
            lines.append("    vragen:")
            lines.extend(f"      - {_quoted(text)}" for text in groups[item])
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write the file."""
    text = render()
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {text.count(chr(10) + '      - ')} examples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
