"""Validated content as one immutable object: what the rest of the domain reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.content.model import (
    Command,
    DecisionFile,
    Item,
    Kind,
    Learning,
    Partner,
    Question,
    RegionsFile,
    Step,
    Strict,
    Synonym,
    TextKey,
    Urgent,
)
from bot.content.templates import Template, parse_template

FileModel = TypeVar("FileModel", bound=Strict)


@dataclass(frozen=True)
class Library:
    """Everything the bot serves, loaded and validated once; replaced whole on reload."""

    directory: Path
    overview: Item
    steps: tuple[Step, ...]
    urgent: Urgent
    urgent_words: tuple[str, ...]
    urgent_phrases: tuple[str, ...]
    harm_words: tuple[str, ...]
    now_words: tuple[str, ...]
    no_alarm_phrases: tuple[str, ...]
    past_words: tuple[str, ...]
    partners: tuple[Partner, ...]
    learning: tuple[Learning, ...]
    questions: tuple[Question, ...]
    synonyms: tuple[Synonym, ...]
    stopwords: frozenset[str]
    out_of_scope: tuple[str, ...]
    regions: RegionsFile
    texts: Mapping[TextKey, str]
    commands: tuple[Command, ...]
    files: Mapping[type[Strict], Strict] = field(default_factory=dict)
    """Every file's model by its type; newer files are read through `file()`."""
    items: Mapping[str, Item] = field(init=False)
    kinds: Mapping[str, Kind] = field(init=False)
    templates: Mapping[TextKey, Template] = field(init=False)

    def __post_init__(self) -> None:
        groups: list[tuple[Kind, tuple[Item, ...]]] = [
            (Kind.STAP, (self.overview, *self.steps)),
            (Kind.URGENT, (self.urgent,)),
            (Kind.PARTNER, self.partners),
            (Kind.LEREN, self.learning),
            (Kind.VRAAG, self.questions),
        ]
        decision = self.files.get(DecisionFile)
        if isinstance(decision, DecisionFile):
            groups.append((Kind.BESLISHULP, (decision.beslishulp,)))
        items: dict[str, Item] = {}
        kinds: dict[str, Kind] = {}
        for kind, group in groups:
            for item in group:
                items[item.id] = item
                kinds[item.id] = kind
        # Frozen dataclass: derived lookups are set once here, never mutated afterwards.
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "kinds", kinds)
        # Validated by the loader; a text that does not parse fails here, loudly.
        templates = {key: parse_template(text) for key, text in self.texts.items()}
        object.__setattr__(self, "templates", templates)

    def file(self, model: type[FileModel]) -> FileModel:
        """The validated contents of one file, by its model (`library.file(SpokenFile)`)."""
        found = self.files.get(model)
        if found is None:
            return model.model_validate({})  # a file left out that may be (see FILES)
        assert isinstance(found, model)
        return found

    def text(self, key: TextKey, **values: str) -> str:
        """A UI sentence with its placeholders filled: plain substitution, linear time.

        `{{` and `}}` are literal braces in every text; the placeholders a text may use were
        checked when the content was loaded.
        """
        return self.templates[key].render(values)

    def step_index(self, item_id: str) -> int | None:
        """The 0-based position of a step in the plan, or None if `item_id` is not a step."""
        for index, step in enumerate(self.steps):
            if step.id == item_id:
                return index
        return None

    def vk_for_province(self, province_id: str) -> Partner | None:
        """The Vertrouwenscentrum that serves a province (or Brussels)."""
        for province in self.regions.provincies:
            if province.id == province_id:
                item = self.items.get(province.vk)
                return item if isinstance(item, Partner) else None
        return None

    def province_name(self, province_id: str) -> str:
        """The display name of a province id."""
        for province in self.regions.provincies:
            if province.id == province_id:
                return province.naam
        return province_id
