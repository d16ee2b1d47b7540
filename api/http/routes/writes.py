"""Write routes: record one completion or a class, correct, void; leave, return,
separation, reinstatement. Each runs the ledger's use case (as the CLI's ``muster
training|person`` do) through the shared write path of ``api.http.write_route``
(``Idempotency-Key``, ``If-Match``, the recorded time in the answer). The agency and
person come from the path, the actor from the token.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field

from api.http.errors import ApiError
from api.http.policy import Access, access
from api.http.write_route import (
    AGENCY_WRITE,
    PERSON_WRITE,
    Strict,
    agency_today,
    run_write,
    write_route,
)
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["writes"])


class Completion(Strict):
    completed_on: date | None = Field(None, description="Default: the agency's today")
    course_title: str = Field(min_length=1, max_length=200, examples=["Use of force update"])
    hours: Decimal = Field(examples=["4"], description="Credit hours, e.g. 4 or 1.5")
    topic_hours: dict[str, Decimal] = Field(default_factory=dict)
    provider: str = Field("", max_length=200)
    post_course_number: str = Field("", max_length=200)
    delivery: str = Field("in_person", max_length=20)
    valid_until: date | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)


class ClassCompletion(Completion):
    employee_ids: list[str] = Field(min_length=1, max_length=500)


class Correction(Strict):
    reason: str = Field(min_length=1, max_length=200)
    completed_on: date | None = None
    course_title: str | None = Field(None, max_length=200)
    hours: Decimal | None = None
    valid_until: date | None = None


class Void(Strict):
    reason: str = Field(min_length=1, max_length=200)


class StatusChange(Strict):
    effective_on: date | None = Field(None, description="Default: the agency's today")
    reason: str = Field("", max_length=200)


def _completion_fields(body: Completion) -> dict[str, Any]:
    return {
        "course_title": body.course_title,
        "hours": body.hours,
        "topic_hours": dict(body.topic_hours),
        "provider": body.provider,
        "post_course_number": body.post_course_number,
        "delivery": body.delivery,
        "valid_until": body.valid_until,
        "tags": body.tags,
    }


@write_route(
    router, "/people/{employee_id}/training", PERSON_WRITE, "Record one completed training"
)
def record_training(
    request: Request,
    body: Completion,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.record_training(
            found.agency,
            found.employee_id,
            completed_on=body.completed_on or agency_today(ledger, found.agency),
            actor=who,
            uow=uow,
            **_completion_fields(body),
        )

    return run_write(request, found, body, command, date_field="completed_on")


@write_route(
    router,
    "/training/classes",
    AGENCY_WRITE,
    "Record one course for a whole class: all attendees or none",
)
def record_class(
    request: Request,
    body: ClassCompletion,
    found: Access = Depends(access),
) -> Response:
    if len(set(body.employee_ids)) != len(body.employee_ids):
        raise ApiError(422, "duplicate_attendee", "an employee id is listed twice", "employee_ids")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        day = body.completed_on or agency_today(ledger, found.agency)
        for employee_id in body.employee_ids:
            ledger.record_training(
                found.agency,
                employee_id,
                completed_on=day,
                actor=who,
                uow=uow,
                **_completion_fields(body),
            )

    return run_write(request, found, body, command, date_field="completed_on")


@write_route(
    router,
    "/people/{employee_id}/training/{record_id}/corrections",
    PERSON_WRITE,
    "Restate a record (the original stays, linked to the correction)",
)
def correct_training(
    request: Request,
    record_id: UUID,
    body: Correction,
    found: Access = Depends(access),
) -> Response:
    changes = body.model_dump(exclude={"reason"}, exclude_none=True)
    if not changes:
        raise ApiError(
            422,
            "nothing_to_correct",
            "say what changes: completed_on, course_title, hours or valid_until",
            None,
        )

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.correct_training(
            found.agency,
            found.employee_id,
            record_id,
            reason=body.reason,
            actor=who,
            uow=uow,
            **changes,
        )

    return run_write(request, found, body, command, date_field="completed_on")


@write_route(
    router,
    "/people/{employee_id}/training/{record_id}/void",
    PERSON_WRITE,
    "Void a record entered in error (it stays in the log, marked void)",
)
def void_training(
    request: Request,
    record_id: UUID,
    body: Void,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.void_training(
            found.agency, found.employee_id, record_id, reason=body.reason, actor=who, uow=uow
        )

    return run_write(request, found, body, command, date_field="reason")


def _status_route(path: str, status: str, summary: str) -> None:
    @write_route(router, f"/people/{{employee_id}}/{path}", PERSON_WRITE, summary,
                 name=f"person_{path}")  # fmt: skip
    def change(
        request: Request,
        body: StatusChange,
        found: Access = Depends(access),
    ) -> Response:
        def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
            ledger.change_status(
                found.agency,
                found.employee_id,
                status=status,
                effective_on=body.effective_on or agency_today(ledger, found.agency),
                reason=body.reason,
                actor=who,
                uow=uow,
            )

        return run_write(request, found, body, command, date_field="effective_on")


_status_route("leave", "leave", "Record a leave from a date (back-dating allowed)")
_status_route("return", "active", "Record a return from leave")
_status_route("separation", "separated", "Record a separation")
_status_route("reinstatement", "active", "Record a reinstatement")
