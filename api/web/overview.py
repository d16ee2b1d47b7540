"""The agency overview: counts by status, who is overdue and what they need, who is due
soon, gaps by requirement and topic, upcoming deadlines, and compliance over the last
years (the trend) as a chart with its numbers as a table.

Read through the same use cases as the API's roster and trend (``replay.asof.roster``,
``replay.trend.trend``), behind the roster route's policy (agency-wide roles), and
audited like it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.http.policy import AGENCY_WIDE, Policy, Scope
from api.http.services import services
from api.web.base import Recent, principal_of, render, web_route
from api.web.charts import trend_chart, trend_table
from api.web.packet_downloads import agency_packet_link
from api.web.timetravel import time_travel
from replay.asof import roster
from replay.trend import trend

__all__ = ["OVERDUE", "SOON", "Need", "Picture", "needs", "picture", "roster_picture", "router"]

router = APIRouter(tags=["web"])

SOON_DAYS = 90  # "upcoming deadlines": within this many days of as_of
TREND_YEARS = 5
LIST_LIMIT = 100  # rows of each list shown (``?limit=all`` for every one)
OVERDUE = "non_compliant"
SOON = "due_soon"


@dataclass
class Need:
    requirement_id: str
    title: str
    remaining: str
    unit: str
    deadline: str | None
    periods: int = 1  # how many of the requirement's windows are short (latest shown)


@dataclass
class Row:
    employee_id: str
    name: str
    status: str
    needs: list[Need] = field(default_factory=list)


@dataclass
class Picture:
    """What the overview (and the unit and command views) show of a roster."""

    as_of: str
    known_at: str
    counts: dict[str, int]
    total: int
    overdue: list[Row]
    due_soon: list[Row]
    gaps: list[tuple[str, int, int]]  # requirement, overdue, due soon
    topic_gaps: list[tuple[str, int]]
    deadlines: list[tuple[str, Row, Need]]


def needs(person: dict[str, Any], statuses: set[str]) -> list[Need]:
    """What the person still needs, one line per requirement: its latest short window
    (what remains, by when) and how many of its windows are short."""
    found: dict[str, Need] = {}
    for req in person["compliance"]["requirements"]:
        if req["status"] not in statuses:
            continue
        need = Need(
            req["requirement_id"],
            req.get("title") or req["requirement_id"],
            req["remaining"],
            req["unit"],
            req["deadline"],
        )
        before = found.get(need.requirement_id)
        if before is not None:
            need.periods = before.periods + 1
            if (before.deadline or "") > (need.deadline or ""):
                need.remaining, need.deadline = before.remaining, before.deadline
        found[need.requirement_id] = need
    return sorted(found.values(), key=lambda n: n.requirement_id)


def picture(answer: Any, people: list[dict[str, Any]] | None = None) -> Picture:
    """The overview's facts of a roster answer (``people``: a subset of its rows)."""
    rows = answer["people"] if people is None else people
    as_of = date.fromisoformat(answer["as_of"])
    horizon = as_of + timedelta(days=SOON_DAYS)
    counts: Counter[str] = Counter()
    overdue, soon, deadlines = [], [], []
    gaps: dict[str, list[int]] = {}
    topics: Counter[str] = Counter()
    for person in rows:
        if person["person_status"] == "not_hired":
            continue
        status = person["compliance"]["status"]
        counts[status] += 1
        row = Row(person["employee_id"], person["name"], status)
        if status == OVERDUE:
            row.needs = needs(person, {OVERDUE})
            overdue.append(row)
        elif status == SOON:
            row.needs = needs(person, {SOON})
            soon.append(row)
        short: dict[str, str] = {}  # requirement -> its worst status for this person
        short_topics: set[str] = set()
        for req in person["compliance"]["requirements"]:
            if req["status"] in (OVERDUE, SOON):
                if short.get(req["requirement_id"]) != OVERDUE:
                    short[req["requirement_id"]] = req["status"]
                for topic in req.get("topics", []):
                    if topic["remaining"] not in ("0", "0.0", "0.00"):
                        short_topics.add(topic["topic"])
            deadline = req.get("deadline")
            if deadline and req["status"] in (SOON, "on_track", OVERDUE):
                day = date.fromisoformat(deadline)
                if as_of <= day <= horizon and req["remaining"] not in ("0", "0.0"):
                    need = Need(
                        req["requirement_id"],
                        req.get("title") or req["requirement_id"],
                        req["remaining"],
                        req["unit"],
                        deadline,
                    )
                    deadlines.append((deadline, row, need))
        for requirement, worst in short.items():  # people, not windows, are counted
            gaps.setdefault(requirement, [0, 0])[0 if worst == OVERDUE else 1] += 1
        topics.update(short_topics)
    deadlines.sort(key=lambda item: (item[0], item[1].employee_id))
    return Picture(
        as_of=answer["as_of"],
        known_at=answer["known_at"],
        counts=dict(sorted(counts.items())),
        total=sum(counts.values()),
        overdue=sorted(overdue, key=lambda r: r.employee_id),
        due_soon=sorted(soon, key=lambda r: r.employee_id),
        gaps=sorted(((k, v[0], v[1]) for k, v in gaps.items()), key=lambda g: (-g[1] - g[2], g[0])),
        topic_gaps=sorted(topics.items(), key=lambda t: (-t[1], t[0])),
        deadlines=deadlines,
    )


_PICTURES: Recent[tuple[str, bytes], Picture] = Recent()


def roster_picture(answer: Any) -> Picture:
    """``picture(answer)``, kept for the last few rosters by their day and a digest of
    their rows (the facts are a function of those alone), so a page asked again parses
    no row; ``known_at`` is the answer's own."""
    digest = getattr(answer, "digest", None)
    if digest is None:
        return picture(answer)
    facts = _PICTURES.get((answer["as_of"], digest()), lambda: picture(answer))
    return replace(facts, known_at=answer["known_at"])


@web_route(
    router,
    "GET",
    "/agencies/{agency}",
    Policy(Scope.AGENCY, AGENCY_WIDE, audit="view.overview", statuses=(404,)),
)
def overview(
    request: Request,
    agency: str,
    years: int = TREND_YEARS,
    every: str = "year",
    limit: str = "",
) -> Response:
    travel = time_travel(request)
    ledger = services(request).ledger
    answer = roster(ledger, agency, travel.as_of, travel.known_at, form="overview")
    facts = roster_picture(answer)
    as_of = date.fromisoformat(answer["as_of"])
    years = max(1, min(years, 10))
    every = "month" if every == "month" else "year"
    # Yearly: this day in each of the last N years (cheap the first time: N+1 steps);
    # monthly: the first of each month since N years ago (12N+1 steps).
    if every == "year":
        start = as_of - relativedelta(years=years)
    else:
        start = date(as_of.year - years, as_of.month, 1)
    # The chart as the records stood at the roster's instant (the same known_at).
    known = datetime.fromisoformat(answer["known_at"])
    history = trend(ledger, agency, start, as_of, every, known)
    steps = "month by month" if every == "month" else f"on {as_of:%d %B} each year"
    title = f"People by status, {steps}, over the last {years} years"
    return render(
        request,
        "overview.html",
        {
            "title": f"{answer['agency']['name']}: overview",
            "agency": answer["agency"],
            "facts": facts,
            "trend": history,
            "chart": lambda nonce: trend_chart(history, title, nonce),
            "table": trend_table(history),
            "years": years,
            "every": every,
            "list_limit": 100_000 if limit == "all" else LIST_LIMIT,
            "steps": steps,
            "packet_href": agency_packet_link(principal_of(request), travel, agency),
        },
        travel=travel.showing(answer),
    )
