"""Load a content folder: read every file strictly, validate, cross-check, collect all problems.

Validation never stops at the first problem: each file is validated as a whole, list items
that fail are set aside so the rest of the file can still be checked, and references between
files are checked against every id that was written, broken items included (so one typo does
not cascade into a page of "unknown id" errors).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from bot.actions import start_payload_problem
from bot.content.contract import REQUIRED_COMMANDS, REQUIRED_FILE_FOR, REQUIRED_IDS
from bot.content.library import Library
from bot.content.limits import (
    MAX_BOT_DESCRIPTION_CHARS,
    MAX_BOT_SHORT_DESCRIPTION_CHARS,
    MAX_BUTTON_CHARS,
    MAX_BUTTONS,
    MAX_DECISION_ANSWERS,
    MAX_DECISION_DEPTH,
    MAX_DECISION_SUMMARY_CHARS,
    MAX_DECISION_WAY_ON,
    MAX_FIRST_SCREEN_CHARS,
    MAX_ITEM_CHARS,
    MAX_PINNED_CHARS,
    MIN_DECISION_ANSWERS,
)
from bot.content.model import (
    EMAIL_RE,
    FILES,
    ID_PATTERN,
    PHONE_RE,
    TEXT_KEYS,
    ContactEntry,
    ContactKind,
    DecisionFile,
    ExamplesFile,
    FaqFile,
    Item,
    ItemStatus,
    LanguagesFile,
    LearningFile,
    Partner,
    PartnersFile,
    PostalArea,
    QuestionsFile,
    RegionsFile,
    SharingFile,
    SpokenFile,
    StepsFile,
    Strict,
    SynonymsFile,
    TextKey,
    TextsFile,
    UrgentFile,
)
from bot.content.problems import ContentError, Level, Problem, shorten
from bot.content.templates import TemplateError, parse_template
from bot.content.yaml_source import Document, Path_, Position, YamlProblem, read_yaml
from bot.matching import OUT_OF_SCOPE
from bot.normalize import fold
from bot.places import Place
from bot.replies import Replies

REVIEW_MAX_AGE = timedelta(days=365)
"""Items reviewed longer ago than this get a warning."""

PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "regio_gevonden": frozenset({"plaats", "provincie"}),
    "regio_gevonden_kort": frozenset({"plaats"}),
    "regio_onzeker": frozenset({"plaats"}),
    "contact_bron": frozenset({"gegeven"}),
    "stap_van": frozenset({"nummer", "totaal"}),
    "nagekeken": frozenset({"datum"}),
    "regio_te_verifieren": frozenset({"opmerking"}),
    "herladen_ok": frozenset({"aantal", "waarschuwingen"}),
    "herladen_fout": frozenset({"fouten"}),
}
"""The placeholders each UI text may use; every other text has none."""

BUTTON_TEXTS: tuple[TextKey, ...] = (
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
    "geen_van_deze",
)
"""The UI texts that are button labels (`knop_verlopen` is a message, not a button)."""

TEXT_LIMITS: Mapping[str, int] = {
    **dict.fromkeys(BUTTON_TEXTS, MAX_BUTTON_CHARS),
    "bot_beschrijving": MAX_BOT_DESCRIPTION_CHARS,
    "bot_korte_beschrijving": MAX_BOT_SHORT_DESCRIPTION_CHARS,
}
"""UI texts with a stricter length limit than `MAX_UI_TEXT_CHARS`: button labels, and the
descriptions Telegram shows on the bot's profile (Telegram's own limits)."""

_LABEL_KEYS = ("id", "commando", "postcode", "term")
"""Keys whose value names a mapping in messages (`[vk-limburg]`)."""


@dataclass
class _File:
    """One content file on its way through validation."""

    name: str
    display: str
    document: Document | None = None
    model: Strict | None = None


class _Collector:
    """Gathers problems with their positions."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        file: _File,
        path: Path_,
        message: str,
        *,
        level: Level = Level.ERROR,
        hint: str | None = None,
        position: Position | None = None,
    ) -> None:
        doc = file.document
        pos = position or (doc.position(path) if doc else Position(1, 1))
        item, field = _describe(doc.data if doc else None, path)
        self.problems.append(
            Problem(file.display, pos.line, pos.column, level, message, item, field, hint)
        )


def _describe(data: Any, path: Path_) -> tuple[str | None, str | None]:
    """Split a path into the innermost named mapping (`[id]`) and the field below it."""
    label: str | None = None
    label_depth = 0
    node = data
    for depth, part in enumerate(path):
        if isinstance(node, dict):
            for key in _LABEL_KEYS:
                if isinstance(node.get(key), str):
                    label, label_depth = shorten(node[key]), depth
                    break
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    fields = [str(p) for p in path[label_depth:] if isinstance(p, str)]
    return label, ".".join(fields) or None


_TYPE_WORDS = {
    "dict": "een lijst van sleutels (sleutel: waarde)",
    "list": "een lijst",
    "str": "tekst",
}


def _translate(error: Mapping[str, Any], model: type[BaseModel]) -> tuple[str, str | None]:
    """Turn a pydantic error into a plain-Dutch message and hint."""
    kind = error["type"]
    loc = error["loc"]
    field = str(loc[-1]) if loc else ""
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "dit verplichte veld ontbreekt", f"voeg een regel '{field}: …' toe"
    shown = shorten(error["input"])
    if kind == "string_pattern_mismatch":
        if field in ("id", "vk", "provincie") or (loc and isinstance(loc[-2], str)):
            return (
                f"'{shown}' is geen geldige id",
                "gebruik alleen kleine letters, cijfers en '-', maximaal 40 tekens, "
                "zonder '-' vooraan of achteraan",
            )
        return f"'{shown}' heeft niet de juiste vorm", None
    if kind == "too_short" and int(ctx.get("min_length", 0)) > 1:
        return (
            f"te weinig elementen: {ctx.get('actual_length')} (min. {ctx.get('min_length')})",
            "vul de lijst aan (zie 'Grenzen' in content/README.md)",
        )
    if kind in ("string_too_short", "too_short"):
        return (
            "mag niet leeg zijn",
            "vul een waarde in, of verwijder het veld als het optioneel is",
        )
    if kind == "string_too_long":
        return (
            f"is te lang: {len(error['input'])} tekens (max. {ctx.get('max_length')})",
            "maak de tekst korter (zie 'Grenzen' in content/README.md)",
        )
    if kind == "too_long":
        return (
            f"te veel elementen: {ctx.get('actual_length')} (max. {ctx.get('max_length')})",
            "schrap of verdeel elementen (zie 'Grenzen' in content/README.md)",
        )
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        expected = {
            "string_type": "tekst",
            "list_type": "een lijst",
        }.get(kind, "een lijst van sleutels (sleutel: waarde)")
        got = type(error["input"]).__name__
        got_word = _TYPE_WORDS.get(got, "niets" if error["input"] is None else got)
        hint = (
            "zet elk element op een nieuwe regel die begint met '- '"
            if kind == "list_type"
            else "kijk de inspringing na"
        )
        return f"verwacht {expected}, maar dit is {got_word}", hint
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"'{shown}' is geen geldige datum", "schrijf de datum als JJJJ-MM-DD"
    if kind in ("enum", "literal_error"):
        return (
            f"'{shown}' is geen toegelaten waarde",
            f"kies uit: {ctx.get('expected', '')}",
        )
    if kind in ("bool_parsing", "bool_type"):
        return f"'{shown}' is geen ja of nee", "schrijf ja of nee"
    if kind == "value_error":
        return shorten(ctx.get("error", error["msg"]), 200), None
    return shorten(error["msg"], 200), None


def _validate(file: _File, model: type[Strict], out: _Collector) -> Strict | None:
    """Validate a file; report every error; return the model of the parts that are valid."""
    data = file.document.data if file.document else None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        failed_items: set[Path_] = set()
        for error in err.errors():
            loc = tuple(error["loc"])
            message, hint = _translate(error, model)
            out.add(file, loc, message, hint=hint)
            # An error inside a list element (`stappen: [ {..bad..} ]`): drop that element.
            if len(loc) >= 2 and isinstance(loc[1], int):
                failed_items.add(loc[:2])
    if not failed_items or not isinstance(data, dict):
        return None
    pruned = dict(data)
    for key in {p[0] for p in failed_items}:
        value = data.get(str(key))
        if isinstance(value, list):
            keep = [v for i, v in enumerate(value) if (key, i) not in failed_items]
            pruned[str(key)] = keep
    try:
        return model.model_validate(pruned)
    except ValidationError:
        return None


def _unknown_keys(file: _File, model: BaseModel, path: Path_, out: _Collector) -> None:
    """Warn about keys the schema does not know, with a did-you-mean hint."""
    for key in model.model_extra or {}:
        known = list(type(model).model_fields)
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"bedoelde je '{close[0]}'?" if close else f"bekende velden: {', '.join(known)}"
        out.add(
            file,
            (*path, key),
            f"onbekend veld '{key}' wordt genegeerd",
            level=Level.WARNING,
            hint=hint,
        )
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            _unknown_keys(file, value, (*path, name), out)
        elif isinstance(value, list):
            for index, element in enumerate(value):
                if isinstance(element, BaseModel):
                    _unknown_keys(file, element, (*path, name, index), out)


_ITEM_LISTS: Mapping[str, tuple[Path_, ...]] = {
    "stappen.yaml": (("overzicht",), ("stappen", "*")),
    "urgent.yaml": (("acuut",),),
    "partners.yaml": (("partners", "*"),),
    "leren.yaml": (("leren", "*"),),
    "vragen.yaml": (("vragen", "*"),),
    "beslishulp.yaml": (("beslishulp",),),
}
"""Where answerable items sit in each file's raw data ('*' = every list element)."""


def _raw_items(file: _File) -> Iterator[tuple[Path_, dict[str, Any]]]:
    """Every mapping that is an item in a file, with its path, even if it failed validation."""
    data = file.document.data if file.document else None
    for pattern in _ITEM_LISTS.get(file.name, ()):
        node: Any = data
        path: Path_ = ()
        for part in pattern:
            if part == "*":
                if isinstance(node, list):
                    for index, element in enumerate(node):
                        if isinstance(element, dict):
                            yield (*path, index), element
                node = None
                break
            node = node.get(part) if isinstance(node, dict) else None
            path = (*path, part)
        if isinstance(node, dict):
            yield path, node


def _models_with_path(file: _File) -> Iterator[tuple[Path_, Item]]:
    """Validated items with the path where they were written."""
    raw_paths = {element.get("id"): path for path, element in _raw_items(file) if "id" in element}
    model = file.model
    if model is None:
        return
    for item in _items_of(model):
        yield raw_paths.get(item.id, ()), item


def _items_of(model: Strict) -> list[Item]:
    match model:
        case StepsFile():
            return [model.overzicht, *model.stappen]
        case UrgentFile():
            return [model.acuut]
        case PartnersFile():
            return list(model.partners)
        case LearningFile():
            return list(model.leren)
        case QuestionsFile():
            return list(model.vragen)
        case DecisionFile():
            return [model.beslishulp]
    return []


_ID = re.compile(ID_PATTERN)


def _check_ids(files: list[_File], out: _Collector) -> set[str]:
    """Report duplicate and missing required ids; return every id written anywhere."""
    seen: dict[str, tuple[_File, Position]] = {}
    for file in files:
        for path, element in _raw_items(file):
            item_id = element.get("id")
            if not isinstance(item_id, str) or file.document is None:
                continue
            pos = file.document.position((*path, "id"))
            if item_id == OUT_OF_SCOPE:
                out.add(
                    file,
                    (*path, "id"),
                    f"de id '{item_id}' is gereserveerd voor buiten-bereik.yaml",
                    hint="kies een andere id",
                )
            elif _ID.match(item_id) and (problem := start_payload_problem(item_id)):
                # Ids that break the id pattern already have the schema's error; this guards
                # the deep-link rule on its own (`pc-3500` would open a region, not the item).
                out.add(
                    file,
                    (*path, "id"),
                    f"de id '{item_id}' {problem}",
                    hint="kies een andere id: de link t.me/…?start=<id> moet dit item openen",
                )
            elif item_id in seen:
                first_file, first_pos = seen[item_id]
                out.add(
                    file,
                    (*path, "id"),
                    f"de id '{item_id}' bestaat al ({first_file.display}:{first_pos.line})",
                    hint="elke id moet uniek zijn over alle bestanden; kies een andere id",
                )
            else:
                seen[item_id] = (file, pos)
    for required in sorted(REQUIRED_IDS - seen.keys()):
        if _hidden(required, files):
            continue
        target = _target_file_for(required, files)
        out.add(
            target,
            (),
            f"het verplichte item '{required}' ontbreekt",
            hint="dit id staat in het inhoudscontract; links en knoppen verwijzen ernaar",
        )
    return set(seen)


def _hidden(item_id: str, files: list[_File]) -> bool:
    """Whether an id may exist in a file that could not be read (then do not call it missing).

    Reporting it would only echo the file's own syntax error.
    """
    home = REQUIRED_FILE_FOR.get(item_id)
    unread = {f.name for f in files if f.document is None and f.model is None}
    return home in unread if home else bool(unread)


def _target_file_for(item_id: str, files: list[_File]) -> _File:
    name = REQUIRED_FILE_FOR.get(item_id, "vragen.yaml")
    return next((f for f in files if f.name == name), files[0])


def _reference(
    out: _Collector, file: _File, path: Path_, value: str, *, known: set[str], message: str
) -> None:
    """Report `value` at `path` if it is not among `known` ids, with a did-you-mean hint."""
    if value not in known:
        out.add(file, path, message.format(value=value), hint=_suggest(value, known))


_MISSING_ID = "verwijst naar '{value}', maar dat id bestaat niet"
_UNKNOWN_PROVINCE = "onbekende provincie '{value}'"


def _check_links(files: list[_File], ids: set[str], out: _Collector) -> None:
    """Every `verwant` link must point at an existing item (not at itself)."""
    for file in files:
        for path, element in _raw_items(file):
            links = element.get("verwant")
            if not isinstance(links, list):
                continue
            for index, link in enumerate(links):
                if not isinstance(link, str):
                    continue
                where = (*path, "verwant", index)
                if link == element.get("id"):
                    out.add(
                        file,
                        where,
                        "een item kan niet naar zichzelf verwijzen",
                        hint="verwijder deze regel",
                    )
                elif not _hidden(link, files):
                    _reference(out, file, where, link, known=ids, message=_MISSING_ID)


def _suggest(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    return f"bedoelde je '{close[0]}'?" if close else "kijk de schrijfwijze na"


def _check_regions(files: list[_File], ids: set[str], out: _Collector) -> None:
    """Provinces point at VK partners; postal codes and VKs point at provinces."""
    regions_file = next(f for f in files if f.name == "regios.yaml")
    partners_file = next(f for f in files if f.name == "partners.yaml")
    regions = regions_file.model
    if not isinstance(regions, RegionsFile):
        return
    provinces = {p.id for p in regions.provincies}
    for index, province in enumerate(regions.provincies):
        if not _hidden(province.vk, files):
            _reference(
                out,
                regions_file,
                ("provincies", index, "vk"),
                province.vk,
                known=ids,
                message=_MISSING_ID,
            )
    for index, partner_id in enumerate(regions.lokale_partners):
        if not _hidden(partner_id, files):
            _reference(
                out,
                regions_file,
                ("lokale_partners", index),
                partner_id,
                known=ids,
                message=_MISSING_ID,
            )
    vks = {p.vk for p in regions.provincies}
    for index, area in enumerate(regions.postcodes):
        _reference(
            out,
            regions_file,
            ("postcodes", index, "provincie"),
            area.provincie,
            known=provinces,
            message=_UNKNOWN_PROVINCE,
        )
        for position, vk in enumerate(area.mogelijke_vks):
            _reference(
                out,
                regions_file,
                ("postcodes", index, "mogelijke_vks", position),
                vk,
                known=vks,
                message="'{value}' is geen Vertrouwenscentrum van een provincie",
            )
    for path, item in _models_with_path(partners_file):
        served = getattr(item, "provincie", None)
        if served is not None:
            _reference(
                out,
                partners_file,
                (*path, "provincie"),
                served,
                known=provinces,
                message=_UNKNOWN_PROVINCE,
            )


def _check_languages(files: Mapping[str, _File], out: _Collector) -> None:
    """A word that marks another language must not be Dutch too ("die", "nu", "nie"): a Dutch
    question full of them would read as German or Polish and miss its answer."""
    languages = files["talen.yaml"].model
    if not isinstance(languages, LanguagesFile):
        return
    dutch: set[str] = set()
    synonyms = files["synoniemen.yaml"].model
    if isinstance(synonyms, SynonymsFile):
        dutch.update(w for word in synonyms.stopwoorden for w in fold(word).split())
    spoken = files["spreektaal.yaml"].model
    if isinstance(spoken, SpokenFile):
        for form in spoken.spreektaal:
            for text in (form.standaard, *form.varianten):
                dutch.update(fold(text).split())
    urgent = files["urgent.yaml"].model
    if isinstance(urgent, UrgentFile):
        dutch.update(
            w for word in urgent.nu_woorden if " " not in word for w in fold(word).split()
        )
    for i, language in enumerate(languages.talen):
        for j, marker in enumerate(language.herkenning):
            clash = sorted(set(fold(marker).split()) & dutch)
            if clash:
                out.add(
                    files["talen.yaml"],
                    ("talen", i, "herkenning", j),
                    f"'{clash[0]}' is ook een Nederlands woord",
                    hint="kies woorden die alleen in die taal voorkomen",
                )


def _check_spoken(file: _File, out: _Collector) -> None:
    """Every spoken variant has one standard form: a second one would silently lose."""
    spoken = file.model
    if not isinstance(spoken, SpokenFile):
        return
    seen: dict[str, str] = {}
    for i, form in enumerate(spoken.spreektaal):
        for j, variant in enumerate(form.varianten):
            key = fold(variant)
            earlier = seen.get(key)
            if earlier is not None and earlier != form.standaard:
                out.add(
                    file,
                    ("spreektaal", i, "varianten", j),
                    f"'{variant}' staat al bij '{earlier}'",
                    hint="zet een variant maar bij één standaardvorm",
                )
            seen.setdefault(key, form.standaard)


def _check_examples(file: _File, ids: set[str], files: list[_File], out: _Collector) -> None:
    """Example questions point at an existing item (or buiten-bereik), each under one item only:
    the same question under two items would teach matching two answers."""
    examples = file.model
    if not isinstance(examples, ExamplesFile):
        return
    seen: dict[str, str] = {}
    for i, group in enumerate(examples.voorbeelden):
        if group.item != OUT_OF_SCOPE and not _hidden(group.item, files):
            _reference(
                out,
                file,
                ("voorbeelden", i, "item"),
                group.item,
                known=ids | {OUT_OF_SCOPE},
                message=_MISSING_ID,
            )
        for j, question in enumerate(group.vragen):
            key = " ".join(fold(question).split())
            earlier = seen.setdefault(key, group.item)
            if earlier != group.item:
                out.add(
                    file,
                    ("voorbeelden", i, "vragen", j),
                    f"deze vraag staat al bij '{earlier}'",
                    hint="zet een vraag maar bij één item",
                )


def _check_texts(file: _File, out: _Collector) -> None:
    """All UI texts present, placeholders known, all required commands present."""
    texts = file.model
    if not isinstance(texts, TextsFile):
        return
    for required in TEXT_KEYS:
        if required not in texts.teksten:
            out.add(
                file,
                ("teksten",),
                f"de tekst '{required}' ontbreekt",
                hint=f"voeg onder 'teksten:' een regel '{required}: …' toe",
            )
    for written in texts.teksten:
        if written not in TEXT_KEYS:
            close = difflib.get_close_matches(written, TEXT_KEYS, n=1)
            out.add(
                file,
                ("teksten", written),
                f"de tekst '{written}' wordt nergens gebruikt: de bot toont ze nooit",
                level=Level.WARNING,
                hint=f"bedoelde je '{close[0]}'?" if close else "verwijder ze, of kijk de naam na",
            )
    for key, value in texts.teksten.items():
        if key not in TEXT_KEYS:
            continue
        limit = TEXT_LIMITS.get(key)
        if limit is not None and len(value) > limit:
            out.add(
                file,
                ("teksten", key),
                f"is te lang: {len(value)} tekens (max. {limit})",
                hint="maak de tekst korter (zie 'Grenzen' in content/README.md)",
            )
        allowed = PLACEHOLDERS.get(key, frozenset())
        allowed_text = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "geen"
        try:
            names = set(parse_template(value).names)
        except TemplateError as error:
            out.add(
                file,
                ("teksten", key),
                error.message,
                hint=f"{error.hint}; toegelaten: {allowed_text}",
            )
            continue
        for name in sorted(names - allowed):
            out.add(
                file,
                ("teksten", key),
                f"onbekende invulplaats {{{name}}}",
                hint=f"toegelaten: {allowed_text}; schrijf {{{{ voor een letterlijke {{",
            )
    present = {c.commando for c in texts.commandos}
    for command in sorted(REQUIRED_COMMANDS - present):
        out.add(
            file,
            ("commandos",),
            f"het commando '{command}' ontbreekt",
            hint=f"voeg '- commando: {command}' met een 'beschrijving' toe",
        )


def _check_themes(file: _File, ids: set[str], files: list[_File], out: _Collector) -> None:
    """Every theme of "Veelgestelde vragen" has a unique id and points at existing items."""
    faq = file.model
    if not isinstance(faq, FaqFile):
        return
    seen: set[str] = set()
    for index, theme in enumerate(faq.themas):
        if theme.id in seen:
            out.add(
                file,
                ("themas", index, "id"),
                f"het thema '{theme.id}' bestaat al",
                hint="elk thema heeft een eigen id",
            )
        seen.add(theme.id)
        for position, item_id in enumerate(theme.items):
            if not _hidden(item_id, files):
                _reference(
                    out,
                    file,
                    ("themas", index, "items", position),
                    item_id,
                    known=ids,
                    message=_MISSING_ID,
                )


def _reply_chars(item: Item) -> int:
    """The characters of an item's own content in its reply (not the UI texts around it)."""
    parts = [item.titel, item.kern, item.tekst, *item.bronnen, *getattr(item, "checklist", [])]
    for contact in getattr(item, "contact", []):
        parts += [contact.waarde or "", contact.label or ""]
    return sum(map(len, parts))


def _check_item_sizes(files: list[_File], out: _Collector) -> None:
    """An item's reply as a whole stays within `MAX_ITEM_CHARS` (about two messages)."""
    for file in files:
        for path, item in _models_with_path(file):
            size = _reply_chars(item)
            if size > MAX_ITEM_CHARS:
                out.add(
                    file,
                    (*path, "id"),
                    f"het antwoord van dit item is in totaal te lang: {size} tekens "
                    f"(max. {MAX_ITEM_CHARS}: titel, kern, tekst, checklist, contact en bronnen "
                    "samen)",
                    hint="maak de tekst korter of verdeel het onderwerp over twee items",
                )


def _check_freshness(files: list[_File], today: date, out: _Collector) -> None:
    """Warn about old reviews and about facts still to be verified."""
    for file in files:
        for path, item in _models_with_path(file):
            if today - item.nagekeken > REVIEW_MAX_AGE:
                out.add(
                    file,
                    (*path, "nagekeken"),
                    f"laatst nagekeken op {item.nagekeken.isoformat()}, meer dan 12 maanden "
                    "geleden",
                    level=Level.WARNING,
                    hint="lees het item na en zet de datum van vandaag",
                )
            if item.status is ItemStatus.TE_VERIFIEREN:
                out.add(
                    file,
                    (*path, "status"),
                    "de kern van dit item is nog te verifiëren (de bot zegt dat bovenaan)",
                    level=Level.WARNING,
                    hint="laat de inhoud bevestigen door een bron en verwijder dan de status",
                )
            elif item.status is ItemStatus.DETAILS_TE_VERIFIEREN:
                out.add(
                    file,
                    (*path, "status"),
                    "details van dit item zijn nog te verifiëren (de tekst zegt het bij elk)",
                    level=Level.WARNING,
                    hint="zie de notitie; verwijder de status zodra alles bevestigd is",
                )
            contacts: list[ContactEntry] = getattr(item, "contact", [])
            pending = [c.soort.value for c in contacts if not c.verified]
            if pending:
                out.add(
                    file,
                    (*path, "contact"),
                    f"nog te verifiëren en dus niet getoond: {', '.join(pending)}",
                    level=Level.WARNING,
                    hint="vul 'waarde' en 'bron' in en verwijder 'status' zodra bevestigd",
                )
            for index, contact in enumerate(contacts):
                if contact.status is None and contact.waarde is None:
                    out.add(
                        file,
                        (*path, "contact", index, "waarde"),
                        "een contactgegeven zonder waarde moet 'status: te-verifieren' hebben",
                        hint="vul de waarde in of zet de status",
                    )


def _check_contacts(files: list[_File], out: _Collector) -> None:
    """Phone numbers, e-mail addresses and websites must have the right shape; a VK's phone
    number is shown only with its source and the date it was checked."""
    for file in files:
        for path, item in _models_with_path(file):
            for index, contact in enumerate(getattr(item, "contact", [])):
                value = contact.waarde
                if value is None:
                    continue
                where = (*path, "contact", index, "waarde")
                if (
                    isinstance(item, Partner)
                    and item.provincie is not None
                    and contact.soort is ContactKind.TELEFOON
                    and contact.verified
                    and (contact.bron is None or contact.nagekeken is None)
                ):
                    lacking = (("bron", contact.bron), ("nagekeken", contact.nagekeken))
                    missing = " en ".join(name for name, given in lacking if given is None)
                    out.add(
                        file,
                        where,
                        f"het telefoonnummer van een Vertrouwenscentrum heeft ook '{missing}' "
                        "nodig",
                        hint="zet erbij waar je het nummer vond (bron) en wanneer "
                        '(nagekeken: "JJJJ-MM-DD"), of laat het op status: te-verifieren',
                    )
                if contact.soort is ContactKind.TELEFOON and not PHONE_RE.match(value):
                    out.add(
                        file,
                        where,
                        f"'{shorten(value)}' is geen telefoonnummer",
                        hint='alleen cijfers en spaties, bv. "078 150 100"',
                    )
                elif contact.soort is ContactKind.EMAIL and not EMAIL_RE.match(value):
                    out.add(
                        file,
                        where,
                        f"'{shorten(value)}' is geen e-mailadres",
                        hint="bv. info@voorbeeld.be",
                    )
                elif contact.soort in (ContactKind.WEBSITE, ContactKind.CHAT) and not (
                    value.startswith(("https://", "http://"))
                ):
                    out.add(
                        file,
                        where,
                        f"'{shorten(value)}' is geen webadres",
                        hint="begin met https://",
                    )


_SCREEN_HINT = (
    "maak de kern of de titel korter: de uitleg hoort in 'tekst', die onder het eerste scherm "
    "staat (zie 'Grenzen' in content/README.md)"
)


def _check_first_screens(library: Library, files: Mapping[str, _File], out: _Collector) -> None:
    """Every reply's first screen fits a phone: at most `MAX_FIRST_SCREEN_CHARS` as the user
    sees it, with room for the danger line that goes on top of a reply to an unsure message.

    Items are measured as a button or deep link shows them, the regional VKs also under the
    longest place header of their province, and the replies made of UI texts as they are.
    """
    replies = Replies(library)
    room = MAX_FIRST_SCREEN_CHARS - len(replies.doubt_line) - 2

    def report(file: _File, path: Path_, size: int, limit: int, *, what: str, hint: str) -> None:
        out.add(file, path, f"{what} is te lang: {size} tekens (max. {limit})", hint=hint)

    longest: dict[str, PostalArea] = {}
    for area in library.regions.postcodes:
        known = longest.get(area.provincie)
        if area.status is None and (known is None or len(area.gemeente) > len(known.gemeente)):
            longest[area.provincie] = area
    vk_places = {
        p.vk: Place(longest[p.id].postcode, None, longest[p.id].gemeente, p.id)
        for p in library.regions.provincies
        if p.id in longest
    }
    for file in files.values():
        for path, item in _models_with_path(file):
            size = len(replies.item(item).first_screen())
            if item.id in vk_places:
                size = max(size, len(replies.place(vk_places[item.id]).first_screen()))
            if size > room:
                report(
                    file,
                    (*path, "kern"),
                    size,
                    room,
                    what="het eerste scherm van dit antwoord (titel, kern, meldingen, contact)",
                    hint=_SCREEN_HINT,
                )
    texts = files["teksten.yaml"]
    for key, reply, limit in (
        ("welkom", replies.welcome(), room),
        ("hulp", replies.help(), room),
        ("geen_antwoord", replies.fallback(), MAX_FIRST_SCREEN_CHARS),
        ("menu_titel", replies.menu(), room),
        ("vraag_postcode", replies.ask_place(), room),
    ):
        size = len(reply.first_screen())
        if size > limit:
            report(
                texts,
                ("teksten", key),
                size,
                limit,
                what="het eerste scherm van dit antwoord",
                hint="maak de tekst korter; wat kan wachten, hoort onder het eerste scherm",
            )
    size = len(replies.emergency().first_screen())
    if size > MAX_FIRST_SCREEN_CHARS:
        report(
            files["urgent.yaml"],
            ("noodantwoord",),
            size,
            MAX_FIRST_SCREEN_CHARS,
            what="het noodantwoord (nummers en de regels voor daarna)",
            hint="hou het noodantwoord kort: de nummers en hoogstens drie korte regels",
        )


def _check_decision_buttons(library: Library, file: _File, out: _Collector) -> None:
    """Every outcome of the decision aid fits six buttons: its way on (the emergency reply's
    buttons, the question for the place, its items) besides the step plan, "Vorige" and
    "Opnieuw"."""
    decision = file.model
    if not isinstance(decision, DecisionFile):
        return
    replies = Replies(library)
    for index, outcome in enumerate(decision.uitkomsten):
        wanted = len(replies.decision_way_on(outcome))
        if wanted > MAX_DECISION_WAY_ON:
            out.add(
                file,
                ("uitkomsten", index, "items"),
                f"te veel knoppen onder deze uitkomst: {wanted} (max. {MAX_DECISION_WAY_ON} "
                f"naast het stappenplan, Vorige en Opnieuw; hoogstens {MAX_BUTTONS} in totaal)",
                hint="schrap de items die ze het minst nodig heeft; 'vk_knop: ja' telt als één "
                "knop, 'noodantwoord: ja' als twee (het VK van de regio en de noodnummers)",
            )


def _raw_elements(data: Any, key: str) -> Iterator[tuple[Path_, dict[str, Any]]]:
    """The mappings of the list `data[key]`, with their paths (raw: broken ones included)."""
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, list):
        for index, element in enumerate(value):
            if isinstance(element, dict):
                yield (key, index), element


def _text_length(value: object) -> int:
    return len(value) if isinstance(value, str) else 0


@dataclass(frozen=True)
class _Edge:
    """An answer of the decision tree: from a question to a question or an outcome."""

    target: str
    where: Path_
    """the position of its `naar`"""
    chars: int
    """what it adds to the summary: the question and the answer"""


@dataclass
class _Tree:
    """The decision tree as written (raw: broken parts included), for the graph checks."""

    data: dict[str, Any]
    paths: dict[str, Path_] = field(default_factory=dict)
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[str, list[_Edge]] = field(default_factory=dict)
    broken: bool = False
    """A dead end or a dangling answer was reported: what lies behind it is not reported
    again as unreachable (one mistake, one message)."""


def _check_decision(file: _File, ids: set[str], files: list[_File], out: _Collector) -> None:
    """The decision tree: every answer leads to a question or outcome that exists, everything
    is reachable from the first question, no cycles, no question without answers, every item
    an outcome points at exists, and every path fits a 64-byte button and one message.

    Read from the raw document, so a question that failed the schema (a text too long) still
    counts as written and does not make its answers "dangling".
    """
    doc = file.document
    if doc is None or not isinstance(doc.data, dict):
        return
    tree = _Tree(doc.data)
    for key, group in (("vragen", tree.questions), ("uitkomsten", tree.outcomes)):
        for path, element in _raw_elements(tree.data, key):
            ident = element.get("id")
            if not isinstance(ident, str):
                continue
            if ident in tree.paths:
                first = doc.position((*tree.paths[ident], "id"))
                out.add(
                    file,
                    (*path, "id"),
                    f"de id '{ident}' bestaat al in dit bestand (regel {first.line})",
                    hint="elke vraag en elke uitkomst heeft een eigen id",
                )
                continue
            tree.paths[ident] = path
            group[ident] = element
    for ident, question in tree.questions.items():
        tree.edges[ident] = _answers(file, tree, ident, question, out)
    for ident, outcome in tree.outcomes.items():
        items = outcome.get("items")
        for index, item_id in enumerate(items if isinstance(items, list) else []):
            if isinstance(item_id, str) and not _hidden(item_id, files):
                where = (*tree.paths[ident], "items", index)
                _reference(out, file, where, item_id, known=ids, message=_MISSING_ID)
    entry = tree.data.get("beslishulp")
    start = entry.get("start") if isinstance(entry, dict) else None
    if not isinstance(start, str):
        return  # the schema reports a missing start
    if start not in tree.questions:
        message = (
            "de beslishulp begint met een vraag, niet met een uitkomst"
            if start in tree.outcomes
            else f"verwijst naar '{start}', maar die vraag bestaat niet"
        )
        hint = (
            "zet bij 'start' de id van een vraag"
            if start in tree.outcomes
            else _suggest(start, set(tree.questions))
        )
        out.add(file, ("beslishulp", "start"), message, hint=hint)
        return
    order, cyclic = _walk_decision(file, tree, start, out)
    reachable = set(order)
    for ident, path in tree.paths.items():
        if ident not in reachable and not tree.broken:
            kind = "vraag" if ident in tree.questions else "uitkomst"
            out.add(
                file,
                (*path, "id"),
                f"deze {kind} is vanaf de eerste vraag ('{start}') niet te bereiken",
                hint=f"laat een antwoord ernaar verwijzen ('naar: {ident}'), of schrap ze",
            )
    if not cyclic:
        _check_decision_sizes(file, tree, start, order, out)


def _answers(
    file: _File, tree: _Tree, ident: str, question: dict[str, Any], out: _Collector
) -> list[_Edge]:
    """A question's answers that lead somewhere; a dead end or a dangling answer is reported."""
    path = tree.paths[ident]
    answers = question.get("antwoorden")
    if answers is None or answers == []:
        out.add(
            file,
            (*path, "antwoorden") if answers == [] else (*path, "id"),
            "doodlopende vraag: ze heeft geen antwoorden, dus geen weg naar een uitkomst",
            hint=f"geef {MIN_DECISION_ANSWERS} tot {MAX_DECISION_ANSWERS} antwoorden, elk met "
            "'knop:' en 'naar:' (de id van een vraag of een uitkomst)",
        )
        tree.broken = True
        return []
    if not isinstance(answers, list):
        return []  # the schema reports the wrong type
    if len(answers) < MIN_DECISION_ANSWERS:
        out.add(
            file,
            (*path, "antwoorden"),
            f"maar {len(answers)} antwoord: een vraag heeft {MIN_DECISION_ANSWERS} tot "
            f"{MAX_DECISION_ANSWERS} antwoorden",
            hint="voeg een antwoord toe, of schrap de vraag en laat het antwoord ervoor meteen "
            "verder gaan",
        )
        tree.broken = True
    edges = []
    asked = _text_length(question.get("vraag"))
    for index, answer in enumerate(answers):
        target = answer.get("naar") if isinstance(answer, dict) else None
        if not isinstance(target, str):
            continue  # the schema reports a missing 'naar'
        where = (*path, "antwoorden", index, "naar")
        if target not in tree.paths:
            out.add(
                file,
                where,
                f"verwijst naar '{target}', maar die vraag of uitkomst bestaat niet",
                hint=_suggest(target, set(tree.paths)),
            )
            tree.broken = True
            continue
        label = _text_length(answer.get("knop"))
        edges.append(_Edge(target, where, asked + label + len(" → \n")))
    return edges


def _walk_decision(
    file: _File, tree: _Tree, start: str, out: _Collector
) -> tuple[list[str], bool]:
    """Depth-first from the first question: report every answer that closes a cycle.

    Returns what is reachable, in topological order (before every place it leads to), and
    whether there was a cycle. Iterative, so a huge broken file cannot exhaust the stack.
    """
    on_path: dict[str, int] = {start: 0}
    trail = [start]
    done: list[str] = []
    seen = {start}
    cyclic = False
    stack = [iter(tree.edges.get(start, []))]
    while stack:
        for edge in stack[-1]:
            if edge.target in on_path:
                loop = [*trail[on_path[edge.target] :], edge.target]
                out.add(
                    file,
                    edge.where,
                    f"dit antwoord gaat terug naar '{edge.target}' en maakt een kring "
                    f"({' → '.join(loop)}): zo komt de beslishulp nooit bij een uitkomst",
                    hint="laat het antwoord naar een volgende vraag of een uitkomst gaan",
                )
                cyclic = True
            elif edge.target not in seen:
                seen.add(edge.target)
                on_path[edge.target] = len(trail)
                trail.append(edge.target)
                stack.append(iter(tree.edges.get(edge.target, [])))
                break
        else:
            stack.pop()
            finished = trail.pop()
            del on_path[finished]
            done.append(finished)
    done.reverse()
    return done, cyclic


def _check_decision_sizes(
    file: _File, tree: _Tree, start: str, order: list[str], out: _Collector
) -> None:
    """The longest way to each outcome fits a button (answers) and one message (characters)."""
    depth = dict.fromkeys(order, 0)
    chars = dict.fromkeys(order, 0)
    for ident in order:  # topological: every question before the places it leads to
        for edge in tree.edges.get(ident, []):
            depth[edge.target] = max(depth[edge.target], depth[ident] + 1)
            chars[edge.target] = max(chars[edge.target], chars[ident] + edge.chars)
    texts = tree.data.get("teksten")
    entry = tree.data.get("beslishulp")
    fixed = sum(
        _text_length(texts.get(key)) if isinstance(texts, dict) else 0
        for key in ("samenvatting", "slotzin", "bewaren")
    )
    sources = entry.get("bronnen") if isinstance(entry, dict) else None
    fixed += sum(map(_text_length, sources if isinstance(sources, list) else []))
    for ident in order:
        outcome = tree.outcomes.get(ident)
        if outcome is None:
            continue
        where = (*tree.paths[ident], "id")
        if depth[ident] > MAX_DECISION_DEPTH:
            out.add(
                file,
                where,
                f"deze uitkomst ligt tot {depth[ident]} antwoorden diep (max. "
                f"{MAX_DECISION_DEPTH} vanaf '{start}')",
                hint="elke knop draagt de hele weg mee in 64 bytes; maak de weg korter",
            )
        size = (
            chars[ident]
            + fixed
            + _text_length(outcome.get("titel"))
            + _text_length(outcome.get("tekst"))
        )
        if size > MAX_DECISION_SUMMARY_CHARS:
            out.add(
                file,
                where,
                f"de samenvatting bij deze uitkomst kan {size} tekens lang worden (max. "
                f"{MAX_DECISION_SUMMARY_CHARS}: de vragen en antwoorden van de langste weg, "
                "het advies en de vaste zinnen)",
                hint="maak de tekst, de vragen of de weg ernaartoe korter",
            )


def _check_sharing(sharing: _File, steps: _File, out: _Collector) -> None:
    """The step plan as a group pins it (note, title, text) fits one message."""
    texts, plan = sharing.model, steps.model
    if not isinstance(texts, SharingFile) or not isinstance(plan, StepsFile):
        return
    overview = plan.overzicht
    size = (
        len(texts.groep.vastzetten)
        + len(overview.titel)
        + len(overview.kern)
        + len(overview.tekst)
    )
    if size > MAX_PINNED_CHARS:
        out.add(
            sharing,
            ("groep", "vastzetten"),
            f"het stappenplan om vast te zetten in een groep (deze zin, de titel, de kern en "
            f"de tekst van '{overview.id}') is {size} tekens lang (max. {MAX_PINNED_CHARS})",
            hint="maak deze zin of de tekst van het overzicht in stappen.yaml korter",
        )


def check_content(
    directory: Path, *, today: date | None = None, relative_paths: bool = False
) -> tuple[Library | None, list[Problem]]:
    """Read and validate a content folder; the library is None when there is any error.

    Problems name files as `directory / name`, or, with `relative_paths`, by their name in
    the folder only (for replies to admins, who must not see the server's paths). Nothing in
    the folder raises: a missing, unreadable, oversized or malformed file is a problem too.
    """
    out = _Collector()
    files: list[_File] = []

    def shown(path: Path) -> str:
        return str(path.relative_to(directory)) if relative_paths else str(path)

    for name, model in FILES.items():
        path = directory / name
        file = _File(name, shown(path))
        files.append(file)
        if not path.exists() and not path.is_symlink():
            file.model = _empty(model)
            if file.model is not None:
                continue  # a file that may be left out (every field has a default)
        try:
            file.document = read_yaml(path)
        except YamlProblem as problem:
            out.add(
                file, (), problem.message, hint=problem.hint or None, position=problem.position
            )
            continue
        file.model = _validate(file, model, out)
        if file.model is not None:
            _unknown_keys(file, file.model, (), out)
    if directory.is_dir():
        for extra in sorted(directory.glob("*.yaml")):
            if extra.name not in FILES:
                out.problems.append(
                    Problem(
                        shown(extra),
                        1,
                        1,
                        Level.WARNING,
                        "onbekend bestand; de bot leest het niet",
                        hint=f"bekende bestanden: {', '.join(FILES)}",
                    )
                )
    by_name = {f.name: f for f in files}
    ids = _check_ids(files, out)
    _check_links(files, ids, out)
    _check_regions(files, ids, out)
    _check_texts(by_name["teksten.yaml"], out)
    _check_themes(by_name["veelgestelde-vragen.yaml"], ids, files, out)
    _check_languages(by_name, out)
    _check_spoken(by_name["spreektaal.yaml"], out)
    _check_examples(by_name["voorbeeldvragen.yaml"], ids, files, out)
    _check_decision(by_name["beslishulp.yaml"], ids, files, out)
    _check_sharing(by_name["delen.yaml"], by_name["stappen.yaml"], out)
    _check_contacts(files, out)
    _check_item_sizes(files, out)
    _check_freshness(files, today or date.today(), out)
    if any(p.level is Level.ERROR for p in out.problems):
        return None, out.problems
    library = _library(directory, by_name)
    _check_first_screens(library, by_name, out)
    _check_decision_buttons(library, by_name["beslishulp.yaml"], out)
    if any(p.level is Level.ERROR for p in out.problems):
        return None, out.problems
    return library, out.problems


def _empty(model: type[Strict]) -> Strict | None:
    """The model of a file left out, if every field of it has a default; else None."""
    try:
        return model.model_validate({})
    except ValidationError:
        return None


def _library(directory: Path, files: Mapping[str, _File]) -> Library:
    def model(name: str) -> Any:
        return files[name].model

    steps: StepsFile = model("stappen.yaml")
    urgent: UrgentFile = model("urgent.yaml")
    synonyms: SynonymsFile = model("synoniemen.yaml")
    texts: TextsFile = model("teksten.yaml")
    return Library(
        directory=directory,
        overview=steps.overzicht,
        steps=tuple(steps.stappen),
        urgent=urgent.acuut,
        urgent_words=tuple(urgent.signaalwoorden),
        urgent_phrases=tuple(urgent.signaalzinnen),
        harm_words=tuple(urgent.gevaarwoorden),
        now_words=tuple(urgent.nu_woorden),
        no_alarm_phrases=tuple(urgent.geen_alarm),
        past_words=tuple(urgent.verleden_woorden),
        partners=tuple(model("partners.yaml").partners),
        learning=tuple(model("leren.yaml").leren),
        questions=tuple(model("vragen.yaml").vragen),
        synonyms=tuple(synonyms.synoniemen),
        stopwords=frozenset(w.lower() for w in synonyms.stopwoorden),
        out_of_scope=tuple(model("buiten-bereik.yaml").zoektermen),
        regions=model("regios.yaml"),
        texts=cast(
            "dict[TextKey, str]",
            {key: value for key, value in texts.teksten.items() if key in TEXT_KEYS},
        ),
        commands=tuple(texts.commandos),
        files={type(f.model): f.model for f in files.values() if f.model is not None},
    )


def load_library(directory: Path, *, today: date | None = None) -> Library:
    """Load content or raise `ContentError` listing every problem."""
    library, problems = check_content(directory, today=today)
    if library is None:
        raise ContentError(problems)
    return library
