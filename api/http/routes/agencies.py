"""Agencies and their aggregate reads: the caller's agencies, one agency, a supervisor's
unit roster (a supervisor sees only their own unit), the status trend with ``as_of`` steps
and ``known_at``, and the ledger's verification (every hash chain recomputed: the digest's
Merkle root)."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.cli.timeargs import LAST_DAY
from api.http.errors import ApiError
from api.http.policy import AGENCY_WIDE, READERS, Access, Policy, Scope, access, api_route
from api.http.routes.reads import AS_OF, KNOWN_AT, TRACK, AnswerableDay, parse_known_at, parse_track
from api.http.services import services
from ledger.account import Role
from ledger.views import AgencyView
from replay.export import to_json
from replay.track_answers import roster_across, trend_across
from replay.trend import check_steps
from replay.verify import verify_store

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies", tags=["agencies"])
UNIT_READERS = frozenset({Role.SUPERVISOR, *AGENCY_WIDE})
MAX_STEPS = 400  # a trend of more points than this is refused (each is a roster's worth)


class AgencyOut(BaseModel):
    slug: str = Field(examples=["mpls"])
    name: str = Field(examples=["Minneapolis PD"])
    jurisdiction: str = Field(examples=["US-MN"])
    time_zone: str = Field(examples=["America/Chicago"])
    registered_at: str


def _out(view: AgencyView) -> AgencyOut:
    return AgencyOut(
        slug=view.slug,
        name=view.name,
        jurisdiction=view.jurisdiction,
        time_zone=view.time_zone,
        registered_at=view.registered_at.isoformat(),
    )


@api_route(router, "GET", "", Policy(Scope.SELF), summary="The agencies the caller has grants in")
def my_agencies(request: Request, found: Access = Depends(access)) -> list[AgencyOut]:
    assert found.principal is not None
    ledger = services(request).ledger
    slugs = sorted({g.agency for g in found.principal.grants if g.agency})
    return [_out(ledger.get_agency(slug)) for slug in slugs]


@api_route(router, "GET", "/{agency}", Policy(Scope.MEMBER, READERS, statuses=(404,)),
           summary="One agency: name, state, time zone")  # fmt: skip
def one_agency(request: Request, agency: str) -> AgencyOut:
    return _out(services(request).ledger.get_agency(agency))


@api_route(
    router,
    "GET",
    "/{agency}/units/{unit}/roster",
    Policy(Scope.UNIT, UNIT_READERS, audit="export.unit_roster", statuses=(404,)),
    summary="The people whose current unit is {unit}, on as_of, as known at known_at",
)
def unit_roster(
    request: Request,
    agency: str,
    unit: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    track: list[str] = TRACK,
) -> Response:
    ledger, tracks = services(request).ledger, parse_track(track)
    answer = roster_across(ledger, agency, as_of, parse_known_at(known_at), tracks=tracks)
    members = {
        view.employee_id
        for view in (ledger.get_person_by_id(i) for i in ledger.people_ids(agency))
        if view.unit == unit
    }
    document: dict[str, Any] = {key: answer[key] for key in answer if key not in {"people"}}
    document["unit"] = unit
    document["people"] = [p for p in answer["people"] if p.get("employee_id") in members]
    document.pop("counts", None)
    document.pop("counts_by_track", None)  # the agency's, as ``counts`` were
    return Response(to_json(document), media_type="application/json")


@api_route(
    router,
    "GET",
    "/{agency}/trend",
    Policy(Scope.AGENCY, AGENCY_WIDE, audit="export.trend", statuses=(404,)),
    summary="Status counts at each step from start to end, as known at known_at",
)
def agency_trend(
    request: Request,
    agency: str,
    start: date = Query(description="First day (YYYY-MM-DD)", examples=["2025-01-01"]),
    end: date = Query(description="Last day (YYYY-MM-DD)", examples=["2025-12-31"]),
    every: str = Query("month", description="day, week, month or year", max_length=10),
    known_at: str | None = KNOWN_AT,
    track: list[str] = TRACK,
) -> Response:
    tracks = parse_track(track)
    for name, day in (("start", start), ("end", end)):
        if day > LAST_DAY:  # as ``AnswerableDay``, whose validator did not run on these
            message = f"{name}: muster answers for days up to {LAST_DAY}"
            raise ApiError(422, "invalid_steps", message, name)
    try:
        check_steps(start, end, every)
    except ValueError as error:
        field = "end" if "--to" in str(error) else "every"
        message = str(error).replace("--to", "end").replace("--from", "start")
        raise ApiError(422, "invalid_steps", message.replace("--every", "every"), field) from None
    steps = {"day": 1, "week": 7, "month": 28, "year": 365}[every]
    if (end - start).days // steps + 1 > MAX_STEPS:
        raise ApiError(422, "too_many_steps", f"at most {MAX_STEPS} steps: widen every", "every")
    ledger, moment = services(request).ledger, parse_known_at(known_at)
    answer = trend_across(ledger, agency, start, end, every, moment, tracks)
    return Response(to_json(answer), media_type="application/json")


class Verification(BaseModel):
    ok: bool
    events: int
    streams: int
    root: str = Field(description="The ledger digest: the Merkle root of every stream head")
    position: int
    seals: dict[str, Any]
    breaks: int = Field(description="How many problems were found (details: muster verify)")
    first_problem: str | None


@api_route(
    router,
    "GET",
    "/{agency}/ledger/verify",
    Policy(Scope.AGENCY, AGENCY_WIDE, audit="ledger.verify", statuses=(404,)),
    summary="Recompute every hash chain of the ledger; its digest (Merkle root)",
)
def ledger_verify(request: Request, agency: str) -> Verification:
    ledger = services(request).ledger
    ledger.get_agency(agency)
    report = verify_store(ledger.store, keys=ledger.seal_keys)
    whole = report.to_dict()
    return Verification(
        ok=report.ok,
        events=report.events,
        streams=len(report.heads),
        root=report.root,
        position=int(whole["position"]),
        seals=orjson.loads(orjson.dumps(report.seals_dict())),
        breaks=len(report.breaks),
        first_problem=report.breaks[0].problem if report.breaks else None,
    )
