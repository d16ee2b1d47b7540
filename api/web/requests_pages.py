"""Training requests in the browser: the officer's self-service page (their requests and
the form to upload a certificate) and the coordinator's approval queue (approve, or reject
with a reason), over the same use cases and policies as the JSON routes
(``api.http.routes.requests``). Every POST carries the session's CSRF token
(``api.web.base``); a refused form is shown again with the message beside its field and
appends nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from api.http.policy import READERS, Policy, Scope
from api.http.routes.requests import OFFICERS, certificate_response, read_upload
from api.http.services import services
from api.http.write_route import COORDINATORS, agency_today
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, field_of, parse_day, sentence
from ledger.certificates import MEDIA_TYPES, Certificate
from ledger.errors import LedgerError
from ledger.request_cases import RequestView

__all__ = ["router"]

router = APIRouter(tags=["web"])

_MINE = "/agencies/{agency}/people/{employee_id}/requests"
_QUEUE = "/agencies/{agency}/requests"
_STAND_IN = Certificate(b"", "application/pdf", "0" * 64)  # never stored
_FIELDS = ("course_title", "completed_on", "hours", "topic", "provider", "certificate")


def _mine_page(
    request: Request,
    agency: str,
    employee_id: str,
    *,
    errors: FormErrors | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
    notice: str = "",
) -> Response:
    svc = services(request)
    views = svc.ledger.training_requests_of(agency, employee_id)
    person = svc.ledger.get_person(agency, employee_id)
    access = principal_of(request)
    can_upload = any(
        g.role in OFFICERS and g.agency == agency and g.employee_id == employee_id
        for g in access.grants
    )
    return render(
        request,
        "requests_mine.html",
        {
            "title": "Training requests",
            "hide_travel": True,
            "agency": agency,
            "employee_id": employee_id,
            "person": person,
            "views": views,
            "can_upload": can_upload,
            "errors": errors or FormErrors(),
            "typed": typed or {},
            "notice": notice,
            "max_mb": f"{svc.settings.upload_max_bytes / 1_000_000:g}",
            "types": MEDIA_TYPES,
            "download": _download_href,
        },
        status,
    )


def _download_href(agency: str, view: RequestView) -> str:
    return (
        f"/agencies/{quote(agency, safe='')}/people/{quote(view.employee_id, safe='')}"
        f"/requests/{view.request.request_id}/certificate"
    )


@web_route(router, "GET", _MINE, Policy(Scope.PERSON, READERS, audit="read.requests"))
def my_requests(request: Request, agency: str, employee_id: str) -> Response:
    notice = "Your request was sent to your coordinator." if "sent" in request.query_params else ""
    return _mine_page(request, agency, employee_id, notice=notice)


@web_route(router, "POST", _MINE, Policy(Scope.PERSON, OFFICERS, statuses=(404, 409, 413)))
def send_request(
    request: Request,
    agency: str,
    employee_id: str,
    course_title: str = Form("", max_length=500),
    completed_on: str = Form("", max_length=40),
    hours: str = Form("", max_length=40),
    topic: str = Form("", max_length=200),
    provider: str = Form("", max_length=500),
    certificate: UploadFile | None = File(None),
) -> Response:
    svc = services(request)
    typed = {"course_title": course_title, "completed_on": completed_on, "hours": hours,
             "topic": topic, "provider": provider}  # fmt: skip
    errors = FormErrors()
    if not course_title.strip():
        errors.add("course_title", "Enter the course title, as on the certificate.")
    day = parse_day(errors, "completed_on", completed_on, "the day you completed it")
    if not hours.strip():
        errors.add("hours", "Enter the credit hours, e.g. 4 or 1.5.")
    accepted = None
    if certificate is None or not certificate.filename:
        errors.add("certificate", "Choose the certificate file (PDF, JPEG or PNG).")
    else:
        try:
            accepted = read_upload(certificate, svc.settings.upload_max_bytes)
        except LedgerError as refused:
            errors.add("certificate", sentence(str(refused)))
    if day is not None and hours.strip() and course_title.strip():
        # The ledger's own checks run even when the file was refused (with a stand-in
        # for it), so a future date is named beside its field at the same time; the unit
        # of work is saved only when nothing was refused.
        ledger = svc.ledger
        uow = ledger.unit_of_work()
        try:
            ledger.request_training(
                agency,
                employee_id,
                completed_on=day,
                course_title=course_title,
                hours=hours.strip(),
                topic=topic,
                provider=provider,
                certificate=accepted or _STAND_IN,
                actor=principal_of(request).actor,
                uow=uow,
            )
        except LedgerError as refused:
            errors.add(field_of(refused, _FIELDS, "completed_on"), sentence(str(refused)))
        if not errors and accepted is not None:
            svc.certificates.put(accepted)
            uow.save()
            target = f"/agencies/{quote(agency, safe='')}/people/{quote(employee_id, safe='')}"
            return security_headers(RedirectResponse(f"{target}/requests?sent=1", 303))
    status = 413 if "larger than" in errors.get("certificate") else 422
    return _mine_page(request, agency, employee_id, errors=errors, typed=typed, status=status)


def _queue_page(
    request: Request,
    agency: str,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    svc = services(request)
    views = svc.ledger.pending_training_requests(agency)
    decided = request.query_params.get("decided", "")
    notice = {
        "approved": "Approved: the training is now on the officer's record.",
        "rejected": "Rejected: the officer sees your reason.",
    }.get(decided, "")
    shown = {str(v.request.request_id) for v in views}
    context: dict[str, Any] = {
        # A decision on a request no longer listed (decided meanwhile) is said on top.
        "page_errors": [m for key, m in (errors or {}).items() if key not in shown],
        "title": "Training requests to decide",
        "hide_travel": True,
        "agency": agency,
        "views": views,
        "errors": errors or {},
        "typed": typed or {},
        "notice": notice,
        "types": MEDIA_TYPES,
        "download": _download_href,
    }
    return render(request, "requests_queue.html", context, status)


@web_route(router, "GET", _QUEUE, Policy(Scope.AGENCY, COORDINATORS))
def queue(request: Request, agency: str) -> Response:
    return _queue_page(request, agency)


_DECIDE = "/agencies/{agency}/people/{employee_id}/requests/{request_id}"


@web_route(router, "POST", f"{_DECIDE}/approve", Policy(Scope.PERSON, COORDINATORS))
def approve(request: Request, agency: str, employee_id: str, request_id: UUID) -> Response:
    ledger = services(request).ledger
    try:
        ledger.approve_training_request(
            agency,
            employee_id,
            request_id,
            decided_on=agency_today(ledger, agency),
            actor=principal_of(request).actor,
        )
    except LedgerError as refused:
        return _queue_page(request, agency, errors={str(request_id): sentence(str(refused))},
                           status=409)  # fmt: skip
    return _back_to_queue(agency, "approved")


@web_route(router, "POST", f"{_DECIDE}/reject", Policy(Scope.PERSON, COORDINATORS))
def reject(
    request: Request,
    agency: str,
    employee_id: str,
    request_id: UUID,
    reason: str = Form("", max_length=500),
) -> Response:
    ledger = services(request).ledger
    key = str(request_id)
    if not reason.strip():
        return _queue_page(request, agency, errors={key: "Say why, for the officer to read."},
                           status=422)  # fmt: skip
    try:
        ledger.reject_training_request(
            agency,
            employee_id,
            request_id,
            decided_on=agency_today(ledger, agency),
            reason=reason,
            actor=principal_of(request).actor,
        )
    except LedgerError as refused:
        return _queue_page(request, agency, errors={key: sentence(str(refused))},
                           typed={key: reason}, status=422)  # fmt: skip
    return _back_to_queue(agency, "rejected")


def _back_to_queue(agency: str, how: str) -> Response:
    target = f"/agencies/{quote(agency, safe='')}/requests?{urlencode({'decided': how})}"
    return security_headers(RedirectResponse(target, 303))


@web_route(
    router,
    "GET",
    f"{_DECIDE}/certificate",
    Policy(Scope.PERSON, READERS, audit="read.certificate", statuses=(404, 500)),
)
def certificate(request: Request, agency: str, employee_id: str, request_id: UUID) -> Response:
    """The certificate as uploaded, checked against its SHA-256 (the API's download)."""
    return certificate_response(services(request), agency, employee_id, request_id)
