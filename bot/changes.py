"""What a content reload changed: items added, removed and changed, and the files touched."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.library import Library
from bot.content.model import FILES, AdminFile
from bot.content.templates import parse_template
from bot.replies import Block, Reply, Style

MAX_IDS_SHOWN = 30
"""Ids listed per line in the reply; more are counted as "… (+N)"."""


@dataclass(frozen=True)
class Changes:
    """The difference between two content versions."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    files: tuple[str, ...]
    """Content files whose validated contents differ (comments and layout do not count)."""

    @property
    def nothing(self) -> bool:
        """Whether the new version serves exactly what the old one did."""
        return not (self.added or self.removed or self.changed or self.files)


def compare(before: Library, after: Library) -> Changes:
    """Compare two libraries item by item and file by file."""
    old, new = before.items, after.items
    changed = tuple(i for i in new if i in old and new[i] != old[i])
    files = tuple(
        name for name, model in FILES.items() if before.files.get(model) != after.files.get(model)
    )
    return Changes(
        added=tuple(i for i in new if i not in old),
        removed=tuple(i for i in old if i not in new),
        changed=changed,
        files=files,
    )


def _ids(ids: tuple[str, ...]) -> str:
    shown = ", ".join(ids[:MAX_IDS_SHOWN])
    return shown + (f" … (+{len(ids) - MAX_IDS_SHOWN})" if len(ids) > MAX_IDS_SHOWN else "")


def changes_reply(changes: Changes, library: Library) -> Reply:
    """The lines an admin reads after a reload: what was added, removed, changed."""
    texts = library.file(AdminFile).teksten

    def fill(text: str, **values: str) -> str:
        return parse_template(text).render(values)

    if changes.nothing:
        return Reply((Block(Style.TEXT, (texts.herladen_niets,)),))
    lines = []
    if changes.added:
        lines.append(fill(texts.herladen_nieuw, ids=_ids(changes.added)))
    if changes.removed:
        lines.append(fill(texts.herladen_verwijderd, ids=_ids(changes.removed)))
    if changes.changed:
        lines.append(fill(texts.herladen_gewijzigd, ids=_ids(changes.changed)))
    if changes.files:
        lines.append(fill(texts.herladen_bestanden, bestanden=", ".join(changes.files)))
    return Reply((Block(Style.BULLETS, tuple(lines)),))
