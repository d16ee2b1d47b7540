"""Relief as events: exemptions, waivers and extensions, each granted (with a reason and
an approver) and ended early (with a reason); nothing is updated or deleted. The same use
cases as ``muster relief``; the write path of ``api.http.write_route`` (Idempotency-Key,
If-Match, the recorded time in the answer)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field

from api.http.errors import ApiError
from api.http.policy import Access, access
from api.http.write_route import PERSON_WRITE, Strict, agency_today, run_write, write_route
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}/people/{employee_id}", tags=["relief"])


class ExemptionGrant(Strict):
    kind: str = Field(max_length=40, examples=["medical_leave"])
    starts_on: date = Field(examples=["2025-01-01"])
    ends_on: date | None = Field(None, description="Open-ended: leave out")
    reason: str = Field(min_length=1, max_length=200, examples=["light duty"])
    approver: str = Field(min_length=1, max_length=200, examples=["Chief Ramos"])


class WaiverGrant(Strict):
    starts_on: date = Field(examples=["2025-01-01"])
    ends_on: date = Field(examples=["2025-12-31"])
    reason: str = Field(min_length=1, max_length=200)
    approver: str = Field(min_length=1, max_length=200)


class ExtensionGrant(Strict):
    granted_on: date | None = Field(None, description="Default: the agency's today")
    new_deadline: date = Field(examples=["2026-09-30"])
    reason: str = Field(min_length=1, max_length=200)
    approver: str = Field(min_length=1, max_length=200)


class Ending(Strict):
    ended_on: date | None = Field(None, description="Default: the agency's today")
    reason: str = Field(min_length=1, max_length=200, examples=["returned to full duty"])


def _post(path: str, summary: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return write_route(router, path, PERSON_WRITE, summary)


@_post("/exemptions", "Exempt a person from requirements from starts_on (to ends_on)")
def grant_exemption(
    request: Request,
    body: ExemptionGrant,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.grant_exemption(
            found.agency, found.employee_id, kind=body.kind, starts_on=body.starts_on,
            ends_on=body.ends_on, reason=body.reason, approver=body.approver, actor=who,
            uow=uow,
        )  # fmt: skip

    return run_write(request, found, body, command, date_field="starts_on")


@_post("/waivers", "Waive the windows overlapping starts_on..ends_on")
def grant_waiver(
    request: Request,
    body: WaiverGrant,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.grant_waiver(
            found.agency, found.employee_id, starts_on=body.starts_on, ends_on=body.ends_on,
            reason=body.reason, approver=body.approver, actor=who, uow=uow,
        )  # fmt: skip

    return run_write(request, found, body, command, date_field="starts_on")


@_post("/extensions", "Extend to new_deadline a deadline falling before it")
def grant_extension(
    request: Request,
    body: ExtensionGrant,
    found: Access = Depends(access),
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.grant_extension(
            found.agency, found.employee_id,
            granted_on=body.granted_on or agency_today(ledger, found.agency),
            new_deadline=body.new_deadline, reason=body.reason, approver=body.approver,
            actor=who, uow=uow,
        )  # fmt: skip

    return run_write(request, found, body, command, date_field="granted_on")


def _ending(kind: str) -> None:
    @_post(f"/{kind}s/{{relief_id}}/end", f"End a {kind} early (it stays in the log)")
    def end(
        request: Request,
        relief_id: UUID,
        body: Ending,
        found: Access = Depends(access),
    ) -> Response:
        def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
            if relief_id not in getattr(uow.person(found.agency, found.employee_id), f"{kind}s"):
                raise ApiError(
                    404, f"{kind}_not_found", f"the person has no {kind} {relief_id}", "relief_id"
                )
            use_case = getattr(ledger, f"end_{kind}")
            use_case(
                found.agency, found.employee_id, relief_id,
                ended_on=body.ended_on or agency_today(ledger, found.agency), reason=body.reason,
                actor=who, uow=uow,
            )  # fmt: skip

        return run_write(request, found, body, command, date_field="ended_on")


for _kind in ("exemption", "waiver", "extension"):
    _ending(_kind)
