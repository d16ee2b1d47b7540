"""Credential and policy routes (issue 17): a person's status across the state, credential
and policy tracks; a coordinator defines a credential type or records a new version of it,
records a qualification attempt or a granted credential, and assigns a policy; an officer
(or a coordinator, for one on paper) acknowledges a published policy version; the credential
types as recorded, a policy's coverage and who had acknowledged a version.

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
from ledger.credential_cases import spec_field, type_spec
from ledger.errors import InvalidValueError
from ledger.unit_of_work import UnitOfWork
from projections.credentials.tracks import TRACKS
from replay.asof import known_at_used, requested_instant
from replay.tracks import person_tracks, policy_acknowledgements, policy_coverage, programme_at

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


class CredentialTypeVersion(Strict):
    """One full version of a credential type (``docs/credentials.md``)."""

    name: str = Field(min_length=1, max_length=200, examples=["Firearms qualification"])
    holders: list[str] = Field(
        min_length=1, max_length=50, examples=[["kind:sworn"]],
        description="Selectors: everyone, kind:…, rank:…, unit:…, assignment:…, person:ID",
    )  # fmt: skip
    earned_by: str = Field(description="qualification, certificate or training_hours")
    validity: str = Field(description="months, end_of_next_year or certificate")
    validity_months: int = Field(0, description="With validity months: how many (1-120)")
    passing_score: Decimal | None = None
    max_score: Decimal | None = None
    renewal_days: int = 0
    warning_days: int = 30
    per_weapon: bool = False
    weapon_classes: list[str] = Field(default_factory=list, max_length=20)
    topics: list[str] = Field(
        default_factory=list, max_length=50, examples=[["firearms", "defensive_tactics"]],
        description="earned_by training_hours: the topic ids whose hours count",
    )  # fmt: skip
    hours_required: Decimal | None = Field(
        None, description="earned_by training_hours: the hours required in the topics"
    )
    hours_window_months: int = Field(
        0,
        description="earned_by training_hours: the hours count when completed within this "
        "many months ending on the day they are met (1-120)",
    )
    effective_on: date | None = Field(None, description="In force from; default today")

    def spec(self) -> dict[str, Any]:
        """The version's fields for the ledger, checked first so that a refusal names its
        field (``ledger.credential_cases.spec_field``)."""
        spec = self.model_dump(exclude={"effective_on", "type_id", "reason"})
        try:
            type_spec(**spec)
        except InvalidValueError as refused:
            raise ApiError(422, "invalid_value", str(refused), spec_field(refused)) from None
        return spec


class NewCredentialType(CredentialTypeVersion):
    type_id: str = Field(min_length=1, max_length=40, examples=["firearms"])


class ChangedCredentialType(CredentialTypeVersion):
    reason: str = Field(min_length=1, max_length=500)


@write_route(
    router,
    "/credential-types",
    AGENCY_WRITE,
    "Define a credential type (version 1), in force from effective_on",
)
def define_credential_type(
    request: Request, body: NewCredentialType, found: Access = Depends(access)
) -> Response:
    spec = body.spec()

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        ledger.define_credential_type(
            found.agency,
            body.type_id,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            actor=who,
            uow=uow,
            **spec,
        )
        return body.type_id

    return run_write(request, found, body, command, date_field="effective_on")


@write_route(
    router,
    "/credential-types/{type_id}/versions",
    AGENCY_WRITE,
    "A new full version of a credential type from effective_on (earlier days keep theirs)",
)
def change_credential_type(
    request: Request, type_id: str, body: ChangedCredentialType, found: Access = Depends(access)
) -> Response:
    spec = body.spec()

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        return ledger.change_credential_type(
            found.agency,
            type_id,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            reason=body.reason,
            actor=who,
            uow=uow,
            **spec,
        )

    return run_write(request, found, body, command, date_field="effective_on")


@api_route(
    router,
    "GET",
    "/credential-types",
    Policy(Scope.AGENCY, AGENCY_WIDE, audit="read.credential_types", statuses=(404,)),
    summary="Every version of every credential type, as recorded at known_at",
)
def credential_types(request: Request, agency: str, known_at: str | None = KNOWN_AT) -> Response:
    ledger = services(request).ledger
    used = known_at_used(ledger, requested_instant(ledger, agency, parse_known_at(known_at)))
    programme = programme_at(ledger, agency, used)
    versions = [
        {
            "type_id": v.type_id,
            "version": v.version,
            "effective_from": v.effective_from.isoformat(),
            "recorded_at": None if v.recorded_at is None else v.recorded_at.isoformat(),
            "retired": v.retired,
            "name": v.name,
            "holders": list(v.holders),
            "earned_by": v.earned_by,
            "validity": v.validity,
            "validity_months": v.validity_months,
            "passing_score": None if v.passing_score is None else str(v.passing_score),
            "max_score": None if v.max_score is None else str(v.max_score),
            "renewal_days": v.renewal_days,
            "warning_days": v.warning_days,
            "per_weapon": v.per_weapon,
            "weapon_classes": list(v.weapon_classes),
            "topics": list(v.topics),
            "hours_required": None if v.hours_required is None else str(v.hours_required),
            "hours_window_months": v.hours_window_months,
        }
        for v in sorted(programme.type_versions, key=lambda v: (v.type_id, v.version))
    ]
    return _json({"known_at": used.isoformat(), "credential_types": versions})


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
