"""``/healthz`` and ``/readyz``: green only while the database answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.http.policy import Policy, Scope, api_route
from api.http.services import services
from ledger.side_database import AUDIT

__all__ = ["router"]

router = APIRouter(tags=["health"])
PUBLIC = Policy(Scope.PUBLIC)


def _probe(request: Request, *, side: bool) -> JSONResponse:
    svc = services(request)
    try:
        svc.ledger.store.last_recorded()
        if side:
            with svc.side.reading() as cur:
                cur.execute(f"SELECT position FROM {svc.side.table(AUDIT)} LIMIT 1")
                cur.fetchall()
    except Exception:  # any failure to reach the database is "not ready", never a 500
        return JSONResponse(
            {"status": "unavailable", "database": "down"},
            status_code=503,
            headers={"Retry-After": "1"},
        )
    return JSONResponse({"status": "ok", "database": "up"})


@api_route(router, "GET", "/healthz", PUBLIC, summary="Liveness: the process and its database")
def healthz(request: Request) -> JSONResponse:
    return _probe(request, side=False)


@api_route(router, "GET", "/readyz", PUBLIC, summary="Readiness: the event log and side tables")
def readyz(request: Request) -> JSONResponse:
    return _probe(request, side=True)
