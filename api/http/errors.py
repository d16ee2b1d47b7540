"""The one place domain errors become HTTP answers: each error family has a status and a
stable body ``{"code", "message", "field"}``. Bad input is a 4xx naming the field where
it can; nothing unexpected is shown (no stack trace, no SQL: a 500 says only
``internal_error``, and the details go to the log)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import structlog
from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.accounts import AccountExistsError
from ledger.errors import (
    CertificateTamperedError,
    CertificateTooLargeError,
    ConcurrentWriteError,
    DuplicateAgencyError,
    DuplicateEmployeeIdError,
    FutureEffectiveDateError,
    LedgerError,
    NotFoundError,
    RecordAlreadyVoidedError,
    RequestAlreadyDecidedError,
    StoreBusyError,
    StoreSetupError,
    ValidationError,
)

__all__ = [
    "ApiError",
    "ErrorBody",
    "HtmlErrors",
    "error_responses",
    "install_error_handlers",
    "status_for",
]


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ApiError(Exception):
    """An answer the edge itself refuses with (authentication, authorisation, keys)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


# Most specific first: the first family an error belongs to decides.
_STATUSES: list[tuple[type[Exception], int]] = [
    (ConcurrentWriteError, 409),
    (DuplicateEmployeeIdError, 409),
    (DuplicateAgencyError, 409),
    (AccountExistsError, 409),
    (RecordAlreadyVoidedError, 409),
    (RequestAlreadyDecidedError, 409),
    (CertificateTooLargeError, 413),
    (CertificateTamperedError, 500),  # the stored file, not the request, is wrong
    (NotFoundError, 404),
    (ValidationError, 422),
    (StoreBusyError, 503),
    (StoreSetupError, 503),
    (LedgerError, 422),
]
_DATE_FIELDS = {"certified_on", "basic_completed_on", "valid_until", "expires_on", "ends_on",
                "starts_on", "new_deadline"}  # fmt: skip
# Field names a domain message may start with ("hours '-1' is not ..."), for an error that
# names no ``field`` of its own.
_FIELD = re.compile(r"^([a-z_]+)\b")
_FIELDS = {
    "hours", "topic_hours", "course_title", "provider", "post_course_number", "delivery",
    "valid_until", "tags", "reason", "status", "kind", "employee_id", "first_name",
    "last_name", "unit", "role", "username", "display_name", "expires_on", "certificate_ref",
    "employment", "license_number", "rank", "email", "approver", "certificate", "topic",
    "certified_on", "basic_completed_on", "new_deadline", "ends_on", "starts_on",
    "quiz_answers", "quiz_score",
    # The policy routes' fields (issue 17 §4).
    "audience", "due_days", "due_from", "channel", "title", "document", "pass_mark",
    "questions",
}  # fmt: skip
# A quiz's question is refused by its number ("question 2: two choices are the same").
_QUESTION = re.compile(r"^question \d+\b")


def status_for(error: Exception) -> int:
    return next(status for family, status in _STATUSES if isinstance(error, family))


def code_for(error: Exception) -> str:
    name = type(error).__name__.removesuffix("Error")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _field_of(message: str) -> str | None:
    if _QUESTION.match(message):
        return "questions"
    match = _FIELD.match(message)
    return match.group(1) if match and match.group(1) in _FIELDS else None


def _body(code: str, message: str, field: str | None) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` naming the error body for each status a route can answer."""
    return {
        status: {"model": ErrorBody, "description": _DESCRIPTIONS[status]} for status in statuses
    }


_DESCRIPTIONS = {
    401: "No valid bearer token (or wrong credentials)",
    403: "The caller's roles do not allow this",
    404: "No such agency, person, record or account",
    409: "Conflict: a concurrent write, a stale If-Match, a duplicate, a key in use, or a "
    "training request already decided",
    422: "Bad input, naming the field",
    413: "The upload is larger than the server takes (MUSTER_UPLOAD_MAX_BYTES for a "
    "certificate, MUSTER_HTTP_PACKET_MAX_BYTES for a packet)",
    429: "Too many failed logins: locked for 15 minutes",
    500: "A stored certificate no longer matches the SHA-256 the ledger recorded",
    503: "The database is unavailable or busy; retry",
}


# The dashboard's pages answer errors as pages: a hook it sets on ``app.state.html_errors``
# (``api.web.base``), called for every path outside the JSON API.
HtmlErrors = Callable[[Request, int, str, str, dict[str, str] | None], Response]


def _page(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response | None:
    hook: HtmlErrors | None = getattr(request.app.state, "html_errors", None)
    path = request.url.path
    if hook is None or path.startswith("/api/") or path in ("/healthz", "/readyz"):
        return None
    return hook(request, status, code, message, headers)


def install_error_handlers(app: FastAPI) -> None:
    log = structlog.get_logger()

    @app.exception_handler(ApiError)
    def api_error(request: Request, error: ApiError) -> Response:
        page = _page(request, error.status, error.code, error.message, error.headers)
        if page is not None:
            return page
        return JSONResponse(
            _body(error.code, error.message, error.field),
            status_code=error.status,
            headers=error.headers,
        )

    @app.exception_handler(LedgerError)
    def ledger_error(request: Request, error: LedgerError) -> Response:
        message = str(error)
        status = status_for(error)
        page = _page(request, status, code_for(error), message)
        if page is not None:
            return page
        field = error.field or _field_of(message)
        # A future date: the date field the message names ("certified_on ... is after
        # today"), else the route's date ("status date ..." is the route's effective_on).
        if isinstance(error, FutureEffectiveDateError) and field not in _DATE_FIELDS:
            field = getattr(request.state, "date_field", None)
        headers = {"Retry-After": "1"} if status == 503 else {}
        if status == 500:
            log.error("http.integrity_error", error=message, path=request.url.path)
        return JSONResponse(
            _body(code_for(error), message, field), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = [
            str(part)
            for part in first.get("loc", ())
            if part not in ("body", "query", "path", "header")
        ]
        field = ".".join(where) or None
        message = str(first.get("msg", "invalid request"))
        if field:
            message = f"{field}: {message}"
        page = _page(request, 422, "invalid_request", message)
        if page is not None:
            return page
        return JSONResponse(_body("invalid_request", message, field), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed"}
        code = codes.get(error.status_code, "http_error")
        page = _page(request, error.status_code, code, str(error.detail))
        if page is not None:
            return page
        return JSONResponse(
            _body(codes.get(error.status_code, "http_error"), str(error.detail), None),
            status_code=error.status_code,
        )

    @app.exception_handler(PersistenceError)
    def database_error(request: Request, error: PersistenceError) -> Response:
        log.warning("http.database_error", error=str(error))
        message = "the database is unavailable; retry"
        page = _page(request, 503, "database_unavailable", message, {"Retry-After": "1"})
        if page is not None:
            return page
        return JSONResponse(
            _body("database_unavailable", "the database is unavailable; retry", None),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    def unexpected(request: Request, error: Exception) -> Response:
        log.exception("http.internal_error", error_type=type(error).__name__)
        page = _page(request, 500, "internal_error", "internal error")
        if page is not None:
            return page
        return JSONResponse(_body("internal_error", "internal error", None), status_code=500)
