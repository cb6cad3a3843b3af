"""Matching quality on a labelled question set (`playbook eval`), and the targets CI enforces."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bot.content.yaml_source import read_yaml
from bot.engine import Answer, Engine
from bot.matching import Outcome

TARGET_TOP1 = 0.90
TARGET_URGENT_RECALL = 1.0
TARGET_FALSE_ALARMS = 0.03
TARGET_FALLBACK = 0.90


class LabelledQuestion(BaseModel):
    """One question of the set, with the item ids that count as right."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vraag: str
    verwacht: list[str] = Field(default_factory=list)
    urgent: str | None = None
    categorie: str = "overig"

    @property
    def is_urgent(self) -> bool:
        """Whether the reply must start with the urgent-danger item."""
        return (self.urgent or "").strip().lower() in {"ja", "yes", "true"}

    @property
    def out_of_scope(self) -> bool:
        """No item answers it: the bot must fall back."""
        return not self.verwacht


class _QuestionSet(BaseModel):
    vragen: list[LabelledQuestion]


def load_questions(path: Path) -> list[LabelledQuestion]:
    """Read a labelled set (strict YAML, like content)."""
    return _QuestionSet.model_validate(read_yaml(path).data).vragen


@dataclass(frozen=True)
class Miss:
    """A question the bot got wrong, with what it did."""

    question: LabelledQuestion
    outcome: Outcome
    urgent: bool
    got: tuple[str, ...]
    reason: str


@dataclass
class Result:
    """Counts per measure; ratios are derived."""

    total: int = 0
    in_scope: int = 0
    top1: int = 0
    top3: int = 0
    urgent_total: int = 0
    urgent_found: int = 0
    ordinary_total: int = 0
    false_alarms: int = 0
    oos_total: int = 0
    oos_fallback: int = 0
    per_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[Miss] = field(default_factory=list)
    elapsed_ms: list[float] = field(default_factory=list)

    @staticmethod
    def ratio(part: int, whole: int) -> float:
        """part/whole, 1.0 when there is nothing to count."""
        return part / whole if whole else 1.0

    @property
    def passes_targets(self) -> bool:
        """Whether every target is met."""
        return (
            self.ratio(self.top1, self.in_scope) >= TARGET_TOP1
            and self.ratio(self.urgent_found, self.urgent_total) >= TARGET_URGENT_RECALL
            and self.ratio(self.false_alarms, self.ordinary_total) <= TARGET_FALSE_ALARMS
            and self.ratio(self.oos_fallback, self.oos_total) >= TARGET_FALLBACK
        )


def _judge(question: LabelledQuestion, answer: Answer, result: Result) -> None:
    ids = [hit.item_id for hit in answer.hits]
    reasons: list[str] = []
    category = result.per_category[question.categorie]
    category[1] += 1
    if question.is_urgent:
        result.urgent_total += 1
        if answer.urgent and ids[:1] == ["acuut-gevaar"]:
            result.urgent_found += 1
        else:
            reasons.append("urgent not detected")
    else:
        result.ordinary_total += 1
        if answer.urgent:
            result.false_alarms += 1
            reasons.append("false alarm")
    if question.out_of_scope:
        result.oos_total += 1
        if answer.outcome is Outcome.FALLBACK:
            result.oos_fallback += 1
            category[0] += 1
        else:
            reasons.append("should fall back")
    else:
        result.in_scope += 1
        expected = set(question.verwacht)
        right_first = answer.outcome is Outcome.ANSWER and bool(ids) and ids[0] in expected
        if right_first:
            result.top1 += 1
            category[0] += 1
        else:
            reasons.append("not top-1")
        if any(i in expected for i in ids[:3]):
            result.top3 += 1
    if reasons:
        result.misses.append(
            Miss(question, answer.outcome, answer.urgent, tuple(ids[:3]), ", ".join(reasons))
        )


def evaluate(engine: Engine, questions: list[LabelledQuestion]) -> Result:
    """Ask every question and count."""
    result = Result()
    for question in questions:
        answer = engine.ask(question.vraag)
        result.total += 1
        result.elapsed_ms.append(answer.elapsed_ms)
        _judge(question, answer, result)
    return result


def report(result: Result, *, show_misses: bool = True) -> str:
    """A plain-text report: the headline figures, per category, and the misses."""
    r = result.ratio
    lines = [
        f"questions: {result.total} ({result.in_scope} in scope, {result.oos_total} out of scope)",
        f"top-1:          {r(result.top1, result.in_scope):6.1%}  (target ≥ {TARGET_TOP1:.0%})",
        f"top-3:          {r(result.top3, result.in_scope):6.1%}",
        f"urgent recall:  {r(result.urgent_found, result.urgent_total):6.1%}  "
        f"({result.urgent_found}/{result.urgent_total}, target 100%)",
        f"false alarms:   {r(result.false_alarms, result.ordinary_total):6.1%}  "
        f"({result.false_alarms}/{result.ordinary_total}, target ≤ {TARGET_FALSE_ALARMS:.0%})",
        f"fallback (oos): {r(result.oos_fallback, result.oos_total):6.1%}  "
        f"({result.oos_fallback}/{result.oos_total}, target ≥ {TARGET_FALLBACK:.0%})",
        f"targets met:    {'yes' if result.passes_targets else 'NO'}",
        "",
        "per category (right / total):",
    ]
    for name, (right, total) in sorted(result.per_category.items()):
        lines.append(f"  {name:<16} {right:>4}/{total:<4} {r(right, total):6.1%}")
    if show_misses and result.misses:
        lines += ["", f"misses ({len(result.misses)}):"]
        for miss in result.misses:
            got = ", ".join(miss.got) or "-"
            lines.append(
                f"  [{miss.reason}] {miss.question.vraag!r} → {miss.outcome.value}"
                f"{' URGENT' if miss.urgent else ''}: {got} "
                f"(expected {', '.join(miss.question.verwacht) or 'fallback'})"
            )
    return "\n".join(lines)
