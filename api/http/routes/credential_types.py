"""The agency's credential types over HTTP (issue 17 §4): list them with their versions,
define one, record a new version (a change, with its reason, from a date) and retire one.

Each write runs the ledger's use case the CLI's ``muster credential type`` and the
dashboard's admin page run (``Ledger.define_credential_type``, ``change_credential_type``,
``retire_credential_type``) through ``api.http.write_route``; the type's fields are
checked together there (``ledger.credential_cases.type_spec``). A new version never
rewrites how an earlier day was judged. Reading is for anyone with a grant in the agency,
as the rules in force are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.http.policy import READERS, Access, Policy, Scope, access, api_route
from api.http.services import services
from api.http.write_route import AGENCY_WRITE, Strict, agency_today, run_write, write_route
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork
from projections.credentials.programme import CredentialTypeVersion
from replay.asof import known_at_used, requested_instant
from replay.tracks import programme_at

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["credential types"])

_TYPES = "/credential-types"


class TypeSpec(Strict):
    """A credential type version's fields (all of them, on a change too)."""

    name: str = Field(min_length=1, max_length=120, examples=["Firearms qualification"])
    holders: list[str] = Field(
        min_length=1, max_length=50, examples=[["kind:sworn"]],
        description="Who must hold it: everyone, kind:…, rank:…, unit:…, assignment:…, person:…",
    )  # fmt: skip
    earned_by: str = Field(examples=["qualification"], description="qualification or certificate")
    validity: str = Field(
        examples=["months"], description="months, end_of_next_year or certificate"
    )
    validity_months: int = Field(0, ge=0, le=120, examples=[12])
    passing_score: Decimal | None = Field(None, examples=[80])
    max_score: Decimal | None = Field(None, examples=[100])
    renewal_days: int = Field(0, ge=0, le=3660)
    warning_days: int = Field(30, ge=0, le=3660)
    per_weapon: bool = False
    weapon_classes: list[str] = Field(default_factory=list, max_length=20, examples=[["handgun"]])

    def spec(self) -> dict[str, Any]:
        return self.model_dump(include=set(TypeSpec.model_fields))


class Definition(TypeSpec):
    type_id: str = Field(min_length=1, max_length=40, examples=["firearms"])
    effective_on: date | None = Field(None, description="In force from; default today")


class Change(TypeSpec):
    effective_on: date | None = Field(None, description="The new version from; default today")
    reason: str = Field(min_length=1, max_length=500, examples=["qualify twice a year"])


class Retirement(Strict):
    effective_on: date | None = Field(None, description="Nobody must hold it from; default today")
    reason: str = Field(min_length=1, max_length=500, examples=["replaced by firearms-2"])


class TypeVersionOut(BaseModel):
    version: int
    effective_from: str
    retired: bool
    name: str
    holders: list[str]
    earned_by: str
    passing_score: str | None
    max_score: str | None
    validity: str
    validity_months: int
    renewal_days: int
    warning_days: int
    per_weapon: bool
    weapon_classes: list[str]
    recorded_at: str | None


class CredentialTypeOut(BaseModel):
    type_id: str
    in_force: int | None = Field(None, description="The version in force today")
    retired: bool = Field(description="Retired as of today")
    versions: list[TypeVersionOut]


class CredentialTypes(BaseModel):
    agency: str
    known_at: str = Field(description="The records as they stood at this instant (now)")
    types: list[CredentialTypeOut]


def _version_out(v: CredentialTypeVersion) -> TypeVersionOut:
    return TypeVersionOut(
        version=v.version,
        effective_from=v.effective_from.isoformat(),
        retired=v.retired,
        name=v.name,
        holders=list(v.holders),
        earned_by=v.earned_by,
        passing_score=None if v.passing_score is None else str(v.passing_score),
        max_score=None if v.max_score is None else str(v.max_score),
        validity=v.validity,
        validity_months=v.validity_months,
        renewal_days=v.renewal_days,
        warning_days=v.warning_days,
        per_weapon=v.per_weapon,
        weapon_classes=list(v.weapon_classes),
        recorded_at=None if v.recorded_at is None else v.recorded_at.isoformat(),
    )


@api_route(
    router,
    "GET",
    _TYPES,
    Policy(Scope.MEMBER, READERS, statuses=(404,)),
    summary="The agency's credential types, each with every version (in force today marked)",
)
def credential_types(request: Request, agency: str) -> CredentialTypes:
    ledger = services(request).ledger
    used = known_at_used(ledger, requested_instant(ledger, agency, None))
    programme = programme_at(ledger, agency, used)
    today = agency_today(ledger, agency)
    types = []
    for type_id in programme.type_ids:
        current = programme.type_on(type_id, today)
        versions = sorted(
            (v for v in programme.type_versions if v.type_id == type_id), key=lambda v: v.version
        )
        types.append(
            CredentialTypeOut(
                type_id=type_id,
                in_force=None if current is None else current.version,
                retired=current is not None and current.retired,
                versions=[_version_out(v) for v in versions],
            )
        )
    return CredentialTypes(agency=agency, known_at=used.isoformat(), types=types)


@write_route(router, _TYPES, AGENCY_WRITE, "Define a credential type (its first version)")
def define_type(request: Request, body: Definition, found: Access = Depends(access)) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> str:
        ledger.define_credential_type(
            found.agency,
            body.type_id,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            actor=who,
            uow=uow,
            **body.spec(),
        )
        return body.type_id.strip()

    return run_write(request, found, body, command, date_field="effective_on")


@write_route(
    router,
    f"{_TYPES}/{{type_id}}",
    AGENCY_WRITE,
    "Record a new version of a credential type from effective_on, with the reason; the "
    "answer's id is its number (earlier days are still judged by the version then)",
    method="PUT",
)
def change_type(
    request: Request, type_id: str, body: Change, found: Access = Depends(access)
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> int:
        return ledger.change_credential_type(
            found.agency,
            type_id,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            reason=body.reason,
            actor=who,
            uow=uow,
            **body.spec(),
        )

    return run_write(request, found, body, command, date_field="effective_on", status_code=200)


@write_route(
    router,
    f"{_TYPES}/{{type_id}}/retirement",
    AGENCY_WRITE,
    "Retire a credential type from effective_on (nobody must hold it from then), with the reason",
)
def retire_type(
    request: Request, type_id: str, body: Retirement, found: Access = Depends(access)
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.retire_credential_type(
            found.agency,
            type_id,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            reason=body.reason,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="effective_on")
