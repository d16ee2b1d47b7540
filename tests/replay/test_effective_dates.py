"""Effective dates through the ledger and the read side, on both backends (issue 12 §3):
a jurisdiction adopted judges from its effective date, and a licence's issue date is a
fact of its own (an imported expiry is not an issue on the hire date)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import orjson
import pytest

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.person import LicenseRecorded
from replay.asof import roster, status
from replay.trend import trend
from tests.factories import ACTOR, agency, officer
from tests.importing.helpers import people_file, person_row, run


def _packs(answer: dict[str, Any]) -> set[str]:
    return {r["pack_id"] for r in answer["person"]["compliance"]["requirements"]}


def test_a_jurisdiction_adopted_judges_only_from_its_effective_date(ledger: Ledger) -> None:
    """An agency registered under MN rules that adopted OH rules on 2024-01-01 is judged
    under MN rules before that day and under OH rules from it, in status, roster and
    trend alike (the read side used to keep only the latest jurisdiction)."""
    slug = agency(ledger, state="MN")
    officer(ledger, slug)
    publish_shipped_packs(ledger, ACTOR)
    ledger.adopt_jurisdiction(slug, "US-OH", date(2024, 1, 1), actor=ACTOR)

    before = status(ledger, slug, "E1", date(2023, 12, 31))
    after = status(ledger, slug, "E1", date(2024, 1, 1))
    assert _packs(before) == {"us-mn-post-peace-officer"}
    assert before["agency"]["jurisdiction"] == "US-MN"
    assert all(v.startswith("us-mn-") for v in before["rule_versions_known"])
    assert _packs(after) == {"us-oh-opotc-peace-officer"}
    assert after["agency"]["jurisdiction"] == "US-OH"

    early = orjson.loads(roster(ledger, slug, date(2023, 6, 1)).to_json())
    assert all(v.startswith("us-mn-") for v in early["rule_versions_known"])
    chart = trend(ledger, slug, date(2023, 6, 1), date(2024, 6, 1), "year")
    assert [sum(p["counts"].values()) for p in chart["points"]] == [1, 1]


def test_an_adoption_recorded_later_with_an_earlier_date_still_takes_effect_then(
    ledger: Ledger,
) -> None:
    """Effective dates, not recording order, decide: OH from 2022, then back to MN from
    2024 (recorded in that order)."""
    slug = agency(ledger, state="MN")
    officer(ledger, slug)
    publish_shipped_packs(ledger, ACTOR)
    ledger.adopt_jurisdiction(slug, "US-MN", date(2024, 1, 1), actor=ACTOR)
    ledger.adopt_jurisdiction(slug, "US-OH", date(2022, 1, 1), actor=ACTOR)
    assert _packs(status(ledger, slug, "E1", date(2021, 6, 1))) == {"us-mn-post-peace-officer"}
    assert _packs(status(ledger, slug, "E1", date(2023, 6, 1))) == {"us-oh-opotc-peace-officer"}
    assert _packs(status(ledger, slug, "E1", date(2024, 6, 1))) == {"us-mn-post-peace-officer"}


def _total_ce(answer: dict[str, Any]) -> list[dict[str, Any]]:
    found = answer["person"]["compliance"]["requirements"]
    return [r for r in found if r["requirement_id"] == "total_ce"]


def test_an_imported_licence_expiry_is_not_an_issue_on_the_hire_date(ledger: Ledger) -> None:
    """Minn. R. 6700.1000: three-year periods to June 30. An officer hired 2012-03-01 whose
    roster row gives only 'licence ends 2027-06-30' gets whole derived periods (the one in
    progress at hire said to be derived), not a stub 2012-03-01..2012-06-30 owing 48 h; a
    row with license_issued_on gets its first period from that date."""
    agency(ledger, state="MN")
    publish_shipped_packs(ledger, ACTOR)
    report = run(
        ledger,
        "people",
        people_file(
            person_row("P1", hired_on="2012-03-01", license_expires_on="2027-06-30"),
            person_row(
                "P2",
                hired_on="2012-03-01",
                license_expires_on="2027-06-30",
                license_issued_on="2011-09-01",
            ),
        ),
    )
    assert not [i for i in report.issues if i.severity.value == "error"], report.issues
    stream = ledger.stream(ledger.get_person("test-pd", "P1").id)
    (licence,) = [e for e in stream if isinstance(e, LicenseRecorded)]
    assert (licence.issued_on, licence.effective_on) == (None, date(2012, 3, 1))

    derived = _total_ce(status(ledger, "test-pd", "P1", date(2012, 4, 2)))
    assert [(r["window_start"], r["window_end"]) for r in derived] == [("2009-07-01", "2012-06-30")]
    assert any("licence issue date not recorded" in r for r in derived[0]["reasons"])
    issued = _total_ce(status(ledger, "test-pd", "P2", date(2012, 4, 2)))
    assert [(r["window_start"], r["window_end"]) for r in issued] == [("2011-09-01", "2012-06-30")]


def test_a_version_1_licence_recorded_by_an_import_reads_without_an_issue_date(
    ledger: Ledger,
) -> None:
    """LicenseRecorded v1 always carried a date; roster imports put the hire date there as
    a stand-in, so such an event reads as 'issue date not given'; one recorded by a user
    keeps its date."""
    agency(ledger)
    officer(ledger, "test-pd")
    stream = ledger.stream(ledger.get_person("test-pd", "E1").id)
    (event,) = [e for e in stream if isinstance(e, LicenseRecorded)]
    stored = ledger.mapper.to_stored_event(event)
    state = orjson.loads(stored.state)
    assert state.pop("class_version") == 2
    for actor, expected in (("import:abc", None), ("user:test", date(2020, 1, 6))):
        old = {**state, "issued_on": state["effective_on"], "actor": actor}
        v1 = replace(stored, state=orjson.dumps(old, option=orjson.OPT_SORT_KEYS))
        read = ledger.mapper.to_domain_event(v1)
        assert isinstance(read, LicenseRecorded)
        assert read.issued_on == expected


@pytest.mark.parametrize("column", ["license_issued_on", "Licensed On"])
def test_license_issued_on_is_an_import_column(ledger: Ledger, column: str) -> None:
    """docs/import.md: license_issued_on (alias licensed_on) is recorded as the issue date."""
    from tests.importing.helpers import csv_bytes

    agency(ledger)
    header = ["employee_id", "first_name", "last_name", "kind", "hired_on"]
    header += ["license_number", "license_expires_on", column]
    row = ["P9", "Pat", "Lateral", "sworn", "2024-01-15", "77", "2026-06-30", "2015-06-01"]
    report = run(ledger, "people", csv_bytes(header, row))
    assert not [i for i in report.issues if i.severity.value == "error"], report.issues
    stream = ledger.stream(ledger.get_person("test-pd", "P9").id)
    (licence,) = [e for e in stream if isinstance(e, LicenseRecorded)]
    assert (licence.issued_on, licence.effective_on) == (date(2015, 6, 1), date(2015, 6, 1))
