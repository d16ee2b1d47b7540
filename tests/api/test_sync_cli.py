"""``muster import people FILE --sync`` through the real console script, on both backends:
an HR export's changed unit, separation and new hire become exactly those events, after a
dry-run diff that appends nothing; a second sync appends nothing; people missing from the
file are reported, and separated only with ``--separate-missing``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from tests.api.test_cli import run
from tests.importing.helpers import csv_bytes

AGENCY = "sync-pd"
HEADER = ["Employee ID", "First Name", "Last Name", "Kind", "Hire Date", "Unit", "Status"]
ROSTER = [
    ["E1", "Pat", "Lee", "sworn", "2019-01-07", "Patrol", "active"],
    ["E2", "Sam", "Ray", "sworn", "2019-01-07", "Patrol", "active"],
    ["E3", "Ann", "Kim", "sworn", "2019-01-07", "Patrol", "active"],
]
# E1 moved to Investigations; E2 separated (back-dated); E3 missing; E4 hired.
HR = [
    ["E4", "Lou", "Fox", "sworn", "2025-01-13", "Patrol", "active", ""],
    ["E2", "Sam", "Ray", "sworn", "2019-01-07", "Patrol", "separated", "2024-11-29"],
    ["E1", "Pat", "Lee", "sworn", "2019-01-07", "Investigations", "active", ""],
]


def _events(url: str) -> Counter[str]:
    ledger = Ledger(url)
    try:
        return Counter(
            type(ledger.mapper.to_domain_event(stored)).__name__
            for stored in ledger.store.iter_stored()
        )
    finally:
        ledger.close()


def _import(url: str, path: Path, *flags: str) -> dict[str, Any]:
    result = run(url, "import", "people", str(path), "--agency", AGENCY, *flags, "--json")
    return dict(json.loads(result.stdout))


@pytest.fixture
def url(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MUSTER_ACTOR", "hr.sync")
    run(database_url, "agency", "add", AGENCY, "--name", "Sync PD", "--state", "MN")
    roster = tmp_path / "roster.csv"
    roster.write_bytes(csv_bytes(HEADER, *ROSTER))
    assert _import(database_url, roster)["status"] == "imported"
    return database_url


def test_a_sync_records_exactly_the_differences(url: str, tmp_path: Path) -> None:
    hr = tmp_path / "hr.csv"
    hr.write_bytes(csv_bytes([*HEADER, "Separation Date"], *HR))
    before = _events(url)
    dry = _import(url, hr, "--sync", "--dry-run")
    assert _events(url) == before
    expected = [
        "row 2 E4: new hire, enrolled from 2025-01-13",
        "row 3 E2: status active -> separated from 2024-11-29",
        "row 4 E1: rank/unit/assignments -/Patrol/- -> -/Investigations/-",
    ]
    assert dry["changes"] == expected
    (missing,) = [i for i in dry["issues"] if "not in the file" in i["reason"]]
    assert missing["value"] == "E3"
    assert missing["severity"] == "warning"

    synced = _import(url, hr, "--sync")
    assert synced["status"] == "imported"
    assert synced["changes"] == expected
    appended = _events(url) - before
    assert appended == Counter(
        {"PersonEnrolled": 1, "StatusChanged": 1, "AssignmentChanged": 1, "ImportCompleted": 1}
    )
    ledger = Ledger(url)
    try:
        assert ledger.get_person(AGENCY, "E1").unit == "Investigations"
        assert ledger.get_person(AGENCY, "E2").status == "separated"
        assert ledger.get_person(AGENCY, "E3").status == "active"  # reported, not separated
        stream = ledger.stream(ledger.get_person(AGENCY, "E2").id)
        assert [e.effective_on for e in stream][-1].isoformat() == "2024-11-29"
    finally:
        ledger.close()

    # The same bytes again, and the same facts in another order: nothing appended.
    after = _events(url)
    assert _import(url, hr, "--sync")["status"] == "already_imported"
    reordered = tmp_path / "hr-reordered.csv"
    reordered.write_bytes(csv_bytes([*HEADER, "Separation Date"], *reversed(HR)))
    again = _import(url, reordered, "--sync")
    assert again["status"] == "nothing_new"
    assert again["changes"] == []
    assert _events(url) == after

    # Asked for: the person missing from the file is separated, once.
    separated = _import(url, reordered, "--sync", "--separate-missing")
    assert separated["changes"] == ["E3: not in the file, separated from " + _today(url)]
    assert _events(url) - after == Counter({"StatusChanged": 1, "ImportCompleted": 1})


def test_separate_missing_needs_sync(url: str, tmp_path: Path) -> None:
    hr = tmp_path / "hr.csv"
    hr.write_bytes(csv_bytes([*HEADER, "Separation Date"], *HR))
    before = _events(url)
    refused = run(
        url, "import", "people", str(hr), "--agency", AGENCY, "--separate-missing", ok=False
    )
    assert refused.returncode == 2
    assert "--separate-missing needs --sync" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _events(url) == before


def _today(url: str) -> str:
    ledger = Ledger(url)
    try:
        return ledger.clock().date().isoformat()
    finally:
        ledger.close()
