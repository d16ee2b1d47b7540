"""Reading files: formats decided by the bytes, CSV dialects, and clear refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from api.importing.files import MalformedFileError, cell_text, read_sheet
from api.importing.writing import write_xlsx
from tests.importing.helpers import TRAINING, csv_bytes, training_row

HEADER = ["employee_id", "completed_on", "course_title", "hours", "topics"]


def test_comma_csv_with_semicolon_lists_inside() -> None:
    """A comma file whose topics cell contains ';' is still read as comma-separated."""
    data = b'employee_id,hours,topics\nE1,4,"use_of_force=2;autism=2"\nE2,1,autism\n'
    sheet = read_sheet(data, HEADER)
    assert sheet.delimiter == ","
    assert sheet.rows[1] == (2, ["E1", "4", "use_of_force=2;autism=2"])


def test_semicolon_csv_with_bom() -> None:
    """Excel's "CSV UTF-8" (BOM) with semicolons: the BOM does not stick to the header."""
    data = "\ufeffEmployee ID;Hours\r\nE1;4\r\n".encode()
    sheet = read_sheet(data, HEADER)
    assert (sheet.format, sheet.delimiter) == ("csv", ";")
    assert sheet.rows == [(1, ["Employee ID", "Hours"]), (2, ["E1", "4"])]


def test_blank_rows_keep_spreadsheet_numbers() -> None:
    """Row numbers are the ones Excel shows: blank lines still count."""
    sheet = read_sheet(b"employee_id,hours\n\nE1,4\n", HEADER)
    assert [number for number, _ in sheet.rows] == [1, 2, 3]


def test_xlsx_cells_read_like_csv_text() -> None:
    """Dates, whole and decimal numbers in a workbook read as the text a CSV would hold."""
    data = write_xlsx(TRAINING, [training_row(hours="2.5", completed_on="2024-03-05")])
    sheet = read_sheet(data, TRAINING)
    assert sheet.format == "xlsx"
    assert sheet.rows[1][1][:4] == ["E1", "2024-03-05", "Use of Force Update", "2.5"]
    assert cell_text(1001.0) == "1001"
    assert cell_text(datetime(2024, 3, 5, 0, 0)) == "2024-03-05"
    assert cell_text(date(2024, 3, 5)) == "2024-03-05"
    assert cell_text(0.1) == "0.1"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "legacy Excel"),
        (b"PK\x03\x04not really a zip", "not a readable XLSX"),
        ("employee_id\nJos\xe9\n".encode("latin-1"), "not UTF-8"),
        ("employee_id\n".encode("utf-16"), "binary or UTF-16"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    """Files that are not CSV UTF-8 or XLSX fail with a reason a coordinator can act on."""
    with pytest.raises(MalformedFileError, match=reason):
        read_sheet(data, HEADER)


def test_delimiter_detection_prefers_known_header() -> None:
    """The separator is the one that yields known column names."""
    data = csv_bytes(HEADER, ["E1", "2024-01-02", "x", "1", ""], delimiter="\t")
    assert read_sheet(data, HEADER).delimiter == "\t"
