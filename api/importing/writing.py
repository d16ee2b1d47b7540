"""Writing rows as CSV or XLSX bytes: templates, tests and the benchmark use the same writer.

XLSX cells get real types (dates as dates, hours as numbers) the way a coordinator's own
workbook would have them, so a written workbook exercises the same reading path.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from replay.export import spreadsheet_row

__all__ = ["write_csv", "write_sheet", "write_xlsx"]


def write_csv(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    delimiter: str = ",",
    *,
    spreadsheet_safe: bool = False,
) -> bytes:
    """``spreadsheet_safe`` (every file muster hands a user) neutralises cells a spreadsheet
    would run as formulas; tests write hostile cells as they are, to import them."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if spreadsheet_safe:
        writer.writerow(spreadsheet_row(header))
        writer.writerows(spreadsheet_row(row) for row in rows)
    else:
        writer.writerow(header)
        writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_xlsx(header: Sequence[str], rows: Sequence[Sequence[str]], title: str = "data") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([_typed(name, value) for name, value in zip(header, row, strict=False)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_sheet(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    file_format: str,
    title: str = "data",
    *,
    spreadsheet_safe: bool = False,
) -> bytes:
    if file_format == "csv":
        return write_csv(header, rows, spreadsheet_safe=spreadsheet_safe)
    if file_format == "xlsx":
        return write_xlsx(header, rows, title)
    msg = f"unknown format {file_format!r}: csv or xlsx"
    raise ValueError(msg)


def _typed(column: str, value: str) -> object:
    if not value:
        return None
    if column.endswith("_on"):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # e.g. a US-format date kept as text, as Excel users type it
    if column == "hours":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return int(number) if number == number.to_integral_value() else float(number)
    return value
