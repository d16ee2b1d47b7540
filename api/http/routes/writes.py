"""Write routes: record one completion or a class, correct, void; leave, return,
separation, reinstatement. Each runs the ledger's use case (as the CLI's ``muster
training|person`` do) in one unit of work and answers with the recorded time the ledger
gave it. The agency and person come from the path, the actor from the token; request
bodies refuse any other field (so no client sets an agency id, a role, a recorded time
or an actor).

``If-Match: <version>`` (the person's stream version, as the history's last position
and every write's answer state it) refuses a write to a person changed since (409
``stale_version``); two writes to one person at once never lose an event either way:
the later append fails on the stream version and answers 409 ``concurrent_write``.
``Idempotency-Key`` makes a retry safe (``api.http.idempotency``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.errors import ApiError
from api.http.idempotency import idempotent
from api.http.policy import Access, Policy, Scope, access, api_route
from api.http.services import services
from ledger.account import Role
from ledger.application import Ledger
from ledger.time_zones import zone_info
from ledger.unit_of_work import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["writes"])

COORDINATORS = frozenset({Role.COORDINATOR})
PERSON_WRITE = Policy(Scope.PERSON, COORDINATORS, statuses=(404, 409))
AGENCY_WRITE = Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409))
IF_MATCH = Header(None, description="The person's stream version this write expects")
IDEMPOTENCY_KEY = Header(None, description="Makes a retry safe: same key, same answer")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class WriteResult(BaseModel):
    recorded_at: str = Field(description="The recorded time the ledger gave this write")
    events: list[str]
    id: str | None = Field(None, description="The new record's id, where there is one")
    version: int | None = Field(None, description="The person's stream version after it")


Command = Callable[[Ledger, UnitOfWork, str], Any]


def _today(ledger: Ledger, agency: str) -> date:
    zone = ledger.get_agency(agency).time_zone or "UTC"
    return ledger.clock().astimezone(zone_info(zone)).date()


def _write(
    request: Request,
    found: Access,
    body: BaseModel,
    command: Command,
    if_match: str | None,
    *,
    date_field: str,
) -> Response:
    request.state.date_field = date_field

    def run() -> WriteResult:
        ledger = services(request).ledger
        uow = ledger.unit_of_work()
        if if_match is not None and found.employee_id:
            expected = if_match.strip().strip('"')
            if not expected.isdigit():
                raise ApiError(422, "invalid_if_match", "If-Match: a stream version", "If-Match")
            current = uow.person(found.agency, found.employee_id).version
            if int(expected) != current:
                raise ApiError(
                    409,
                    "stale_version",
                    f"the person is at version {current}, not {expected}: reload and retry",
                    "If-Match",
                )
        result = command(ledger, uow, found.actor)
        events = [type(e).__name__ for e in uow.pending()]
        uow.save()
        assert uow.recorded_at is not None
        version = None
        if found.employee_id:
            version = uow.person(found.agency, found.employee_id).version
        return WriteResult(
            recorded_at=uow.recorded_at.isoformat(),
            events=events,
            id=None if result is None else str(result),
            version=version,
        )

    return idempotent(request, found, body, run)


def _person_write(path: str, summary: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    return api_route(router, "POST", path, PERSON_WRITE, status_code=201,
                     response_model=WriteResult, summary=summary, **options)  # fmt: skip


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


@_person_write("/people/{employee_id}/training", "Record one completed training")
def record_training(
    request: Request,
    body: Completion,
    found: Access = Depends(access),
    if_match: str | None = IF_MATCH,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.record_training(
            found.agency,
            found.employee_id,
            completed_on=body.completed_on or _today(ledger, found.agency),
            actor=who,
            uow=uow,
            **_completion_fields(body),
        )

    return _write(request, found, body, command, if_match, date_field="completed_on")


@api_route(
    router,
    "POST",
    "/training/classes",
    AGENCY_WRITE,
    status_code=201,
    response_model=WriteResult,
    summary="Record one course for a whole class: all attendees or none",
)
def record_class(
    request: Request,
    body: ClassCompletion,
    found: Access = Depends(access),
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Response:
    if len(set(body.employee_ids)) != len(body.employee_ids):
        raise ApiError(422, "duplicate_attendee", "an employee id is listed twice", "employee_ids")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        day = body.completed_on or _today(ledger, found.agency)
        for employee_id in body.employee_ids:
            ledger.record_training(
                found.agency,
                employee_id,
                completed_on=day,
                actor=who,
                uow=uow,
                **_completion_fields(body),
            )

    return _write(request, found, body, command, None, date_field="completed_on")


@_person_write(
    "/people/{employee_id}/training/{record_id}/corrections",
    "Restate a record (the original stays, linked to the correction)",
)
def correct_training(
    request: Request,
    record_id: UUID,
    body: Correction,
    found: Access = Depends(access),
    if_match: str | None = IF_MATCH,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
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

    return _write(request, found, body, command, if_match, date_field="completed_on")


@_person_write(
    "/people/{employee_id}/training/{record_id}/void",
    "Void a record entered in error (it stays in the log, marked void)",
)
def void_training(
    request: Request,
    record_id: UUID,
    body: Void,
    found: Access = Depends(access),
    if_match: str | None = IF_MATCH,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.void_training(
            found.agency, found.employee_id, record_id, reason=body.reason, actor=who, uow=uow
        )

    return _write(request, found, body, command, if_match, date_field="reason")


def _status_route(path: str, status: str, summary: str) -> None:
    @_person_write(f"/people/{{employee_id}}/{path}", summary, name=f"person_{path}")
    def change(
        request: Request,
        body: StatusChange,
        found: Access = Depends(access),
        if_match: str | None = IF_MATCH,
        idempotency_key: str | None = IDEMPOTENCY_KEY,
    ) -> Response:
        def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
            ledger.change_status(
                found.agency,
                found.employee_id,
                status=status,
                effective_on=body.effective_on or _today(ledger, found.agency),
                reason=body.reason,
                actor=who,
                uow=uow,
            )

        return _write(request, found, body, command, if_match, date_field="effective_on")


_status_route("leave", "leave", "Record a leave from a date (back-dating allowed)")
_status_route("return", "active", "Record a return from leave")
_status_route("separation", "separated", "Record a separation")
_status_route("reinstatement", "active", "Record a reinstatement")
