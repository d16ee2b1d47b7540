"""Issue 14 §3: what a coordinator reads at 80 columns, kept as files.

A seeded demo agency (its history and recorded times fixed by the seed and ``--until``),
asked with a fixed ``--as-of`` and ``--known-at``, through the real console script at
``COLUMNS=80``; each output is compared with ``tests/api/snapshots/NAME.txt``, the same
file on SQLite and on PostgreSQL. ``MUSTER_UPDATE_SNAPSHOTS=1`` writes the files afresh
(then read them: they are what a person sees).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.test_cli import run
from tests.conftest import create_postgres_store, drop_postgres_store

SNAPSHOTS = Path(__file__).with_name("snapshots")
UPDATE = os.environ.get("MUSTER_UPDATE_SNAPSHOTS", "").strip().lower() in {"1", "true", "yes"}
UNTIL, AS_OF, KNOWN_AT = "2025-06-30", "2025-06-30", "2025-07-01"
WIDTH = {"COLUMNS": "80"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One seeded demo store per backend for the whole module (read-only afterwards)."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_ready")
        schema = f"t_{uuid.uuid4().hex[:16]}"
        url = create_postgres_store(schema)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('snapshots')}/muster.db"
    run(url, "demo", "--officers", "12", "--years", "4", "--seed", "11", "--until", UNTIL)
    yield url
    if request.param == "postgres":
        drop_postgres_store(schema)


def _matches(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with MUSTER_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), f"{name}: output differs from {path}"
    widest = max(len(line) for line in text.splitlines())
    assert widest <= 80, f"{name}: a line of {widest} characters"
    assert "…" not in text, f"{name}: a value cut short"


def _axes() -> list[str]:
    return ["--agency", "demo-pd", "--as-of", AS_OF, "--known-at", KNOWN_AT]


def _someone(url: str, status: str) -> str:
    """The first person (by employee id) whose status on the day is ``status``."""
    roster = json.loads(run(url, "roster", *_axes(), "--format", "json", "--all").stdout)
    found = [p["employee_id"] for p in roster["people"] if p["compliance"]["status"] == status]
    assert found, f"the seeded demo has no one {status} on {AS_OF}: choose another seed"
    return str(found[0])


def test_status_reads_at_80_columns(demo_url: str) -> None:
    """Titles, full status words, window and which one, counted of required with the unit,
    remaining, deadline and reasons; nothing truncated (no line over 80, no ellipsis)."""
    employee = _someone(demo_url, "non_compliant")
    out = run(demo_url, "status", employee, *_axes(), env=WIDTH).stdout
    assert "non-compliant" in out
    assert "non_compli" not in out  # the code is not what a person reads
    assert "remaining" in out
    assert "window" in out
    _matches("status", out)


def test_roster_of_the_overdue_says_what_each_needs(demo_url: str) -> None:
    """``--status non_compliant``: each overdue person, and under them each unmet
    requirement with what remains and its deadline; separated people are left out."""
    out = run(demo_url, "roster", *_axes(), "--status", "non_compliant", env=WIDTH).stdout
    every = json.loads(
        run(demo_url, "roster", *_axes(), "--status", "non_compliant", "--format", "json").stdout
    )
    assert every["people"], "the seeded demo has someone overdue"
    for person in every["people"]:
        assert person["employee_id"] in out
        assert person["person_status"] != "separated"
    assert "remaining" in out
    assert "deadline" in out
    assert "separated people are left out (--all lists them)" in out
    _matches("roster_non_compliant", out)


def test_roster_leaves_separated_people_out_unless_all(demo_url: str) -> None:
    """The seeded agency has separated people: listed with ``--all`` only."""
    kept = json.loads(run(demo_url, "roster", *_axes(), "--format", "json").stdout)
    everyone = json.loads(run(demo_url, "roster", *_axes(), "--format", "json", "--all").stdout)
    separated = [p for p in everyone["people"] if p["person_status"] == "separated"]
    assert separated, "the seeded demo has someone separated: choose another seed"
    assert not [p for p in kept["people"] if p["person_status"] == "separated"]
    assert len(kept["people"]) == len(everyone["people"]) - len(separated)
    named = json.loads(
        run(demo_url, "roster", *_axes(), "--format", "json", "--person-status", "separated").stdout
    )
    assert {p["employee_id"] for p in named["people"]} == {p["employee_id"] for p in separated}


def test_trend_reads_at_80_columns(demo_url: str) -> None:
    out = run(
        demo_url,
        "trend",
        "--agency",
        "demo-pd",
        "--from",
        "2022-06-30",
        "--to",
        AS_OF,
        "--every",
        "year",
        "--known-at",
        KNOWN_AT,
        env=WIDTH,
    ).stdout
    assert "compliant" in out
    _matches("trend", out)


def test_rules_show_reads_at_80_columns(tmp_path: Path) -> None:
    """What is in force on the day by default, the other versions named, not shown."""
    url = f"sqlite:///{tmp_path}/unused.db"
    out = run(url, "rules", "show", "MN", "--as-of", AS_OF, env=WIDTH).stdout
    history = run(url, "rules", "show", "MN", "--history", env=WIDTH).stdout
    assert "in force on 2025-06-30: mn-2023-07-bias, mn-2024-07" in out
    assert "mn-2018-07: effective" not in out
    assert "mn-2018-07: effective" in history
    assert "--history shows every version" in out
    assert not (tmp_path / "unused.db").exists()
    _matches("rules_show_mn", out)
