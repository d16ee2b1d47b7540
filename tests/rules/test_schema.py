"""Pack validation: a bad pack file is refused with the file and the field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.rules import RulePackError, load_pack, resolve_versions, shipped_packs
from projections.rules.loader import rule_version_from_content, version_content

GOOD = """
pack: test-pack
title: Test pack
jurisdiction: US-MN
credential: peace_officer_license
sources:
  s1: {title: A source}
topics:
  use_of_force: {title: Use of force}
populations:
  officers: {kinds: [sworn]}
calendars:
  calendar_year: {kind: fixed, epoch: 2000-01-01, length_years: 1, source: [s1]}
versions:
  - id: v1
    effective_from: 2020-01-01
    applicability: {mode: calendar_year}
    summary: test
    source: [s1]
    requirements:
      - {id: uof, kind: hours, title: UoF, window: calendar_year, population: [officers],
         min_hours: 1, topics: [use_of_force], source: [s1]}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(text)
    return path


def test_every_shipped_pack_loads_and_round_trips_through_plain_content() -> None:
    """Shipped packs validate, and each version survives the trip through stored JSON."""
    packs = shipped_packs()
    assert {p.state for p in packs} == {"MN", "IN", "OH", "OR", "CA", "TX"}
    for pack in packs:
        for version in resolve_versions(pack):
            assert rule_version_from_content(version_content(version)) == version


def test_a_good_minimal_pack_loads(tmp_path: Path) -> None:
    """The documented minimal pack is valid."""
    assert load_pack(_write(tmp_path, GOOD)).pack == "test-pack"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("min_hours: 1", "min_hours: -1", "versions[0].requirements[0].min_hours"),
        ("kind: hours", "kind: minutes", "versions[0].requirements[0]"),
        ("mode: calendar_year", "mode: sometimes", "versions[0].applicability.mode"),
        ("effective_from: 2020-01-01", "effective_from: soon", "versions[0].effective_from"),
        ("jurisdiction: US-MN", "jurisdiction: Minnesota", "jurisdiction"),
        ("summary: test", "summary: test\n    surprise: 1", "versions[0].surprise"),
    ],
)
def test_a_bad_field_is_named_with_the_file(tmp_path: Path, old: str, new: str, field: str) -> None:
    """Errors name the file and the offending field path."""
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RulePackError) as caught:
        load_pack(path)
    assert caught.value.file == str(path)
    assert caught.value.field.startswith(field)
    assert str(path) in str(caught.value)


REQ = "versions[0].requirements[0]"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "topics: [use_of_force], source: [s1]}",
            "topics: [use_of_force], source: [nowhere]}",
            f"{REQ}.source",
            "unknown source ids ['nowhere']",
        ),
        (
            "length_years: 1, source: [s1]}",
            "length_years: 1, source: [nowhere]}",
            "calendars.calendar_year.source",
            "unknown source ids ['nowhere']",
        ),
        (
            "topics: [use_of_force]",
            "topics: [juggling]",
            f"{REQ}.topics",
            "unknown topic ids ['juggling']",
        ),
        (
            "population: [officers]",
            "population: [cadets]",
            f"{REQ}.population",
            "unknown population 'cadets'",
        ),
        (
            "window: calendar_year,",
            "window: fortnight,",
            f"{REQ}.window",
            "unknown calendar 'fortnight'",
        ),
    ],
)
def test_dangling_references_are_refused(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    """Every number cites a declared source; topics, populations and calendars must exist."""
    with pytest.raises(RulePackError) as caught:
        load_pack(_write(tmp_path, GOOD.replace(old, new)))
    assert caught.value.field == field
    assert message in caught.value.message


def test_a_requirement_without_a_source_is_refused(tmp_path: Path) -> None:
    """Never a number without its citation: requirements must name at least one source."""
    with pytest.raises(RulePackError) as caught:
        load_pack(
            _write(
                tmp_path,
                GOOD.replace(
                    "topics: [use_of_force], source: [s1]}", "topics: [use_of_force], source: []}"
                ),
            )
        )
    assert caught.value.field == "versions[0].requirements[0].source"


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    """A YAML syntax error reports the file and the line."""
    with pytest.raises(RulePackError) as caught:
        load_pack(_write(tmp_path, GOOD.replace("summary: test", "summary: [unclosed")))
    assert caught.value.field.startswith("line ")


def test_pool_minimums_cannot_exceed_the_pool(tmp_path: Path) -> None:
    """Per-topic minimums above the pooled total are a contradiction in the pack."""
    start = GOOD.index("      - {id: uof")
    pool = GOOD[:start] + (
        "      - {id: pool, kind: pool, title: P, window: calendar_year,\n"
        "         population: [officers], min_total: 2, members: [use_of_force],\n"
        "         per_member_min: {use_of_force: {hours: 3}}, source: [s1]}\n"
    )
    with pytest.raises(RulePackError, match="exceed min_total"):
        load_pack(_write(tmp_path, pool))
