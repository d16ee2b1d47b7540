"""Effective dates through the ledger and the read side, on both backends (issue 12 §3):
a jurisdiction adopted judges from its effective date, and a licence's issue date is a
fact of its own (an imported expiry is not an issue on the hire date)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.person import LicenseRecorded
from replay.asof import roster, status
from replay.trend import trend
from tests.factories import ACTOR, agency, officer
from tests.importing.helpers import people_file, person_row, run


def _packs(answer: dict[str, Any]) -> set[str]:
    """The packs of the windows under way on the answer's day (earlier windows that
    closed unmet under another jurisdiction are carried beside them)."""
    day = answer["as_of"]
    return {
        r["pack_id"]
        for r in answer["person"]["compliance"]["requirements"]
        if r["window_end"] is None or r["window_end"] >= day
    }


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


def test_windows_closed_before_an_adoption_stay_under_the_rules_followed_then(
    ledger: Ledger,
) -> None:
    """An agency registered under MN rules adopts OH rules on 2024-01-01. Asked on
    2024-06-01: OH's windows that closed before the adoption never bound the agency, so
    they are no findings (OH CPT 2022 and 2023, firearms requalification 2020-2023 are
    reported non_compliant today); and MN's windows whose deadlines passed unmet while
    the agency followed MN stay findings until cured (they vanish today). Reading: a
    change of jurisdiction is neither a cure nor a recorded lapse or separation
    (docs/rule-packs.md, missed windows), so nothing ends their carry. (Before the fix both
    halves failed: the day's jurisdiction judged every window it carried.)"""
    slug = agency(ledger, state="MN")
    officer(ledger, slug)  # hired 2020-01-06, no training recorded
    publish_shipped_packs(ledger, ACTOR)
    ledger.adopt_jurisdiction(slug, "US-OH", date(2024, 1, 1), actor=ACTOR)
    found = status(ledger, slug, "E1", date(2024, 6, 1))["person"]["compliance"]["requirements"]
    ohio_before = [
        (r["requirement_id"], r["window_end"])
        for r in found
        if r["pack_id"] == "us-oh-opotc-peace-officer"
        and r["window_end"]
        and r["window_end"] < "2024-01-01"
        and r["status"] != "not_applicable"
    ]
    assert ohio_before == []
    minnesota = {
        (r["requirement_id"], r["window_end"], r["status"])
        for r in found
        if r["pack_id"] == "us-mn-post-peace-officer"
    }
    assert ("use_of_force_annual", "2023-12-31", "non_compliant") in minnesota
    assert ("total_ce", "2023-06-30", "non_compliant") in minnesota
    # Nothing of MN's is under way: the agency no longer follows it.
    assert all(end < "2024-01-01" for _, end, _ in minnesota), minnesota
    # The roster judges alike.
    (row,) = roster(ledger, slug, date(2024, 6, 1))["people"]
    listed = row["compliance"]["requirements"]
    assert [_window(r) for r in listed] == [_window(r) for r in found]


def _window(result: dict[str, Any]) -> tuple[str, str, str | None, str]:
    return (result["pack_id"], result["requirement_id"], result["window_end"], result["status"])


def _judged(answer: dict[str, Any]) -> set[tuple[str, str, str | None, str]]:
    """(state, requirement, window end, status) of every window reported, but those that
    do not apply to the person (``not_applicable``)."""
    return {
        (r["pack_id"][3:5], r["requirement_id"], r["window_end"], r["status"])
        for r in answer["person"]["compliance"]["requirements"]
        if r["status"] != "not_applicable"
    }


def test_each_window_is_judged_under_the_rules_followed_when_it_closed_as_known_then(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Issue 12 §3a, on the ``known_at`` axis. An MN agency records on 2025-03-02 that it
    moved to Ohio's rules on 2024-01-01, and on 2025-03-03 that the move was in fact on
    2023-01-01 (effective dates decide, not recording order). The officer (hired
    2020-01-06) has no training recorded. Worked examples, /work/shared/rules/post-rules.md:

    - Minn. Stat. 626.8452 subd. 3, use of force "at least once per calendar year" (§2.3):
      each calendar year under MN rules is a window of its own, missed at its Dec 31;
    - Minn. R. 6700.1000 subp. 3, 48 h by June 30 of the licence period (§2.1);
    - OAC 109:2-18-02 and the OAG 2023 CPT FAQ, 24 h of CPT in calendar 2023, and R.C.
      109.801, annual firearms requalification (§4.1, §4.2).

    As known on 2025-03-02, asked for 2024-06-01: the MN windows that closed unmet before
    the move stay non_compliant after it (use of force 2023, the period to 2023-06-30), and
    Ohio judges no window that closed before the move (nothing of 2023). As known on
    2025-03-03, the same day: MN's use of force 2022 is still a finding, the MN windows that
    closed after 2023-01-01 are no longer judged by MN, and Ohio's 2023 CPT and
    requalification are non_compliant. The rule versions named are the same at both
    instants; only the days each binds differ, so the memo (keyed by the rules key, which
    names those days) must not serve the first answer for the second (before the fix of
    the rules key it did)."""
    slug = agency(ledger, state="MN")
    officer(ledger, slug)
    publish_shipped_packs(ledger, ACTOR)
    clock.set(datetime(2025, 3, 2, 12, tzinfo=UTC))
    ledger.adopt_jurisdiction(slug, "US-OH", date(2024, 1, 1), actor=ACTOR)
    first = clock()
    clock.set(datetime(2025, 3, 3, 12, tzinfo=UTC))
    ledger.adopt_jurisdiction(slug, "US-OH", date(2023, 1, 1), actor=ACTOR)
    second = clock()
    clock.set(datetime(2025, 3, 4, 12, tzinfo=UTC))
    day = date(2024, 6, 1)

    # Before the move as first recorded: MN alone, its 2023 use of force still under way.
    before = _judged(status(ledger, slug, "E1", date(2023, 12, 1), first))
    assert {state for state, *_ in before} == {"mn"}
    assert ("mn", "use_of_force_annual", "2023-12-31", "due_soon") in before

    moved = status(ledger, slug, "E1", day, first)
    found = _judged(moved)
    assert ("mn", "use_of_force_annual", "2023-12-31", "non_compliant") in found
    assert ("mn", "use_of_force_annual", "2022-12-31", "non_compliant") in found
    assert ("mn", "total_ce", "2023-06-30", "non_compliant") in found
    assert not [w for w in found if w[0] == "oh" and (w[2] or "9999") < "2024-01-01"], found
    assert ("oh", "cpt", "2024-12-31", "on_track") in found
    # Nothing of MN is under way after the move: its licence period to 2026-06-30 is
    # judged by no one (see docs/rule-packs.md, the uncertain reading).
    assert all(w[2] is not None and w[2] < "2024-01-01" for w in found if w[0] == "mn"), found

    corrected = status(ledger, slug, "E1", day, second)
    assert corrected["rule_versions_known"] == moved["rule_versions_known"]
    later = _judged(corrected)
    assert ("mn", "use_of_force_annual", "2022-12-31", "non_compliant") in later
    assert not [w for w in later if w[0] == "mn" and (w[2] or "9999") >= "2023-01-01"], later
    assert ("oh", "cpt", "2023-12-31", "non_compliant") in later
    assert ("oh", "firearms_requalification", "2023-12-31", "non_compliant") in later
    assert later != found

    # The memo holds both answers apart; computed afresh they are the same.
    for known_at, answer in ((first, moved), (second, corrected)):
        fresh = status(ledger, slug, "E1", day, known_at, memo=False)
        assert fresh == answer
        assert status(ledger, slug, "E1", day, known_at) == answer
        (row,) = roster(ledger, slug, day, known_at)["people"]
        listed = row["compliance"]["requirements"]
        assert [_window(r) for r in listed] == [
            _window(r) for r in answer["person"]["compliance"]["requirements"]
        ]
