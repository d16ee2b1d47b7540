"""Credential and policy routes (issue 17): a person's status across the state, credential
and policy tracks; a coordinator records a qualification attempt or a granted credential,
and assigns a policy; an officer (or a coordinator, for one on paper) acknowledges a
published policy version; a policy's coverage and who had acknowledged a version.

Each write runs the ledger's use case the CLI's ``muster credential|policy`` run, through
the shared write path of ``api.http.write_route``. Reads are bitemporal as the other read
routes (``as_of``, ``known_at``, both stated in the answer).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import Field

from api.http.errors import ApiError
from api.http.policy import AGENCY_WIDE, READERS, Access, Policy, Scope, access, api_route
from api.http.routes.reads import AS_OF, KNOWN_AT, AnswerableDay, _json, parse_known_at
from api.http.services import services
from api.http.write_route import (
    AGENCY_WRITE,
    COORDINATORS,
    PERSON_WRITE,
    Strict,
    agency_today,
    run_write,
    write_route,
)
from ledger.account import Role
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork
from projections.credentials.tracks import TRACKS
from replay.tracks import person_tracks, policy_acknowledgements, policy_coverage

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["credentials"])

# An officer acknowledges their own; a coordinator enters one given on paper.
ACKNOWLEDGE = Policy(Scope.PERSON, frozenset({Role.OFFICER, *COORDINATORS}), statuses=(404, 409))
TRACK = Query(None, description="Only these tracks (state, credential, policy); default all")


def _tracks(given: list[str] | None) -> tuple[Any, ...]:
    chosen = tuple(dict.fromkeys(given or TRACKS))
    unknown = [t for t in chosen if t not in TRACKS]
    if unknown:
        raise ApiError(
            422, "invalid_track", f"track {unknown[0]!r}: expected one of {', '.join(TRACKS)}",
            "track",
        )  # fmt: skip
    return chosen


@api_route(
    router,
    "GET",
    "/people/{employee_id}/tracks",
    Policy(Scope.PERSON, READERS, audit="read.tracks", statuses=(404,)),
    summary="One person's status across the state, credential and policy tracks, with reasons",
)
def person_track_status(
    request: Request,
    agency: str,
    employee_id: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    track: list[str] | None = TRACK,
) -> Response:
    ledger = services(request).ledger
    answer = person_tracks(
        ledger, agency, employee_id, as_of, parse_known_at(known_at), _tracks(track)
    )
    return _json(answer)


class Qualification(Strict):
    credential_type: str = Field(min_length=1, max_length=80, examples=["firearms"])
    result: str = Field(examples=["pass"], description="pass or fail")
    instructor: str = Field(min_length=1, max_length=200)
    score: Decimal | None = None
    on: date | None = Field(None, description="Default: the agency's today")
    weapon_class: str = Field("", max_length=80, description="Per-weapon types")
    make_model: str = Field("", max_length=200)
    serial: str = Field("", max_length=80)


@write_route(
    router,
    "/people/{employee_id}/qualifications",
    PERSON_WRITE,
    "Record one qualification attempt, passed or failed (a failure grants nothing)",
)
def record_qualification(
    request: Request, body: Qualification, found: Access = Depends(access)
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        return ledger.record_qualification(
            found.agency,
            found.employee_id,
            credential_type=body.credential_type,
            on=body.on or agency_today(ledger, found.agency),
            result=body.result,
            score_value=body.score,
            instructor=body.instructor,
            weapon=(body.weapon_class, body.make_model, body.serial),
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="on")


class Grant(Strict):
    credential_type: str = Field(min_length=1, max_length=80, examples=["cpr"])
    on: date | None = Field(None, description="Default: the agency's today")
    expires_on: date | None = Field(None, description="The certificate's own expiry")
    certificate_number: str = Field("", max_length=200)
    issuer: str = Field("", max_length=200)
    serial: str = Field("", max_length=80, description="Per-weapon types: the weapon's serial")


@write_route(
    router,
    "/people/{employee_id}/credentials",
    PERSON_WRITE,
    "Grant a credential (an external certificate, or the agency's own grant)",
)
def grant_credential(request: Request, body: Grant, found: Access = Depends(access)) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        return ledger.grant_credential(
            found.agency,
            found.employee_id,
            credential_type=body.credential_type,
            on=body.on or agency_today(ledger, found.agency),
            expires_on=body.expires_on,
            certificate_number=body.certificate_number,
            issuer=body.issuer,
            serial=body.serial,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="on")


class Assignment(Strict):
    audience: list[str] = Field(
        min_length=1, max_length=50, examples=[["everyone"]],
        description="Selectors: everyone, role:…, unit:…, assignment:…",
    )  # fmt: skip
    due_days: int = Field(ge=0, le=3660, examples=[30])
    due_from: str = Field("publication", description="publication or assignment")
    effective_on: date | None = Field(None, description="Default: the agency's today")


@write_route(
    router,
    "/policies/{policy_id}/assignments",
    AGENCY_WRITE,
    "Assign a policy to an audience, to be acknowledged within due_days",
)
def assign_policy(
    request: Request, policy_id: str, body: Assignment, found: Access = Depends(access)
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        return ledger.assign_policy(
            found.agency,
            policy_id,
            audience=body.audience,
            due_days=body.due_days,
            due_from=body.due_from,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="effective_on")


class Acknowledgement(Strict):
    policy_id: str = Field(min_length=1, max_length=80, examples=["use-of-force"])
    version: str = Field(
        min_length=1, max_length=64, description="The version's number or its SHA-256"
    )
    on: date | None = Field(None, description="Default: the agency's today")
    channel: str = Field("online", description="in_person, online or paper")
    quiz_answers: dict[str, str] = Field(default_factory=dict, max_length=20)
    quiz_score: Decimal | None = None


@write_route(
    router,
    "/people/{employee_id}/policy-acknowledgements",
    ACKNOWLEDGE,
    "Acknowledge this exact published version of a policy (an officer their own)",
)
def acknowledge_policy(
    request: Request, body: Acknowledgement, found: Access = Depends(access)
) -> Response:
    version: str | int = int(body.version) if body.version.isdigit() else body.version

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> str:
        return ledger.acknowledge_policy(
            found.agency,
            found.employee_id,
            body.policy_id,
            version,
            on=body.on or agency_today(ledger, found.agency),
            channel=body.channel,
            quiz_answers=body.quiz_answers,
            quiz_score=body.quiz_score,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="on")


AGENCY_READ = Policy(Scope.AGENCY, AGENCY_WIDE, audit="read.policy", statuses=(404,))


@api_route(
    router,
    "GET",
    "/policies/{policy_id}/coverage",
    AGENCY_READ,
    summary="Everyone the policy binds on as_of: acknowledged, due or overdue, with counts",
)
def coverage(
    request: Request,
    agency: str,
    policy_id: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
) -> Response:
    ledger = services(request).ledger
    return _json(policy_coverage(ledger, agency, policy_id, as_of, parse_known_at(known_at)))


@api_route(
    router,
    "GET",
    "/policies/{policy_id}/versions/{version}/acknowledgements",
    AGENCY_READ,
    summary="Who had acknowledged exactly this version by on, as recorded at known_at",
)
def acknowledgements(
    request: Request,
    agency: str,
    policy_id: str,
    version: str,
    on: date | None = Query(None, description="The day asked about (default today)"),
    known_at: str | None = KNOWN_AT,
) -> Response:
    ledger = services(request).ledger
    named: str | int = int(version) if version.isdigit() else version
    answer = policy_acknowledgements(ledger, agency, policy_id, named, on, parse_known_at(known_at))
    return _json(answer)
