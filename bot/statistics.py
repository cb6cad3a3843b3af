"""The statistics of a year, from the stored counts: for `/statistieken` and `playbook stats`.

Per month and per week: questions by outcome and items opened; per year: urgent replies,
deep links, "Geen van deze", unique users (for the bot, per month, per item), the most
opened items and learning items, and 👍/👎 per item. Reading blocks (database): callers run
`build` off the event loop.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot import uniques
from bot.content.library import Library
from bot.content.model import AdminFile, Kind
from bot.content.templates import parse_template
from bot.replies import Block, Reply, Style
from bot.storage import Storage
from bot.usage import Kind as Event
from bot.usage import day_range

TOP_ITEMS = 10
WEEKS_SHOWN = 8
OUTCOMES = ("answer", "clarify", "fallback", "smalltalk")


@dataclass(frozen=True)
class Month:
    """One month of a year."""

    month: int
    questions: int
    items: int
    unique: int


@dataclass(frozen=True)
class Week:
    """One ISO week (`2026-W14`)."""

    week: str
    questions: int
    items: int


@dataclass(frozen=True)
class ItemFigures:
    """One item: how often it was opened, by how many users, and its votes."""

    id: str
    kind: str
    title: str
    shown: int
    unique: int
    useful: int
    not_useful: int


@dataclass(frozen=True)
class YearReport:
    """Everything `/statistieken` shows for one year."""

    year: int
    unique_users: int
    questions: dict[str, int]
    urgent: int
    links: int
    none_of_these: int
    months: tuple[Month, ...]
    weeks: tuple[Week, ...]
    items: tuple[ItemFigures, ...]
    """Every item opened or voted on, most opened first."""
    decisions: dict[str, int]

    @property
    def empty(self) -> bool:
        """Whether nothing at all was counted in the year."""
        return not (self.unique_users or sum(self.questions.values()) or self.items)

    def to_json(self) -> dict[str, Any]:
        """The report for `playbook stats --json`."""
        return {
            "year": self.year,
            "unique_users": self.unique_users,
            "questions": self.questions,
            "urgent": self.urgent,
            "links": self.links,
            "none_of_these": self.none_of_these,
            "months": [vars(m) for m in self.months],
            "weeks": [vars(w) for w in self.weeks],
            "items": [vars(i) for i in self.items],
            "decisions": self.decisions,
        }


def build(storage: Storage, library: Library, year: int, today: date | None = None) -> YearReport:
    """The figures of `year` (blocking)."""
    first, last = day_range(year)
    rows = storage.counts(first, last)
    counted = storage.uniques(year)
    questions: Counter[str] = Counter(dict.fromkeys(OUTCOMES, 0))
    per_month_q: Counter[int] = Counter()
    per_month_i: Counter[int] = Counter()
    per_week_q: Counter[str] = Counter()
    per_week_i: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    votes: dict[str, Counter[str]] = {}
    decisions: Counter[str] = Counter()
    urgent = links = none_of_these = 0
    for row in rows:
        day = date.fromisoformat(row.day)
        iso = day.isocalendar()
        week = f"{iso.year}-W{iso.week:02d}"
        match row.kind:
            case Event.QUESTION:
                questions[row.detail] += row.n
                per_month_q[day.month] += row.n
                per_week_q[week] += row.n
            case Event.ITEM:
                shown[row.subject] += row.n
                per_month_i[day.month] += row.n
                per_week_i[week] += row.n
            case Event.URGENT:
                urgent += row.n
            case Event.LINK:
                links += row.n
            case Event.NONE_OF_THESE:
                none_of_these += row.n
            case Event.FEEDBACK:
                votes.setdefault(row.subject, Counter())[row.detail] += row.n
            case Event.DECISION:
                decisions[row.detail] += row.n
    months = tuple(
        Month(m, per_month_q[m], per_month_i[m], counted.get(uniques.month_scope(m), 0))
        for m in range(1, 13)
    )
    end = min(today or date(year, 12, 31), date(year, 12, 31))
    weeks = []
    for back in range(WEEKS_SHOWN - 1, -1, -1):
        iso = (end - timedelta(weeks=back)).isocalendar()
        label = f"{iso.year}-W{iso.week:02d}"
        weeks.append(Week(label, per_week_q[label], per_week_i[label]))
    ids = sorted(set(shown) | set(votes), key=lambda i: (-shown[i], i))
    items = tuple(
        ItemFigures(
            id=item_id,
            kind=library.kinds[item_id].value if item_id in library.kinds else "",
            title=library.items[item_id].titel if item_id in library.items else item_id,
            shown=shown[item_id],
            unique=counted.get(uniques.item_scope(item_id), 0),
            useful=votes.get(item_id, Counter())["ja"],
            not_useful=votes.get(item_id, Counter())["nee"],
        )
        for item_id in ids
    )
    return YearReport(
        year=year,
        unique_users=counted.get(uniques.BOT_SCOPE, 0),
        questions=dict(questions),
        urgent=urgent,
        links=links,
        none_of_these=none_of_these,
        months=months,
        weeks=tuple(weeks),
        items=items,
        decisions=dict(decisions),
    )


def _section(heading: str, lines: list[str]) -> list[Block]:
    return [Block(Style.NOTE, (heading,)), Block(Style.BULLETS, tuple(lines))]


def to_reply(report: YearReport, library: Library) -> Reply:
    """The report as admins read it (texts from `beheer.yaml`)."""
    admin = library.file(AdminFile)
    texts = admin.teksten

    def fill(text: str, **values: object) -> str:
        return parse_template(text).render({k: str(v) for k, v in values.items()})

    title = Block(Style.TITLE, (fill(texts.statistieken_titel, jaar=report.year),))
    if report.empty:
        empty = fill(texts.statistieken_leeg, jaar=report.year)
        return Reply((title, Block(Style.TEXT, (empty,))))
    q = report.questions
    summary = [
        fill(texts.statistieken_uniek, aantal=report.unique_users),
        fill(
            texts.statistieken_vragen,
            totaal=sum(q.values()),
            antwoord=q.get("answer", 0),
            verduidelijking=q.get("clarify", 0),
            geen=q.get("fallback", 0),
            praatje=q.get("smalltalk", 0),
        ),
        fill(texts.statistieken_dringend, aantal=report.urgent),
        fill(texts.statistieken_links, aantal=report.links),
        fill(texts.statistieken_geen_van_deze, aantal=report.none_of_these),
    ]
    blocks = [title, Block(Style.BULLETS, tuple(summary))]
    months = [
        fill(
            texts.statistieken_maand,
            maand=admin.maanden[m.month - 1],
            vragen=m.questions,
            items=m.items,
            uniek=m.unique,
        )
        for m in report.months
        if m.questions or m.items or m.unique
    ]
    if months:
        blocks += _section(texts.statistieken_per_maand, months)
    weeks = [
        fill(texts.statistieken_week, week=w.week, vragen=w.questions, items=w.items)
        for w in report.weeks
    ]
    blocks += _section(texts.statistieken_per_week, weeks)
    learning = [i for i in report.items if i.kind == Kind.LEREN.value]
    others = [i for i in report.items if i.kind != Kind.LEREN.value and i.shown]
    for heading, chosen in (
        (texts.statistieken_items, others),
        (texts.statistieken_leren, learning),
    ):
        lines = [
            fill(texts.statistieken_item, titel=i.title, aantal=i.shown, uniek=i.unique)
            for i in chosen[:TOP_ITEMS]
        ]
        if lines:
            blocks += [Block(Style.NOTE, (heading,)), Block(Style.BULLETS, tuple(lines))]
    voted = sorted(
        (i for i in report.items if i.useful or i.not_useful),
        key=lambda i: (-(i.useful + i.not_useful), i.id),
    )
    if voted:
        lines = [
            fill(texts.statistieken_nuttig_item, titel=i.title, ja=i.useful, nee=i.not_useful)
            for i in voted[:TOP_ITEMS]
        ]
        blocks += _section(texts.statistieken_nuttig, lines)
    if report.decisions:
        lines = [
            fill(texts.statistieken_beslishulp_uitkomst, uitkomst=outcome, aantal=n)
            for outcome, n in sorted(report.decisions.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        blocks += _section(texts.statistieken_beslishulp, lines)
    return Reply(tuple(blocks))
