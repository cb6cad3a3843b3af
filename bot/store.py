"""The content in use: loaded and indexed once, swapped whole on reload, never half-updated.

Every request reads `store.current` once and works on that snapshot, so a reload that lands
mid-request cannot mix old and new content. A broken new version is refused and the last
good one stays in service.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path

from bot.classifier import LinearModel
from bot.content.library import Library
from bot.content.loader import check_content, load_library
from bot.content.model import ExamplesFile, LanguagesFile, SmallTalkFile, SpokenFile
from bot.content.problems import Level, Problem
from bot.languages import LanguageGuesser
from bot.matching import MatchIndex
from bot.normalize import Normalizer
from bot.places import PlaceIndex
from bot.replies import Replies
from bot.smalltalk import SmallTalkIndex
from bot.urgency import UrgencyDetector, UrgencyRules

log = logging.getLogger(__name__)


MODEL_FILE = "urgency-model.json"
"""The trained urgency classifier, shipped inside the package (`bot/data/`)."""


@cache
def shipped_model() -> LinearModel | None:
    """The urgency model of this release (read once per process), or None if absent."""
    resource = files("bot").joinpath("data", MODEL_FILE)
    if not resource.is_file():
        log.warning("no urgency model (%s): the word lists decide alone", MODEL_FILE)
        return None
    return LinearModel.from_json(resource.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Snapshot:
    """One content version with everything derived from it."""

    library: Library
    index: MatchIndex
    places: PlaceIndex
    urgency: UrgencyDetector
    languages: LanguageGuesser
    small_talk: SmallTalkIndex
    replies: Replies
    vk_stems: frozenset[str]
    """Words of the VK items: "welk vk", "nummer" beside a place still ask for its VK."""

    def speaks(self, language: str) -> bool:
        """Whether `talen.yaml` has an emergency reply in this language."""
        return any(
            entry.taal == language and entry.noodantwoord
            for entry in self.library.file(LanguagesFile).talen
        )

    @classmethod
    def build(cls, library: Library, model: LinearModel | None = None) -> Snapshot:
        """Index a validated library (the only place indexes are built).

        `model` is the urgency classifier (`shipped_model()` in the bot); without one, the
        word lists of `urgent.yaml` decide alone.
        """
        normalizer = Normalizer.from_content(
            library.synonyms, library.stopwords, library.file(SpokenFile).spreektaal
        )
        examples = [
            (group.item, question)
            for group in library.file(ExamplesFile).voorbeelden
            for question in group.vragen
        ]
        index = MatchIndex.build(
            library.items.values(), normalizer, library.out_of_scope, examples
        )
        languages = library.file(LanguagesFile).talen

        def standard(text: str) -> str:
            return " ".join(normalizer.standard(text))

        return cls(
            library=library,
            index=index,
            places=PlaceIndex.from_regions(library.regions),
            urgency=UrgencyDetector(
                # Terms are written in standard Dutch; questions reach them standardized.
                rules=UrgencyRules.build(
                    library.urgent_words,
                    library.urgent_phrases,
                    harm=library.harm_words,
                    now=library.now_words,
                    no_alarm=library.no_alarm_phrases,
                    past=library.past_words,
                    known=index.vocabulary,
                ),
                model=model,
                languages={
                    language.taal: UrgencyRules.build(
                        language.signaalwoorden, (), past=language.verleden_woorden
                    )
                    for language in languages
                },
            ),
            languages=LanguageGuesser.build(
                languages,
                # Spoken variants are left out: "ne" and "bebe" are French as much as Flemish.
                index.vocabulary | normalizer.stopwords,
            ),
            small_talk=SmallTalkIndex.build(
                library.file(SmallTalkFile).praatjes, standard, normalizer.stopwords
            ),
            replies=Replies(library),
            vk_stems=frozenset(
                stem
                for province in library.regions.provincies
                for stem in index.item_stems(province.vk)
            ),
        )


class ContentStore:
    """Holds the current snapshot and replaces it atomically on a successful reload."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._current = snapshot
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, directory: Path, *, today: date | None = None, model: LinearModel | None = None
    ) -> ContentStore:
        """Load a folder; raises `ContentError` (with every problem) if it has errors.

        `model` is the urgency classifier every snapshot of this store uses.
        """
        return cls(Snapshot.build(load_library(directory, today=today), model))

    @property
    def current(self) -> Snapshot:
        """The snapshot in service."""
        return self._current

    def reload(self, directory: Path | None = None) -> list[Problem]:
        """Load again; swap only if valid. Returns the problems (errors mean: not swapped).

        The problems name files relative to the content folder: they are shown to admins in
        Telegram, who need not (and should not) see the server's paths.
        """
        with self._lock:
            folder = directory or self._current.library.directory
            library, problems = check_content(folder, relative_paths=True)
            if library is None:
                errors = sum(p.level is Level.ERROR for p in problems)
                log.warning("content reload refused: %d error(s); keeping the last good", errors)
                return problems
            self._current = Snapshot.build(library, self._current.urgency.model)
            log.info("content reloaded from %s", folder)
            return problems
