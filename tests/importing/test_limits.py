"""Imports that cannot lose rows or explode (issue 13 §3): a workbook's stored size is never
trusted, and a file beyond a size limit is refused in one line, quickly, appending nothing."""

from __future__ import annotations

import time

import pytest

from api.importing import (
    ImportLimits,
    ImportReport,
    ImportStatus,
    LimitExceededError,
    read_sheet,
)
from api.importing.service import run_import
from api.importing.writing import write_xlsx
from ledger.application import Ledger
from ledger.person import TrainingCompleted
from tests.factories import agency, officer
from tests.importing.helpers import (
    TRAINING,
    csv_bytes,
    people_file,
    person_row,
    training_file,
    training_row,
)
from tests.importing.xlsx_tampering import rewrite_sheet, sheet_xml, with_dimension


@pytest.fixture
def staffed(ledger: Ledger) -> Ledger:
    slug = agency(ledger)
    for employee in ("E1", "E2", "E3", "E4", "E5"):
        officer(ledger, slug, employee)
    return ledger


def _five_rows() -> list[list[str]]:
    return [
        training_row(f"E{n}", record_id=f"LMS-{n}", provider="Regional Academy")
        for n in range(1, 6)
    ]


def _import(ledger: Ledger, data: bytes, limits: ImportLimits | None = None) -> ImportReport:
    return run_import(ledger, "training", "test-pd", data, file_name="history.xlsx", limits=limits)


def test_understated_dimension_still_reads_every_row_and_column(staffed: Ledger) -> None:
    """A workbook whose stored <dimension> claims A1:D2 holds 5 rows of 10 columns: all 5
    rows are imported with every column (today's reader imported 1 row without topics,
    provider or record_id, and reported success)."""
    data = with_dimension(write_xlsx(TRAINING, _five_rows()), "A1:D2")
    assert '<dimension ref="A1:D2"/>' in sheet_xml(data)
    report = run_import(staffed, "training", "test-pd", data, file_name="history.xlsx")
    assert report.status is ImportStatus.IMPORTED, report.issues
    assert (report.rows_read, report.records_appended) == (5, 5)
    events = [
        staffed.mapper.to_domain_event(stored)
        for stored in staffed.store.iter_stored()
        if b"TrainingCompleted" in stored.topic.encode()
    ]
    completed = [e for e in events if isinstance(e, TrainingCompleted)]
    assert sorted(e.source_record_id for e in completed) == [f"LMS-{n}" for n in range(1, 6)]
    assert {e.provider for e in completed} == {"Regional Academy"}
    assert all(e.topic_hours for e in completed)


@pytest.mark.parametrize(
    "reference",
    ["A1:XFD5", "A1:J1048576", "A1:XFD1048576"],
)
def test_declared_huge_range_is_refused_at_once(staffed: Ledger, reference: str) -> None:
    """A 5 KB workbook declaring a range of a million cells or more is refused in well
    under a second (today it was padded to the range: 27 s and 2.9 GB), appending nothing."""
    data = with_dimension(write_xlsx(TRAINING, _five_rows()), reference)
    assert len(data) < 8_000
    before = staffed.store.count_events()
    began = time.perf_counter()
    report = run_import(staffed, "training", "test-pd", data, file_name="history.xlsx")
    assert time.perf_counter() - began < 0.5
    assert report.status is ImportStatus.INVALID
    [issue] = report.errors
    assert issue.row is None
    assert f"declares the range {reference}" in issue.reason
    assert "\n" not in issue.reason
    assert staffed.store.count_events() == before


def test_a_real_cell_beyond_the_column_limit_is_refused(staffed: Ledger) -> None:
    """Without any stored dimension, one cell at column XFD (16,384) is found by the scan
    and refused before a row of that width is built."""
    data = rewrite_sheet(
        write_xlsx(TRAINING, _five_rows()),
        lambda xml: xml.replace("</row>", '<c r="XFD1"><v>1</v></c></row>', 1),
    )
    before = staffed.store.count_events()
    report = run_import(staffed, "training", "test-pd", data, file_name="history.xlsx")
    assert report.status is ImportStatus.INVALID
    assert "row 1 has 16,384 columns, more than the 256" in report.errors[0].reason
    assert staffed.store.count_events() == before


def test_a_row_far_below_the_data_is_refused_quickly() -> None:
    """A single row numbered 1,048,576 would make the reader produce a million blank rows;
    it is refused at that row, without reading any."""
    data = rewrite_sheet(
        write_xlsx(TRAINING, _five_rows()),
        lambda xml: xml.replace(
            "</sheetData>", '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>'
        ),
    )
    began = time.perf_counter()
    with pytest.raises(LimitExceededError, match=r"row 1,048,576 is beyond the 250,000 rows"):
        read_sheet(data, TRAINING)
    assert time.perf_counter() - began < 0.5


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    """A small workbook whose sheet unpacks to far more than its size (here 20 MB of
    whitespace inside a ~25 KB file) is refused from the zip directory alone."""
    data = rewrite_sheet(
        write_xlsx(TRAINING, _five_rows()),
        lambda xml: xml.replace("<sheetData>", "<sheetData>" + " " * 20_000_000, 1),
    )
    limits = ImportLimits(max_bytes=1_000_000)
    assert len(data) < limits.max_bytes
    began = time.perf_counter()
    with pytest.raises(LimitExceededError, match="unpacks to"):
        read_sheet(data, TRAINING, limits)
    assert time.perf_counter() - began < 0.5


def test_a_worksheet_with_a_dtd_is_refused() -> None:
    """Entity definitions have no place in a worksheet; one is refused, never expanded."""
    data = rewrite_sheet(
        write_xlsx(TRAINING, _five_rows()),
        lambda xml: '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + xml,
    )
    with pytest.raises(Exception, match="DTD"):
        read_sheet(data, TRAINING)


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (ImportLimits(max_bytes=300), "more than the 300 an import accepts"),
        (ImportLimits(max_rows=4), "row 5 is beyond the 4 rows"),
        # The training file has 11 columns since tags became one.
        (ImportLimits(max_columns=10), "row 1 has 11 columns, more than the 10"),
        (ImportLimits(max_cell_chars=18), "row 2, column 3 has 19 characters, more than the 18"),
    ],
)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_each_size_limit_refuses_in_one_line_and_appends_nothing(
    staffed: Ledger, limits: ImportLimits, reason: str, file_format: str
) -> None:
    """Bytes, rows, columns and characters in a cell: each limit is a one-line refusal
    that names it and its setting, and nothing is appended."""
    data = training_file(*_five_rows(), file_format=file_format)
    if file_format == "xlsx" and limits.max_bytes == 300:
        limits = ImportLimits(max_bytes=len(data) - 1)
        reason = f"more than the {len(data) - 1:,} an import accepts"
    before = staffed.store.count_events()
    report = _import(staffed, data, limits)
    assert report.status is ImportStatus.INVALID
    [issue] = report.errors
    assert reason in issue.reason
    assert "MUSTER_IMPORT_MAX_" in issue.reason
    assert "\n" not in issue.reason
    assert staffed.store.count_events() == before


def test_an_all_invalid_file_lists_the_first_errors_per_column_and_counts_all(
    staffed: Ledger,
) -> None:
    """3,000 rows each wrong in three columns: the report lists 20 per column and counts
    every one (9,000), instead of a 9,000-line table; nothing is appended."""
    rows = [
        training_row("E1", completed_on="31/12/2024", hours="1e1", delivery="carrier pigeon")
        for _ in range(3_000)
    ]
    before = staffed.store.count_events()
    report = run_import(staffed, "training", "test-pd", training_file(*rows), file_name="x.csv")
    assert report.status is ImportStatus.INVALID
    assert (report.error_count, report.rows_read, report.rows_valid) == (9_000, 3_000, 0)
    listed = [(i.column, i.row) for i in report.issues]
    for column in ("completed_on", "hours", "delivery"):
        assert [row for c, row in listed if c == column] == list(range(2, 22))
    assert len(report.issues) == 60
    document = report.as_dict()
    assert document["errors"] == 9_000
    assert sorted((entry["column"], entry["count"]) for entry in document["issues_not_listed"]) == [
        ("completed_on", 2_980),
        ("delivery", 2_980),
        ("hours", 2_980),
    ]
    assert any("2,980 more error issue(s) in column hours" in note for note in report.notes)
    assert staffed.store.count_events() == before


def test_csv_cell_length_is_checked_for_people_too(ledger: Ledger) -> None:
    """The limits apply to every import kind: a roster cell over the limit is refused."""
    agency(ledger)
    data = people_file(person_row("P1", first_name="x" * 40))
    report = run_import(
        ledger, "people", "test-pd", data, file_name="p.csv", limits=ImportLimits(max_cell_chars=30)
    )
    assert report.status is ImportStatus.INVALID
    assert "row 2, column 2 has 40 characters" in report.errors[0].reason
    assert ledger.list_agencies()[0].slug == "test-pd"
    assert ledger.people_ids("test-pd") == []


def test_header_only_file_counts_rows_from_the_header() -> None:
    """Rows count as Excel numbers them: the header is row 1 (a 4-row limit takes 3 data rows)."""
    data = csv_bytes(TRAINING, *_five_rows()[:3])
    assert len(read_sheet(data, TRAINING, ImportLimits(max_rows=4)).rows) == 4
