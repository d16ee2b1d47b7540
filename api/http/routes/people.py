"""Person facts as events: enrol a person; a change of assignment (rank, unit); licence and
certification facts. Each runs the ledger's use case (as ``muster person`` does) through
the write path of ``api.http.write_route``: ``Idempotency-Key``, ``If-Match`` and the
recorded time in the answer. Request schemas are apart from the events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field

from api.http.policy import Access, Policy, Scope, access
from api.http.write_route import (
    COORDINATORS,
    PERSON_WRITE,
    Strict,
    agency_today,
    run_write,
    write_route,
)
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["people"])
ENROL = Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409))


class Enrolment(Strict):
    employee_id: str = Field(min_length=1, max_length=64, examples=["E1042"])
    first_name: str = Field(min_length=1, max_length=200, examples=["Pat"])
    last_name: str = Field(min_length=1, max_length=200, examples=["Officer"])
    kind: str = Field("sworn", max_length=40, examples=["sworn"])
    hired_on: date = Field(examples=["2024-01-08"])
    rank: str = Field("", max_length=200)
    unit: str = Field("", max_length=200, examples=["Patrol"])
    assignments: list[str] = Field(default_factory=list, max_length=50)
    email: str = Field("", max_length=200)


class Assignment(Strict):
    effective_on: date | None = Field(None, description="Default: the agency's today")
    rank: str = Field("", max_length=200, examples=["Sergeant"])
    unit: str = Field("", max_length=200, examples=["Traffic"])
    assignments: list[str] = Field(default_factory=list, max_length=50)


class Licence(Strict):
    license_number: str = Field(min_length=1, max_length=100, examples=["L-55120"])
    issued_on: date | None = Field(None, description="Unknown: leave out")
    period_end: date = Field(examples=["2027-06-30"])


class Certification(Strict):
    effective_on: date | None = Field(None, description="Default: the agency's today")
    certified_on: date | None = None
    basic_completed_on: date | None = None
    certificates: list[str] = Field(default_factory=list, max_length=50)
    employment: str = Field("full_time", max_length=40, examples=["full_time"])


@write_route(router, "/people", ENROL, "Enrol a person (the hire date may not be in the future)")
def enrol(
    request: Request,
    body: Enrolment,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        return ledger.enrol_person(
            found.agency,
            body.employee_id,
            first_name=body.first_name,
            last_name=body.last_name,
            kind=body.kind,
            hired_on=body.hired_on,
            rank=body.rank,
            unit_name=body.unit,
            assignments=body.assignments,
            email=body.email,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="hired_on")


def _person_post(path: str, summary: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return write_route(router, f"/people/{{employee_id}}/{path}", PERSON_WRITE, summary)


@_person_post("assignment", "Change rank, unit or assignments from effective_on")
def change_assignment(
    request: Request,
    body: Assignment,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.change_assignment(
            found.agency,
            found.employee_id,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            rank=body.rank,
            unit_name=body.unit,
            assignments=body.assignments,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="effective_on")


@_person_post("licence", "Record a licence period (its number, issue date and end)")
def record_licence(
    request: Request,
    body: Licence,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.record_license(
            found.agency,
            found.employee_id,
            license_number=body.license_number,
            issued_on=body.issued_on,
            period_end=body.period_end,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="issued_on")


@_person_post("certification", "Record certification facts (certified, basic training)")
def record_certification(
    request: Request,
    body: Certification,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.record_certification(
            found.agency,
            found.employee_id,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            certified_on=body.certified_on,
            basic_completed_on=body.basic_completed_on,
            certificates=body.certificates,
            employment=body.employment,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="effective_on")
