"""Grid search of the matching constants on the labelled set (run by hand; prints the best).

Usage: .venv/bin/python eval/tune.py [eval/questions.yaml]
The constants live in `bot/matching.py`; copy the chosen values there and re-run the eval.
Keep the grid small: a few smooth parameters generalize, a finely fitted grid memorizes.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from bot import matching
from bot.engine import Engine
from bot.evaluation import evaluate, load_questions
from bot.store import ContentStore

GRID: dict[str, list[float]] = {
    "COVERAGE_WEIGHT": [0.7, 0.85, 1.0],
    "PHRASE_COVERAGE_WEIGHT": [0.4, 0.55, 0.7],
    "UNKNOWN_WORD_WEIGHT": [1.0, 2.0, 3.0],
    "EVIDENCE_MASS": [3.0, 4.5, 6.0],
    "ANSWER_SCORE": [50.0, 55.0, 60.0, 65.0],
    "CLARIFY_SCORE": [35.0, 40.0, 45.0, 50.0],
    "ANSWER_MARGIN": [4.0, 8.0],
}


def main() -> None:
    """Evaluate every combination; print the ten best by a balanced objective."""
    questions = load_questions(Path(sys.argv[1] if len(sys.argv) > 1 else "eval/questions.yaml"))
    engine = Engine(ContentStore.open(Path("content")))
    results = []
    names = list(GRID)
    for values in itertools.product(*GRID.values()):
        combo = dict(zip(names, values, strict=True))
        if combo["CLARIFY_SCORE"] >= combo["ANSWER_SCORE"]:
            continue
        for name, value in combo.items():
            setattr(matching, name, value)
        r = evaluate(engine, questions)
        top1 = r.ratio(r.top1, r.in_scope)
        oos = r.ratio(r.oos_fallback, r.oos_total)
        top3 = r.ratio(r.top3, r.in_scope)
        # Both targets matter; the weaker one decides, top-3 breaks ties.
        results.append((min(top1 / 0.9, oos / 0.9), top1, oos, top3, combo))
    results.sort(key=lambda row: (row[0], row[3]), reverse=True)
    for objective, top1, oos, top3, combo in results[:10]:
        print(f"{objective:.3f} top1={top1:.1%} oos={oos:.1%} top3={top3:.1%} {combo}")


if __name__ == "__main__":
    main()
