"""Reading a spreadsheet file into rows of text, whatever the coordinator saved it as.

The format is decided by the bytes, not the file name: coordinators rename files, and a
".csv" that is really an Excel workbook (or the reverse) should still read or fail clearly.
Every cell becomes text here, so the row parser sees the same input from CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from api.importing.columns import normalise_header
from api.importing.limits import ImportLimits
from api.importing.xlsx import XlsxError, read_xlsx_rows

__all__ = ["MalformedFileError", "Sheet", "cell_text", "read_sheet"]

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office 97 files)
_DELIMITERS = (",", ";", "\t")


class MalformedFileError(ValueError):
    """The bytes are not a CSV or XLSX file that can be read at all."""


@dataclass(frozen=True)
class Sheet:
    """``rows`` pairs each row's spreadsheet number (1-based) with its cells as text."""

    format: str
    rows: list[tuple[int, list[str]]]
    delimiter: str = ""
    notes: tuple[str, ...] = ()


def read_sheet(
    data: bytes, expected_columns: Collection[str], limits: ImportLimits | None = None
) -> Sheet:
    """Read CSV (UTF-8, optional BOM, comma/semicolon/tab) or XLSX (first worksheet).

    Raises ``MalformedFileError`` for a file that cannot be read and ``LimitExceededError``
    for one beyond ``limits`` (bytes, rows, columns, characters in a cell)."""
    limits = limits or ImportLimits()
    if not data.strip():
        raise MalformedFileError("the file is empty")
    limits.check_bytes(len(data))
    if data.startswith(_ZIP):
        try:
            rows, notes = read_xlsx_rows(data, limits, cell_text)
        except XlsxError as error:
            raise MalformedFileError(str(error)) from None
        return Sheet("xlsx", rows, notes=notes)
    if data.startswith(_OLE2):
        raise MalformedFileError(
            "this is a legacy Excel .xls workbook: save it as .xlsx or as CSV UTF-8"
        )
    return _read_csv(data, expected_columns, limits)


def _read_csv(data: bytes, expected_columns: Collection[str], limits: ImportLimits) -> Sheet:
    if b"\x00" in data:
        # UTF-16 text ("Unicode Text" in Excel) and binary files both contain NUL bytes.
        raise MalformedFileError(
            "not a CSV text file (binary or UTF-16 content): save it as CSV UTF-8 or XLSX"
        )
    delimiter = _delimiter(_first_line(data), expected_columns)
    # Decoded as it is read, so the file is never held a second time as one string;
    # utf-8-sig removes the byte-order mark Excel writes for "CSV UTF-8".
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    rows: list[tuple[int, list[str]]] = []
    number = 0
    # A large export repeats most values (course titles, providers, dates, hours): one
    # string per distinct value, not one per cell.
    seen: dict[str, str] = {}
    try:
        for number, cells in enumerate(csv.reader(text, delimiter=delimiter, strict=True), start=1):
            limits.check_row(number)
            limits.check_columns(len(cells), number)
            for column, cell in enumerate(cells, start=1):
                if len(cell) > limits.max_cell_chars:
                    limits.check_cell(len(cell), number, column)
            rows.append((number, [seen.setdefault(cell, cell) for cell in cells]))
    except UnicodeDecodeError:
        raise MalformedFileError(
            f"not UTF-8 text (an undecodable byte after row {number:,}): "
            "save it as CSV UTF-8 or XLSX"
        ) from None
    except csv.Error as error:
        raise MalformedFileError(f"not a readable CSV file: {error}") from None
    return Sheet("csv", rows, delimiter)


def _first_line(data: bytes) -> str:
    """The first non-blank line, for choosing the separator (the header is short)."""
    head = data[: 1 << 16].decode("utf-8-sig", errors="replace")
    return next((line for line in head.splitlines() if line.strip()), "")


def _delimiter(first: str, expected_columns: Collection[str]) -> str:
    """Pick the separator under which the header names the most known columns.

    The header decides rather than ``csv.Sniffer`` because the data rows legitimately
    contain semicolons (``topics``, ``assignments``) inside comma-separated files, which
    makes the sniffer's frequency count unreliable; header names never contain either.
    """
    expected = set(expected_columns)
    best, best_score = ",", -1
    for candidate in _DELIMITERS:
        cells = next(csv.reader([first], delimiter=candidate), [])
        score = sum(1 for cell in cells if normalise_header(cell) in expected)
        if score > best_score:
            best, best_score = candidate, score
    if best_score == 0:
        # No known column under any separator: fall back to the sniffer's guess.
        try:
            return csv.Sniffer().sniff(first, delimiters="".join(_DELIMITERS)).delimiter
        except csv.Error:
            return ","
    return best


def cell_text(value: Any) -> str:
    """One text form per value, so an XLSX cell reads exactly like the same CSV cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Excel has no date-only type; a date cell arrives as midnight of that day.
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr gives the shortest text that round-trips (2.5, not 2.4999...); integral
        # floats lose ".0" so an employee id typed as a number reads "1001", not "1001.0".
        number = Decimal(repr(value))
        if number == number.to_integral_value():
            return str(int(number))
        return format(number, "f")
    return str(value)
