"""Reading a spreadsheet file into rows of text, whatever the coordinator saved it as.

The format is decided by the bytes, not the file name: coordinators rename files, and a
".csv" that is really an Excel workbook (or the reverse) should still read or fail clearly.
Every cell becomes text here, so the row parser sees the same input from CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from api.importing.columns import normalise_header

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


def read_sheet(data: bytes, expected_columns: Collection[str]) -> Sheet:
    """Read CSV (UTF-8, optional BOM, comma/semicolon/tab) or XLSX (first worksheet)."""
    if not data.strip():
        raise MalformedFileError("the file is empty")
    if data.startswith(_ZIP):
        return _read_xlsx(data)
    if data.startswith(_OLE2):
        raise MalformedFileError(
            "this is a legacy Excel .xls workbook: save it as .xlsx or as CSV UTF-8"
        )
    return _read_csv(data, expected_columns)


def _read_csv(data: bytes, expected_columns: Collection[str]) -> Sheet:
    if b"\x00" in data:
        # UTF-16 text ("Unicode Text" in Excel) and binary files both contain NUL bytes.
        raise MalformedFileError(
            "not a CSV text file (binary or UTF-16 content): save it as CSV UTF-8 or XLSX"
        )
    try:
        # utf-8-sig removes the byte-order mark Excel writes for "CSV UTF-8".
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedFileError(
            f"not UTF-8 text (undecodable byte at offset {error.start}): "
            "save it as CSV UTF-8 or XLSX"
        ) from None
    delimiter = _delimiter(text, expected_columns)
    try:
        rows = [
            (number, list(cells))
            for number, cells in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True),
                start=1,
            )
        ]
    except csv.Error as error:
        raise MalformedFileError(f"not a readable CSV file: {error}") from None
    return Sheet("csv", rows, delimiter)


def _delimiter(text: str, expected_columns: Collection[str]) -> str:
    """Pick the separator under which the header names the most known columns.

    The header decides rather than ``csv.Sniffer`` because the data rows legitimately
    contain semicolons (``topics``, ``assignments``) inside comma-separated files, which
    makes the sniffer's frequency count unreliable; header names never contain either.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
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


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import (
        InvalidFileException,
    )

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise MalformedFileError(f"not a readable XLSX workbook: {error}") from None
    try:
        if not workbook.worksheets:
            raise MalformedFileError("the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        notes: tuple[str, ...] = ()
        if len(workbook.worksheets) > 1:
            others = ", ".join(repr(ws.title) for ws in workbook.worksheets[1:])
            notes = (f"only the first worksheet {sheet.title!r} was read; ignored: {others}",)
        rows = list(_xlsx_rows(sheet.iter_rows(values_only=True)))
    finally:
        workbook.close()
    return Sheet("xlsx", rows, notes=notes)


def _xlsx_rows(values: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[str]]]:
    # Read-only worksheets yield every row from the first, blank ones included, so the
    # position is the row number Excel shows.
    for number, row in enumerate(values, start=1):
        yield number, [cell_text(value) for value in row]


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
