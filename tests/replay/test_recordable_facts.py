"""Issue 14 acceptance: a rule that depends on each newly recordable fact applies once the
fact is recorded, through the ledger's use cases or an import and the read side, on both
backends. Each test quotes the rule text it relies on (``/work/shared/rules/``).

Facts whose rules no shipped pack encodes are said so here rather than invented: an
expected return from leave changes no deadline in any pack (it is kept for people, not
evaluated), and a waiver or an extension under a pack without the matching tolling rule
changes nothing (tested below as the honest negative)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from api.importing import ImportReport, run_import
from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.asof import status
from tests.factories import ACTOR
from tests.importing.helpers import csv_bytes, run

SLUG = "facts-pd"


def _setup(ledger: Ledger, state: str, hired_on: date, *, licence_end: date | None) -> None:
    ledger.register_agency(SLUG, "Facts PD", state, actor=ACTOR)
    publish_shipped_packs(ledger, ACTOR)
    ledger.enrol_person(
        SLUG,
        "E1",
        first_name="Pat",
        last_name="Lee",
        kind="sworn",
        hired_on=hired_on,
        rank="Officer",
        unit_name="Patrol",
        assignments=["patrol"],
        actor=ACTOR,
    )
    if licence_end is not None:
        ledger.record_license(
            SLUG,
            "E1",
            license_number="L-1",
            issued_on=hired_on,
            period_end=licence_end,
            actor=ACTOR,
        )


def _later(clock: SettableClock) -> None:
    """The next write is recorded a minute later, so each answer below is asked after it."""
    clock.set(clock.now + timedelta(minutes=1))


def _results(answer: dict[str, Any], requirement_id: str) -> list[dict[str, Any]]:
    found = answer["person"]["compliance"]["requirements"]
    return [r for r in found if r["requirement_id"] == requirement_id]


def _all(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return list(answer["person"]["compliance"]["requirements"])


def _sync(ledger: Ledger, data: bytes) -> ImportReport:
    return run_import(ledger, "people", SLUG, data, file_name="hr.csv", sync=True)


def _window(answer: dict[str, Any], requirement_id: str, window_end: str) -> dict[str, Any]:
    (result,) = [r for r in _results(answer, requirement_id) if r["window_end"] == window_end]
    return result


def test_ohio_year_of_basic_is_exempt_once_the_basic_completion_date_is_recorded(
    ledger: Ledger, clock: SettableClock
) -> None:
    """post-rules.md, Ohio: "newly certified peace officers are exempt for the calendar year
    in which they completed basic training (109:2-18-02(C))"."""
    _setup(ledger, "OH", date(2023, 3, 6), licence_end=None)
    before = _window(status(ledger, SLUG, "E1", date(2024, 2, 15)), "cpt", "2023-12-31")
    assert before["status"] == "non_compliant"
    assert any("basic-training completion date is not recorded" in r for r in before["reasons"])
    _later(clock)
    ledger.record_certification(
        SLUG,
        "E1",
        effective_on=date(2023, 2, 24),
        basic_completed_on=date(2023, 2, 24),
        actor=ACTOR,
    )
    during = _window(status(ledger, SLUG, "E1", date(2023, 10, 2)), "cpt", "2023-12-31")
    assert during["status"] == "not_applicable"
    assert during["reasons"][0] == "exempt: basic training completed in this window (2023-02-24)"
    # The missed 2023 window was a carried finding; exempt, it is no finding at all.
    later = _results(status(ledger, SLUG, "E1", date(2024, 2, 15)), "cpt")
    assert [r["window_end"] for r in later] == ["2024-12-31"]


def test_oregon_first_aid_cpr_is_current_by_the_imported_expiry(
    ledger: Ledger, clock: SettableClock
) -> None:
    """post-rules.md, Oregon: "First Aid & Adult/Child CPR current **at all times**". A card
    earned six months before, imported with its expiry under another system's header
    ("Expiration Date"), is current; the same card without one is not counted as current."""
    _setup(ledger, "OR", date(2016, 2, 1), licence_end=None)
    ledger.record_certification(
        SLUG, "E1", effective_on=date(2016, 2, 1), certified_on=date(2016, 2, 1), actor=ACTOR
    )
    header = ["Employee ID", "Date", "Course", "Hours", "Topics", "Tags", "Expiration Date"]
    card = ["E1", "2024-09-02", "CPR card", "4", "first_aid_cpr=4", "first_aid_cpr"]
    _later(clock)
    undated = run(ledger, "training", csv_bytes(header, [*card, ""]), agency=SLUG)
    assert undated.ok, undated.issues
    without = _results(status(ledger, SLUG, "E1", date(2025, 3, 1)), "first_aid_cpr")[-1]
    assert without["status"] != "compliant"
    _later(clock)
    dated = ["E1", "2024-09-03", "CPR card (reissued)", "4", "first_aid_cpr=4", "first_aid_cpr"]
    report = run(ledger, "training", csv_bytes(header, [*dated, "2026-09-30"]), agency=SLUG)
    assert report.ok, report.issues
    current = _results(status(ledger, SLUG, "E1", date(2025, 3, 1)), "first_aid_cpr")[-1]
    assert current["status"] in ("compliant", "on_track")
    assert current["deadline"] == "2026-09-30"


def test_oregon_supervisors_owe_leadership_hours_once_the_certificate_is_recorded(
    ledger: Ledger, clock: SettableClock
) -> None:
    """post-rules.md, Oregon: "supervisory level or above: **24 of the 84** in
    leadership/professional training" (the pack's population: certificates_any
    supervisory...). Recorded from a people file's "Certifications" column."""
    _setup(ledger, "OR", date(2016, 2, 1), licence_end=None)
    ledger.record_certification(
        SLUG, "E1", effective_on=date(2016, 2, 1), certified_on=date(2016, 2, 1), actor=ACTOR
    )
    header = ["Employee ID", "First Name", "Last Name", "Kind", "Hire Date", "Certifications"]
    row = ["E1", "Pat", "Lee", "sworn", "2016-02-01"]
    before = _results(status(ledger, SLUG, "E1", date(2025, 3, 1)), "supervisor_leadership")
    assert {r["status"] for r in before} == {"not_applicable"}
    _later(clock)
    report = _sync(ledger, csv_bytes(header, [*row, "supervisory"]))
    assert report.ok, report.issues
    assert report.changes == ["row 2 E1: certification facts restated: certificates"]
    after = _results(status(ledger, SLUG, "E1", date(2025, 3, 1)), "supervisor_leadership")
    assert after[-1]["status"] != "not_applicable"
    assert after[-1]["required"] == "24"


def test_a_california_level_iii_reserve_is_excluded_once_the_basis_is_recorded(
    ledger: Ledger, clock: SettableClock
) -> None:
    """post-rules.md, California: "every peace officer (other than Level III reserves) ...
    must complete 24 or more hours of POST-qualifying training every two-year CPT cycle"."""
    _setup(ledger, "CA", date(2018, 1, 8), licence_end=None)
    before = _results(status(ledger, SLUG, "E1", date(2025, 3, 1)), "racial_profiling_refresher")
    assert before[-1]["status"] != "not_applicable"
    _later(clock)
    ledger.record_certification(
        SLUG, "E1", effective_on=date(2018, 1, 8), employment="reserve_level_iii", actor=ACTOR
    )
    after = _results(status(ledger, SLUG, "E1", date(2025, 3, 1)), "racial_profiling_refresher")
    assert after[-1]["status"] == "not_applicable"
    assert "does not bind this person" in after[-1]["reasons"][0]


def test_a_back_dated_separation_from_an_hr_file_ends_the_obligation(
    ledger: Ledger, clock: SettableClock
) -> None:
    """post-rules.md, Ohio: "Not appointed during a year → not required for that year
    (109:2-18-02(D), newest version)". The HR export says the officer separated on
    2024-12-20; the sync records it from that day, and 2025 is no longer owed."""
    _setup(ledger, "OH", date(2019, 1, 7), licence_end=None)
    before = status(ledger, SLUG, "E1", date(2025, 3, 1))
    assert before["person"]["compliance"]["status"] != "inactive"
    _later(clock)
    header = ["Employee ID", "First Name", "Last Name", "Kind", "Hire Date", "Status"]
    row = ["E1", "Pat", "Lee", "sworn", "2019-01-07", "separated", "2024-12-20"]
    report = _sync(ledger, csv_bytes([*header, "Separation Date"], row))
    assert report.ok, report.issues
    assert report.changes == ["row 2 E1: status active -> separated from 2024-12-20"]
    after = status(ledger, SLUG, "E1", date(2025, 3, 1))
    assert after["person"]["compliance"]["status"] == "inactive"
    owed = [r for r in _results(after, "cpt") if r["window_end"] == "2025-12-31"]
    assert all(r["status"] in ("inactive", "not_applicable") for r in owed)
    # The answer as the records stood before the sync is unchanged.
    known_before = datetime.fromisoformat(before["known_at"])
    assert status(ledger, SLUG, "E1", date(2025, 3, 1), known_before) == before


def test_an_ohio_extension_moves_the_deadline(ledger: Ledger, clock: SettableClock) -> None:
    """post-rules.md, Ohio: "**Extensions:** the appointing authority may request an
    extension for emergency circumstances, per officer, with documentation, no later than
    December 15 of the year (R.C. 109.803(A)(2); 109:2-18-02(F))"."""
    _setup(ledger, "OH", date(2019, 1, 7), licence_end=None)
    plain = _window(status(ledger, SLUG, "E1", date(2025, 2, 1)), "cpt", "2024-12-31")
    assert plain["status"] == "non_compliant"
    _later(clock)
    ledger.grant_extension(
        SLUG,
        "E1",
        granted_on=date(2024, 12, 10),
        new_deadline=date(2025, 3, 31),
        reason="deployment",
        approver="OPOTC",
        actor=ACTOR,
    )
    extended = _window(status(ledger, SLUG, "E1", date(2025, 2, 1)), "cpt", "2024-12-31")
    assert extended["deadline"] == "2025-03-31"
    assert extended["status"] in ("due_soon", "on_track")
    assert any("extension 2024-12-10–2025-03-31 extends" in r for r in extended["reasons"])


def test_an_indiana_waiver_waives_the_year(ledger: Ledger, clock: SettableClock) -> None:
    """post-rules-in-oh-ca-tx-update.md, Indiana (250 IAC 2-7-4): "if the failure was due to
    an emergency or unavailability of courses, the board may **waive** the requirement for
    that year"."""
    _setup(ledger, "IN", date(2019, 1, 7), licence_end=None)
    plain = _window(status(ledger, SLUG, "E1", date(2025, 2, 1)), "in_service_total", "2024-12-31")
    assert plain["status"] == "non_compliant"
    _later(clock)
    ledger.grant_waiver(
        SLUG,
        "E1",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 12, 31),
        reason="courses unavailable",
        approver="LETB",
        actor=ACTOR,
    )
    during = _window(
        status(ledger, SLUG, "E1", date(2024, 11, 1)), "in_service_total", "2024-12-31"
    )
    assert during["status"] == "not_applicable"
    assert any("waiver 2024-01-01–2024-12-31 waives" in r for r in during["reasons"])
    # The missed 2024 year was a carried finding; waived, it is none (2023 still is).
    later = _results(status(ledger, SLUG, "E1", date(2025, 2, 1)), "in_service_total")
    assert "2024-12-31" not in [r["window_end"] for r in later]
    assert (
        _window(status(ledger, SLUG, "E1", date(2025, 2, 1)), "in_service_total", "2023-12-31")[
            "status"
        ]
        == "non_compliant"
    )


@pytest.mark.parametrize("state", ["MN", "OH"])
def test_a_waiver_under_a_pack_without_one_changes_nothing_and_says_so(
    ledger: Ledger, clock: SettableClock, state: str
) -> None:
    """No shipped MN or OH rule grants a waiver (only IN's 250 IAC 2-7-4 does): recording
    one must not invent relief; the answer names it and says the version grants none."""
    _setup(ledger, state, date(2019, 1, 7), licence_end=date(2027, 6, 30))
    before = status(ledger, SLUG, "E1", date(2025, 2, 1))
    _later(clock)
    ledger.grant_waiver(
        SLUG,
        "E1",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 12, 31),
        reason="asked",
        approver="chief",
        actor=ACTOR,
    )
    after = status(ledger, SLUG, "E1", date(2025, 2, 1))
    statuses = [(r["requirement_id"], r["window_end"], r["status"]) for r in _all(after)]
    assert statuses == [(r["requirement_id"], r["window_end"], r["status"]) for r in _all(before)]
    assert any(
        "waiver 2024-01-01–2024-12-31 recorded; this rule version grants no waiver" in reason
        for r in _all(after)
        for reason in r["reasons"]
    )
