"""Reading the first worksheet of an XLSX workbook without trusting what the file says of itself.

A workbook stores its own size (the sheet's ``<dimension>``) and openpyxl's read-only mode
believes it: an understated range silently drops rows and columns, and an overstated one
pads every row to it (a 5 KB file declaring a million columns took 27 s and 2.9 GB). So
the sheet's XML is first scanned with expat, cell by cell, to find the cells it really holds,
refusing on the first row or column beyond the limits; only then is it read, with the stored
dimension discarded, and what was read must cover every cell the scan saw.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from openpyxl.utils.cell import column_index_from_string, range_boundaries

from api.importing.limits import ImportLimits, LimitExceededError

__all__ = ["XlsxError", "read_xlsx_rows"]

_COLUMN = re.compile(r"^([A-Za-z]{1,3})")
_CHUNK = 1 << 16


class XlsxError(ValueError):
    """The workbook cannot be read (not a limit: those raise ``LimitExceededError``)."""


@dataclass
class _Extent:
    """What the scan found: the last row and the widest row, by their real positions."""

    rows: int = 0
    columns: int = 0
    cells: int = 0


def read_xlsx_rows(
    data: bytes, limits: ImportLimits, cell_text: Callable[[Any], str]
) -> tuple[list[tuple[int, list[str]]], tuple[str, ...]]:
    """Every row of the first worksheet as text, numbered as Excel numbers them, and notes."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise XlsxError(f"not a readable XLSX workbook: {error}") from None
    if unpacked > limits.max_unpacked_bytes:
        raise LimitExceededError(
            f"the workbook unpacks to {unpacked:,} bytes, more than the "
            f"{limits.max_unpacked_bytes:,} an import accepts (10 × MUSTER_IMPORT_MAX_BYTES)"
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise XlsxError(f"not a readable XLSX workbook: {error}") from None
    except ValueError as error:
        # With defusedxml installed (fpdf2 needs it) openpyxl refuses entity and DTD
        # declarations itself, as a ValueError raised from defusedxml's error.
        if type(error.__cause__).__module__.startswith("defusedxml"):
            raise XlsxError("the worksheet declares a DTD, which XLSX files never do") from None
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise XlsxError(f"not a readable XLSX workbook: {first}") from None
    try:
        if not workbook.worksheets:
            raise XlsxError("the workbook has no worksheet")
        sheet: Any = workbook.worksheets[0]
        notes: tuple[str, ...] = ()
        if len(workbook.worksheets) > 1:
            others = ", ".join(repr(ws.title) for ws in workbook.worksheets[1:])
            notes = (f"only the first worksheet {sheet.title!r} was read; ignored: {others}",)
        try:
            extent = _scan(archive, sheet._worksheet_path, limits)
        except KeyError as error:
            raise XlsxError(f"not a readable XLSX workbook: {error}") from None
        # The stored dimension is only a claim: read up to the cells that are there.
        sheet.reset_dimensions()
        rows: list[tuple[int, list[str]]] = []
        widest = 0
        seen: dict[str, str] = {}  # one string per distinct value, as for CSV
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
            cells = [seen.setdefault(text, text) for text in map(cell_text, values)]
            for column, cell in enumerate(cells, start=1):
                limits.check_cell(len(cell), number, column)
            widest = max(widest, len(cells))
            rows.append((number, cells))
    finally:
        workbook.close()
    if len(rows) < extent.rows or widest < extent.columns:
        raise XlsxError(
            f"only {len(rows):,} rows and {widest:,} columns of the sheet's {extent.rows:,} "
            f"rows and {extent.columns:,} columns could be read: save it again or export CSV"
        )
    return rows, notes


def _scan(archive: zipfile.ZipFile, path: str, limits: ImportLimits) -> _Extent:
    """Stream the sheet's XML through expat, refusing at the first cell beyond a limit."""
    extent = _Extent()
    row = column = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal row, column
        tag = name.rpartition(":")[2]
        if tag == "c":
            match = _COLUMN.match(attributes.get("r", ""))
            column = column_index_from_string(match.group(1).upper()) if match else column + 1
            if column > limits.max_columns:
                limits.check_columns(column, row)
            extent.columns = max(extent.columns, column)
            extent.cells += 1
        elif tag == "row":
            reference = attributes.get("r", "")
            row = int(reference) if reference.isascii() and reference.isdigit() else row + 1
            limits.check_row(row)
            extent.rows = max(extent.rows, row)
            column = 0
        elif tag == "dimension":
            _declared(attributes.get("ref", ""), limits)

    def doctype(*_: object) -> None:
        # A worksheet never needs a DTD; refusing one rules out entity expansion tricks.
        raise XlsxError("the worksheet declares a DTD, which XLSX files never do")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        with archive.open(path) as source:
            while chunk := source.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise XlsxError(f"the worksheet is not well-formed XML: {error}") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise XlsxError(f"not a readable XLSX workbook: {error}") from None
    return extent


def _declared(reference: str, limits: ImportLimits) -> None:
    """A stored range beyond the limits is refused at once: nothing is padded to it."""
    try:
        _, _, max_col, max_row = range_boundaries(reference)
    except (ValueError, TypeError):
        return  # an unreadable claim is ignored: the scan counts the real cells
    if (max_col or 0) > limits.max_columns or (max_row or 0) > limits.max_rows:
        raise LimitExceededError(
            f"the sheet declares the range {reference} ({max_col or 0:,} columns, "
            f"{max_row or 0:,} rows), beyond the {limits.max_columns:,} columns and "
            f"{limits.max_rows:,} rows an import accepts (MUSTER_IMPORT_MAX_COLUMNS, "
            "MUSTER_IMPORT_MAX_ROWS): save it again or export CSV"
        )
