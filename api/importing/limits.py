"""How large an import file may be: bytes, rows, columns and characters per cell.

Every limit is checked while the file is read, before anything larger than the limit is
built in memory, and a file beyond one is refused with a single line naming the limit and
the setting that raises it. Defaults and settings are documented in docs/import.md.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ImportLimits", "LimitExceededError"]


class LimitExceededError(ValueError):
    """The file is larger than an import accepts; the message names the limit."""


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int = 100_000_000
    max_rows: int = 250_000
    max_columns: int = 256
    max_cell_chars: int = 4_096
    # Issues listed per (severity, column); the rest are counted.
    max_issues_per_column: int = 20

    @property
    def max_unpacked_bytes(self) -> int:
        """An XLSX is a zip: what it unpacks to is bounded too, or a small file could
        expand to gigabytes (a "zip bomb"). Ten times the file limit leaves room for
        XML's verbosity (a workbook unpacks to 4-8 times its size)."""
        return 10 * self.max_bytes

    def check_bytes(self, size: int) -> None:
        if size > self.max_bytes:
            raise LimitExceededError(
                f"the file is {size:,} bytes, more than the {self.max_bytes:,} an import "
                "accepts (MUSTER_IMPORT_MAX_BYTES): split it"
            )

    def check_row(self, number: int) -> None:
        if number > self.max_rows:
            raise LimitExceededError(
                f"row {number:,} is beyond the {self.max_rows:,} rows an import accepts "
                "(MUSTER_IMPORT_MAX_ROWS): split the file"
            )

    def check_columns(self, count: int, row: int) -> None:
        if count > self.max_columns:
            raise LimitExceededError(
                f"row {row:,} has {count:,} columns, more than the {self.max_columns:,} an "
                "import accepts (MUSTER_IMPORT_MAX_COLUMNS)"
            )

    def check_cell(self, length: int, row: int, column: int) -> None:
        if length > self.max_cell_chars:
            raise LimitExceededError(
                f"the cell in row {row:,}, column {column:,} has {length:,} characters, more "
                f"than the {self.max_cell_chars:,} a cell may hold (MUSTER_IMPORT_MAX_CELL_CHARS)"
            )
