"""Find a Flemish or Brussels place in a free-text question: postal code, municipality, locality.

Pure domain (no I/O): `PlaceIndex.from_regions` builds dictionaries once from the validated
`regios.yaml`; `find` then only does lookups, so it stays far below a millisecond.

The matching rule, measured in `tests/test_places.py`:

1. A known 4-digit postal code wins over names. A number followed by a unit or a count
   ("3000 euro", "2000 kinderen") is not a code. 1900-2099 are mostly years ("sinds 2018"),
   so there a code counts only when the message is little more than the code, a name of that
   code stands next to it ("2000 Antwerpen"), or a place cue precedes it ("postcode 1930").
2. Exact names, longest word sequence first, left to right; case, accents and hyphens do not
   matter. Names that are also ordinary Dutch words (Mol, Peer, Meer, Halen, Voeren, ...) and
   names of at most 3 letters count only in a place context: the rest of the message is place
   filler ("ik werk in mol"), a strong cue precedes ("gemeente", "werk in", "regio"; after
   "te" only with a capital: "uit de opvang te halen" is a verb), or a weak cue ("in", "te",
   "uit", ...) precedes a word written with a capital ("in Mol").
3. Typos, only when nothing matched exactly and only where a place is expected: the message
   is about nothing but the place ("kortrijck", "in antwerpn"), a strong cue precedes ("ik
   werk in hasslet"), or a short message asks for the VK ("tongere wat is oos vk").
   Candidates are words (and word pairs) of at least 5 letters that are neither a place name
   nor a common Dutch word; they are compared with `fuzz.ratio` against the names of at least
   5 letters that are not ordinary words, cutoff 85 (90 under 7 letters, where one edit weighs
   more). Without a dictionary an unknown word cannot be told from a
   misspelt place, so a weak cue or a capital is not enough here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.model import PostalArea, RegionsFile, Status
from bot.normalize import QUESTION_WORDS

_WORD = re.compile(r"[^\W_]+")
_POSTCODE = re.compile(r"^[1-9][0-9]{3}$")
_SENTENCE_END = frozenset(".!?\n")

MIN_FUZZY_LENGTH = 5
FUZZY_CUTOFF = 85.0
FUZZY_CUTOFF_SHORT = 90.0
"""`fuzz.ratio` counts a substitution as two edits: 'hasslet' -> 'hasselt' scores 85.7 and a
single wrong letter in a 6-letter word already drops to 83, so short words need a higher bar."""

YEAR_LIKE = range(1900, 2100)

COMMON_WORD_NAMES = frozenset(
    {
        # Place names that are also ordinary Dutch words (found by intersecting the names in
        # regios.yaml with the OpenTaal word list, then keeping the words people actually use).
        "appels", "baal", "balen", "beek", "berg", "bevel", "bever", "boom", "burcht", "doel",
        "drongen", "duffel", "essen", "geel", "halen", "haren", "heers", "heffen", "herten",
        "kalken", "kapellen", "kermt", "landen", "lede", "lier", "linden", "lint", "malle",
        "meer", "menen", "muizen", "olmen", "paal", "peer", "pelt", "putte", "reet", "schelle",
        "schilde", "schoten", "voeren", "vorst", "weelde", "wellen", "wortel", "lauwe",
        # Names made only of common words, and French or English look-alikes.
        "de haan", "de klinge", "de panne", "la panne", "forest", "outer",
        # Places that are also common Flemish first names ("Jette zegt dat papa slaat").
        "brecht", "elene", "jette", "kester", "melle", "niel",
    }
)  # fmt: skip
"""Names that need a place context. Kept by hand; `tests/test_places.py` rechecks it against the
OpenTaal word list (when installed) so that new names in regios.yaml get noticed."""

MAX_SHORT_NAME = 3
"""Names this short (As, Ham, Mol, Lot, Lo, Eke, Hal) need a place context too."""

COMMON_WORDS = frozenset(
    {
        # Ordinary words of >= 5 letters that must never be taken for a misspelt place name:
        # words that follow "in", "te", "uit" in questions, and the everyday words among the
        # OpenTaal words that come within the fuzzy cutoff of a place ('mensen' ~ 'Mesen',
        # 'leven' ~ 'Leuven', 'meisje' ~ 'Meise', 'laken' ~ 'Laeken').
        "aanraking", "aantal", "afspraak", "andere", "anders", "banden", "beeld", "beest",
        "begin", "beginnen", "behandeling", "beige", "bellen", "bepaalde", "bereiken", "beroep",
        "bespreken", "beweging", "binnen", "bladen", "blijven", "branden", "brengen", "bruggen",
        "buiten", "contact", "contacteren", "crisis", "degelijk", "denken", "dezelfde",
        "dienst", "dokter", "eisen", "elkaar", "familie", "functie", "gebeuren", "gesprek",
        "gevaar", "geval", "gevallen", "geven", "gewoon", "groep", "hallen", "handelen",
        "handen", "hechte", "hechten", "hechter", "helpen", "heren", "herstel", "hetzelfde",
        "houden", "huilen", "huisje", "kater", "kinderopvang", "klagen", "knokken", "komen",
        "kringen", "kruisen", "kunnen", "laken", "laten", "leggen", "leken", "leven", "liggen",
        "liter", "logeren", "lopen", "maken", "meisje", "meiske", "melden", "mening", "mensen",
        "messen", "moeten", "nemen", "noteren", "ontvangen", "opvang", "overleg", "overleggen",
        "paniek", "plaats", "politie", "praten", "praktijk", "principe", "reageren", "rekening",
        "rollers", "samen", "school", "schrijven", "schrik", "schrikt", "situatie", "slaap",
        "spelen", "spreken", "staan", "standen", "steken", "stellen", "stranden", "streken",
        "tenen", "totaal", "verband", "vertellen", "vertrouwen", "vinden", "volgen", "vragen",
        "wachten", "welke", "werken", "weten", "wonen", "worden", "zeggen", "zetten", "zicht",
        "ziekenhuis", "zitten", "zoeken", "zorgen", "zulke",
    }
)  # fmt: skip

_PLACE_WORDS = frozenset(
    {
        "gemeente",
        "deelgemeente",
        "stad",
        "dorp",
        "regio",
        "postcode",
        "pc",
        "provincie",
        # "vk lier", "vertrouwenscentrum kortrijck": asking for the VK of a place.
        "vk",
        "vertrouwenscentrum",
    }
)
_VK_WORDS = frozenset({"vk", "vertrouwenscentrum"})
MAX_VK_QUESTION_WORDS = 3
"""Beside "vk", a message of at most this many other words may hold a misspelt place."""
_STRONG_PAIRS = frozenset(
    (verb, preposition)
    for verb in (
        "werk", "werken", "werkt", "woon", "wonen", "woont", "gevestigd", "opvang",
        "kinderopvang", "creche", "onthaalouder", "kom", "afkomstig", "zit", "zitten",
        "zitte", "onthaalmoeder", "onthaalmama", "onthaalvader", "kinderbegeleider",
        "kinderbegeleidster", "begeleidster", "kinderdagverblijf", "kdv",
    )
    for preposition in ("in", "te", "uit")
) | {("regio", "van"), ("omgeving", "van"), ("buurt", "van"), ("gemeente", "van")}  # fmt: skip
_WEAK_CUES = frozenset({"in", "te", "uit", "naar", "rond", "nabij", "vlakbij", "richting"})
_FILLER = (
    _PLACE_WORDS
    | _WEAK_CUES
    | frozenset(
        {
            "ik", "wij", "we", "je", "jij", "u", "mijn", "onze", "ons", "werk", "werken",
            "werkt", "woon", "wonen", "woont", "gevestigd", "van", "bij", "de", "het", "een",
            "omgeving", "buurt", "opvang", "kinderopvang", "creche", "onthaalouder", "is", "ben",
            "zijn", "hier", "graag", "hallo", "hoi", "dag", "goeiedag", "goedemorgen", "aub",
            "alstublieft", "dank", "bedankt", "en", "of",
        }
    )
)  # fmt: skip
"""Words that may surround a place in a message that is only about where someone is."""

_NOT_A_CODE_AFTER = frozenset(
    {
        "euro", "eur", "km", "kilometer", "m", "meter", "cm", "kg", "g", "gram", "ml", "l",
        "liter", "uur", "u", "min", "minuten", "sec", "seconden", "dagen", "weken", "maanden",
        "jaar", "jaren", "keer", "x", "stuks", "kinderen", "mensen", "ouders", "meldingen",
        "gevallen", "dossiers", "woorden", "tekens", "punten", "kcal", "procent", "pct",
    }
)  # fmt: skip
_NOT_A_CODE_BEFORE = frozenset(
    {"nr", "nummer", "tel", "telefoon", "bel", "huisnummer", "bus", "kamer", "lokaal", "dossier"}
)


@dataclass(frozen=True, slots=True)
class Place:
    """A place found in a question, resolved to its 2025 municipality and province."""

    query_name: str
    """What matched: the postal code, or the name as the data spells it ('Borgerhout')."""
    postcode: str | None
    """The postal code, or None when the name covers several codes (Gent)."""
    gemeente: str
    provincie: str
    status: Status | None = None
    opmerking: str | None = None
    kandidaten: tuple[str, ...] = ()
    """While `status` says the VK is unconfirmed: the VKs it may be (`mogelijke_vks`)."""

    @property
    def display_name(self) -> str:
        """How a reply names the place: '3500 Hasselt' for a code, else the name as matched."""
        if self.query_name.isdigit():
            return f"{self.query_name} {self.gemeente}"
        return self.query_name


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _normalize(text: str) -> str:
    """Lowercase, no accents, every run of non-alphanumerics one space: 'Sint-Niklaas' -> 'sint
    niklaas'."""
    return " ".join(word.casefold() for word in _WORD.findall(_strip_accents(text)))


class _Message:
    """A question split into words; what else a word needs is worked out only when asked."""

    __slots__ = ("_bare", "_matches", "content", "words")

    def __init__(self, text: str) -> None:
        self._bare = _strip_accents(text)
        self._matches: list[re.Match[str]] | None = None
        self.words = [word.casefold() for word in _WORD.findall(self._bare)]
        self.content = [
            k for k, word in enumerate(self.words) if word not in _FILLER and not word.isdigit()
        ]
        """Positions of the words that are not place filler, in order."""

    def asks_vk_briefly(self) -> bool:
        """Whether a short message asks for the VK ("tongere wat is oos vk"): a misspelt word
        in it is more likely a place than anything else."""
        return len(self.content) <= MAX_VK_QUESTION_WORDS and any(
            word in _VK_WORDS for word in self.words
        )

    def only_filler_outside(self, i: int, j: int) -> bool:
        """Whether every word outside words[i:j] is place filler or a number."""
        return not self.content or (self.content[0] >= i and self.content[-1] < j)

    def _match(self, i: int) -> re.Match[str]:
        if self._matches is None:
            self._matches = list(_WORD.finditer(self._bare))
        return self._matches[i]

    def gap_before(self, i: int) -> str:
        """The text between word i - 1 and word i (or before the first word)."""
        start = self._match(i - 1).end() if i else 0
        return self._bare[start : self._match(i).start()]

    def gap_after(self, i: int) -> str:
        """The text between word i and word i + 1 (or after the last word)."""
        end = self._match(i + 1).start() if i + 1 < len(self.words) else len(self._bare)
        return self._bare[self._match(i).end() : end]

    def capital_mid_sentence(self, i: int) -> bool:
        """Whether word i is written with a capital where a sentence does not start."""
        if i == 0 or any(char in _SENTENCE_END for char in self.gap_before(i)):
            return False
        # In a message without lowercase letters, capitals say nothing about names.
        return self._match(i).group()[0].isupper() and any(c.islower() for c in self._bare)


def _name_keys(name: str) -> set[str]:
    """The lookup keys of a name: itself, 'st' for 'sint', and without a leading "'s"."""
    key = _normalize(name)
    keys = {key}
    words = key.split()
    if "sint" in words:
        keys.add(" ".join("st" if word == "sint" else word for word in words))
    if len(words) > 1 and words[0] == "s":
        keys.add(" ".join(words[1:]))
    return keys


@dataclass(frozen=True, slots=True)
class _Hit:
    name: str
    postcode: str | None
    gemeente: str
    provincie: str
    status: Status | None
    opmerking: str | None
    kandidaten: tuple[str, ...] = ()

    def place(self) -> Place:
        return Place(
            self.name,
            self.postcode,
            self.gemeente,
            self.provincie,
            self.status,
            self.opmerking,
            self.kandidaten,
        )


def _combine(name: str, areas: Sequence[PostalArea]) -> _Hit:
    """One hit for areas of one municipality, or of one postal code shared by municipalities."""
    codes = sorted({area.postcode for area in areas})
    gemeenten = list(dict.fromkeys(area.gemeente for area in areas))
    provinces = {area.provincie for area in areas}
    flagged = [area for area in areas if area.status is not None]
    status = flagged[0].status if flagged else None
    opmerking = next((area.opmerking for area in flagged if area.opmerking), None)
    kandidaten = tuple(dict.fromkeys(vk for area in flagged for vk in area.mogelijke_vks))
    if len(provinces) > 1:
        # Never happens in the 2025 data (1040, 1050 and 1804 stay within one province), but
        # if it did, the province could not be told from the text: flag it instead of guessing.
        status = Status.TE_VERIFIEREN
    return _Hit(
        name,
        codes[0] if len(codes) == 1 else None,
        " of ".join(gemeenten),
        areas[0].provincie,
        status,
        opmerking,
        kandidaten,
    )


def _resolve_name(key: str, entries: Sequence[tuple[PostalArea, str, bool]]) -> _Hit:
    """Pick the municipality a name means when several share it.

    A municipality's own name wins ('Aalst' the city, not the village near Sint-Truiden), then a
    name that is part of the municipality's name ('Beveren' in Beveren-Kruibeke-Zwijndrecht),
    then the lowest postal code ('Berchem' 2600 in Antwerpen before 9690 in Kluisbergen).
    """
    groups: dict[str, list[tuple[PostalArea, str, bool]]] = {}
    for entry in entries:
        groups.setdefault(entry[0].gemeente, []).append(entry)
    words = set(key.split())

    def rank(gemeente: str) -> tuple[int, str]:
        group = groups[gemeente]
        if any(is_gemeente for _, _, is_gemeente in group):
            kind = 0
        elif words <= set(_normalize(gemeente).split()):
            kind = 1
        else:
            kind = 2
        return kind, min(area.postcode for area, _, _ in group)

    best = groups[min(groups, key=rank)]
    return _combine(best[0][1], [area for area, _, _ in best])


class PlaceIndex:
    """Lookup tables for postal codes and place names; build once, share read-only."""

    def __init__(
        self,
        by_code: dict[str, tuple[PostalArea, ...]],
        names: dict[str, _Hit],
        code_names: dict[str, frozenset[str]],
    ) -> None:
        """Use `from_regions`."""
        self._by_code = by_code
        self._code_hits = {code: _combine(code, areas) for code, areas in by_code.items()}
        self._names = names
        self._code_names = code_names
        self._max_words = max(len(key.split()) for key in names)
        self._first_words = frozenset(key.split()[0] for key in names if " " in key)
        self._compact = {key.replace(" ", ""): key for key in names if " " in key}  # 'sintniklaas'
        self._context_only = frozenset(
            key for key in names if key in COMMON_WORD_NAMES or len(key) <= MAX_SHORT_NAME
        )
        self._fuzzy_targets: dict[str, str] = {}
        for key in sorted(names):
            compact = key.replace(" ", "")
            if len(compact) >= MIN_FUZZY_LENGTH and key not in self._context_only:
                self._fuzzy_targets.setdefault(compact, key)
        # Typos rarely hit the first letter, and requiring it to match keeps real words out:
        # 'eerlijk' is not 'Deerlijk', 'jongeren' not 'Tongeren'. It also makes lookups cheaper.
        self._fuzzy_choices: dict[str, list[str]] = {}
        for compact in self._fuzzy_targets:
            self._fuzzy_choices.setdefault(compact[0], []).append(compact)

    @classmethod
    def from_regions(cls, regions: RegionsFile) -> PlaceIndex:
        """Build the index from a validated `regios.yaml`."""
        by_code: dict[str, list[PostalArea]] = {}
        entries: dict[str, list[tuple[PostalArea, str, bool]]] = {}
        for area in regions.postcodes:
            by_code.setdefault(area.postcode, []).append(area)
            spellings = [(area.gemeente, True), *((name, False) for name in area.plaatsen)]
            for spelling, is_gemeente in spellings:
                for key in _name_keys(spelling):
                    entries.setdefault(key, []).append((area, spelling, is_gemeente))
        names = {key: _resolve_name(key, found) for key, found in entries.items()}
        code_names = {
            code: frozenset(
                key
                for area in areas
                for spelling in (area.gemeente, *area.plaatsen)
                for key in _name_keys(spelling)
            )
            for code, areas in by_code.items()
        }
        return cls({code: tuple(areas) for code, areas in by_code.items()}, names, code_names)

    def find(self, text: str) -> Place | None:
        """The first place named in `text`, or None; postal codes before names."""
        message = _Message(text)
        if not message.words:
            return None
        return self._find_code(message) or self._find_name(message) or self._find_fuzzy(message)

    # -- postal codes ------------------------------------------------------------------------

    def _find_code(self, message: _Message) -> Place | None:
        words = message.words
        for i, word in enumerate(words):
            if not _POSTCODE.match(word) or word not in self._by_code:
                continue
            after = words[i + 1] if i + 1 < len(words) else ""
            before = words[i - 1] if i else ""
            if after in _NOT_A_CODE_AFTER or before in _NOT_A_CODE_BEFORE:
                continue
            if any(sign in message.gap_before(i) for sign in "€$") or message.gap_after(
                i
            ).strip().startswith(("%", "€")):
                continue
            if int(word) in YEAR_LIKE and not (
                message.only_filler_outside(i, i + 1)
                or _strong_cue(words, i)
                or self._names_code_nearby(words, i)
            ):
                continue
            return self._code_place(word, words)
        return None

    def _names_code_nearby(self, words: Sequence[str], i: int) -> bool:
        """Whether a name of this code's areas directly follows or precedes position `i`."""
        known = self._code_names[words[i]]
        for n in range(1, self._max_words + 1):
            if " ".join(words[i + 1 : i + 1 + n]) in known:
                return True
            if i - n >= 0 and " ".join(words[i - n : i]) in known:
                return True
        return False

    def _code_place(self, code: str, words: Sequence[str]) -> Place:
        areas = self._by_code[code]
        if len(areas) > 1:
            # 1040, 1050, 1804: the street decides; a municipality named in the text settles it.
            mentioned = {self._names[key].gemeente for _, _, key in self._spans(words)}
            chosen = [area for area in areas if area.gemeente in mentioned]
            if len(chosen) == 1:
                return _combine(code, chosen).place()
        return self._code_hits[code].place()

    # -- exact names -------------------------------------------------------------------------

    def _spans(self, words: Sequence[str]) -> Iterator[tuple[int, int, str]]:
        """Every (start, end, key) where a name occurs, longest first at each start."""
        for i, word in enumerate(words):
            if word in self._first_words:
                for n in range(min(self._max_words, len(words) - i), 1, -1):
                    key = " ".join(words[i : i + n])
                    if key in self._names:
                        yield i, i + n, key
            if word in self._names:
                yield i, i + 1, word
            elif word in self._compact:
                yield i, i + 1, self._compact[word]

    def _find_name(self, message: _Message) -> Place | None:
        for i, j, key in self._spans(message.words):
            if key not in self._context_only or _place_context(message, i, j):
                return self._names[key].place()
        return None

    # -- typos -------------------------------------------------------------------------------

    def _find_fuzzy(self, message: _Message) -> Place | None:
        words, content = message.words, message.content
        # Where a typo may start: right after a strong cue, or, in a message of place filler
        # around one or two other words, at those words.
        starts = {i for i in range(1, len(words)) if _strong_cue(words, i)}
        if 0 < len(content) <= 2:
            starts |= {content[0] - 1, content[0]}
        elif message.asks_vk_briefly():
            starts |= set(content)
        for i in sorted(starts):
            for n in (2, 1):  # 'sint niklas' as one candidate before its parts
                if i < 0 or i + n > len(words):
                    continue
                span = words[i : i + n]
                if any(
                    not word.isalpha() or word in COMMON_WORDS or word in QUESTION_WORDS
                    for word in span
                ):
                    continue
                key = " ".join(span)
                candidate = "".join(span)
                if (
                    len(candidate) < MIN_FUZZY_LENGTH
                    or key in self._names
                    or key in COMMON_WORD_NAMES
                    or not _place_context(message, i, i + n, fuzzy=True)
                ):
                    continue
                cutoff = FUZZY_CUTOFF if len(candidate) >= 7 else FUZZY_CUTOFF_SHORT
                found = process.extractOne(
                    candidate,
                    self._fuzzy_choices.get(candidate[0], ()),
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=cutoff,
                )
                if found is not None:
                    return self._names[self._fuzzy_targets[found[0]]].place()
        return None


# -- context ---------------------------------------------------------------------------------


def _strong_cue(words: Sequence[str], i: int) -> bool:
    """Whether a word that announces a place ("gemeente", "werk in") ends right before `i`."""
    if i >= 1 and words[i - 1] in _PLACE_WORDS:
        return True
    return i >= 2 and (words[i - 2], words[i - 1]) in _STRONG_PAIRS


def _place_context(message: _Message, i: int, j: int, *, fuzzy: bool = False) -> bool:
    """Whether words[i:j] stands where a place is expected (see the module docstring).

    For an exact name that is also a word, a weak cue needs a capital too ("te halen" is a
    verb, "te Halen" a town). A typo needs more: without a word list an unknown word cannot be
    told from a misspelt place, so only a message about nothing but the place, or a strong cue,
    lets the fuzzy match run.
    """
    words = message.words
    if message.only_filler_outside(i, j):
        return True
    if _strong_cue(words, i) and not (
        words[i - 1] == "te" and not fuzzy and not message.capital_mid_sentence(i)
    ):
        # "opvang te Halen" is the town, but "het kind uit de opvang te halen" is the verb: a
        # name that is also a word needs its capital after "te", even after a strong pair.
        return True
    if fuzzy:
        return message.asks_vk_briefly()
    weak_cue = i >= 1 and words[i - 1] in _WEAK_CUES
    return weak_cue and message.capital_mid_sentence(i)
