"""Every error shape an admin can make gives one exact, located message; good content loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import check_content, load_library
from bot.content.model import SpokenFile
from bot.content.problems import ContentError, Level
from bot.engine import Engine
from bot.matching import Outcome
from bot.store import ContentStore
from tests.conftest import FIXTURE_CONTENT, TODAY


def _messages(directory: Path, level: Level = Level.ERROR) -> list[str]:
    _, problems = check_content(directory, today=TODAY)
    return [str(p).replace(str(directory), "content") for p in problems if p.level is level]


def _edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_fixture_content_loads_without_errors() -> None:
    library = load_library(FIXTURE_CONTENT, today=TODAY)
    assert library.items["signalen-noteren"].titel == "Signalen noteren"
    assert [s.id for s in library.steps][:2] == ["signalen-noteren", "intern-overleg"]
    assert _messages(FIXTURE_CONTENT) == []


CASES = [
    pytest.param(
        "partners.yaml",
        "    titel: Vk limburg\n",
        "    titel: Vk limburg\n    titel: Nog eens\n",
        [
            "content/partners.yaml:20:5: error: de sleutel 'titel' staat hier twee keer "
            "(eerst op regel 19) (hint: verwijder of hernoem een van beide)"
        ],
        id="duplicate-key",
    ),
    pytest.param(
        "vragen.yaml",
        "    titel: Twijfel\n",
        "    titel: !!python/object/apply:os.system [echo hacked]\n",
        [
            "content/vragen.yaml:4:12: error: de YAML-tag "
            "'!!python/object/apply:os.system' is niet toegelaten "
            "(hint: schrijf gewone tekst, zonder '!!' of '!' ervoor)"
        ],
        id="python-tag",
    ),
    pytest.param(
        "stappen.yaml",
        "  verwant: [signalen-noteren]\n",
        "  verwant: [signalen-noteern]\n",
        [
            "content/stappen.yaml:10:13: error: [stappenplan] verwant: verwijst naar "
            "'signalen-noteern', maar dat id bestaat niet "
            "(hint: bedoelde je 'signalen-noteren'?)"
        ],
        id="link-to-missing-id",
    ),
    pytest.param(
        "vragen.yaml",
        "    titel: Twijfel\n",
        "",
        [
            "content/vragen.yaml:3:5: error: [twijfel] titel: dit verplichte veld ontbreekt "
            "(hint: voeg een regel 'titel: …' toe)"
        ],
        id="missing-field",
    ),
    pytest.param(
        "vragen.yaml",
        "    zoektermen:\n      - twijfel\n",
        "    zoektermen: twijfel\n",
        [
            "content/vragen.yaml:6:17: error: [twijfel] zoektermen: verwacht een lijst, maar "
            "dit is tekst (hint: zet elk element op een nieuwe regel die begint met '- ')"
        ],
        id="wrong-type",
    ),
    pytest.param(
        "vragen.yaml",
        "  - id: zelfzorg\n",
        "  - id: twijfel\n",
        [
            "content/vragen.yaml:147:9: error: [twijfel] id: de id 'twijfel' bestaat al "
            "(content/vragen.yaml:3) (hint: elke id moet uniek zijn over alle bestanden; kies "
            "een andere id)",
            "content/vragen.yaml:2:1: error: het verplichte item 'zelfzorg' ontbreekt "
            "(hint: dit id staat in het inhoudscontract; links en knoppen verwijzen ernaar)",
        ],
        id="duplicate-id",
    ),
    pytest.param(
        "vragen.yaml",
        "  - id: zelfzorg\n",
        "  - id: Zelf Zorg!\n    titel: x\n    kern: k\n    tekst: y\n    zoektermen: [z]\n"
        "    bronnen: [b]\n    nagekeken: 2026-11-01\n  - id: zelfzorg\n",
        [
            "content/vragen.yaml:147:9: error: [Zelf Zorg!] id: 'Zelf Zorg!' is geen geldige "
            "id (hint: gebruik alleen kleine letters, cijfers en '-', maximaal 40 tekens, "
            "zonder '-' vooraan of achteraan)"
        ],
        id="bad-id",
    ),
    pytest.param(
        "vragen.yaml",
        "  - id: zelfzorg\n",
        "  - id: buiten-bereik\n    titel: x\n    kern: k\n    tekst: y\n    zoektermen: [z]\n"
        "    bronnen: [b]\n    nagekeken: 2026-11-01\n  - id: zelfzorg\n",
        [
            "content/vragen.yaml:147:9: error: [buiten-bereik] id: de id 'buiten-bereik' is "
            "gereserveerd voor buiten-bereik.yaml (hint: kies een andere id)"
        ],
        id="reserved-id",
    ),
    pytest.param(
        "vragen.yaml",
        "    nagekeken: 2026-11-01\n",
        "    nagekeken: 31/12/2025\n",
        [
            "content/vragen.yaml:10:16: error: [twijfel] nagekeken: '31/12/2025' is geen "
            "geldige datum (hint: schrijf de datum als JJJJ-MM-DD)"
        ],
        id="bad-date",
    ),
    pytest.param(
        "partners.yaml",
        "        status: te-verifieren\n",
        "        status: nog-nakijken\n",
        [
            "content/partners.yaml:15:17: error: [vk-antwerpen] contact.status: "
            "'nog-nakijken' is geen toegelaten waarde (hint: kies uit: 'te-verifieren')"
        ],
        id="bad-status",
    ),
    pytest.param(
        "partners.yaml",
        '        waarde: "101"\n',
        '        waarde: "bel de politie"\n',
        [
            "content/partners.yaml:114:17: error: [noodnummers] contact.waarde: "
            "'bel de politie' is geen telefoonnummer "
            '(hint: alleen cijfers en spaties, bv. "078 150 100")'
        ],
        id="bad-phone",
    ),
    pytest.param(
        "teksten.yaml",
        '  stap_van: "Stap {nummer} van {totaal}"\n',
        '  stap_van: "Stap {nummer} van {aantal}"\n',
        [
            "content/teksten.yaml:22:13: error: teksten.stap_van: onbekende invulplaats {aantal} "
            "(hint: toegelaten: {nummer}, {totaal}; schrijf {{ voor een letterlijke {)"
        ],
        id="unknown-placeholder",
    ),
    pytest.param(
        "stappen.yaml",
        "stappen:\n",
        "stappen:\n\t- id: x\n",
        [
            "content/stappen.yaml:12:1: error: dit is geen geldige YAML: found character '\\t' "
            "that cannot start any token (hint: kijk naar de inspringing (spaties, geen tabs) "
            "en zet tekst met ':' of '#' tussen aanhalingstekens)"
        ],
        id="syntax-error",
    ),
    pytest.param(
        "vragen.yaml",
        "    titel: Twijfel\n",
        "    titel: " + "Twijfel " * 16 + "\n",
        [
            "content/vragen.yaml:4:12: error: [twijfel] titel: is te lang: 127 tekens "
            "(max. 120) (hint: maak de tekst korter (zie 'Grenzen' in content/README.md))"
        ],
        id="text-too-long",
    ),
    pytest.param(
        "vragen.yaml",
        "    zoektermen:\n      - twijfel\n",
        "    zoektermen:\n" + "".join(f"      - twijfel {i}\n" for i in range(101)),
        [
            "content/vragen.yaml:7:7: error: [twijfel] zoektermen: te veel elementen: 101 "
            "(max. 100) (hint: schrap of verdeel elementen (zie 'Grenzen' in "
            "content/README.md))"
        ],
        id="list-too-long",
    ),
    pytest.param(
        "teksten.yaml",
        '  knop_menu: "Tekst knop menu"\n',
        '  knop_menu: "Tekst knop menu die veel te lang is voor een knop"\n',
        [
            "content/teksten.yaml:26:14: error: teksten.knop_menu: is te lang: 49 tekens "
            "(max. 40) (hint: maak de tekst korter (zie 'Grenzen' in content/README.md))"
        ],
        id="button-text-too-long",
    ),
    pytest.param(
        "vragen.yaml",
        "    bronnen:\n      - https://example.org/twijfel\n",
        "    bronnen:\n" + "".join(f"      - {'b' * 490} {i}\n" for i in range(17)),
        [
            "content/vragen.yaml:3:9: error: [twijfel] id: het antwoord van dit item is in "
            "totaal te lang: 8418 tekens (max. 8000: titel, kern, tekst, checklist, contact "
            "en bronnen samen) (hint: maak de tekst korter of verdeel het onderwerp over twee "
            "items)"
        ],
        id="item-reply-too-long",
    ),
    pytest.param(
        "vragen.yaml",
        "    titel: Twijfel\n",
        "    titel: Twijfel\n    " + "x" * 65 + ": y\n",
        [
            "content/vragen.yaml:5:5: error: deze sleutel is te lang (65 tekens, max. 64) "
            "(hint: een sleutel is een korte veldnaam zoals 'titel'; zet de tekst na "
            "'sleutel: ')"
        ],
        id="key-too-long",
    ),
    pytest.param(
        "leren.yaml",
        "leren:\n",
        "extra:\n" + "  - x\n" * 50_000 + "leren:\n",
        [
            "content/leren.yaml:50000:5: error: dit bestand heeft te veel waarden (meer dan "
            "50000) (hint: kijk na of er niet per ongeluk iets vele keren geplakt is)"
        ],
        id="too-many-values",
    ),
    pytest.param(
        "leren.yaml",
        "leren:\n",
        "---\nleren:\n",
        [],
        id="one-document-marker-is-fine",
    ),
    pytest.param(
        "synoniemen.yaml",
        "stopwoorden: [",
        "---\nandere: x\n---\nstopwoorden: [",
        [
            "content/synoniemen.yaml:5:1: error: hier begint een tweede YAML-document; een "
            "bestand mag er maar één bevatten (hint: verwijder de regel '---' (of '...') en wat "
            "er niet bij hoort)"
        ],
        id="second-document",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), CASES)
def test_each_error_shape_gives_its_message(
    content_copy: Path, name: str, old: str, new: str, expected: list[str]
) -> None:
    _edit(content_copy, name, old, new)
    assert _messages(content_copy) == expected
    if expected:
        with pytest.raises(ContentError):
            load_library(content_copy, today=TODAY)
    else:
        load_library(content_copy, today=TODAY)


def test_warnings_are_apart_from_errors(content_copy: Path) -> None:
    _edit(content_copy, "vragen.yaml", "    titel: Twijfel\n", "    titel: Twijfel\n    titl: x\n")
    _edit(content_copy, "leren.yaml", "    nagekeken: 2026-11-01\n", "    nagekeken: 2024-01-15\n")
    assert _messages(content_copy) == []
    warnings = _messages(content_copy, Level.WARNING)
    assert (
        "content/vragen.yaml:5:11: warning: [twijfel] titl: onbekend veld 'titl' wordt "
        "genegeerd (hint: bedoelde je 'titel'?)" in warnings
    )
    assert (
        "content/leren.yaml:10:16: warning: [e-learning] nagekeken: laatst nagekeken op "
        "2024-01-15, meer dan 12 maanden geleden (hint: lees het item na en zet de datum van "
        "vandaag)" in warnings
    )
    assert any(
        "[vk-limburg] contact: nog te verifiëren en dus niet getoond: telefoon" in w
        for w in warnings
    )


def test_all_problems_are_reported_in_one_run(content_copy: Path) -> None:
    _edit(content_copy, "vragen.yaml", "    titel: Twijfel\n", "")
    _edit(
        content_copy, "stappen.yaml", "  verwant: [signalen-noteren]\n", "  verwant: [nergens]\n"
    )
    _edit(content_copy, "partners.yaml", "    provincie: limburg\n", "    provincie: limbur\n")
    messages = _messages(content_copy)
    assert len(messages) == 3, messages
    assert "[twijfel] titel: dit verplichte veld ontbreekt" in messages[0]
    assert "[stappenplan] verwant: verwijst naar 'nergens'" in messages[1]
    assert "[vk-limburg] provincie: onbekende provincie 'limbur'" in messages[2]


def test_an_unreadable_file_does_not_cascade(content_copy: Path) -> None:
    # Links into a file that could not be read are not called missing: that would only echo
    # the file's own problem.
    (content_copy / "leren.yaml").unlink()
    assert _messages(content_copy) == [
        "content/leren.yaml:1:1: error: dit bestand ontbreekt "
        "(hint: maak leren.yaml aan (zie content/README.md))"
    ]


def test_a_broken_item_does_not_hide_the_others(content_copy: Path) -> None:
    # Both items are broken in different ways; both must be reported.
    _edit(content_copy, "vragen.yaml", "    titel: Twijfel\n", "")
    _edit(content_copy, "vragen.yaml", "    titel: Zelfzorg\n", "    titel: [Zelfzorg]\n")
    messages = _messages(content_copy)
    assert [m.split(": error: ")[1].split(":")[0] for m in messages] == [
        "[twijfel] titel",
        "[zelfzorg] titel",
    ]


def test_scalars_stay_what_the_admin_typed(content_copy: Path) -> None:
    _edit(
        content_copy, "partners.yaml", '        waarde: "101"\n', "        waarde: 0470 12 34 56\n"
    )
    library = load_library(content_copy, today=TODAY)
    contact = library.items["noodnummers"].contact[0]  # type: ignore[attr-defined]
    assert contact.waarde == "0470 12 34 56"


# -- the first screen, UI texts, themes, VK phone numbers -----------------------------------------


def test_a_core_over_the_limit_is_refused_with_file_and_line(content_copy: Path) -> None:
    _edit(
        content_copy,
        "vragen.yaml",
        "    kern: Kern over twijfel.\n",
        "    kern: " + "kern " * 71 + "\n",
    )
    assert _messages(content_copy) == [
        "content/vragen.yaml:11:11: error: [twijfel] kern: is te lang: 354 tekens (max. 350) "
        "(hint: maak de tekst korter (zie 'Grenzen' in content/README.md))"
    ]


def test_a_first_screen_over_the_limit_is_refused_at_the_core(content_copy: Path) -> None:
    # Each part is within its own limit; together, with the notice, they do not fit a phone.
    _edit(content_copy, "vragen.yaml", "    titel: Twijfel\n", f"    titel: {'T' * 110}\n")
    _edit(
        content_copy,
        "vragen.yaml",
        "    kern: Kern over twijfel.\n",
        f"    kern: {'k' * 340}\n    status: te-verifieren\n",
    )
    _edit(
        content_copy,
        "teksten.yaml",
        '  te_verifieren_item: "Tekst te verifieren item"\n',
        f'  te_verifieren_item: "{"n" * 150}"\n',
    )
    assert _messages(content_copy) == [
        "content/vragen.yaml:11:11: error: [twijfel] kern: het eerste scherm van dit antwoord "
        "(titel, kern, meldingen, contact) is te lang: 604 tekens (max. 557) (hint: maak de "
        "kern of de titel korter: de uitleg hoort in 'tekst', die onder het eerste scherm "
        "staat (zie 'Grenzen' in content/README.md))"
    ]


def test_a_text_key_nothing_uses_is_a_warning(content_copy: Path) -> None:
    _edit(
        content_copy,
        "teksten.yaml",
        '  knop_menu: "Tekst knop menu"\n',
        '  knop_menu: "Tekst knop menu"\n  knop_mneu: "Menu"\n  oud_ding: "Weg"\n',
    )
    assert _messages(content_copy) == []
    warnings = _messages(content_copy, Level.WARNING)
    assert (
        "content/teksten.yaml:27:14: warning: teksten.knop_mneu: de tekst 'knop_mneu' wordt "
        "nergens gebruikt: de bot toont ze nooit (hint: bedoelde je 'knop_menu'?)" in warnings
    )
    assert (
        "content/teksten.yaml:28:13: warning: teksten.oud_ding: de tekst 'oud_ding' wordt "
        "nergens gebruikt: de bot toont ze nooit (hint: verwijder ze, of kijk de naam na)"
        in warnings
    )
    library = load_library(content_copy, today=TODAY)
    assert "oud_ding" not in library.texts


def test_a_missing_text_key_is_an_error(content_copy: Path) -> None:
    _edit(content_copy, "teksten.yaml", '  knop_faq: "Tekst knop faq"\n', "")
    assert _messages(content_copy) == [
        "content/teksten.yaml:3:3: error: teksten: de tekst 'knop_faq' ontbreekt "
        "(hint: voeg onder 'teksten:' een regel 'knop_faq: …' toe)"
    ]


def test_a_theme_points_at_existing_items_only(content_copy: Path) -> None:
    _edit(content_copy, "veelgestelde-vragen.yaml", "[beroepsgeheim, ", "[beroepsgehiem, ")
    assert _messages(content_copy) == [
        "content/veelgestelde-vragen.yaml:9:13: error: [recht] items: verwijst naar "
        "'beroepsgehiem', maar dat id bestaat niet (hint: bedoelde je 'beroepsgeheim'?)"
    ]


def test_a_theme_with_too_many_items_is_refused(content_copy: Path) -> None:
    _edit(
        content_copy,
        "veelgestelde-vragen.yaml",
        "[beroepsgeheim, spreekrecht]",
        "[beroepsgeheim, spreekrecht, hulpplicht, privacy, cijfers, zelfzorg]",
    )
    assert _messages(content_copy) == [
        "content/veelgestelde-vragen.yaml:9:12: error: [recht] items: te veel elementen: 6 "
        "(max. 5) (hint: schrap of verdeel elementen (zie 'Grenzen' in content/README.md))"
    ]


def test_a_vk_phone_number_needs_its_source_and_date(content_copy: Path) -> None:
    _edit(
        content_copy,
        "partners.yaml",
        "      - soort: telefoon\n        status: te-verifieren\n",
        '      - soort: telefoon\n        waarde: "011 00 00 00"\n',
    )
    assert _messages(content_copy) == [
        "content/partners.yaml:15:17: error: [vk-antwerpen] contact.waarde: het "
        "telefoonnummer van een Vertrouwenscentrum heeft ook 'bron en nagekeken' nodig (hint: "
        'zet erbij waar je het nummer vond (bron) en wanneer (nagekeken: "JJJJ-MM-DD"), of '
        "laat het op status: te-verifieren)"
    ]


def test_candidate_vks_of_a_postal_code_must_be_vks(content_copy: Path) -> None:
    _edit(content_copy, "regios.yaml", "[vk-antwerpen, vk-oost-vlaanderen]", "[vk-antwerpen, caw]")
    assert _messages(content_copy) == [
        "content/regios.yaml:59:35: error: [2070] mogelijke_vks: 'caw' is geen "
        "Vertrouwenscentrum van een provincie (hint: kijk de schrijfwijze na)"
    ]


def test_files_whose_fields_all_have_defaults_may_be_left_out() -> None:
    # The fixture content has no spreektaal.yaml, talen.yaml or praatjes.yaml.
    assert not (FIXTURE_CONTENT / "spreektaal.yaml").exists()
    library = load_library(FIXTURE_CONTENT, today=TODAY)
    assert library.file(SpokenFile).spreektaal == []


def test_a_spoken_variant_with_two_standard_forms_is_refused(content_copy: Path) -> None:
    (content_copy / "spreektaal.yaml").write_text(
        "spreektaal:\n"
        '  - standaard: "niet"\n'
        '    varianten: ["ni", "nie"]\n'
        '  - standaard: "nieuw"\n'
        '    varianten: ["nie"]\n',
        encoding="utf-8",
    )
    assert _messages(content_copy) == [
        "content/spreektaal.yaml:5:17: error: spreektaal.varianten: 'nie' staat al bij 'niet' "
        "(hint: zet een variant maar bij één standaardvorm)"
    ]


def test_a_dutch_word_cannot_mark_another_language(content_copy: Path) -> None:
    (content_copy / "talen.yaml").write_text(
        "talen:\n  - taal: de\n    herkenning: [der, und, ist, nicht, het]\n",
        encoding="utf-8",
    )
    # "het" is a Dutch stop word of the fixture content: a Dutch question would read as German.
    assert _messages(content_copy) == [
        "content/talen.yaml:3:40: error: talen.herkenning: 'het' is ook een Nederlands woord "
        "(hint: kies woorden die alleen in die taal voorkomen)"
    ]


def test_example_questions_point_at_an_item_each_under_one_only(content_copy: Path) -> None:
    (content_copy / "voorbeeldvragen.yaml").write_text(
        "voorbeelden:\n"
        "  - item: twijfl\n"
        '    vragen: ["ik twijfel of ik iets moet doen"]\n'
        "  - item: buiten-bereik\n"
        '    vragen: ["Ik twijfel of ik iets moet doen!"]\n',
        encoding="utf-8",
    )
    assert _messages(content_copy) == [
        "content/voorbeeldvragen.yaml:2:11: error: voorbeelden.item: verwijst naar 'twijfl', "
        "maar dat id bestaat niet (hint: bedoelde je 'twijfel'?)",
        "content/voorbeeldvragen.yaml:5:14: error: voorbeelden.vragen: deze vraag staat al bij "
        "'twijfl' (hint: zet een vraag maar bij één item)",
    ]


def test_example_questions_become_phrases_of_their_item(content_copy: Path) -> None:
    question = "mijn maag draait om bij dat meiske, maar ik zie niks concreets"
    before = Engine(ContentStore.open(content_copy)).ask(question)
    (content_copy / "voorbeeldvragen.yaml").write_text(
        "voorbeelden:\n"
        "  - item: twijfel\n"
        '    vragen: ["mijn maag draait om bij dat kindje maar ik zie niks concreets"]\n',
        encoding="utf-8",
    )
    after = Engine(ContentStore.open(content_copy)).ask(question)
    assert [h.item_id for h in before.hits[:1]] != ["twijfel"]
    assert after.outcome is Outcome.ANSWER
    assert after.hits[0].item_id == "twijfel"
