"""The read audit's review for coordinators: who viewed whose record in the agency, what
they exported, which requests were refused, oldest first and a page at a time (the API's
``GET …/audit``, same policy)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.http.policy import Policy, Scope
from api.http.services import services
from api.http.write_route import COORDINATORS
from api.web.base import render, web_route

__all__ = ["PAGE", "router"]

router = APIRouter(tags=["web"])

PAGE = 100


@web_route(router, "GET", "/agencies/{agency}/audit", Policy(Scope.AGENCY, COORDINATORS))
def audit_review(
    request: Request,
    agency: str,
    after: int = Query(0, ge=0, le=2**62),
    who: str = Query("", max_length=100),
) -> Response:
    entries = services(request).audit.entries(agency=agency, after=after, limit=PAGE)
    shown = [e for e in entries if not who or who.lower() in e.actor.lower()]
    return render(
        request,
        "audit_review.html",
        {
            "title": "Who viewed what",
            "hide_travel": True,
            "agency": agency,
            "entries": shown,
            "who": who,
            "after": after,
            "next_after": entries[-1].position if len(entries) == PAGE else None,
        },
    )
