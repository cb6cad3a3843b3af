"""Place lookup on the real `content/regios.yaml`: what it must find, and what it must leave alone.

The two lists below are the measurement of the matching rule in `bot/places.py`: every
positive must resolve to the expected province, and no ordinary question may match a place.

`COMMON_WORD_NAMES` and `COMMON_WORDS` in `bot.places` were derived by running `find` over
every word of the OpenTaal Dutch word list (Debian package `wdutch`, /usr/share/dict/dutch) in
neutral sentences, in cue sentences ("ik zit in ...", "om het te ...") and as one-word
messages. `test_dictionary_words_that_are_place_names` repeats the first check whenever that
list is installed, so new names in regios.yaml that are also Dutch words get noticed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.content.model import RegionsFile, Status
from bot.content.yaml_source import read_yaml
from bot.places import COMMON_WORD_NAMES, Place, PlaceIndex

REGIONS_PATH = Path(__file__).resolve().parent.parent / "content" / "regios.yaml"
DUTCH_WORDS = Path("/usr/share/dict/dutch")


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    regions = RegionsFile.model_validate(read_yaml(REGIONS_PATH).data)
    return PlaceIndex.from_regions(regions)


POSITIVES: list[tuple[str, str, str]] = [
    # (message, expected province, expected municipality)
    # Postal codes
    ("3500", "limburg", "Hasselt"),
    ("ik werk in 9000 gent", "oost-vlaanderen", "Gent"),
    ("2000", "antwerpen", "Antwerpen"),
    ("8500", "west-vlaanderen", "Kortrijk"),
    ("1000", "brussel", "Brussel"),
    ("Postcode 1930", "vlaams-brabant", "Zaventem"),
    ("mijn postcode is 2140", "antwerpen", "Antwerpen"),
    ("pc-3000", "vlaams-brabant", "Leuven"),
    ("ik werk in 1930", "vlaams-brabant", "Zaventem"),
    ("1930 Zaventem", "vlaams-brabant", "Zaventem"),
    ("onze crèche zit in 8400 Oostende", "west-vlaanderen", "Oostende"),
    ("1040", "brussel", "Brussel of Etterbeek"),
    ("1050", "brussel", "Brussel of Elsene"),
    ("1050 Elsene", "brussel", "Elsene"),
    ("1804", "vlaams-brabant", "Vilvoorde of Zemst"),
    # Municipalities
    ("ik werk in Gent", "oost-vlaanderen", "Gent"),
    ("sint-niklaas", "oost-vlaanderen", "Sint-Niklaas"),
    ("sint niklaas", "oost-vlaanderen", "Sint-Niklaas"),
    ("St.-Niklaas", "oost-vlaanderen", "Sint-Niklaas"),
    ("sintniklaas", "oost-vlaanderen", "Sint-Niklaas"),
    ("Sint-Genesius-Rode", "vlaams-brabant", "Sint-Genesius-Rode"),
    ("HASSELT", "limburg", "Hasselt"),
    ("Welk VK is bevoegd voor Brugge?", "west-vlaanderen", "Brugge"),
    ("is er een VK voor Sint-Truiden", "limburg", "Sint-Truiden"),
    ("Heist-op-den-Berg", "antwerpen", "Heist-op-den-Berg"),
    ("Oud-Heverlee", "vlaams-brabant", "Oud-Heverlee"),
    ("ik werk in Nieuwpoort", "west-vlaanderen", "Nieuwpoort"),
    ("kinderopvang in Hamme", "oost-vlaanderen", "Hamme"),
    ("Kapelle-op-den-Bos", "vlaams-brabant", "Kapelle-op-den-Bos"),
    ("sint agatha berchem", "brussel", "Sint-Agatha-Berchem"),
    ("Pajottegem", "vlaams-brabant", "Pajottegem"),
    ("we zitten in de regio Aalst", "oost-vlaanderen", "Aalst"),
    # Names that are also words, in a place context
    ("ik werk in mol", "antwerpen", "Mol"),
    ("Mol", "antwerpen", "Mol"),
    ("In Peer", "limburg", "Peer"),
    ("gemeente boom", "antwerpen", "Boom"),
    ("Ik woon in Lint", "antwerpen", "Lint"),
    ("Onze opvang ligt in Geel", "antwerpen", "Geel"),
    ("Voeren", "limburg", "Voeren"),
    # Localities, former municipalities, French names
    ("Borgerhout", "antwerpen", "Antwerpen"),
    ("mijn crèche is in Deurne", "antwerpen", "Antwerpen"),
    ("Laeken", "brussel", "Brussel"),
    ("'s Gravenwezel", "antwerpen", "Schilde"),
    ("Melle", "oost-vlaanderen", "Merelbeke-Melle"),
    ("Kortessem", "limburg", "Hasselt"),
    ("Bruxelles", "brussel", "Brussel"),
    ("elsene", "brussel", "Elsene"),
    ("Ixelles", "brussel", "Elsene"),
    ("Schaerbeek", "brussel", "Schaarbeek"),
    ("ik werk in Anderlecht", "brussel", "Anderlecht"),
    ("Rhode-Saint-Genèse", "vlaams-brabant", "Sint-Genesius-Rode"),
    ("Fourons", "limburg", "Voeren"),
    # Typos
    ("kortrijck", "west-vlaanderen", "Kortrijk"),
    ("antwerpn", "antwerpen", "Antwerpen"),
    ("hasslet", "limburg", "Hasselt"),
    # A misspelt place in a short question for the VK.
    ("tongere wat is oos vk", "limburg", "Tongeren-Borgloon"),
    ("ik werk in roeselaere", "west-vlaanderen", "Roeselare"),
    ("in oostende", "west-vlaanderen", "Oostende"),
    ("ik werk in sint niklas", "oost-vlaanderen", "Sint-Niklaas"),
    # The 2025 merger that moved a postal code to another province
    ("2070", "oost-vlaanderen", "Beveren-Kruibeke-Zwijndrecht"),
    ("Zwijndrecht", "oost-vlaanderen", "Beveren-Kruibeke-Zwijndrecht"),
    ("Burcht", "oost-vlaanderen", "Beveren-Kruibeke-Zwijndrecht"),
]

ORDINARY_QUESTIONS: list[str] = [
    "het kind heeft blauwe plekken",
    "wat als de ouders boos worden",
    "mag ik bellen zonder toestemming",
    "ik heb een slecht gevoel",
    "hoe noteer ik signalen",
    "wat doet een vertrouwenscentrum",
    "kind vertelt dat papa slaat",
    "waar vind ik de e-learning",
    "hoe zit het met mijn beroepsgeheim",
    "mama ontkent alles",
    "ik twijfel",
    "peuter plast opnieuw in zijn broek",
    "baby huilt veel",
    "boos",
    "help",
    "hallo",
    # Place names that are also words, used as words
    "wat kan ik nog meer doen",
    "moet ik meer signalen verzamelen",
    "Meer info graag",
    "mag ik het kind laten ophalen door oma",
    "de ouders komen het kind niet halen",
    "om het kind op te halen",
    "de papa dreigt het kind uit de opvang te halen",
    "ze wil hem uit de kinderopvang te halen, wat nu",
    "hoe moet ik een gesprek voeren met de ouders",
    "is het nodig om een gesprek te voeren",
    "wat menen ze met een verontrusting",
    "in welke landen geldt de meldcode",
    "het kind viel uit de boom",
    "het kind heeft een lint in het haar",
    "het kind ziet geel",
    "het kind eet een peer",
    "er zit een mol in de tuin",
    "ham op zijn boterham",
    "wat is het doel van een melding",
    "wat is zijn lot als ik meld",
    "ik zie een berg problemen",
    "luizen in de haren",
    "het kind trekt aan haar haren",
    "hij eet geen wortel",
    "appels en peren vergelijken",
    "het kind krijgt altijd lauwe melk mee",
    "het meisje zegt dat ze pijn heeft",
    "dag meiske",  # Flemish for "meisje", not Meise
    "hoe laat is het",  # not Hoeilaart
    "er zijn mensen die roepen",
    "het leven thuis is zwaar",
    "ik heb schrik om het fout te doen",
    # Children's names that are also places
    "Jette zegt dat papa haar slaat",
    "Brecht heeft weer een blauw oog",
    "de mama van Melle drinkt",
    "Niel komt altijd te laat",
    "Lotte is heel stil",
    # Numbers that are not postal codes
    "sinds 2018 zie ik dit kind",
    "in 2020 was er al een melding",
    "het gaat om 2000 euro schuld",
    "bel ik 1712 of 112",
    "mag ik 101 bellen",
    "het kind is 3 jaar en 2 maanden",
    "om 10 uur kwam papa dronken",
    "op 12-05-2018 was er een incident",
    "er zijn 1500 kinderen gemeld",
    # More ordinary questions
    "moet ik de directie inlichten",
    "wat zegt de wet over meldplicht",
    "hoe lang duurt een onderzoek van het VK",
    "kan ik anoniem melden",
    "wat doet Kind en Gezin",
    "wat is het Huis van het Kind",
    "kan ik naar het CAW",
    "de ouders gaan scheiden",
    "papa is agressief tegen mij",
    "mama heeft een drankprobleem",
    "ik ben bang dat het kind in gevaar is",
    "Wat is de rol van mijn verantwoordelijke?",
    "Heeft het kind recht op privacy?",
    "Het kind is in paniek als papa komt",
    "ze zit in een moeilijke situatie",
    "mijn collega vindt dat ik overdrijf",
    "wat als ik me vergis",
    "de baby is erg mager",
    "de ouders spreken enkel Frans",
    "mag ik foto's nemen van de letsels",
    "De peuter bijt andere kinderen",
    "het kind komt altijd met vuile kleren",
    "Mijn meter zegt dat ik moet melden",
    "Zijn er richtlijnen voor de kinderopvang in Vlaanderen",
    "mag ik de politie bellen",
    "het kind wordt opgehaald door een onbekende man",
    "we hebben een nieuwe collega in de groep",
    "De vader belt steeds naar de opvang",
]


def test_enough_cases() -> None:
    assert len(POSITIVES) >= 40
    assert len(ORDINARY_QUESTIONS) >= 60


@pytest.mark.parametrize(("text", "provincie", "gemeente"), POSITIVES)
def test_finds_place(index: PlaceIndex, text: str, provincie: str, gemeente: str) -> None:
    place = index.find(text)
    assert place is not None, text
    assert (place.provincie, place.gemeente) == (provincie, gemeente)


@pytest.mark.parametrize("text", ORDINARY_QUESTIONS)
def test_ordinary_question_has_no_place(index: PlaceIndex, text: str) -> None:
    assert index.find(text) is None


def test_postcode_place_details(index: PlaceIndex) -> None:
    assert index.find("ik werk in 9000 gent") == Place(
        query_name="9000", postcode="9000", gemeente="Gent", provincie="oost-vlaanderen"
    )
    borgerhout = index.find("borgerhout")
    assert borgerhout is not None
    assert (borgerhout.query_name, borgerhout.postcode) == ("Borgerhout", "2140")
    gent = index.find("Gent")
    assert gent is not None
    assert gent.postcode is None  # Gent has several postal codes


@pytest.mark.parametrize("text", ["2070", "Zwijndrecht", "Beveren-Kruibeke-Zwijndrecht"])
def test_2070_is_flagged(index: PlaceIndex, text: str) -> None:
    place = index.find(text)
    assert place is not None
    assert place.provincie == "oost-vlaanderen"
    assert place.status is Status.TE_VERIFIEREN
    assert place.opmerking is not None
    assert "Beveren-Kruibeke-Zwijndrecht" in place.opmerking


def test_postcode_beats_name(index: PlaceIndex) -> None:
    place = index.find("ik woon in Gent maar werk in 3500")
    assert place is not None
    assert place.gemeente == "Hasselt"


def test_walloon_code_is_not_found(index: PlaceIndex) -> None:
    assert index.find("4000") is None
    assert index.find("ik werk in 4000 Luik") is None


def test_find_is_fast(index: PlaceIndex) -> None:
    question = (
        "Hallo, ik werk als begeleider in een kinderopvang en ik maak me zorgen over een peuter "
        "die vaak met blauwe plekken binnenkomt; de ouders ontkennen alles. Wat moet ik doen en "
        "wie kan ik bellen? Alvast bedankt."
    )
    assert len(question) >= 200
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        index.find(question)
        index.find(question + " kortrijck")
    per_call = (time.perf_counter() - start) / (2 * runs)
    assert per_call < 0.001


def test_dictionary_words_that_are_place_names(index: PlaceIndex) -> None:
    """A Dutch word that is a place name must need context, unless the place reading wins."""
    if not DUTCH_WORDS.exists():
        pytest.skip("needs the OpenTaal word list (apt-get install wdutch)")
    # Rare as words, well known as places: these match anywhere.
    place_first = {
        "alken", "bazel", "beert", "beringen", "bogaarden", "bost", "deerlijk", "geluwe",
        "gent", "handzame", "heuvelland", "huizingen", "ranst", "tienen", "wichelen", "zulte",
    }  # fmt: skip
    words = {
        line.strip()
        for line in DUTCH_WORDS.read_text(encoding="utf-8", errors="ignore").splitlines()
        if line[:1].islower() and line.strip().isalpha()
    }
    unexpected = sorted(
        word
        for word in words
        if index.find(f"het kind zegt {word} vandaag") is not None
        and word not in place_first
        and word not in COMMON_WORD_NAMES
    )
    assert unexpected == []
