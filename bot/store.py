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
from pathlib import Path

from bot.content.library import Library
from bot.content.loader import check_content, load_library
from bot.content.problems import Level, Problem
from bot.matching import MatchIndex
from bot.normalize import Normalizer
from bot.places import PlaceIndex
from bot.replies import Replies
from bot.urgency import UrgencyDetector

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """One content version with everything derived from it."""

    library: Library
    index: MatchIndex
    places: PlaceIndex
    urgency: UrgencyDetector
    replies: Replies
    vk_stems: frozenset[str]
    """Words of the VK items: "welk vk", "nummer" beside a place still ask for its VK."""

    @classmethod
    def build(cls, library: Library) -> Snapshot:
        """Index a validated library (the only place indexes are built)."""
        normalizer = Normalizer.from_content(library.synonyms, library.stopwords)
        index = MatchIndex.build(library.items.values(), normalizer, library.out_of_scope)
        return cls(
            library=library,
            index=index,
            places=PlaceIndex.from_regions(library.regions),
            urgency=UrgencyDetector.build(
                library.urgent_words,
                library.urgent_phrases,
                harm=library.harm_words,
                now=library.now_words,
                no_alarm=library.no_alarm_phrases,
                past=library.past_words,
                known=index.vocabulary,
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
    def open(cls, directory: Path, *, today: date | None = None) -> ContentStore:
        """Load a folder; raises `ContentError` (with every problem) if it has errors."""
        return cls(Snapshot.build(load_library(directory, today=today)))

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
            self._current = Snapshot.build(library)
            log.info("content reloaded from %s", folder)
            return problems
