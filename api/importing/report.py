"""What an import says back: every problem with its spreadsheet row and column, and counts.

Row numbers are the ones a coordinator sees in Excel: the header is row 1, the first data row
is row 2, and blank rows still count. ``row`` is ``None`` for a problem with the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["ImportReport", "ImportStatus", "Issue", "Severity"]


class Severity(StrEnum):
    ERROR = "error"  # the file cannot be imported until this is fixed
    WARNING = "warning"  # imported, but the coordinator should look (e.g. an ignored column)
    SKIPPED = "skipped"  # the row is already in the ledger and is not appended again


class ImportStatus(StrEnum):
    IMPORTED = "imported"
    VALID = "valid"  # a dry run that found nothing wrong
    INVALID = "invalid"
    ALREADY_IMPORTED = "already_imported"  # these exact file bytes were imported before
    NOTHING_NEW = "nothing_new"  # every row is already in the ledger


@dataclass(frozen=True)
class Issue:
    row: int | None
    column: str | None
    severity: Severity
    reason: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "severity": self.severity.value,
            "reason": self.reason,
            "value": self.value,
        }


@dataclass
class ImportReport:
    kind: str
    agency: str
    file_name: str
    file_sha256: str
    dry_run: bool
    status: ImportStatus = ImportStatus.INVALID
    file_format: str = ""
    rows_read: int = 0
    rows_valid: int = 0
    people_appended: int = 0
    records_appended: int = 0
    events_appended: int = 0
    seconds: float = 0.0
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return f"import:{self.file_sha256}"

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def skipped(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.SKIPPED]

    @property
    def ok(self) -> bool:
        return self.status is not ImportStatus.INVALID

    def add(
        self,
        row: int | None,
        column: str | None,
        reason: str,
        value: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.issues.append(Issue(row, column, severity, reason, value))

    def sorted_issues(self) -> list[Issue]:
        """File-level problems first, then by row, keeping each row's order of discovery."""
        return sorted(self.issues, key=lambda i: -1 if i.row is None else i.row)

    def as_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape: fields may be added, never renamed."""
        return {
            "kind": self.kind,
            "agency": self.agency,
            "file": self.file_name,
            "file_sha256": self.file_sha256,
            "actor": self.actor,
            "format": self.file_format,
            "dry_run": self.dry_run,
            "status": self.status.value,
            "ok": self.ok,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_skipped": len(self.skipped),
            "people_appended": self.people_appended,
            "records_appended": self.records_appended,
            "events_appended": self.events_appended,
            "seconds": round(self.seconds, 3),
            "errors": len(self.errors),
            "issues": [i.as_dict() for i in self.sorted_issues()],
            "notes": list(self.notes),
        }
