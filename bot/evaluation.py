"""Matching quality on a labelled question set (`playbook eval`), and the targets CI enforces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bot.content.yaml_source import read_yaml
from bot.engine import Answer, Engine
from bot.matching import Outcome

NOT_AN_ANSWER = frozenset({Outcome.FALLBACK, Outcome.SMALLTALK})
"""What an out-of-scope message may get: the honest fallback, or (greetings, "ok") small talk."""
TARGET_TOP1 = 0.90
TARGET_URGENT_RECALL = 1.0
TARGET_FALSE_ALARMS = 0.03
TARGET_FALLBACK = 0.90


class LabelledQuestion(BaseModel):
    """One question of the set, with the item ids that count as right."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    vraag: str
    verwacht: list[str] = Field(default_factory=list)
    urgent: str | None = None
    categorie: str = "overig"
    taalvorm: str | None = Field(default=None, alias="register")
    """`register` in the file: standaard, tussentaal, chat, typfouten, frans, engels or anders
    (the newer sets)"""
    soort: str | None = None
    """beschrijvend, alarmwoord, alarmwoord-typo (urgent); verleden, hypothetisch, ontkend,
    procedure, wet, vorming (traps), zorg, buiten-bereik, praatje (the newer sets)"""

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
        if answer.outcome in NOT_AN_ANSWER:
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


TRAP_KINDS = frozenset({"verleden", "hypothetisch", "ontkend", "procedure", "wet", "vorming"})
"""Non-urgent look-alikes: danger told as past, imagined, denied, or asked about in general."""
FOREIGN = frozenset({"frans", "engels"})
OTHER_LANGUAGE = "anders"


@dataclass(frozen=True)
class Judged:
    """One question with what the bot did."""

    question: LabelledQuestion
    outcome: Outcome
    urgent: bool
    ids: tuple[str, ...]

    @property
    def alarm(self) -> bool:
        """The full emergency reply: urgent, with the urgent item first."""
        return self.urgent and self.ids[:1] == ("acuut-gevaar",)

    @property
    def right_first(self) -> bool:
        """The first hit is an expected item (or, out of scope, the bot fell back)."""
        if not self.question.verwacht:
            return self.outcome in NOT_AN_ANSWER
        return (
            self.outcome is Outcome.ANSWER
            and self.ids[:1] != ()
            and (self.ids[0] in self.question.verwacht)
        )


@dataclass(frozen=True)
class Measure:
    """One line of the scorecard: how many of `total` questions went right."""

    name: str
    right: int
    total: int
    target: float | None = None
    at_most: bool = False
    """The target is a ceiling (false alarms), not a floor."""

    @property
    def ratio(self) -> float:
        """right/total (1.0 of nothing; 0.0 for a ceiling of nothing)."""
        if not self.total:
            return 0.0 if self.at_most else 1.0
        return self.right / self.total

    @property
    def met(self) -> bool:
        """Whether the target is met (always, without a target or without questions)."""
        if self.target is None or not self.total:
            return True
        return self.ratio <= self.target if self.at_most else self.ratio >= self.target

    def __str__(self) -> str:
        target = ""
        if self.target is not None:
            target = f"  (target {'≤' if self.at_most else '≥'} {self.target:.1%})"
            target += "" if self.met else "  MISSED"
        return f"{self.name:<58} {self.ratio:6.1%}  ({self.right}/{self.total}){target}"


def judge_all(engine: Engine, questions: list[LabelledQuestion]) -> list[Judged]:
    """Ask every question once."""
    judged = []
    for question in questions:
        answer = engine.ask(question.vraag)
        ids = tuple(hit.item_id for hit in answer.hits)
        judged.append(Judged(question, answer.outcome, answer.urgent, ids))
    return judged


def _register(j: Judged) -> str:
    return j.question.taalvorm or ""


def _kind(j: Judged) -> str:
    return j.question.soort or ""


def _alarm(j: Judged) -> bool:
    return j.alarm


def scorecard(judged: list[Judged]) -> list[Measure]:
    """The figures of issue 7's table, from one run over a labelled set."""
    readable = [j for j in judged if _register(j) != OTHER_LANGUAGE]
    urgent = [j for j in readable if j.question.is_urgent]
    calm = [j for j in readable if not j.question.is_urgent]
    dutch = [j for j in calm if _register(j) not in FOREIGN]
    foreign = [j for j in calm if _register(j) in FOREIGN]
    other = [j for j in judged if _register(j) == OTHER_LANGUAGE]

    def share(
        name: str,
        rows: list[Judged],
        good: Callable[[Judged], bool],
        target: float | None = None,
        *,
        at_most: bool = False,
    ) -> Measure:
        return Measure(name, sum(map(good, rows)), len(rows), target, at_most)

    def kind(*kinds: str) -> list[Judged]:
        return [j for j in urgent if _kind(j) in kinds]

    def category(name: str) -> list[Judged]:
        return [j for j in dutch if j.question.categorie == name]

    return [
        share("urgent messages that get the emergency reply", urgent, _alarm, 0.97),
        share("· that describe what the worker sees", kind("beschrijvend"), _alarm, 0.97),
        share("· that use alarm words", kind("alarmwoord"), _alarm, 1.0),
        share("· alarm words with heavy typos", kind("alarmwoord-typo"), _alarm, 0.95),
        share(
            "· in French or English",
            [j for j in urgent if _register(j) in FOREIGN],
            _alarm,
            0.97,
        ),
        share(
            "non-urgent messages that raise the alarm",
            calm,
            lambda j: j.urgent,
            0.025,
            at_most=True,
        ),
        share(
            "non-urgent traps: right item and no alarm",
            [j for j in dutch if _kind(j) in TRAP_KINDS],
            lambda j: j.right_first and not j.urgent,
            0.80,
        ),
        share(
            "in-scope questions, right item first",
            [j for j in dutch if j.question.verwacht and j.question.categorie != "plaatsen"],
            lambda j: j.right_first,
            0.88,
        ),
        share(
            "out-of-scope questions that get the honest fallback",
            [j for j in category("buiten-bereik") if not j.question.verwacht],
            lambda j: j.outcome in NOT_AN_ANSWER,
            0.88,
        ),
        share(
            "place questions that give the right VK",
            category("plaatsen"),
            lambda j: j.right_first,
            0.97,
        ),
        share(
            "small talk that gets the small-talk reply",
            category("praatje"),
            lambda j: j.outcome is Outcome.SMALLTALK,
        ),
        share(
            "French/English, not urgent: the language notice",
            foreign,
            lambda j: j.outcome is Outcome.FALLBACK and not j.urgent,
        ),
        share(
            "other scripts and emoji: notice or emergency reply",
            other,
            lambda j: j.outcome in (Outcome.FALLBACK, Outcome.SMALLTALK) or j.alarm,
        ),
    ]


def scorecard_misses(judged: list[Judged]) -> list[str]:
    """One line per question that went wrong on a scorecard measure."""
    lines = []
    for j in judged:
        question = j.question
        if (question.taalvorm or "") == OTHER_LANGUAGE:
            continue
        if question.is_urgent and not j.alarm:
            reason = "urgent missed"
        elif not question.is_urgent and j.urgent:
            reason = "false alarm"
        elif not question.is_urgent and not j.right_first:
            reason = "wrong item" if question.verwacht else "should fall back"
        else:
            continue
        got = ", ".join(j.ids[:3]) or "-"
        lines.append(
            f"[{reason}] ({question.taalvorm or '-'}/{question.soort or '-'}) {question.vraag!r}"
            f" → {j.outcome.value}{' URGENT' if j.urgent else ''}: {got}"
            f" (expected {', '.join(question.verwacht) or 'fallback'})"
        )
    return lines
