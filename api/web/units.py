"""The supervisor's unit view and the command view (the agency picture, unit by unit).

People are grouped by their unit on the page's ``as_of`` as recorded by its ``known_at``
(``replay.units.units_on``), so a past day shows the units of then. Who may open a unit's
page is decided on current units, as the supervisor's policy reads them
(``api.http.policy``: a supervisor reads the records of people whose current unit is
theirs). The unit view is behind a ``unit`` policy (its supervisors and the agency-wide
roles); the command view behind the roster's (agency-wide roles). Both are
read-audited."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.http.policy import AGENCY_WIDE, Policy, Scope
from api.http.routes.reads import parse_track
from api.http.services import services
from api.web.base import render, web_route
from api.web.charts import GOOD_STATUSES
from api.web.overview import (
    OVERDUE,
    SOON,
    needs,
    picture,
    requirement_titles,
    roster_picture,
)
from api.web.timetravel import time_travel
from ledger.account import Role
from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.person import person_id_for
from replay.track_answers import roster_across
from replay.units import units_on

__all__ = ["router", "units_of"]

router = APIRouter(tags=["web"])
NO_UNIT = "(no unit)"


def units_of(ledger: Ledger, agency: str, answer: Any) -> dict[str, str]:
    """By employee id: each person's unit ('' for none) on the roster answer's ``as_of``,
    as recorded by its ``known_at``."""
    agency_id = agency_id_for(agency)
    by_person = units_on(
        ledger,
        agency_id,
        date.fromisoformat(answer["as_of"]),
        datetime.fromisoformat(answer["known_at"]),
    )
    return {
        p["employee_id"]: by_person.get(person_id_for(agency_id, p["employee_id"]), "")
        for p in answer["people"]
    }


@web_route(
    router,
    "GET",
    "/agencies/{agency}/units/{unit}",
    Policy(Scope.UNIT, frozenset({Role.SUPERVISOR, *AGENCY_WIDE}), audit="view.unit"),
)
def unit_page(request: Request, agency: str, unit: str) -> Response:
    travel = time_travel(request)
    ledger = services(request).ledger
    tracks = parse_track(request.query_params.getlist("track"))
    answer = roster_across(ledger, agency, travel.as_of, travel.known_at, tracks=tracks)
    people = answer["people"]
    units = units_of(ledger, agency, answer)
    mine = [p for p in people if units[p["employee_id"]] == unit]
    facts = picture(answer, mine)  # across the tracks when the answer is
    titles = requirement_titles(answer)
    return render(
        request,
        "unit.html",
        {
            "title": f"Unit {unit}",
            "agency": answer["agency"],
            "unit": unit,
            "facts": facts,
            "tracks_shown": answer.get("tracks_shown"),
            "people": [
                (p, needs(p, {OVERDUE, SOON}, titles))
                for p in sorted(mine, key=lambda p: p["employee_id"])
            ],
        },
        travel=travel.showing(answer),
    )


def _by_unit(
    people: list[dict[str, Any]], units: dict[str, str], across: bool
) -> list[dict[str, Any]]:
    """Each unit's people by status (across the tracks if ``across``)."""
    groups: dict[str, Counter[str]] = {}
    for person in people:
        if person["person_status"] == "not_hired":
            continue
        unit = units[person["employee_id"]] or NO_UNIT
        status = person["status"] if across else person["compliance"]["status"]
        groups.setdefault(unit, Counter())[status] += 1
    rows = []
    for unit, counts in sorted(groups.items()):
        total = sum(counts.values())
        good = sum(counts[s] for s in GOOD_STATUSES)
        rows.append(
            {
                "unit": unit,
                "linked": unit != NO_UNIT,
                "total": total,
                "counts": counts,
                "share": round(100 * good / total) if total else 0,
            }
        )
    return rows


@web_route(
    router,
    "GET",
    "/agencies/{agency}/command",
    Policy(Scope.AGENCY, AGENCY_WIDE, audit="view.command", statuses=(404,)),
)
def command_page(request: Request, agency: str) -> Response:
    travel = time_travel(request)
    ledger = services(request).ledger
    tracks = parse_track(request.query_params.getlist("track"))
    answer = roster_across(ledger, agency, travel.as_of, travel.known_at, tracks=tracks)
    people = answer["people"]
    units = units_of(ledger, agency, answer)
    rows = _by_unit(people, units, "tracks_shown" in answer)
    statuses = sorted({s for row in rows for s in row["counts"]})
    return render(
        request,
        "command.html",
        {
            "title": f"{answer['agency']['name']}: by unit",
            "agency": answer["agency"],
            "facts": roster_picture(answer),
            "rows": rows,
            "statuses": statuses,
            "tracks_shown": answer.get("tracks_shown"),
        },
        travel=travel.showing(answer),
    )
