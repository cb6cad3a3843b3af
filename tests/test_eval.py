"""The quality targets, measured on the shipped content with the labelled set (the CI gate)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.contract import REQUIRED_IDS
from bot.engine import Engine
from bot.evaluation import (
    TARGET_FALLBACK,
    TARGET_FALSE_ALARMS,
    TARGET_TOP1,
    TARGET_URGENT_RECALL,
    Result,
    evaluate,
    load_questions,
    report,
)
from bot.store import ContentStore, shipped_model
from tests.conftest import SHIPPED_CONTENT

QUESTIONS = Path(__file__).parent.parent / "eval" / "questions.yaml"


@pytest.fixture(scope="module")
def result() -> Result:
    engine = Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))
    return evaluate(engine, load_questions(QUESTIONS))


def test_the_set_is_large_and_covers_every_contract_id() -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 250
    labelled = {i for q in questions for i in q.verwacht}
    assert labelled >= REQUIRED_IDS
    assert sum(q.out_of_scope for q in questions) >= 30


def test_top1(result: Result) -> None:
    assert result.ratio(result.top1, result.in_scope) >= TARGET_TOP1, report(result)


def test_urgent_recall_and_false_alarms(result: Result) -> None:
    assert result.ratio(result.urgent_found, result.urgent_total) >= TARGET_URGENT_RECALL, report(
        result
    )
    assert result.ratio(result.false_alarms, result.ordinary_total) <= TARGET_FALSE_ALARMS, report(
        result
    )


def test_out_of_scope_falls_back(result: Result) -> None:
    assert result.ratio(result.oos_fallback, result.oos_total) >= TARGET_FALLBACK, report(result)
