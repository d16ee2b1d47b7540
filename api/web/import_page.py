"""Importing a spreadsheet from the browser (coordinators): upload a people or training
file (CSV or XLSX), see the row-level dry-run report, then commit it — all rows or none
(``api.importing.run_import``, as ``muster import``).

Between the dry run and the commit the file is kept content-addressed in the same store
as certificates (``ledger.blob_store``, by its SHA-256): the commit names the hash, and
the bytes committed are checked against it, so what is imported is exactly what was
checked."""

from __future__ import annotations

import re

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from api.http.policy import Policy, Scope
from api.http.routes.imports import import_limits, stage_import, staged_import
from api.http.services import services
from api.http.write_route import COORDINATORS
from api.importing import LimitExceededError, NoRulePackError, file_sha256, run_import
from api.importing.report import ImportReport
from api.web.base import render, web_route
from ledger.errors import LedgerError

__all__ = ["router"]

router = APIRouter(tags=["web"])

_PATH = "/agencies/{agency}/import"
_KINDS = {"people": "People (a roster)", "training": "Training history"}
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _page(
    request: Request,
    agency: str,
    *,
    report: ImportReport | None = None,
    errors: dict[str, str] | None = None,
    kind: str = "",
    staged: str = "",
    name: str = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        "import.html",
        {"title": "Import a spreadsheet", "hide_travel": True, "agency": agency,
         "report": report, "errors": errors or {}, "kind": kind, "kinds": _KINDS,
         "staged": staged, "name": name},
        status,
    )  # fmt: skip


@web_route(router, "GET", _PATH, Policy(Scope.AGENCY, COORDINATORS))
def import_form(request: Request, agency: str) -> Response:
    return _page(request, agency)


def _run(
    request: Request, agency: str, kind: str, data: bytes, name: str, *, dry_run: bool
) -> ImportReport | str:
    try:
        return run_import(
            services(request).ledger, kind, agency, data, file_name=name, dry_run=dry_run,
            limits=import_limits(services(request)),
        )  # fmt: skip
    except (LimitExceededError, NoRulePackError, LedgerError, ValueError) as refused:
        return str(refused)


@web_route(router, "POST", f"{_PATH}/dry-run", Policy(Scope.AGENCY, COORDINATORS))
def dry_run(
    request: Request,
    agency: str,
    kind: str = Form("", max_length=20),
    file: UploadFile | None = File(None),
) -> Response:
    errors: dict[str, str] = {}
    if kind not in _KINDS:
        errors["kind"] = "Choose what the file holds."
    if file is None or not file.filename:
        errors["file"] = "Choose the CSV or XLSX file."
    if errors or file is None:
        return _page(request, agency, errors=errors, kind=kind, status=422)
    limit = services(request).settings.import_max_bytes
    data = file.file.read(limit + 1)
    name = file.filename or "upload"
    result = _run(request, agency, kind, data, name, dry_run=True)
    if isinstance(result, str):
        return _page(request, agency, errors={"file": result}, kind=kind, status=422)
    sha = stage_import(services(request), data) if not result.errors else file_sha256(data)
    return _page(request, agency, report=result, kind=kind, staged=sha, name=name)


@web_route(router, "POST", f"{_PATH}/commit", Policy(Scope.AGENCY, COORDINATORS))
def commit(
    request: Request,
    agency: str,
    kind: str = Form("", max_length=20),
    staged: str = Form("", max_length=64),
    name: str = Form("", max_length=300),
) -> Response:
    if kind not in _KINDS or not _SHA.match(staged):
        return _page(request, agency, errors={"file": "Run the dry run first."}, status=422)
    data = staged_import(services(request), staged)
    if data is None:
        return _page(request, agency, errors={"file": "Run the dry run again."}, status=422)
    result = _run(request, agency, kind, data, name or "upload", dry_run=False)
    if isinstance(result, str):
        return _page(request, agency, errors={"file": result}, kind=kind, status=422)
    return _page(request, agency, report=result, kind=kind)
