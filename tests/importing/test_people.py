"""People (roster) import against a real store: enrolment, licence and status facts, bad
rows reported with row and column, and re-imports that append nothing."""

from __future__ import annotations

from datetime import date

import pytest

from api.importing import ImportStatus, Severity
from ledger.application import Ledger
from ledger.person import (
    CertificationRecorded,
    LicenseRecorded,
    PersonEnrolled,
    StatusChanged,
)
from tests.factories import agency
from tests.importing.helpers import people_file, person_row, problems, run


@pytest.fixture
def empty(ledger: Ledger) -> Ledger:
    agency(ledger)
    return ledger


def test_roster_rows_become_enrolment_licence_and_status(empty: Ledger) -> None:
    """A sworn officer gets PersonEnrolled and LicenseRecorded (the sheet's period end, and
    no issue date: the sheet gives none, so none is recorded, effective from the hire); a
    separated civilian gets StatusChanged effective on the import day."""
    data = people_file(
        person_row("P1", assignments="SRO;k9", rank="Sergeant", unit="Patrol"),
        person_row("P2", kind="Civilian", license_number="", license_expires_on="",
                   status="separated", hired_on="6/1/2010"),
    )  # fmt: skip
    report = run(empty, "people", data)
    assert report.status is ImportStatus.IMPORTED, report.issues
    assert (report.people_appended, report.events_appended) == (2, 5)
    p1 = empty.stream(empty.get_person("test-pd", "P1").id)
    assert [type(e) for e in p1] == [PersonEnrolled, LicenseRecorded]
    assert isinstance(p1[0], PersonEnrolled)
    assert p1[0].assignments == ["k9", "school_resource_officer"]
    assert isinstance(p1[1], LicenseRecorded)
    # Issue 12 §3: the hire date used to be recorded as the issue date; it is not one.
    assert (p1[1].issued_on, p1[1].effective_on, p1[1].period_end) == (
        None,
        date(2019, 4, 1),
        date(2025, 6, 30),
    )
    p2 = empty.stream(empty.get_person("test-pd", "P2").id)
    assert isinstance(p2[-1], StatusChanged)
    assert (p2[-1].status, p2[-1].effective_on) == ("separated", date(2025, 3, 1))
    assert p2[0].effective_on == date(2010, 6, 1)


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (person_row(first_name=""), "first_name", "required"),
        (person_row(kind="deputy"), "kind", "sworn or civilian"),
        (person_row(hired_on="2025-04-01"), "hired_on", "in the future"),
        (person_row(hired_on="13/1/2020"), "hired_on", "not a real date"),
        (person_row(status="retired"), "status", "active, inactive or separated"),
        (person_row(license_expires_on=""), "license_expires_on", "period"),
        (person_row(license_number=""), "license_number", "needs the licence number"),
        (person_row(kind="civilian"), "license_number", "civilian staff"),
        (person_row(license_expires_on="2018-06-30"), "license_expires_on", "after the issue"),
        (person_row(certified_on="2026-01-01"), "certified_on", "in the future"),
        (person_row(assignments="k-9!"), "assignments", "lowercase"),
        (person_row("p0"), "employee_id", "already on row 2"),
    ],
)
def test_each_bad_person_row_is_reported_and_nothing_appended(
    empty: Ledger, row: list[str], column: str, reason: str
) -> None:
    """One bad row among good ones: reported at row 3 and its column; nothing is appended."""
    before = empty.store.count_events()
    report = run(empty, "people", people_file(person_row("P0"), row, person_row("P3")))
    assert report.status is ImportStatus.INVALID
    assert problems(report) == [(3, column)]
    assert reason in report.errors[0].reason
    assert empty.store.count_events() == before


def test_people_already_enrolled_are_skipped_and_differences_flagged(empty: Ledger) -> None:
    """An overlapping roster appends only new people; changed fields are a warning."""
    run(empty, "people", people_file(person_row("P1"), person_row("P2")))
    before = empty.store.count_events()
    report = run(
        empty,
        "people",
        people_file(person_row("p1"), person_row("P2", rank="Lt"), person_row("P3")),
    )
    assert report.status is ImportStatus.IMPORTED
    assert report.people_appended == 1
    assert [(i.row, i.severity) for i in report.issues] == [
        (2, Severity.SKIPPED),
        (3, Severity.SKIPPED),
        (3, Severity.WARNING),
    ]
    assert "rank" in report.issues[2].reason
    assert empty.store.count_events() == before + 3  # enrolment, licence, marker


def test_certified_on_is_recorded_as_a_certification(empty: Ledger) -> None:
    """A certification date becomes CertificationRecorded effective on that date."""
    report = run(empty, "people", people_file(person_row(certified_on="3/1/2019")))
    assert report.status is ImportStatus.IMPORTED
    events = empty.stream(empty.get_person("test-pd", "P1").id)
    assert isinstance(events[-1], CertificationRecorded)
    assert events[-1].certified_on == events[-1].effective_on == date(2019, 3, 1)


def test_an_unknown_assignment_is_a_warning_naming_the_known_ones(empty: Ledger) -> None:
    """Aliases (sro, Dispatcher) become the canonical ids the rule packs bind; a name the
    vocabulary does not know is imported as given, with a warning that lists the known
    assignments, so a requirement bound to an assignment cannot silently miss the person."""
    data = people_file(
        person_row("P1", assignments="SRO;k9"),
        person_row("P2", assignments="Dispatcher"),
    )
    report = run(empty, "people", data)
    assert report.status is ImportStatus.IMPORTED, report.issues
    warnings = [i for i in report.issues if i.severity is Severity.WARNING]
    assert [(w.row, w.column, w.value) for w in warnings] == [(2, "assignments", "k9")]
    assert "school_resource_officer" in warnings[0].reason
    assert "dispatch" in warnings[0].reason
    assert "sro" in warnings[0].reason  # aliases are named too
    assert empty.get_person("test-pd", "P1").assignments == ["k9", "school_resource_officer"]
    assert empty.get_person("test-pd", "P2").assignments == ["dispatch"]


def test_basic_training_completion_is_imported_and_the_ohio_exemption_applies(
    ledger: Ledger,
) -> None:
    """OAC 109:2-18-02(C): officers are exempt from CPT for the calendar year in which they
    completed basic training. The roster's basic_completed_on (also read as "Academy
    Graduation Date") is recorded as CertificationRecorded.basic_completed_on, so the
    exemption applies to an imported officer (issue 12 §4: once recordable, it must apply)."""
    from projections.evaluate import evaluate
    from projections.history import history_from_events
    from tests.importing.helpers import PEOPLE, csv_bytes
    from tests.rules.helpers import versions

    slug = agency(ledger, "oh-pd", "OH")
    header = [*(c for c in PEOPLE if c != "basic_completed_on"), "Academy Graduation Date"]
    row = person_row("R1", hired_on="2024-01-08", license_number="", license_expires_on="")
    row = [v for c, v in zip(PEOPLE, row, strict=True) if c != "basic_completed_on"]
    report = run(ledger, "people", csv_bytes(header, [*row, "2024-06-28"]), agency=slug)
    assert report.status is ImportStatus.IMPORTED, report.issues
    person = ledger.get_person(slug, "R1")
    events = [e for e in ledger.stream(person.id) if isinstance(e, CertificationRecorded)]
    assert [e.basic_completed_on for e in events] == [date(2024, 6, 28)]
    history = history_from_events(ledger.stream(person.id))
    status = evaluate(versions("OH"), history, date(2024, 10, 1))
    (cpt,) = [r for r in status.requirements if r.requirement_id == "cpt"]
    assert cpt.status == "not_applicable"
    assert "basic training completed in this window (2024-06-28)" in cpt.reasons[0]
