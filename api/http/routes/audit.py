"""The read audit's review: who read whose record in an agency, and whether the chain of
entries is intact (coordinators of that agency)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.http.policy import Policy, Scope, api_route
from api.http.services import services
from ledger.account import Role

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["audit"])


class AuditEntryOut(BaseModel):
    position: int
    at: str
    actor: str
    action: str
    object: str
    source: str
    outcome: str
    link: str


class AuditPage(BaseModel):
    agency: str
    entries: list[AuditEntryOut]
    next_after: int | None


@api_route(
    router,
    "GET",
    "/audit",
    Policy(Scope.AGENCY, frozenset({Role.COORDINATOR})),
    summary="Who read which records of the agency, oldest first",
)
def review(
    request: Request,
    agency: str,
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(100, ge=1, le=1000),
) -> AuditPage:
    entries = services(request).audit.entries(agency=agency, after=after, limit=limit)
    return AuditPage(
        agency=agency,
        entries=[
            AuditEntryOut(
                position=e.position,
                at=e.at,
                actor=e.actor,
                action=e.action,
                object=e.object,
                source=e.source,
                outcome=e.outcome,
                link=e.link,
            )
            for e in entries
        ],
        next_after=entries[-1].position if len(entries) == limit else None,
    )
