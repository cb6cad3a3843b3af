"""The decision aid (beslishulp) as a tree to walk: questions, answers, outcomes.

Nothing is remembered between presses: a position is the list of answers given since the first
question (carried in the button, see `bot.actions.decision`), and walking the tree again finds
the question or outcome it leads to. The content check guarantees a tree (every answer leads to
a question or outcome that exists, no cycles, bounded depth), but a button can be older than the
content: `find` then returns None, and the caller starts over politely.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.content.model import DecisionAnswer, DecisionFile, DecisionNode, DecisionOutcome


@dataclass(frozen=True)
class Place:
    """Where a path of answers leads, with every question and answer on the way."""

    node: DecisionNode | DecisionOutcome
    path: tuple[int, ...]
    steps: tuple[tuple[DecisionNode, DecisionAnswer], ...]

    @property
    def parent(self) -> DecisionNode | None:
        """The question before this place (what "Vorige" shows), None at the start."""
        return self.steps[-1][0] if self.steps else None


class DecisionTree:
    """One content version of the decision aid, indexed by id."""

    def __init__(self, content: DecisionFile) -> None:
        self.content = content
        self._questions = {node.id: node for node in content.vragen}
        self._outcomes = {outcome.id: outcome for outcome in content.uitkomsten}

    @property
    def start(self) -> DecisionNode:
        """The first question."""
        return self._questions[self.content.beslishulp.start]

    def walk(self, path: tuple[int, ...]) -> Place | None:
        """Follow the answers of `path` from the first question; None if they lead nowhere."""
        node: DecisionNode | DecisionOutcome = self.start
        steps: list[tuple[DecisionNode, DecisionAnswer]] = []
        for index in path:
            if not isinstance(node, DecisionNode) or not 0 <= index < len(node.antwoorden):
                return None
            answer = node.antwoorden[index]
            steps.append((node, answer))
            following = self._questions.get(answer.naar) or self._outcomes.get(answer.naar)
            if following is None:
                return None
            node = following
        return Place(node, path, tuple(steps))

    def find(self, node_id: str, path: tuple[int, ...]) -> Place | None:
        """The place a button names: its path must still lead to the same question or outcome
        (after a reload that changed the tree, an old button does not silently show another)."""
        place = self.walk(path)
        return place if place is not None and place.node.id == node_id else None

    def paths(self) -> Iterator[Place]:
        """Every place of the tree, depth first, each path once (for tests and tooling)."""
        todo = [self.walk(())]
        while todo:
            place = todo.pop()
            if place is None:
                continue
            yield place
            if isinstance(place.node, DecisionNode):
                for index in reversed(range(len(place.node.antwoorden))):
                    todo.append(self.walk((*place.path, index)))
