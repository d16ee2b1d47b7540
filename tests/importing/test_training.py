"""Training import against a real store (SQLite file and PostgreSQL): every bad-row kind is
reported with row and column and nothing is appended; good files append once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from api.importing import ImportStatus, Severity
from api.importing.service import file_sha256
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.imports import list_imports
from ledger.person import TrainingCompleted
from tests.conftest import create_postgres_store, drop_postgres_store
from tests.factories import ACTOR, agency, officer
from tests.importing.helpers import (
    TRAINING,
    contents,
    csv_bytes,
    problems,
    run,
    training_file,
    training_row,
)


@pytest.fixture
def staffed(ledger: Ledger) -> Ledger:
    """An MN agency with officers E1 and E2."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    officer(ledger, slug, "E2")
    return ledger


def _events(ledger: Ledger) -> int:
    return ledger.store.count_events()


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (training_row(employee_id="NOPE"), "employee_id", "no person with employee id NOPE"),
        (training_row(completed_on="2025-03-02"), "completed_on", "in the future"),
        (training_row(completed_on="2/30/2024"), "completed_on", "not a real date"),
        (training_row(hours="0", topics=""), "hours", "more than 0"),
        (training_row(hours="-2", topics=""), "hours", "more than 0"),
        (training_row(hours="25", topics=""), "hours", "at most 24 per day"),
        (training_row(topics="basket_weaving=1"), "topics", "not in the agency's rule pack"),
        (training_row(topics="use_of_force=3;autism=2"), "topics", "more than the record's 4"),
        (training_row(course_title=""), "course_title", "course_title is required"),
        (training_row(delivery="carrier pigeon"), "delivery", "delivery must be one of"),
        (training_row(hours="4.125", topics=""), "hours", "two decimal places"),
        (training_row(hours="24", topics="", provider="x" * 300), "provider", "at most"),
    ],
)
def test_each_bad_row_kind_is_reported_and_nothing_appended(
    staffed: Ledger, row: list[str], column: str, reason: str
) -> None:
    """One bad row among good ones: reported at its row and column; the file appends nothing."""
    before = _events(staffed)
    good = training_row(course_title="Good one", completed_on="2024-01-10")
    data = training_file(good, row, training_row("E2"))
    report = run(staffed, "training", data)
    assert report.status is ImportStatus.INVALID
    assert problems(report) == [(3, column)]
    assert reason in report.errors[0].reason
    assert _events(staffed) == before
    assert list_imports(staffed, "test-pd") == []


def test_duplicate_rows_within_the_file(staffed: Ledger) -> None:
    """The same completion twice (even written differently), or a reused record_id, is an
    error on the later row that names the earlier one."""
    data = training_file(
        training_row(record_id="A-1"),
        training_row(completed_on="3/5/2024", course_title=" use of force  UPDATE", hours="4.0"),
        training_row("E2", course_title="Other", record_id="A-1"),
    )
    report = run(staffed, "training", data)
    assert problems(report) == [(3, "course_title"), (4, "record_id")]
    assert "row 2" in report.errors[0].reason
    assert "row 2" in report.errors[1].reason


def test_hours_per_day_add_up_across_rows(staffed: Ledger) -> None:
    """Two completions on one day for one person may not exceed 24 hours together."""
    data = training_file(
        training_row(course_title="A", hours="16", topics=""),
        training_row("E2", course_title="A", hours="16", topics=""),
        training_row(course_title="B", hours="10", topics=""),
    )
    report = run(staffed, "training", data)
    assert problems(report) == [(2, "hours"), (4, "hours")]
    assert "rows 2, 4" in report.errors[0].reason


def test_every_problem_is_reported_not_just_the_first(staffed: Ledger) -> None:
    """A row with several problems reports each of them, and other bad rows too."""
    data = training_file(
        training_row(completed_on="2030-01-01", hours="x", topics="nope"),
        training_row("GHOST"),
    )
    report = run(staffed, "training", data)
    assert problems(report) == [
        (2, "completed_on"),
        (2, "hours"),
        (2, "topics"),
        (3, "employee_id"),
    ]


def test_malformed_files_append_nothing(staffed: Ledger) -> None:
    """Not CSV/XLSX, a header without rows, or a missing required column: a file-level error."""
    before = _events(staffed)
    report = run(staffed, "training", b"\x00\x01\x02binary")
    assert report.status is ImportStatus.INVALID
    assert problems(report) == [(None, None)]
    assert "malformed file" in report.errors[0].reason
    assert problems(run(staffed, "training", csv_bytes(TRAINING))) == [(None, None)]
    missing = csv_bytes(["employee_id", "course_title", "hours"], ["E1", "x", "1"])
    assert problems(run(staffed, "training", missing)) == [(1, "completed_on")]
    assert _events(staffed) == before


def test_valid_file_appends_everything_in_one_go(staffed: Ledger) -> None:
    """All rows and one ImportCompleted are appended; the actor is the file's hash."""
    before = _events(staffed)
    data = training_file(
        training_row(record_id="LMS-1"),
        training_row("E2", completed_on="12/31/2024", topics="use_of_force", hours="2.5"),
    )
    report = run(staffed, "training", data)
    assert report.status is ImportStatus.IMPORTED, report.issues
    assert (report.records_appended, report.events_appended) == (2, 3)
    assert _events(staffed) == before + 3
    e2 = staffed.get_person("test-pd", "E2")
    event = staffed.stream(e2.id)[-1]
    assert isinstance(event, TrainingCompleted)
    assert event.actor == f"import:{file_sha256(data)}"
    assert event.effective_on == date(2024, 12, 31)
    assert event.topic_hours == {"use_of_force": Decimal("2.50")}
    [marker] = list_imports(staffed, "test-pd")
    assert (marker.file_sha256, marker.records, marker.kind) == (file_sha256(data), 2, "training")


def test_dry_run_appends_nothing_and_says_what_would_be(staffed: Ledger) -> None:
    """--dry-run validates everything and counts what a real run would append."""
    before = _events(staffed)
    report = run(staffed, "training", training_file(training_row()), dry_run=True)
    assert report.status is ImportStatus.VALID
    assert (report.records_appended, report.events_appended) == (1, 2)
    assert _events(staffed) == before


def test_reimport_of_the_same_file_appends_nothing(staffed: Ledger) -> None:
    """The same bytes again are recognised by their hash: nothing is appended."""
    data = training_file(training_row(), training_row("E2"))
    assert run(staffed, "training", data).status is ImportStatus.IMPORTED
    before = _events(staffed)
    again = run(staffed, "training", data)
    assert again.status is ImportStatus.ALREADY_IMPORTED
    assert "already imported" in again.notes[0]
    assert _events(staffed) == before


def test_overlapping_file_skips_rows_already_present(staffed: Ledger) -> None:
    """A later export that repeats old rows appends only the new ones and reports the rest,
    matching by source record_id or by (employee, date, course, hours)."""
    run(staffed, "training", training_file(training_row(record_id="R1"), training_row("E2")))
    staffed.record_training(
        "test-pd",
        "E1",
        completed_on=date(2024, 6, 1),
        course_title="Entered by hand",
        hours="2",
        actor=ACTOR,
    )
    before = _events(staffed)
    report = run(
        staffed,
        "training",
        training_file(
            training_row(record_id="R1", course_title="Renamed in the source"),
            training_row("E2", course_title="use of force update"),
            training_row(
                completed_on="6/1/2024", course_title="Entered by hand", hours="2", topics=""
            ),
            training_row(completed_on="2024-07-01", record_id="R2"),
        ),
    )
    assert report.status is ImportStatus.IMPORTED
    assert [(i.row, i.severity) for i in report.skipped] == [
        (2, Severity.SKIPPED),
        (3, Severity.SKIPPED),
        (4, Severity.SKIPPED),
    ]
    assert report.records_appended == 1
    assert _events(staffed) == before + 2
    # Every row already present: nothing at all is appended, not even a marker.
    nothing = run(staffed, "training", training_file(training_row("E2")))
    assert nothing.status is ImportStatus.NOTHING_NEW
    assert _events(staffed) == before + 2


def test_voided_record_is_not_resurrected_by_reimport(staffed: Ledger) -> None:
    """A record voided after import stays voided when an overlapping file is imported."""
    run(staffed, "training", training_file(training_row(record_id="R1")))
    person = staffed.get_person("test-pd", "E1")
    staffed.void_training("test-pd", "E1", person.records[0].record_id, reason="x", actor=ACTOR)
    report = run(
        staffed, "training", training_file(training_row(record_id="R1"), training_row("E2"))
    )
    assert "voided" in report.skipped[0].reason
    assert report.records_appended == 1


def test_csv_and_xlsx_give_identical_ledgers(
    database_url: str, backend: str, tmp_path: object, clock: object
) -> None:
    """The same rows from CSV and from XLSX produce the same events apart from the actor."""

    assert isinstance(clock, SettableClock)
    rows = [
        training_row(record_id="R1", hours="2.5", topics="use_of_force=1.5;autism=1"),
        training_row("E2", completed_on="7/4/2024", topics="autism", provider="Academy"),
        training_row(
            "E2",
            course_title="EVOC",
            hours="8",
            delivery="In Person",
            topics="emergency_vehicle_operations=8",
            post_course_number="EV-8",
        ),
    ]
    ledgers = []
    for index, file_format in enumerate(("csv", "xlsx")):
        url = database_url if backend == "postgres" else f"sqlite:///{tmp_path}/{index}.db"
        if backend == "postgres":
            url = create_postgres_store(f"f{index}_" + database_url.partition("?schema=")[2])
        ledger = Ledger(url, clock=clock)
        slug = agency(ledger)
        officer(ledger, slug, "E1")
        officer(ledger, slug, "E2")
        report = run(ledger, "training", training_file(*rows, file_format=file_format))
        assert report.status is ImportStatus.IMPORTED, report.issues
        assert report.file_format == file_format
        ledgers.append(ledger)
    try:
        assert contents(ledgers[0]) == contents(ledgers[1])
        assert contents(ledgers[0], ignore_file=False) != contents(ledgers[1], ignore_file=False)
    finally:
        for ledger in ledgers:
            ledger.close()
        if backend == "postgres":
            _drop_schemas(database_url, ["f0_", "f1_"])


def _drop_schemas(database_url: str, prefixes: list[str]) -> None:
    schema = database_url.partition("?schema=")[2]
    for prefix in prefixes:
        drop_postgres_store(prefix + schema)


def test_bom_semicolon_and_us_dates(staffed: Ledger) -> None:
    """Excel's CSV UTF-8 with semicolons, mixed-case headers and US dates imports cleanly."""
    header = ["Employee ID", "Completed On", "COURSE_TITLE", "Hours", "Topics"]
    text = ";".join(header) + "\r\n"
    text += 'E1;3/5/2024;Use of Force;4;"use_of_force=2;autism=2"\r\n'
    text += "E2;12/1/2024;Autism Awareness;2;autism=2\r\n"
    report = run(staffed, "training", b"\xef\xbb\xbf" + text.encode())
    assert report.status is ImportStatus.IMPORTED, report.issues
    assert report.file_format == "csv"
    completed = {
        r.completed_on for p in ("E1", "E2") for r in staffed.get_person("test-pd", p).records
    }
    assert completed == {date(2024, 3, 5), date(2024, 12, 1)}


def test_unknown_columns_are_warnings_and_misaligned_rows_errors(staffed: Ledger) -> None:
    """Extra named columns are reported but do not stop the import; a row with more values
    than the header (an unquoted ';' list) is an error, never silently shifted."""
    header = [*TRAINING, "Instructor"]
    ok = run(staffed, "training", csv_bytes(header, [*training_row(), "Smith"]))
    assert ok.status is ImportStatus.IMPORTED
    assert [(i.row, i.column, i.severity) for i in ok.issues] == [
        (1, "Instructor", Severity.WARNING)
    ]
    text = "employee_id;completed_on;course_title;hours;topics\n"
    text += "E2;2024-01-02;x;4;use_of_force=2;autism=2\n"
    bad = run(staffed, "training", text.encode())
    assert problems(bad) == [(2, "column 6")]


def test_imported_history_is_visible_to_status_and_roster(staffed: Ledger, clock: object) -> None:
    """Right after an import, as-of answers count the imported records, with the import's
    recorded time; asked as known before the import, they do not."""
    from api.rulebook import publish_shipped_packs
    from replay.asof import roster, status

    publish_shipped_packs(staffed, "system:test")
    # The set-up's units share one clock reading: they are a microsecond apart.
    before = staffed.store.last_recorded()
    assert before is not None
    clock.set(before + timedelta(minutes=1))
    report = run(
        staffed,
        "training",
        training_file(
            training_row(completed_on="2025-01-10", hours="4", topics="use_of_force=4"),
            training_row(
                employee_id="E2", completed_on="2025-02-03", hours="2", topics="use_of_force=2"
            ),
        ),
    )
    assert report.status is ImportStatus.IMPORTED, report.issues
    now = staffed.clock()
    answer = status(staffed, "test-pd", "E1", date(2025, 2, 28), now)
    counted = answer["person"]["counted_records"]
    assert [(r["effective_on"], r["hours"]) for r in counted] == [("2025-01-10", "4")]
    assert counted[0]["recorded_at"] == now.isoformat()
    uof = [
        r
        for r in answer["person"]["compliance"]["requirements"]
        if r["requirement_id"] == "use_of_force_annual"
    ]
    assert uof
    assert uof[-1]["status"] == "compliant"
    earlier = status(staffed, "test-pd", "E1", date(2025, 2, 28), before)
    assert earlier["person"]["counted_records"] == []
    everyone = roster(staffed, "test-pd", date(2025, 2, 28), now)
    assert {p["employee_id"] for p in everyone["people"]} == {"E1", "E2"}


def test_a_credential_expiry_is_imported_and_counts_for_an_at_all_times_rule(
    ledger: Ledger,
) -> None:
    """DPSST Maintenance page: First Aid and Adult/Child CPR current "at all times". The
    import records a card's expiry (column valid_until, or a header such as "Expiration
    Date"), so a card earned months ago shows the officer current on the day asked."""
    from projections.evaluate import evaluate
    from projections.history import history_from_events
    from tests.rules.helpers import versions

    slug = agency(ledger, "or-pd", "OR")
    officer(ledger, slug, "E1")
    ledger.record_certification(
        slug, "E1", effective_on=date(2020, 1, 6), certified_on=date(2020, 1, 6), actor=ACTOR
    )
    header = [*(c for c in TRAINING if c != "valid_until"), "Expiration Date"]
    row = ["E1", "2024-09-05", "First Aid and Adult/Child CPR", "4", "first_aid_cpr=4"]
    row += [""] * (len(header) - len(row) - 1) + ["9/30/2026"]
    report = run(ledger, "training", csv_bytes(header, row), agency=slug)
    assert report.status is ImportStatus.IMPORTED, report.issues
    assert report.issues == []
    person = ledger.get_person(slug, "E1")
    events = [e for e in ledger.stream(person.id) if isinstance(e, TrainingCompleted)]
    assert [e.valid_until for e in events] == [date(2026, 9, 30)]
    history = history_from_events(ledger.stream(person.id))
    status = evaluate(versions("OR"), history, date(2025, 3, 1))
    (cpr,) = [r for r in status.requirements if r.requirement_id == "first_aid_cpr"]
    assert (cpr.status, cpr.deadline) == ("compliant", date(2026, 9, 30))


@pytest.mark.parametrize(
    ("valid_until", "reason"),
    [
        ("2024-03-01", "cannot expire before it was earned"),
        ("31/12/2026", "not a real date"),
    ],
)
def test_a_bad_expiry_is_reported_at_its_column(
    staffed: Ledger, valid_until: str, reason: str
) -> None:
    report = run(staffed, "training", training_file(training_row(valid_until=valid_until)))
    assert report.status is ImportStatus.INVALID
    assert problems(report) == [(2, "valid_until")]
    assert reason in report.errors[0].reason


def test_an_expiry_added_on_reimport_is_a_warning_not_a_silent_skip(staffed: Ledger) -> None:
    """A file first imported without valid_until, then again with it: the row is already
    in the ledger (skipped), and a warning says its expiry was not applied."""
    first = run(staffed, "training", training_file(training_row()))
    assert first.status is ImportStatus.IMPORTED
    again = run(staffed, "training", training_file(training_row(valid_until="2026-03-31")))
    assert [(i.severity, i.column) for i in again.issues] == [
        (Severity.SKIPPED, "course_title"),
        (Severity.WARNING, "valid_until"),
    ]
    assert "not applied" in again.issues[1].reason
