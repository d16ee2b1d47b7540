"""What an import says back: every problem with its spreadsheet row and column, and counts.

Row numbers are the ones a coordinator sees in Excel: the header is row 1, the first data row
is row 2, and blank rows still count. ``row`` is ``None`` for a problem with the whole file.

A file can have a problem on every row (a wrong date format in a 200,000-row export): the
report lists the first ``max_per_column`` issues of each severity in each column and counts
the rest, so it stays readable and small; every count and the rows that failed stay exact.
"""

from __future__ import annotations

from collections import Counter
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
    # What a sync changes (or would, in a dry run), one line per event-making difference.
    changes: list[str] = field(default_factory=list)
    max_per_column: int = 20
    # Every issue added, listed or not, by (severity, column); and the rows with an error.
    counts: Counter[tuple[Severity, str | None]] = field(default_factory=Counter)
    error_rows: set[int] = field(default_factory=set)

    @property
    def actor(self) -> str:
        return f"import:{self.file_sha256}"

    @property
    def errors(self) -> list[Issue]:
        """The errors listed (see ``error_count`` for how many there were)."""
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def skipped(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.SKIPPED]

    @property
    def issue_count(self) -> int:
        return sum(self.counts.values())

    @property
    def error_count(self) -> int:
        return self._count(Severity.ERROR)

    @property
    def skipped_count(self) -> int:
        return self._count(Severity.SKIPPED)

    def _count(self, severity: Severity) -> int:
        return sum(n for (s, _), n in self.counts.items() if s is severity)

    def omitted(self) -> list[tuple[Severity, str | None, int]]:
        """(severity, column, how many not listed) wherever the listing stopped."""
        return [
            (severity, column, count - self.max_per_column)
            for (severity, column), count in self.counts.items()
            if column is not None and count > self.max_per_column
        ]

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
        key = (severity, column)
        self.counts[key] += 1
        if severity is Severity.ERROR and row is not None:
            self.error_rows.add(row)
        # Problems with the whole file (no column) are always listed: there are few.
        if column is None or self.counts[key] <= self.max_per_column:
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
            "rows_skipped": self.skipped_count,
            "people_appended": self.people_appended,
            "records_appended": self.records_appended,
            "events_appended": self.events_appended,
            "seconds": round(self.seconds, 3),
            "errors": self.error_count,
            "issues": [i.as_dict() for i in self.sorted_issues()],
            "issues_not_listed": [
                {"severity": severity.value, "column": column, "count": count}
                for severity, column, count in self.omitted()
            ],
            "notes": list(self.notes),
            "changes": list(self.changes),
        }
