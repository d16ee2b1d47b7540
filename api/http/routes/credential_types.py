"""Retiring a credential type over HTTP (issue 17 §4): from a day on, nobody must hold it;
how earlier days were judged is unchanged. Runs the ledger's use case the CLI's ``muster
credential type retire`` and the dashboard's admin page run
(``Ledger.retire_credential_type``) through ``api.http.write_route``. The routes that list,
define and change credential types are in ``api.http.routes.credentials``."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field

from api.http.policy import Access, access
from api.http.write_route import AGENCY_WRITE, Strict, agency_today, run_write, write_route
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["credential types"])


class Retirement(Strict):
    effective_on: date | None = Field(None, description="Nobody must hold it from; default today")
    reason: str = Field(min_length=1, max_length=500, examples=["replaced by firearms-2"])


@write_route(
    router,
    "/credential-types/{type_id}/retirement",
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
