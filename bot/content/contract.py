"""The content contract (`shared/content-contract.md`): ids and commands that must exist.

Deep links, shared buttons and the labelled question set point at these ids, so the check
refuses content in which one is missing.
"""

from __future__ import annotations

from collections.abc import Mapping

_BY_FILE: Mapping[str, tuple[str, ...]] = {
    "stappen.yaml": (
        "stappenplan",
        "signalen-noteren",
        "intern-overleg",
        "gesprek-ouders",
        "advies-vragen",
        "beslissen",
        "opvolgen",
    ),
    "urgent.yaml": ("acuut-gevaar",),
    "beslishulp.yaml": ("beslishulp",),
    "partners.yaml": (
        "vk-antwerpen",
        "vk-limburg",
        "vk-oost-vlaanderen",
        "vk-vlaams-brabant",
        "vk-west-vlaanderen",
        "vk-brussel",
        "1712",
        "noodnummers",
        "kind-en-gezin-lijn",
        "lokaal-team-kind-en-gezin",
        "caw",
        "huis-van-het-kind",
        "ocj",
        "veck",
    ),
    "leren.yaml": ("e-learning", "vorming", "supervisie", "draaiboek"),
    "vragen.yaml": (
        "twijfel",
        "kind-vertelt",
        "signalen-lichamelijk",
        "signalen-verwaarlozing",
        "signalen-emotioneel",
        "signalen-seksueel",
        "signalen-partnergeweld",
        "seksueel-gedrag-kinderen",
        "ouders-weigeren",
        "beroepsgeheim",
        "spreekrecht",
        "hulpplicht",
        "toestemming-ouders",
        "anoniem-advies",
        "na-melding-vk",
        "grensoverschrijdend-gedrag-personeel",
        "zelfzorg",
        "cijfers",
        "privacy",
    ),
}

REQUIRED_FILE_FOR: Mapping[str, str] = {
    item_id: name for name, ids in _BY_FILE.items() for item_id in ids
}
"""The file where each required id belongs (to point the error at the right file)."""

REQUIRED_IDS: frozenset[str] = frozenset(REQUIRED_FILE_FOR)

REQUIRED_COMMANDS: frozenset[str] = frozenset(
    {"start", "stappenplan", "beslishulp", "contact", "leren", "noodnummers", "privacy", "help"}
)
"""Bot commands whose descriptions must exist in `teksten.yaml`."""
