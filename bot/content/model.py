"""The content schema: what admins write in `content/*.yaml`, as pydantic models.

Field names are Dutch because admins read them; every scalar arrives as text (see
`yaml_source`) and is typed only here. The models are frozen: loaded content is shared
read-only by every request until a reload swaps it as a whole.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
"""Lowercase letters, digits and '-', at most 40 characters (fits callback data and deep links)."""

ItemId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Status(StrEnum):
    """Review status of an item or a contact entry."""

    TE_VERIFIEREN = "te-verifieren"


class Kind(StrEnum):
    """What an answerable item is; shown by `playbook list` and used to group replies."""

    STAP = "stap"
    URGENT = "urgent"
    PARTNER = "partner"
    LEREN = "leren"
    VRAAG = "vraag"


def _check_source(value: str) -> str:
    if value.startswith(("http://", "https://")) and not urlsplit(value).netloc:
        raise ValueError("is geen geldige webadres")
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in value:
        raise ValueError(f"'{value}' is geen geldig webadres (begin met https://)")
    return value


PHONE_RE = re.compile(r"^\+?[0-9][0-9 ./-]{1,18}[0-9]$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)

Source = Annotated[Text, AfterValidator(_check_source)]
Url = Annotated[Text, AfterValidator(_check_url)]


class Strict(BaseModel):
    """Base of all content models: immutable; unknown keys are kept to warn about them."""

    model_config = ConfigDict(frozen=True, extra="allow", str_strip_whitespace=True)


class Item(Strict):
    """Fields every answerable item has."""

    id: ItemId = Field(description="Vaste, unieke sleutel: kleine letters, cijfers en '-'.")
    titel: Text = Field(description="De titel zoals de gebruiker hem ziet.")
    knop: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | (
        None
    ) = Field(None, description="Korte naam voor op een knop (max. 40 tekens); anders de titel.")
    tekst: Text = Field(
        description="Het antwoord. Gewone tekst; een lege regel begint een alinea."
    )
    zoektermen: list[Text] = Field(
        min_length=1,
        description="Woorden en zinnen waarmee iemand naar dit onderwerp kan vragen.",
    )
    verwant: list[ItemId] = Field(
        default_factory=list, description="Ids van items die bij dit item horen (knoppen)."
    )
    bronnen: list[Source] = Field(
        min_length=1, description="Waar de inhoud vandaan komt: webadres of documentnaam."
    )
    nagekeken: date = Field(description="Datum van het laatste nazicht, als JJJJ-MM-DD.")
    status: Status | None = Field(
        None, description="'te-verifieren' als de inhoud nog niet door een bron bevestigd is."
    )
    notitie: str | None = Field(
        None, description="Interne notitie voor beheerders; nooit getoond."
    )

    @property
    def button_label(self) -> str:
        """The short label for buttons."""
        return self.knop or self.titel


class Step(Item):
    """One step of the step plan."""

    checklist: list[Text] = Field(
        default_factory=list,
        description="Optionele lijst om af te vinken (als opsomming getoond).",
    )


class ContactKind(StrEnum):
    """The typed contact fields a partner can have."""

    TELEFOON = "telefoon"
    EMAIL = "email"
    WEBSITE = "website"
    ADRES = "adres"
    UREN = "uren"
    CHAT = "chat"


class ContactEntry(Strict):
    """One contact detail; an unverified one is never shown to users as fact."""

    soort: ContactKind = Field(description="telefoon, email, website, adres, uren of chat.")
    waarde: Text | None = Field(
        None, description="Het nummer, adres, … Mag leeg blijven zolang status te-verifieren is."
    )
    label: Text | None = Field(None, description="Optioneel: waarvoor dit contact dient.")
    status: Status | None = None
    bron: Source | None = Field(None, description="Bron van dit gegeven, als die afwijkt.")

    @property
    def verified(self) -> bool:
        """Whether the value may be shown as fact."""
        return self.status is None and self.waarde is not None


class Partner(Item):
    """An organisation a worker can turn to."""

    contact: list[ContactEntry] = Field(default_factory=list)
    provincie: ItemId | None = Field(
        None, description="Voor een VK: de id van de provincie (of Brussel) die het bedient."
    )


class Learning(Item):
    """A part of the learning offer."""


class Question(Item):
    """A question workers ask, with its answer."""


class Urgent(Item):
    """The urgent-danger item shown before anything else."""


class StepsFile(Strict):
    """`stappen.yaml`: the overview item and the steps, in order."""

    overzicht: Item
    stappen: list[Step] = Field(min_length=1)


def _check_urgent_term(value: str) -> str:
    letters = sum(ch.isalnum() for ch in value)
    if "*" in value and letters < 4:
        raise ValueError(
            f"'{value}' is te ruim: een woord met * heeft minstens 4 letters nodig "
            "(anders geeft bijna elk bericht alarm)"
        )
    return value


UrgentTerm = Annotated[Text, AfterValidator(_check_urgent_term)]
"""A word or phrase; '*' stands for any letters ("verslik*", "*slikt")."""


class UrgentFile(Strict):
    """`urgent.yaml`: the urgent-danger item and the words that trigger it."""

    acuut: Urgent
    signaalwoorden: list[UrgentTerm] = Field(
        min_length=1, description="Woorden die op acuut gevaar wijzen (ook met tikfouten herkend)."
    )
    signaalzinnen: list[UrgentTerm] = Field(
        default_factory=list, description="Zinnen van meerdere woorden die op acuut gevaar wijzen."
    )
    gevaarwoorden: list[UrgentTerm] = Field(
        default_factory=list,
        description="Woorden voor geweld of letsel die alleen samen met een nu-woord alarm geven.",
    )
    nu_woorden: list[UrgentTerm] = Field(
        default_factory=list,
        description="Woorden die zeggen dat het nu of zo meteen gebeurt (nu, hier, vanavond, …).",
    )
    geen_alarm: list[Text] = Field(
        default_factory=list,
        description="Zinnen die een nu-woord neutraliseren, bv. 'wat moet ik nu doen'.",
    )
    verleden_woorden: list[UrgentTerm] = Field(
        default_factory=list,
        description="Woorden voor voorbij of denkbeeldig gevaar (vorige week, vroeger, wat als): "
        "die houden een gevaarwoord tegen.",
    )


class PartnersFile(Strict):
    """`partners.yaml`."""

    partners: list[Partner] = Field(min_length=1)


class LearningFile(Strict):
    """`leren.yaml`."""

    leren: list[Learning] = Field(min_length=1)


class QuestionsFile(Strict):
    """`vragen.yaml`."""

    vragen: list[Question] = Field(min_length=1)


class Synonym(Strict):
    """Words that mean the same; questions are rewritten to `term` before matching."""

    term: Text
    varianten: list[Text] = Field(min_length=1)


class SynonymsFile(Strict):
    """`synoniemen.yaml`."""

    synoniemen: list[Synonym] = Field(default_factory=list)
    stopwoorden: list[Text] = Field(default_factory=list)


class Province(Strict):
    """A province (or Brussels) and the VK that serves it."""

    id: ItemId
    naam: Text
    vk: ItemId


class PostalArea(Strict):
    """One postal code of one 2025 municipality, with the place names it covers."""

    postcode: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3}$")]
    gemeente: Text
    provincie: ItemId
    plaatsen: list[Text] = Field(default_factory=list)
    status: Status | None = None
    opmerking: str | None = None


class RegionsFile(Strict):
    """`regios.yaml`: generated by `scripts/generate_regions.py`; do not edit by hand."""

    bronnen: list[Source] = Field(min_length=1)
    nagekeken: date
    provincies: list[Province] = Field(min_length=1)
    lokale_partners: list[ItemId] = Field(
        default_factory=list, description="Partners die bij elke regio getoond worden."
    )
    postcodes: list[PostalArea] = Field(min_length=1)


class Command(Strict):
    """A bot command and its description (shown in Telegram's command menu)."""

    commando: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]
    beschrijving: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=256)
    ]


TextKey = Literal[
    "welkom",
    "hulp",
    "privacy_kort",
    "menu_titel",
    "bedoel_je",
    "geen_van_deze",
    "geen_antwoord",
    "leeg_bericht",
    "fout",
    "knop_verlopen",
    "vraag_postcode",
    "regio_niet_gevonden",
    "regio_gevonden",
    "regio_te_verifieren",
    "vk_contact_te_verifieren",
    "contact_te_verifieren",
    "te_verifieren_item",
    "bronnen",
    "nagekeken",
    "stap_van",
    "verwant",
    "urgent_kop",
    "bot_beschrijving",
    "bot_korte_beschrijving",
    "knop_menu",
    "knop_stappenplan",
    "knop_contact",
    "knop_leren",
    "knop_noodnummers",
    "knop_vorige",
    "knop_volgende",
    "knop_alle_stappen",
    "knop_privacy",
    "chat_prompt",
    "chat_einde",
    "chat_keuze",
    "leren_titel",
    "lokale_partners",
    "ook_gevonden",
    "contact_telefoon",
    "contact_email",
    "contact_website",
    "contact_adres",
    "contact_uren",
    "contact_chat",
    "herladen_ok",
    "herladen_fout",
    "onbekend_commando",
    "onbekend_commando_geen",
    "alleen_tekst",
    "link_verlopen",
    "herladen_in_prive",
    "herladen_prive_onmogelijk",
]


class TextsFile(Strict):
    """`teksten.yaml`: every sentence of the user interface and the command menu."""

    teksten: dict[TextKey, Text]
    commandos: list[Command] = Field(min_length=1)


class OutOfScopeFile(Strict):
    """`buiten-bereik.yaml`: questions the bot does not answer, so that it falls back honestly."""

    zoektermen: list[Text] = Field(
        min_length=1,
        description="Onderwerpen buiten het bereik van de bot (prijzen, vaccins, …). Lijkt een "
        "vraag hier het meest op, dan zegt de bot eerlijk dat hij het antwoord niet heeft.",
    )


FILES: dict[str, type[Strict]] = {
    "stappen.yaml": StepsFile,
    "urgent.yaml": UrgentFile,
    "partners.yaml": PartnersFile,
    "leren.yaml": LearningFile,
    "vragen.yaml": QuestionsFile,
    "synoniemen.yaml": SynonymsFile,
    "regios.yaml": RegionsFile,
    "teksten.yaml": TextsFile,
    "buiten-bereik.yaml": OutOfScopeFile,
}
"""Every content file, by name, with the model of its top level."""
