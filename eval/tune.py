"""Grid search of the matching constants on the labelled set (run by hand).

Usage: .venv/bin/python eval/tune.py [FILE ...]   (default: every eval/*.yaml set)

It tunes on half of the questions (even positions) and reports the other half too, so a
combination that only memorizes one half shows up. Only questions the matcher decides are
used: urgent ones and those naming a place are answered by other rules. Copy the chosen values
into `bot/matching.py`, then run `playbook eval`. Keep the grid small: a few smooth parameters
generalize, a finely fitted grid memorizes.

The decision thresholds reach `decide` as a `Policy` (the value `Engine` takes too), never by
overwriting module constants that other modules may have read already; the scoring weights
are module constants that `matching.scores` reads at every call.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from bot import matching
from bot.evaluation import LabelledQuestion, load_questions
from bot.matching import Evidence, Outcome, Policy, decide
from bot.store import ContentStore

GRID: dict[str, list[float]] = {
    "COVERAGE_WEIGHT": [0.9],
    "PHRASE_COVERAGE_WEIGHT": [0.6, 0.7],
    "UNKNOWN_WORD_WEIGHT": [4.0],
    "EVIDENCE_MASS": [2.5, 3.0],
    "ITEM_WEIGHT": [0.3, 0.4],
    "ANSWER_SCORE": [35.0, 40.0, 45.0],
    "CLARIFY_SCORE": [30.0, 35.0, 40.0],
    "ANSWER_MARGIN": [1.0, 2.0, 3.0],
    "CLEAR_LEAD": [8.0, 10.0],
}


POLICY_FIELDS = {
    "ANSWER_SCORE": "answer_score",
    "ANSWER_MARGIN": "answer_margin",
    "CLARIFY_SCORE": "clarify_score",
    "CLEAR_LEAD": "clear_lead",
    "CLARIFY_WINDOW": "clarify_window",
}
"""Grid names that are `Policy` fields (the rest are scoring weights in `bot.matching`)."""


def _apply(combo: dict[str, float]) -> Policy:
    """Set the scoring weights of a combination; return its decision policy."""
    for name, value in combo.items():
        if name not in POLICY_FIELDS:
            setattr(matching, name, value)
    return Policy(**{POLICY_FIELDS[n]: v for n, v in combo.items() if n in POLICY_FIELDS})


def _measure(
    index: matching.MatchIndex,
    cases: list[tuple[LabelledQuestion, Evidence, int]],
    policy: Policy,
) -> tuple[float, float]:
    """(top-1 of in-scope questions, fallback rate of out-of-scope ones)."""
    right = in_scope = fallback = oos = 0
    for question, evidence, words in cases:
        match = decide(index.rank(evidence), policy, words)
        if question.out_of_scope:
            oos += 1
            fallback += match.outcome is Outcome.FALLBACK
        else:
            in_scope += 1
            right += match.outcome is Outcome.ANSWER and match.hits[0].item_id in question.verwacht
    return right / max(in_scope, 1), fallback / max(oos, 1)


def main() -> None:
    """Evaluate every combination on the tuning half; print the best with both halves."""
    paths = [Path(a) for a in sys.argv[1:]] or sorted(Path("eval").glob("*.yaml"))
    snapshot = ContentStore.open(Path("content")).current
    index = snapshot.index
    cases = [
        (
            q,
            snapshot.index.evidence(q.vraag),
            len(index.normalizer.question(q.vraag).content_words),
        )
        for path in paths
        for q in load_questions(path)
        if not q.is_urgent
        and snapshot.places.find(q.vraag) is None
        and q.categorie != "praatje"  # small talk is answered before matching
        and q.taalvorm not in {"frans", "engels", "anders"}  # the language notice, not matching
    ]
    tune, check = cases[::2], cases[1::2]
    names = list(GRID)
    results = []
    for values in itertools.product(*GRID.values()):
        combo = dict(zip(names, values, strict=True))
        if combo["CLARIFY_SCORE"] >= combo["ANSWER_SCORE"]:
            continue
        top1, oos = _measure(index, tune, _apply(combo))
        results.append((min(top1 / 0.9, oos / 0.9), top1, oos, combo))
    results.sort(key=lambda row: (row[0], row[1] + row[2]), reverse=True)
    for objective, top1, oos, combo in results[:12]:
        check_top1, check_oos = _measure(index, check, _apply(combo))
        print(
            f"{objective:.3f} tune top1={top1:.1%} oos={oos:.1%} | "
            f"check top1={check_top1:.1%} oos={check_oos:.1%} | {combo}"
        )


if __name__ == "__main__":
    main()
