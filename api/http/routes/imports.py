"""Spreadsheet imports over HTTP (coordinators): upload a people or training file (CSV or
XLSX) for a row-level dry-run report, then commit it — all rows or none. The same use
case as ``muster import`` and the dashboard's import page (``api.importing.run_import``).

A dry run without an error keeps the file content-addressed (by its SHA-256) in the store
certificates use (``ledger.blob_store``); the commit names that hash, and the bytes
committed are those kept, checked against it: what is imported is exactly what was
checked. The commit takes an ``Idempotency-Key`` like every write; the same file bytes
are never imported twice either way (``already_imported``).

Refusals: a file above ``MUSTER_IMPORT_MAX_BYTES`` is 413 ``file_too_large`` (at most one
byte past the limit is read); a file that cannot be read as CSV or XLSX at all (empty,
binary, legacy .xls, beyond the row, column or cell limits) is 422 ``unreadable_file``;
a commit of a hash no dry run kept is 422 ``not_staged``; a commit whose rows no longer
pass (the ledger changed since the dry run) is 422 ``import_invalid`` and appends nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.http.errors import ApiError
from api.http.idempotency import idempotent
from api.http.policy import Access, Policy, Scope, access, api_route
from api.http.services import Services, services
from api.http.write_route import COORDINATORS, Strict, write_route
from api.importing import (
    ImportLimits,
    LimitExceededError,
    NoRulePackError,
    file_sha256,
    run_import,
)
from api.importing.report import ImportReport, ImportStatus
from ledger.blob_store import Blob
from ledger.errors import LedgerError
from ledger.imports import find_import

__all__ = ["ImportKind", "import_limits", "router", "stage_import", "staged_import"]

router = APIRouter(prefix="/api/v1/agencies/{agency}/imports/{kind}", tags=["imports"])

STAGED = "application/vnd.muster.import"  # the media type a staged file is kept under
IMPORT = Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409, 413))


class ImportKind(StrEnum):
    PEOPLE = "people"
    TRAINING = "training"


def import_limits(svc: Services) -> ImportLimits:
    """The import limits of the settings (``MUSTER_IMPORT_MAX_*``)."""
    s = svc.settings
    return ImportLimits(
        max_bytes=s.import_max_bytes,
        max_rows=s.import_max_rows,
        max_columns=s.import_max_columns,
        max_cell_chars=s.import_max_cell_chars,
        max_issues_per_column=s.import_max_issues_per_column,
    )


def stage_import(svc: Services, data: bytes) -> str:
    """Keep a checked file's bytes for its commit; their SHA-256."""
    sha = file_sha256(data)
    svc.certificates.put(Blob(data, STAGED, sha))
    return sha


def staged_import(svc: Services, sha256: str) -> bytes | None:
    """The bytes a dry run kept under ``sha256`` (checked against it), or None."""
    try:
        return svc.certificates.get(sha256)
    except LedgerError:
        return None


class Issue(BaseModel):
    row: int | None = Field(description="The spreadsheet's row (header: 1); none: the file")
    column: str | None
    severity: str = Field(description="error, warning or skipped")
    reason: str
    value: str


class NotListed(BaseModel):
    severity: str
    column: str | None
    count: int


class ImportResult(BaseModel):
    kind: str
    agency: str
    file: str
    file_sha256: str
    format: str = Field(description="csv or xlsx")
    dry_run: bool
    status: str = Field(
        description="valid (dry run), imported, invalid, already_imported or nothing_new"
    )
    ok: bool
    rows_read: int
    rows_valid: int
    rows_skipped: int
    people_appended: int
    records_appended: int
    events_appended: int
    errors: int
    issues: list[Issue]
    issues_not_listed: list[NotListed]
    notes: list[str]
    changes: list[str]
    staged: bool = Field(False, description="Kept for a commit naming file_sha256")
    recorded_at: str | None = Field(None, description="When these bytes were imported")


class ImportCommit(Strict):
    file_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="From the dry run")
    file_name: str = Field("upload", min_length=1, max_length=300, examples=["roster.csv"])


def _result(report: ImportReport, **extra: Any) -> ImportResult:
    shown = report.as_dict()
    for dropped in ("actor", "seconds"):  # the replayed answer is the same answer
        shown.pop(dropped)
    return ImportResult.model_validate({**shown, **extra})


def _run(
    svc: Services, kind: ImportKind, agency: str, data: bytes, name: str, *, dry_run: bool
) -> ImportReport:
    try:
        report = run_import(
            svc.ledger, kind.value, agency, data, file_name=name, dry_run=dry_run,
            limits=import_limits(svc),
        )  # fmt: skip
    except (LimitExceededError, NoRulePackError) as refused:
        raise ApiError(422, "unreadable_file", str(refused), "file") from None
    if report.status is ImportStatus.INVALID and not report.file_format:
        # Not read as a sheet at all: the file, not its rows, is what is wrong.
        reasons = [i.reason for i in report.sorted_issues() if i.row is None]
        raise ApiError(422, "unreadable_file", reasons[0] if reasons else "unreadable", "file")
    return report


@api_route(
    router,
    "POST",
    "/dry-run",
    IMPORT,
    response_model=ImportResult,
    summary="Check a CSV or XLSX file row by row; appends nothing, keeps a valid file",
)
def dry_run(
    request: Request,
    kind: ImportKind,
    found: Access = Depends(access),
    file: UploadFile = File(description="The people or training file: CSV (UTF-8) or XLSX"),
) -> ImportResult:
    svc = services(request)
    limit = svc.settings.import_max_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "file_too_large", f"the file is over {limit:,} bytes", "file")
    report = _run(svc, kind, found.agency, data, file.filename or "upload", dry_run=True)
    staged = report.status is ImportStatus.VALID
    if staged:
        stage_import(svc, data)
    return _result(report, staged=staged)


@write_route(
    router,
    "/commit",
    IMPORT,
    "Import the file a dry run checked (by its SHA-256): all rows or none",
    response_model=ImportResult,
)
def commit(
    request: Request,
    kind: ImportKind,
    body: ImportCommit,
    found: Access = Depends(access),
) -> Response:
    svc = services(request)

    def run() -> ImportResult:
        data = staged_import(svc, body.file_sha256)
        if data is None:
            raise ApiError(
                422, "not_staged", "no dry run kept these bytes: run it first", "file_sha256"
            )
        report = _run(svc, kind, found.agency, data, body.file_name, dry_run=False)
        if report.status is ImportStatus.INVALID:
            raise ApiError(
                422,
                "import_invalid",
                f"{report.error_count} row error(s) now: run the dry run again",
                "file_sha256",
            )
        done = find_import(svc.ledger, found.agency, body.file_sha256)
        recorded = None if done is None else done.recorded_at.isoformat()
        return _result(report, recorded_at=recorded)

    return idempotent(request, found, body, run)
