"""Training requests: an officer uploads a certificate for a training of their own
(multipart), a coordinator lists the agency's pending requests and approves (which
records the completion) or rejects each, once; the certificate can be downloaded by
whoever may read the person's record, and every download is a read-audit entry.

The certificate's type is read from its content (``ledger.certificates``), never from its
name or the part's ``Content-Type``; it is refused above ``MUSTER_UPLOAD_MAX_BYTES``
(413). Its bytes are stored, content-addressed, before the request's event is appended,
so an event never names a certificate that is not kept; a stored file whose bytes no
longer have the recorded SHA-256 is refused on download (500 ``certificate_tampered``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.http.policy import READERS, Access, Policy, Scope, access, api_route
from api.http.services import Services, services
from api.http.write_route import (
    COORDINATORS,
    PERSON_WRITE,
    Strict,
    agency_today,
    run_write,
    write_route,
)
from ledger.account import Role
from ledger.application import Ledger
from ledger.certificates import Certificate, inspect_certificate
from ledger.request_cases import RequestView
from ledger.unit_of_work import UnitOfWork

__all__ = ["OFFICERS", "certificate_response", "read_upload", "router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["training requests"])

OFFICERS = frozenset({Role.OFFICER})
_PERSON = "/people/{employee_id}/training-requests"
_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class RequestForm(Strict):
    """What an Idempotency-Key is checked against: the form and the certificate's hash."""

    completed_on: date
    course_title: str
    hours: Decimal
    topic: str
    provider: str
    delivery: str
    certificate_sha256: str


class Rejection(Strict):
    reason: str = Field(min_length=1, max_length=200, examples=["certificate is illegible"])


class Approval(Strict):
    """Nothing to say: the request states the training, the token the approver."""


class CertificateOut(BaseModel):
    sha256: str
    media_type: str
    bytes: int
    href: str = Field(description="Where to download it (person policy, audited)")


class RequestOut(BaseModel):
    request_id: str
    employee_id: str
    name: str
    completed_on: str
    course_title: str
    provider: str
    delivery: str
    hours: str
    topic_hours: dict[str, str]
    certificate: CertificateOut
    requested_at: str
    requested_by: str
    decision: str = Field(description="pending, approved or rejected")
    record_id: str | None = Field(None, description="The completion an approval recorded")
    reason: str = ""
    decided_at: str | None = None
    decided_by: str = ""


class RequestList(BaseModel):
    agency: str
    requests: list[RequestOut]


def _out(agency: str, view: RequestView) -> RequestOut:
    r = view.request
    href = (
        f"/api/v1/agencies/{agency}/people/{view.employee_id}/training-requests/"
        f"{r.request_id}/certificate"
    )
    return RequestOut(
        request_id=str(r.request_id),
        employee_id=view.employee_id,
        name=view.name,
        completed_on=r.completed_on.isoformat(),
        course_title=r.course_title,
        provider=r.provider,
        delivery=r.delivery,
        hours=str(r.hours),
        topic_hours={topic: str(hours) for topic, hours in r.topic_hours.items()},
        certificate=CertificateOut(
            sha256=r.certificate_sha256,
            media_type=r.certificate_media_type,
            bytes=r.certificate_bytes,
            href=href,
        ),
        requested_at=r.requested_at.isoformat(),
        requested_by=r.requested_by,
        decision=r.decision,
        record_id=None if r.record_id is None else str(r.record_id),
        reason=r.reason,
        decided_at=None if r.decided_at is None else r.decided_at.isoformat(),
        decided_by=r.decided_by,
    )


def read_upload(upload: UploadFile, max_bytes: int) -> Certificate:
    """The upload's bytes (at most one past the limit are read) as an accepted certificate."""
    content = upload.file.read(max_bytes + 1)
    return inspect_certificate(content, upload.filename or "", max_bytes)


@write_route(
    router,
    _PERSON,
    Policy(Scope.PERSON, OFFICERS, statuses=(404, 409, 413)),
    "Request a training of your own be recorded, with its certificate (PDF, JPEG, PNG)",
    if_match=False,
)
def request_training(
    request: Request,
    certificate: UploadFile = File(description="The certificate: a PDF, JPEG or PNG file"),
    completed_on: date = Form(description="The day the training was completed"),
    course_title: str = Form(min_length=1, max_length=200),
    hours: Decimal = Form(description="Credit hours, e.g. 4 or 1.5"),
    topic: str = Form("", max_length=64, description="The topic the hours count towards"),
    provider: str = Form("", max_length=200),
    delivery: str = Form("in_person", max_length=20),
    found: Access = Depends(access),
) -> Response:
    svc = services(request)
    accepted = read_upload(certificate, svc.settings.upload_max_bytes)
    form = RequestForm(
        completed_on=completed_on,
        course_title=course_title,
        hours=hours,
        topic=topic,
        provider=provider,
        delivery=delivery,
        certificate_sha256=accepted.sha256,
    )

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        request_id = ledger.request_training(
            found.agency,
            found.employee_id,
            completed_on=completed_on,
            course_title=course_title,
            hours=hours,
            topic=topic,
            provider=provider,
            delivery=delivery,
            certificate=accepted,
            actor=who,
            uow=uow,
        )
        svc.certificates.put(accepted)  # checked and staged: keep the bytes, then append
        return request_id

    return run_write(request, found, form, command, date_field="completed_on")


@api_route(
    router,
    "GET",
    "/training-requests",
    Policy(Scope.AGENCY, COORDINATORS, statuses=(404,)),
    summary="The agency's pending training requests, oldest first",
)
def pending(request: Request, agency: str) -> RequestList:
    views = services(request).ledger.pending_training_requests(agency)
    return RequestList(agency=agency, requests=[_out(agency, v) for v in views])


@api_route(
    router,
    "GET",
    _PERSON,
    Policy(Scope.PERSON, READERS, audit="read.requests", statuses=(404,)),
    summary="One person's training requests and their decisions, oldest first",
)
def of_person(request: Request, agency: str, employee_id: str) -> RequestList:
    views = services(request).ledger.training_requests_of(agency, employee_id)
    return RequestList(agency=agency, requests=[_out(agency, v) for v in views])


def _decision(path: str, summary: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return write_route(router, f"{_PERSON}/{{request_id}}/{path}", PERSON_WRITE, summary)


@_decision("approval", "Approve a request: records the training, linked to the request")
def approve(
    request: Request,
    request_id: UUID,
    body: Approval,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.approve_training_request(
            found.agency,
            found.employee_id,
            request_id,
            decided_on=agency_today(ledger, found.agency),
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="request_id")


@_decision("rejection", "Reject a request, with the reason the officer will read")
def reject(
    request: Request,
    request_id: UUID,
    body: Rejection,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.reject_training_request(
            found.agency,
            found.employee_id,
            request_id,
            decided_on=agency_today(ledger, found.agency),
            reason=body.reason,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="reason")


@api_route(
    router,
    "GET",
    f"{_PERSON}/{{request_id}}/certificate",
    Policy(Scope.PERSON, READERS, audit="read.certificate", statuses=(404, 500)),
    response_class=Response,
    responses={200: {"content": {t: {} for t in _EXTENSIONS}, "description": "The file"}},
    summary="Download a request's certificate, checked against its recorded SHA-256",
)
def certificate(request: Request, agency: str, employee_id: str, request_id: UUID) -> Response:
    return certificate_response(services(request), agency, employee_id, request_id)


def certificate_response(
    svc: Services, agency: str, employee_id: str, request_id: UUID
) -> Response:
    """A request's certificate as stored, refused unless its bytes have the recorded
    SHA-256 (the API's download and the dashboard's)."""
    state = svc.ledger.get_training_request(agency, employee_id, request_id)
    content = svc.certificates.get(state.certificate_sha256)
    extension = _EXTENSIONS[state.certificate_media_type]
    name = f"certificate-{state.certificate_sha256[:12]}.{extension}"
    return Response(
        content,
        media_type=state.certificate_media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
            "ETag": f'"{state.certificate_sha256}"',
        },
    )
