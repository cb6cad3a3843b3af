"""Train the urgency classifier on the labelled development sets; estimate it by cross-validation.

Usage:
  .venv/bin/python scripts/train_urgency.py          # train on every set, write bot/data/
  .venv/bin/python scripts/train_urgency.py --cv     # 5-fold estimate and a threshold table

The training data are every set whose figures were taken (`eval/*.yaml`, `eval/blind/`,
`eval/dev/`, and `eval/final*/` after their single run) and the training sets of
`eval/train/`. A final set that has not been run yet is never read here. Features come from
the same reading of a message the bot uses (`Engine.read`: normalization, language, the
rules' findings), so training and serving agree.
Cross-validation trains on four fifths and scores the fifth it did not see, so its figures
estimate messages the model never saw; choose the thresholds in `bot/urgency.py` from them.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
from pathlib import Path

from bot.classifier import LinearModel, features
from bot.engine import Engine
from bot.evaluation import load_questions
from bot.store import ContentStore

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted(
    [
        *ROOT.glob("eval/*.yaml"),
        *ROOT.glob("eval/blind/*.yaml"),
        *ROOT.glob("eval/final/*.yaml"),
        *ROOT.glob("eval/dev/*.yaml"),
        *ROOT.glob("eval/final2/*.yaml"),
        *ROOT.glob("eval/final3/*.yaml"),
        *ROOT.glob("eval/train/*.yaml"),
    ]
)
OUTPUT = ROOT / "bot" / "data" / "urgency-model.json"
FOLDS = 5
MAX_FALSE_ALARMS = 0.02
"""The threshold table prefers the highest recall at or below this false-alarm rate."""

Example = tuple[frozenset[str], bool, bool, str]
"""features, urgent label, rules fired, the message as typed"""
SKIPPED_REGISTERS = frozenset({"anders"})
"""Other languages and scripts: the bot answers them with the language notice (112/101
first) whatever the model says, so they would only teach it noise."""


def _examples(content: Path) -> list[Example]:
    # A neutral model (every message p = 0.5): the readings carry the findings, nothing else.
    engine = Engine(ContentStore.open(content, model=LinearModel({}, 0.0)))
    examples: list[Example] = []
    seen: set[str] = set()
    for path in SETS:
        for question in load_questions(path):
            if question.vraag in seen or question.taalvorm in SKIPPED_REGISTERS:
                continue
            seen.add(question.vraag)
            reading = engine.read(question.vraag)
            found = features(reading.question.standard, reading.urgency.findings)
            fired = (
                reading.urgency.findings != ()
                and not reading.urgency.reason.startswith("model")
                and bool(reading.urgency.reason)
            )
            examples.append((found, question.is_urgent, fired, question.vraag))
    return examples


def _train(examples: list[Example]) -> LinearModel:
    return LinearModel.train([(f, urgent) for f, urgent, _, _ in examples])


def cross_validate(examples: list[Example]) -> list[tuple[float, bool, bool, str]]:
    """Out-of-fold probabilities: (p, urgent, rules fired, set) per example."""
    folds = [hashlib.sha256(e[3].encode()).digest()[0] % FOLDS for e in examples]
    scored: list[tuple[float, bool, bool, str]] = []
    for k in range(FOLDS):
        model = _train([e for e, f in zip(examples, folds, strict=True) if f != k])
        for e, f in zip(examples, folds, strict=True):
            if f == k:
                scored.append((model.probability(e[0]), e[1], e[2], e[3]))
    return scored


def _rates(
    scored: list[tuple[float, bool, bool, str]], urgent_p: float, veto_p: float
) -> tuple[float, float]:
    found = alarms = positives = negatives = 0
    for p, urgent, fired, _ in scored:
        alarm = (fired and p >= veto_p) or p >= urgent_p
        if urgent:
            positives += 1
            found += alarm
        else:
            negatives += 1
            alarms += alarm
    return found / max(positives, 1), alarms / max(negatives, 1)


def main() -> int:
    """Train (default) or cross-validate (--cv)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="5-fold estimate, threshold table")
    parser.add_argument("--content", default=str(ROOT / "content"))
    args = parser.parse_args()
    examples = _examples(Path(args.content))
    positives = sum(e[1] for e in examples)
    print(f"{len(examples)} messages ({positives} urgent) from {len(SETS)} sets")
    if args.cv:
        scored = cross_validate(examples)
        rows = []
        for urgent_p, veto_p in itertools.product(
            [0.4, 0.5, 0.6, 0.7, 0.8, 0.9], [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 2.0]
        ):
            recall, alarms = _rates(scored, urgent_p, veto_p)
            rows.append((recall, alarms, urgent_p, veto_p))
        print("urgent_p  veto_p   recall  false alarms   (out of fold)")
        for recall, alarms, urgent_p, veto_p in sorted(rows, key=lambda r: (-r[0], r[1]))[:25]:
            mark = " <" if alarms <= MAX_FALSE_ALARMS else ""
            print(f"  {urgent_p:5.2f}   {veto_p:5.2f}   {recall:6.1%}   {alarms:6.1%}{mark}")
        rules_only = _rates(scored, 2.0, 0.0)
        print(f"rules alone: recall {rules_only[0]:.1%}, false alarms {rules_only[1]:.1%}")
        return 0
    model = _train(examples)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(model.weights)} weights")
    return 0


if __name__ == "__main__":
    sys.exit(main())
