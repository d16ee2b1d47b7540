"""Builders for import tests: files from rows, and the ledger's contents as plain data."""

from __future__ import annotations

from typing import Any

from api.importing import ImportReport, run_import
from api.importing.columns import columns_for
from api.importing.writing import write_csv, write_sheet
from ledger.application import Ledger
from ledger.imports import ImportCompleted

TRAINING = [c.name for c in columns_for("training")]
PEOPLE = [c.name for c in columns_for("people")]


def training_row(
    employee_id: str = "E1",
    completed_on: str = "2024-03-05",
    course_title: str = "Use of Force Update",
    hours: str = "4",
    topics: str = "use_of_force=4",
    **more: str,
) -> list[str]:
    values = {
        "employee_id": employee_id,
        "completed_on": completed_on,
        "course_title": course_title,
        "hours": hours,
        "topics": topics,
        **more,
    }
    return [values.get(name, "") for name in TRAINING]


def person_row(employee_id: str = "P1", **more: str) -> list[str]:
    values = {
        "employee_id": employee_id,
        "first_name": "Pat",
        "last_name": "Officer",
        "kind": "sworn",
        "hired_on": "2019-04-01",
        "license_number": "600123",
        "license_expires_on": "2025-06-30",
        **more,
    }
    return [values.get(name, "") for name in PEOPLE]


def training_file(*rows: list[str], file_format: str = "csv") -> bytes:
    return write_sheet(TRAINING, list(rows), file_format)


def people_file(*rows: list[str], file_format: str = "csv") -> bytes:
    return write_sheet(PEOPLE, list(rows), file_format)


def csv_bytes(header: list[str], *rows: list[str], delimiter: str = ",") -> bytes:
    return write_csv(header, list(rows), delimiter)


def run(
    ledger: Ledger, kind: str, data: bytes, *, agency: str = "test-pd", dry_run: bool = False
) -> ImportReport:
    return run_import(ledger, kind, agency, data, file_name=f"{kind}.csv", dry_run=dry_run)


def contents(ledger: Ledger, *, ignore_file: bool = True) -> list[dict[str, Any]]:
    """Every stored event decoded, without the fields that name the file or the moment."""
    result = []
    for stored in ledger.store.iter_stored():
        event = ledger.mapper.to_domain_event(stored)
        fields = {k: v for k, v in vars(event).items() if k not in ("actor", "timestamp")}
        if ignore_file and isinstance(event, ImportCompleted):
            fields.pop("file_sha256")
            fields.pop("file_name")
        result.append({"type": type(event).__name__, **fields})
    return result


def problems(report: ImportReport) -> list[tuple[int | None, str | None]]:
    """(row, column) of every error, in report order."""
    return [(i.row, i.column) for i in report.sorted_issues() if i.severity.value == "error"]
