"""The content schema: what admins write in `content/*.yaml`, as pydantic models.

Field names are Dutch because admins read them; every scalar arrives as text (see
`yaml_source`) and is typed only here. The models are frozen: loaded content is shared
read-only by every request until a reload swaps it as a whole.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from bot.content.limits import (
    MAX_BUTTON_CHARS,
    MAX_CANDIDATES,
    MAX_CHECKLIST,
    MAX_COMMAND_DESCRIPTION_CHARS,
    MAX_COMMANDS,
    MAX_CONTACTS,
    MAX_CORE_CHARS,
    MAX_DECISION_ANSWERS,
    MAX_DECISION_EXPLANATION_CHARS,
    MAX_DECISION_ITEMS,
    MAX_DECISION_NODES,
    MAX_DECISION_OUTCOME_CHARS,
    MAX_DECISION_QUESTION_CHARS,
    MAX_EXAMPLES,
    MAX_ITEMS,
    MAX_LANGUAGES,
    MAX_LINE_CHARS,
    MAX_LOCAL_PARTNERS,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_PLACES,
    MAX_POSTCODES,
    MAX_POSTER_LINE_CHARS,
    MAX_POSTER_LINES,
    MAX_POSTER_TITLE_CHARS,
    MAX_PROVINCES,
    MAX_RELATED,
    MAX_SHARING_TEXT_CHARS,
    MAX_SOURCE_CHARS,
    MAX_SOURCES,
    MAX_STEPS,
    MAX_TERM_CHARS,
    MAX_TERMS,
    MAX_TEXT_CHARS,
    MAX_THEME_ITEMS,
    MAX_THEMES,
    MAX_TITLE_CHARS,
    MAX_UI_TEXT_CHARS,
    MAX_VARIANTS,
    MAX_WORDS,
    MIN_POSTER_LINES,
)
from bot.content.templates import TemplateError, parse_template

ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
"""Lowercase letters, digits and '-', at most 40 characters (fits callback data and deep links)."""

ItemId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


def _text(max_chars: int) -> StringConstraints:
    """Stripped, non-empty text of at most `max_chars` characters (see `limits`)."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_chars)


Title = Annotated[str, _text(MAX_TITLE_CHARS)]
ButtonLabel = Annotated[str, _text(MAX_BUTTON_CHARS)]
Body = Annotated[str, _text(MAX_TEXT_CHARS)]
Core = Annotated[str, _text(MAX_CORE_CHARS)]
"""An item's core: what the worker does now, on the first screen."""
Term = Annotated[str, _text(MAX_TERM_CHARS)]
"""A search term, urgency word or phrase, synonym, stop word or out-of-scope term."""
Line = Annotated[str, _text(MAX_LINE_CHARS)]
"""One line of detail: a checklist line, a contact's value or label."""
Name = Annotated[str, _text(MAX_NAME_CHARS)]
"""A province, municipality or place name."""
SourceText = Annotated[str, _text(MAX_SOURCE_CHARS)]
UiText = Annotated[str, _text(MAX_UI_TEXT_CHARS)]
Note = Annotated[str, StringConstraints(max_length=MAX_NOTE_CHARS)]
Remark = Annotated[str, StringConstraints(max_length=MAX_LINE_CHARS)]


class Status(StrEnum):
    """Review status of a contact entry or a postal code: not confirmed, so never shown as fact."""

    TE_VERIFIEREN = "te-verifieren"


class ItemStatus(StrEnum):
    """Review status of an item: which part of it no source confirms yet."""

    TE_VERIFIEREN = "te-verifieren"
    """The core (`kern`) is not confirmed: one notice on the first screen says so."""
    DETAILS_TE_VERIFIEREN = "details-te-verifieren"
    """The core is confirmed; some details are not, and the text says so at each of them."""


class Kind(StrEnum):
    """What an answerable item is; shown by `playbook list` and used to group replies."""

    STAP = "stap"
    URGENT = "urgent"
    PARTNER = "partner"
    LEREN = "leren"
    VRAAG = "vraag"
    BESLISHULP = "beslishulp"


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

Source = Annotated[SourceText, AfterValidator(_check_source)]
Url = Annotated[SourceText, AfterValidator(_check_url)]


class Strict(BaseModel):
    """Base of all content models: immutable; unknown keys are kept to warn about them."""

    model_config = ConfigDict(frozen=True, extra="allow", str_strip_whitespace=True)


class Item(Strict):
    """Fields every answerable item has."""

    id: ItemId = Field(description="Vaste, unieke sleutel: kleine letters, cijfers en '-'.")
    titel: Title = Field(description="De titel zoals de gebruiker hem ziet.")
    knop: ButtonLabel | None = Field(
        None,
        description=f"Korte naam voor op een knop (max. {MAX_BUTTON_CHARS} tekens); anders de "
        "titel.",
    )
    kern: Core = Field(
        description=f"Wat doe je nu? Het korte antwoord op het eerste scherm (max. "
        f"{MAX_CORE_CHARS} tekens); de rest staat in 'tekst'.",
    )
    tekst: Body = Field(
        description="De uitleg onder de kern (op Telegram ingeklapt). Gewone tekst; een lege "
        "regel begint een alinea."
    )
    zoektermen: list[Term] = Field(
        min_length=1,
        max_length=MAX_TERMS,
        description="Woorden en zinnen waarmee iemand naar dit onderwerp kan vragen.",
    )
    verwant: list[ItemId] = Field(
        default_factory=list,
        max_length=MAX_RELATED,
        description="Ids van items die bij dit item horen (knoppen).",
    )
    bronnen: list[Source] = Field(
        min_length=1,
        max_length=MAX_SOURCES,
        description="Waar de inhoud vandaan komt: webadres of documentnaam.",
    )
    nagekeken: date = Field(description="Datum van het laatste nazicht, als JJJJ-MM-DD.")
    status: ItemStatus | None = Field(
        None,
        description="'te-verifieren' als de kern nog niet door een bron bevestigd is (de bot "
        "toont dan één melding bovenaan); 'details-te-verifieren' als alleen details in de "
        "tekst nog te bevestigen zijn (de tekst zegt dat bij elk detail zelf).",
    )
    notitie: Note | None = Field(
        None, description="Interne notitie voor beheerders; nooit getoond."
    )

    @property
    def button_label(self) -> str:
        """The short label for buttons."""
        return self.knop or self.titel


class Step(Item):
    """One step of the step plan."""

    checklist: list[Line] = Field(
        default_factory=list,
        max_length=MAX_CHECKLIST,
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
    waarde: Line | None = Field(
        None, description="Het nummer, adres, … Mag leeg blijven zolang status te-verifieren is."
    )
    label: Line | None = Field(None, description="Optioneel: waarvoor dit contact dient.")
    status: Status | None = None
    bron: Source | None = Field(None, description="Bron van dit gegeven, als die afwijkt.")
    nagekeken: date | None = Field(
        None,
        description="Datum waarop dit gegeven nagekeken werd (JJJJ-MM-DD); verplicht, met "
        "'bron', voor het telefoonnummer van een Vertrouwenscentrum.",
    )

    @property
    def verified(self) -> bool:
        """Whether the value may be shown as fact."""
        return self.status is None and self.waarde is not None


class Partner(Item):
    """An organisation a worker can turn to."""

    contact: list[ContactEntry] = Field(default_factory=list, max_length=MAX_CONTACTS)
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
    stappen: list[Step] = Field(min_length=1, max_length=MAX_STEPS)


def _check_urgent_term(value: str) -> str:
    letters = sum(ch.isalnum() for ch in value)
    if "*" in value and letters < 4:
        raise ValueError(
            f"'{value}' is te ruim: een woord met * heeft minstens 4 letters nodig "
            "(anders geeft bijna elk bericht alarm)"
        )
    return value


UrgentTerm = Annotated[Term, AfterValidator(_check_urgent_term)]
"""A word or phrase; '*' stands for any letters ("verslik*", "*slikt")."""


class EmergencyReply(Strict):
    """The short reply to a message about danger now: the numbers first, a few next steps."""

    nummers: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
    ] = Field(description="Eerst: welke nummers nu (112 medisch, 101 politie). Max. 300 tekens.")
    daarna: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
    ] = Field(
        default_factory=list,
        max_length=3,
        description="Hoogstens drie korte regels voor daarna (max. 160 tekens elk).",
    )
    twijfel: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ] = Field(
        description="De ene regel boven een gewoon antwoord als een bericht misschien dringend "
        "is: 'Is een kind nu in gevaar? Bel 112 of 101.'",
    )


class UrgentFile(Strict):
    """`urgent.yaml`: the urgent-danger item and the words that trigger it."""

    acuut: Urgent
    noodantwoord: EmergencyReply
    signaalwoorden: list[UrgentTerm] = Field(
        min_length=1,
        max_length=MAX_WORDS,
        description="Woorden die op acuut gevaar wijzen (ook met tikfouten herkend).",
    )
    signaalzinnen: list[UrgentTerm] = Field(
        default_factory=list,
        max_length=MAX_WORDS,
        description="Zinnen van meerdere woorden die op acuut gevaar wijzen.",
    )
    gevaarwoorden: list[UrgentTerm] = Field(
        default_factory=list,
        max_length=MAX_WORDS,
        description="Woorden voor geweld of letsel die alleen samen met een nu-woord alarm geven.",
    )
    nu_woorden: list[UrgentTerm] = Field(
        default_factory=list,
        max_length=MAX_WORDS,
        description="Woorden die zeggen dat het nu of zo meteen gebeurt (nu, hier, vanavond, …).",
    )
    geen_alarm: list[Term] = Field(
        default_factory=list,
        max_length=MAX_WORDS,
        description="Zinnen die een nu-woord neutraliseren, bv. 'wat moet ik nu doen'.",
    )
    verleden_woorden: list[UrgentTerm] = Field(
        default_factory=list,
        max_length=MAX_WORDS,
        description="Woorden voor voorbij of denkbeeldig gevaar (vorige week, vroeger, wat als): "
        "die houden een gevaarwoord tegen.",
    )


class PartnersFile(Strict):
    """`partners.yaml`."""

    partners: list[Partner] = Field(min_length=1, max_length=MAX_ITEMS)


class LearningFile(Strict):
    """`leren.yaml`."""

    leren: list[Learning] = Field(min_length=1, max_length=MAX_ITEMS)


class QuestionsFile(Strict):
    """`vragen.yaml`."""

    vragen: list[Question] = Field(min_length=1, max_length=MAX_ITEMS)


class Synonym(Strict):
    """Words that mean the same; questions are rewritten to `term` before matching."""

    term: Term
    varianten: list[Term] = Field(min_length=1, max_length=MAX_VARIANTS)


class SpokenForm(Strict):
    """A spoken Flemish (tussentaal) form and its standard Dutch, for questions and content."""

    standaard: Term = Field(description="De standaardtaal, bv. 'niet' of 'ik weet niet'.")
    varianten: list[Term] = Field(
        min_length=1,
        max_length=MAX_VARIANTS,
        description="Hoe het getypt wordt, bv. 'ni', 'nie' of 'kweetni'.",
    )


class SpokenFile(Strict):
    """`spreektaal.yaml`: tussentaal and chat spelling rewritten to standard Dutch."""

    spreektaal: list[SpokenForm] = Field(default_factory=list, max_length=MAX_WORDS)


class Language(Strict):
    """Another language the bot recognises, to answer an emergency in it."""

    taal: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = Field(
        description="Taalcode: fr, en, …"
    )
    herkenning: list[Term] = Field(
        min_length=5,
        max_length=MAX_WORDS,
        description="Gewone woorden van die taal (le, est, pas / the, is, not): zo herkent de "
        "bot dat een bericht in die taal is.",
    )
    signaalwoorden: list[UrgentTerm] = Field(
        default_factory=list,
        max_length=MAX_WORDS,
        description="Woorden of zinnen die in die taal op gevaar NU wijzen.",
    )
    verleden_woorden: list[UrgentTerm] = Field(
        default_factory=list,
        max_length=MAX_WORDS,
        description="Woorden voor voorbij of denkbeeldig gevaar in die taal (hier, si jamais…).",
    )
    noodantwoord: UiText | None = Field(
        None,
        description="Het korte noodantwoord in die taal: 112 en 101 eerst. Zonder noodantwoord "
        "krijgt een bericht in die taal het antwoord voor andere talen (`andere_taal`).",
    )


class LanguagesFile(Strict):
    """`talen.yaml`: emergencies in French and English, and the notice for other languages."""

    talen: list[Language] = Field(default_factory=list, max_length=MAX_LANGUAGES)
    andere_taal: UiText | None = Field(
        None,
        description="Antwoord op een bericht in een andere taal of een ander schrift, in het "
        "Nederlands, Frans en Engels: 112/101 op de eerste regel.",
    )


class SmallTalk(Strict):
    """Greetings, thanks, "ok", "test": a short warm reply instead of "no answer"."""

    id: ItemId
    zinnen: list[Term] = Field(
        min_length=1, max_length=MAX_TERMS, description="Hoe mensen het zeggen (kort)."
    )
    antwoord: UiText = Field(description="Het korte antwoord; het menu komt eronder.")
    openers: list[Term] = Field(
        default_factory=list,
        max_length=MAX_TERMS,
        description="Woorden waarmee een langer bericht mag beginnen dat toch dit praatje is, "
        "als het niets vraagt (geen vraagteken, geen vraagwoord): 'bedankt, dit helpt ons "
        "team verder'. Alleen voor bedanken: een groet staat vaak voor een echte vraag.",
    )


class SmallTalkFile(Strict):
    """`praatjes.yaml`."""

    praatjes: list[SmallTalk] = Field(default_factory=list, max_length=MAX_ITEMS)


class SynonymsFile(Strict):
    """`synoniemen.yaml`."""

    synoniemen: list[Synonym] = Field(default_factory=list, max_length=MAX_WORDS)
    stopwoorden: list[Term] = Field(default_factory=list, max_length=MAX_WORDS)


class Province(Strict):
    """A province (or Brussels) and the VK that serves it."""

    id: ItemId
    naam: Name
    vk: ItemId


class PostalArea(Strict):
    """One postal code of one 2025 municipality, with the place names it covers."""

    postcode: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3}$")]
    gemeente: Name
    provincie: ItemId
    plaatsen: list[Name] = Field(default_factory=list, max_length=MAX_PLACES)
    status: Status | None = None
    opmerking: Remark | None = None
    mogelijke_vks: list[ItemId] = Field(
        default_factory=list,
        max_length=MAX_CANDIDATES,
        description="Zolang niet bevestigd is welk VK deze postcode bedient: de VK's die het "
        "kunnen zijn.",
    )


class RegionsFile(Strict):
    """`regios.yaml`: generated by `scripts/generate_regions.py`; do not edit by hand."""

    bronnen: list[Source] = Field(min_length=1, max_length=MAX_SOURCES)
    nagekeken: date
    provincies: list[Province] = Field(min_length=1, max_length=MAX_PROVINCES)
    lokale_partners: list[ItemId] = Field(
        default_factory=list,
        max_length=MAX_LOCAL_PARTNERS,
        description="Partners die bij elke regio als knop getoond worden (zover de knoppen "
        "reiken).",
    )
    postcodes: list[PostalArea] = Field(min_length=1, max_length=MAX_POSTCODES)


class Command(Strict):
    """A bot command and its description (shown in Telegram's command menu)."""

    commando: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]
    beschrijving: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=3, max_length=MAX_COMMAND_DESCRIPTION_CHARS
        ),
    ]


TextKey = Literal[
    "welkom",
    "hulp",
    "hulp_commandos",
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
    "regio_gevonden_kort",
    "regio_onzeker",
    "regio_te_verifieren",
    "vk_contact_te_verifieren",
    "contact_te_verifieren",
    "te_verifieren_item",
    "vk_telefoon_route",
    "bronnen",
    "bron_nederland",
    "details",
    "nagekeken",
    "stap_van",
    "verwant",
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
    "knop_faq",
    "knop_themas",
    "faq_titel",
    "chat_prompt",
    "chat_einde",
    "chat_keuze",
    "leren_titel",
    "ook_gevonden",
    "contact_telefoon",
    "contact_email",
    "contact_website",
    "contact_adres",
    "contact_uren",
    "contact_chat",
    "contact_bron",
    "herladen_ok",
    "herladen_fout",
    "onbekend_commando",
    "onbekend_commando_geen",
    "urgent_kop",
    "alleen_tekst",
    "link_verlopen",
    "herladen_in_prive",
    "herladen_prive_onmogelijk",
]


TEXT_KEYS: tuple[TextKey, ...] = get_args(TextKey)
"""Every UI text the code shows: content must define each one (and nothing else is read)."""


class TextsFile(Strict):
    """`teksten.yaml`: every sentence of the user interface and the command menu."""

    teksten: Annotated[
        dict[str, UiText],
        Field(
            description="Elke tekst van de bot zelf. Een sleutel die de bot niet kent, wordt "
            "nergens getoond (de controle waarschuwt).",
            json_schema_extra={
                "properties": {key: {"type": "string"} for key in TEXT_KEYS},
                "required": list(TEXT_KEYS),
            },
        ),
    ]
    commandos: list[Command] = Field(min_length=1, max_length=MAX_COMMANDS)


class Theme(Strict):
    """A theme of "Veelgestelde vragen": a title and the items under it, in order."""

    id: ItemId = Field(description="Vaste, unieke sleutel van het thema (voor de knop).")
    titel: Title = Field(description="De titel boven de lijst van vragen.")
    knop: ButtonLabel | None = Field(
        None, description="Korte naam voor op de knop; anders de titel."
    )
    items: list[ItemId] = Field(
        min_length=1,
        max_length=MAX_THEME_ITEMS,
        description=f"Ids van de items onder dit thema, in volgorde (max. {MAX_THEME_ITEMS}: "
        "één knop elk, plus de knop terug).",
    )

    @property
    def button_label(self) -> str:
        """The short label for buttons."""
        return self.knop or self.titel


class FaqFile(Strict):
    """`veelgestelde-vragen.yaml`: the themes of the "Veelgestelde vragen" menu."""

    themas: list[Theme] = Field(
        default_factory=list,
        max_length=MAX_THEMES,
        description=f"De thema's, in volgorde (max. {MAX_THEMES}: één knop elk, plus 'Menu').",
    )


class OutOfScopeFile(Strict):
    """`buiten-bereik.yaml`: questions the bot does not answer, so that it falls back honestly."""

    zoektermen: list[Term] = Field(
        min_length=1,
        max_length=MAX_WORDS,
        description="Onderwerpen buiten het bereik van de bot (prijzen, vaccins, …). Lijkt een "
        "vraag hier het meest op, dan zegt de bot eerlijk dat hij het antwoord niet heeft.",
    )


class ExampleQuestions(Strict):
    """Questions as workers typed them, under the item that answers them."""

    item: ItemId = Field(
        description="Het id van het item dat deze vragen beantwoordt, of buiten-bereik als de "
        "bot er geen antwoord op heeft."
    )
    vragen: list[Line] = Field(
        min_length=1,
        max_length=MAX_EXAMPLES,
        description="Vragen zoals begeleiders ze typen (met hun spelling en tikfouten). Een "
        "nieuwe vraag die op een van deze lijkt, krijgt dit item. Zonder namen.",
    )


class ExamplesFile(Strict):
    """`voorbeeldvragen.yaml`: labelled worker questions that matching learns from."""

    voorbeelden: list[ExampleQuestions] = Field(default_factory=list, max_length=MAX_ITEMS)


def _placeholders(*allowed: str) -> AfterValidator:
    """A text whose `{name}` placeholders are among `allowed` (none: plain text), checked at
    load time (UI texts of beheer.yaml, the sharing texts of delen.yaml)."""

    def check(value: str) -> str:
        allowed_text = ", ".join(f"{{{name}}}" for name in allowed) or "geen"
        try:
            names = parse_template(value).names
        except TemplateError as error:
            raise ValueError(
                f"{error.message} ({error.hint}; toegelaten: {allowed_text})"
            ) from None
        unknown = sorted(set(names) - set(allowed))
        if unknown:
            raise ValueError(
                f"onbekende invulplaats {{{unknown[0]}}} (toegelaten: {allowed_text}; "
                "schrijf {{ voor een letterlijke {)"
            )
        return value

    return AfterValidator(check)


class AdminTexts(Strict):
    """`beheer.yaml` → `teksten`: feedback buttons, privacy, and what admins read."""

    nuttig_vraag: Annotated[UiText, _placeholders()] = Field(
        description="De vraag onder een antwoord: 'Was dit nuttig?'."
    )
    knop_nuttig_ja: Annotated[ButtonLabel, _placeholders()]
    knop_nuttig_nee: Annotated[ButtonLabel, _placeholders()]
    nuttig_bedankt: Annotated[UiText, _placeholders()] = Field(
        description="Wat de gebruiker ziet na 👍 of 👎 (kort: Telegram toont het even)."
    )
    privacy_opslag: Annotated[UiText, _placeholders()] = Field(
        description="Onder /privacy: wat de bot altijd bewaart (tellingen, unieke gebruikers)."
    )
    privacy_onbeantwoord_aan: Annotated[UiText, _placeholders("dagen")]
    privacy_onbeantwoord_uit: Annotated[UiText, _placeholders()]
    statistieken_titel: Annotated[UiText, _placeholders("jaar")]
    statistieken_uniek: Annotated[UiText, _placeholders("aantal")]
    statistieken_vragen: Annotated[
        UiText, _placeholders("totaal", "antwoord", "verduidelijking", "geen", "praatje")
    ]
    statistieken_dringend: Annotated[UiText, _placeholders("aantal")]
    statistieken_links: Annotated[UiText, _placeholders("aantal")]
    statistieken_geen_van_deze: Annotated[UiText, _placeholders("aantal")]
    statistieken_per_maand: Annotated[UiText, _placeholders()]
    statistieken_maand: Annotated[UiText, _placeholders("maand", "vragen", "items", "uniek")]
    statistieken_per_week: Annotated[UiText, _placeholders()]
    statistieken_week: Annotated[UiText, _placeholders("week", "vragen", "items")]
    statistieken_items: Annotated[UiText, _placeholders()]
    statistieken_leren: Annotated[UiText, _placeholders()]
    statistieken_item: Annotated[UiText, _placeholders("titel", "aantal", "uniek")]
    statistieken_nuttig: Annotated[UiText, _placeholders()]
    statistieken_nuttig_item: Annotated[UiText, _placeholders("titel", "ja", "nee")]
    statistieken_beslishulp: Annotated[UiText, _placeholders()]
    statistieken_beslishulp_uitkomst: Annotated[UiText, _placeholders("uitkomst", "aantal")]
    statistieken_leeg: Annotated[UiText, _placeholders("jaar")]
    statistieken_uit: Annotated[UiText, _placeholders()]
    grafiek_titel: Annotated[UiText, _placeholders("jaar")]
    grafiek_vragen: Annotated[ButtonLabel, _placeholders()]
    grafiek_items: Annotated[ButtonLabel, _placeholders()]
    grafiek_uniek: Annotated[ButtonLabel, _placeholders()]
    onbeantwoord_titel: Annotated[UiText, _placeholders("dagen", "aantal", "groepen")]
    onbeantwoord_leeg: Annotated[UiText, _placeholders("dagen")]
    onbeantwoord_uit: Annotated[UiText, _placeholders()]
    onbeantwoord_groep: Annotated[UiText, _placeholders("aantal", "voorbeeld")]
    onbeantwoord_dichtst: Annotated[UiText, _placeholders("titel", "id")]
    onbeantwoord_uitleg: Annotated[UiText, _placeholders()]
    herladen_nieuw: Annotated[UiText, _placeholders("ids")]
    herladen_verwijderd: Annotated[UiText, _placeholders("ids")]
    herladen_gewijzigd: Annotated[UiText, _placeholders("ids")]
    herladen_bestanden: Annotated[UiText, _placeholders("bestanden")]
    herladen_niets: Annotated[UiText, _placeholders()]
    inhoud_fout_melding: Annotated[UiText, _placeholders("fouten")]


class AdminFile(Strict):
    """`beheer.yaml`: the texts of statistics, feedback and admin tools, and the commands
    only admins see in their menu."""

    teksten: AdminTexts
    maanden: list[Annotated[ButtonLabel, _placeholders()]] = Field(
        min_length=12, max_length=12, description="De twaalf maanden, kort: jan, feb, …"
    )
    commandos: list[Command] = Field(
        min_length=1,
        max_length=MAX_COMMANDS,
        description="Commando's die alleen beheerders in hun menu zien.",
    )


def _one_line(value: str) -> str:
    if "\n" in value:
        raise ValueError("moet op één regel passen (zonder regeleinde)")
    return value


def _yes_no(value: object) -> object:
    """`ja`/`nee` as admins write it (every scalar arrives as text)."""
    if isinstance(value, str) and value.strip().lower() in ("ja", "nee"):
        return value.strip().lower() == "ja"
    return value


YesNo = Annotated[bool, BeforeValidator(_yes_no)]
DecisionQuestion = Annotated[str, _text(MAX_DECISION_QUESTION_CHARS), AfterValidator(_one_line)]
DecisionExplanation = Annotated[
    str, _text(MAX_DECISION_EXPLANATION_CHARS), AfterValidator(_one_line)
]


class DecisionAnswer(Strict):
    """One answer to a question of the decision aid: a button, and where it leads."""

    knop: ButtonLabel = Field(
        description=f"Het antwoord zoals het op de knop staat (max. {MAX_BUTTON_CHARS} tekens)."
    )
    naar: ItemId = Field(description="De id van de volgende vraag of van een uitkomst.")


class DecisionNode(Strict):
    """A question of the decision aid, with 2 to 4 answers."""

    id: ItemId = Field(description="Vaste, unieke sleutel van de vraag in dit bestand.")
    vraag: DecisionQuestion = Field(
        description=f"De vraag: kort en op één regel (max. {MAX_DECISION_QUESTION_CHARS} tekens)."
    )
    uitleg: DecisionExplanation | None = Field(
        None,
        description="Optioneel: één regel uitleg onder de vraag (max. "
        f"{MAX_DECISION_EXPLANATION_CHARS} tekens).",
    )
    antwoorden: list[DecisionAnswer] = Field(
        default_factory=list,
        max_length=MAX_DECISION_ANSWERS,
        description=f"2 tot {MAX_DECISION_ANSWERS} antwoorden, elk een knop.",
    )


class DecisionOutcome(Strict):
    """Where a path of the decision aid ends: what to do now, and items to read on."""

    id: ItemId = Field(description="Vaste, unieke sleutel van de uitkomst in dit bestand.")
    titel: Title = Field(description="Wat ze nu doet, in een paar woorden.")
    tekst: Annotated[str, _text(MAX_DECISION_OUTCOME_CHARS)] = Field(
        description=f"Wat ze nu kan doen (max. {MAX_DECISION_OUTCOME_CHARS} tekens). De slotzin "
        "komt er vanzelf onder."
    )
    items: list[ItemId] = Field(
        default_factory=list,
        max_length=MAX_DECISION_ITEMS,
        description="Ids van items (stappen, partners, vragen) die als knop onder het advies "
        "komen.",
    )
    vk_knop: YesNo = Field(
        False,
        description="'ja': een knop die naar de plaats vraagt en het Vertrouwenscentrum van die "
        "regio toont.",
    )
    noodantwoord: YesNo = Field(
        False,
        description="'ja': begint met het noodantwoord van urgent.yaml (112 en 101).",
    )


class DecisionAid(Item):
    """The decision aid as an item: found by its search terms, opened by menus and links."""

    start: ItemId = Field(description="De id van de eerste vraag.")


class DecisionTexts(Strict):
    """The sentences and buttons of the decision aid itself."""

    slotzin: Line = Field(
        description="De zin onder elke uitkomst, bv. 'De beslissing blijft bij jou en je "
        "verantwoordelijke; overleg met het VK bij twijfel.'"
    )
    samenvatting: Line = Field(description="De kop boven de vragen en antwoorden van haar weg.")
    bewaren: Line = Field(
        description="Onder de samenvatting: bewaar of stuur door; de bot bewaart niets."
    )
    knop_opnieuw: ButtonLabel = Field(description="De knop die opnieuw begint.")
    verlopen: Line = Field(
        description="Bij een knop van een vraag die niet meer bestaat (de beslishulp is "
        "aangepast): de beslishulp begint dan opnieuw."
    )


class DecisionFile(Strict):
    """`beslishulp.yaml`: a short walk of questions that helps decide on the next step."""

    beslishulp: DecisionAid
    vragen: list[DecisionNode] = Field(min_length=1, max_length=MAX_DECISION_NODES)
    uitkomsten: list[DecisionOutcome] = Field(min_length=1, max_length=MAX_DECISION_NODES)
    teksten: DecisionTexts


def _printable_on_poster(value: str) -> str:
    """The poster's font (Bitstream Vera, embedded) has the letters of Western European
    languages (Windows-1252), not emoji: a character outside them would print as a box."""
    for character in value:
        try:
            character.encode("cp1252")
        except UnicodeEncodeError:
            raise ValueError(
                f"het teken '{character}' kan niet op de affiche gedrukt worden (emoji of een "
                "ander schrift?); gebruik gewone letters, cijfers en leestekens"
            ) from None
    return value


_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")


def _file_name(value: str) -> str:
    if not _FILE_NAME.match(value):
        raise ValueError(
            f"'{value}' kan geen bestandsnaam zijn: gebruik alleen kleine letters, cijfers en "
            "'-', hoogstens 31 tekens"
        )
    return value


SharingText = Annotated[str, _text(MAX_SHARING_TEXT_CHARS)]
PosterTitle = Annotated[
    str,
    _text(MAX_POSTER_TITLE_CHARS),
    AfterValidator(_one_line),
    AfterValidator(_printable_on_poster),
]
PosterLine = Annotated[
    str,
    _text(MAX_POSTER_LINE_CHARS),
    AfterValidator(_one_line),
    AfterValidator(_printable_on_poster),
]


class SharingButtons(Strict):
    """The buttons of sharing: under answers, under shared messages, above inline results."""

    delen: ButtonLabel = Field(
        description="De knop onder een antwoord waarmee je het in een andere chat deelt."
    )
    open_in_bot: ButtonLabel = Field(
        description="De knop onder een gedeeld bericht (of in een groep): opent het onderwerp "
        "in de bot."
    )
    open_bot: ButtonLabel = Field(
        description="De knop boven de resultaten als je @bot typt in een chat: opent de bot."
    )


class ShareCommandTexts(Strict):
    """What `/deel` says: the link, the QR code and the poster."""

    onderwerp: Annotated[SharingText, _placeholders("titel")] = Field(
        description="Bij /deel met een onderwerp; {titel} is de titel van het onderwerp."
    )
    bot: SharingText = Field(description="Bij /deel zonder onderwerp: de link naar de bot zelf.")
    regio: Annotated[SharingText, _placeholders("plaats")] = Field(
        description="Bij /deel met een postcode; {plaats} is de postcode en de gemeente."
    )
    onbekend: SharingText = Field(
        description="Bij /deel met iets wat de bot niet kent: daarna volgt de link naar de bot."
    )
    qr_bijschrift: Annotated[SharingText, _placeholders("link")] = Field(
        description="Onder de QR-code (foto); {link} is de link die de code opent."
    )
    affiche_bijschrift: SharingText = Field(description="Onder de affiche (pdf-bestand).")
    bestandsnaam: Annotated[str, AfterValidator(_file_name)] = Field(
        description="Het begin van de bestandsnaam van de affiche (kleine letters, cijfers "
        "en '-'); de bot zet er de id en '.pdf' achter."
    )


class GroupTexts(Strict):
    """What the bot says in a team group."""

    vastzetten: SharingText = Field(
        description="Boven het stappenplan dat /stappenplan in een groep plaatst: dat je het "
        "bericht kunt vastzetten."
    )


class PosterTexts(Strict):
    """Every sentence on the printable poster (A4, pdf)."""

    titel: PosterTitle = Field(
        description=f"De titel, groot bovenaan (max. {MAX_POSTER_TITLE_CHARS} tekens)."
    )
    regels: list[PosterLine] = Field(
        min_length=MIN_POSTER_LINES,
        max_length=MAX_POSTER_LINES,
        description=f"{MIN_POSTER_LINES} of {MAX_POSTER_LINES} korte regels uitleg onder de "
        "titel.",
    )
    onderwerp: Annotated[PosterLine, _placeholders("titel")] = Field(
        description="Op een affiche voor één onderwerp: {titel} is de titel van het onderwerp."
    )
    scan: PosterLine = Field(description="Boven de QR-code: scan de code of typ de link.")
    noodnummers: PosterLine = Field(
        description="De kop boven de noodnummers (die komen uit het item noodnummers)."
    )
    voet: PosterLine | None = Field(None, description="Optioneel: een regel onderaan.")


class SharingFile(Strict):
    """`delen.yaml`: sharing the bot and its answers: buttons, /deel, groups, the poster."""

    knoppen: SharingButtons
    deel: ShareCommandTexts
    groep: GroupTexts
    affiche: PosterTexts


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
    "spreektaal.yaml": SpokenFile,
    "talen.yaml": LanguagesFile,
    "praatjes.yaml": SmallTalkFile,
    "beheer.yaml": AdminFile,
    "veelgestelde-vragen.yaml": FaqFile,
    "beslishulp.yaml": DecisionFile,
    "delen.yaml": SharingFile,
    "voorbeeldvragen.yaml": ExamplesFile,
}
"""Every content file, by name, with the model of its top level. A file whose model has a
default for every field may be left out (an empty file of that kind)."""
