"""From a sheet to data rows keyed by column name, with the header found and checked."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from api.importing.columns import Column, map_header
from api.importing.files import Sheet
from api.importing.report import ImportReport, Severity
from ledger.fields import hidden_character

__all__ = ["Progress", "Row", "data_rows"]

# (stage, done, total): the CLI draws a progress bar from it; the import never prints.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its spreadsheet row number and each known column's stripped text."""

    number: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


def data_rows(sheet: Sheet, columns: Sequence[Column], report: ImportReport) -> list[Row] | None:
    """The data rows under the first non-blank row (the header); blank rows are skipped
    but keep their numbers. ``None`` if the header is unusable (errors are in ``report``).

    ``sheet.rows`` is consumed: each row's cells are let go once the row is built, so a
    large file is never held as cells and as rows at once."""
    source = sheet.rows
    source.reverse()
    while source and not any(c.strip() for c in source[-1][1]):
        source.pop()
    if not source:
        report.add(None, None, "the file has no rows")
        return None
    header_number, header = source.pop()
    positions = map_header(header, columns, header_number, report)
    if positions is None:
        return None
    unnamed: set[int] = set()
    result: list[Row] = []
    while source:
        number, cells = source.pop()
        if not any(c.strip() for c in cells):
            continue
        beyond = [c for c in cells[len(header) :] if c.strip()]
        if beyond:
            # More values than header cells means the row is misaligned, most often an
            # unquoted ';' list (topics) in a semicolon-separated file: nothing is guessed.
            report.add(
                number,
                f"column {len(header) + 1}",
                "the row has more values than the header has columns; quote cells that "
                "contain the separator (e.g. topics in a semicolon-separated file)",
                beyond[0].strip(),
            )
        for index, cell in enumerate(cells[: len(header)]):
            named = bool(header[index].strip())
            if cell.strip() and not named and index not in unnamed:
                # Reported once per column: a value with no header cannot be placed.
                unnamed.add(index)
                report.add(
                    number,
                    f"column {index + 1}",
                    "a value in a column without a header is ignored",
                    cell.strip(),
                    Severity.WARNING,
                )
        values = {
            name: _cell(cells[index], number, name, report) if index < len(cells) else ""
            for name, index in positions.items()
        }
        result.append(Row(number, values))
    return result


def _cell(text: str, row: int, column: str, report: ImportReport) -> str:
    """The cell as the ledger stores text (stripped, NFC); a control or invisible format
    character (bidi override, zero-width space) is an error here, where the row and column
    are known, before any lookup by a value that only looks like another."""
    value = unicodedata.normalize("NFC", text.strip())
    hidden = hidden_character(value)
    if hidden is not None:
        position, char = hidden
        report.add(
            row,
            column,
            f"character {position} is U+{ord(char):04X} "
            f"({unicodedata.name(char, 'control character')}), a control or invisible "
            "formatting character, which is not accepted",
            value.encode("unicode_escape").decode("ascii"),
        )
    return value
