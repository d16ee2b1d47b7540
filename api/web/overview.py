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

import orjson
from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.http.policy import AGENCY_WIDE, Policy, Scope
from api.http.routes.reads import parse_track
from api.http.services import services
from api.web.base import Recent, principal_of, render, web_route
from api.web.charts import trend_chart, trend_table
from api.web.packet_downloads import agency_packet_link
from api.web.timetravel import time_travel
from replay.track_answers import roster_across, trend_across

__all__ = ["OVERDUE", "SOON", "Need", "Picture", "needs", "picture", "roster_picture", "router"]

router = APIRouter(tags=["web"])

SOON_DAYS = 90  # "upcoming deadlines": within this many days of as_of
TREND_YEARS = 5  # replay.trend.YEARLY_CHART_YEARS: what `muster replay` fills ahead
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
class OwnItem:
    """A credential or policy item short on the day: its track, title and first reason."""

    track: str
    item_id: str
    title: str
    status: str
    reason: str


@dataclass
class Row:
    employee_id: str
    name: str
    status: str
    needs: list[Need] = field(default_factory=list)
    items: list[OwnItem] = field(default_factory=list)


@dataclass
class Picture:
    """What the overview (and the unit and command views) show of a roster."""

    as_of: str
    known_at: str
    counts: dict[str, int]
    total: int
    overdue: list[Row]
    due_soon: list[Row]
    gaps: list[tuple[str, int, int]]  # requirement (or "track:item"), overdue, due soon
    topic_gaps: list[tuple[str, int]]
    deadlines: list[tuple[str, Row, Need]]
    titles: dict[str, str] = field(default_factory=dict)  # what a gap's key is called
    tracks_shown: tuple[str, ...] = ()  # () for the state answer alone

    def title(self, key: str) -> str:
        return self.titles.get(key, key)


def requirement_titles(answer: Any) -> dict[str, str]:
    """Each requirement id's title, from the roster header's rule catalogue (a roster row
    names requirements by id only); where versions title one id differently, the last
    version's title (the catalogue is ordered by pack and version)."""
    titles: dict[str, str] = {}
    for version in (answer.get("rule_versions") or {}).values():
        for requirement_id, requirement in version.get("requirements", {}).items():
            titles[requirement_id] = requirement.get("title") or requirement_id
    return titles


def own_items(person: dict[str, Any], statuses: set[str]) -> list[OwnItem]:
    """The person's credential and policy items in ``statuses`` (a roster row across the
    tracks; none for a state row)."""
    return [
        OwnItem(
            i["track"],
            i["item_id"],
            i.get("title") or i["item_id"],
            i["status"],
            i["reasons"][0] if i.get("reasons") else i["status"].replace("_", " "),
        )
        for i in person.get("items", ())
        if i["status"] in statuses
    ]


def needs(
    person: dict[str, Any], statuses: set[str], titles: dict[str, str] | None = None
) -> list[Need]:
    """What the person still needs, one line per requirement: its latest short window
    (what remains, by when) and how many of its windows are short. ``titles``: the
    requirements' titles by id, where the row does not carry them."""
    found: dict[str, Need] = {}
    for req in person["compliance"]["requirements"]:
        if req["status"] not in statuses:
            continue
        need = Need(
            req["requirement_id"],
            req.get("title") or (titles or {}).get(req["requirement_id"]) or req["requirement_id"],
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
    """The overview's facts of a roster answer (``people``: a subset of its rows). Across
    the tracks (``tracks_shown`` in the answer) a person is counted and listed by their
    status across them, with the credential and policy items they are short on; the state
    track's requirements are listed only when it is shown."""
    rows = answer["people"] if people is None else people
    tracks = tuple(answer.get("tracks_shown") or ())
    state_shown = not tracks or "state" in tracks
    titles = requirement_titles(answer)
    as_of = date.fromisoformat(answer["as_of"])
    horizon = as_of + timedelta(days=SOON_DAYS)
    counts: Counter[str] = Counter()
    overdue: list[Row] = []
    soon: list[Row] = []
    deadlines: list[tuple[str, Row, Need]] = []
    gaps: dict[str, list[int]] = {}
    topics: Counter[str] = Counter()
    for person in rows:
        if person["person_status"] == "not_hired":
            continue
        status = person["status"] if tracks else person["compliance"]["status"]
        counts[status] += 1
        row = Row(person["employee_id"], person["name"], status)
        for wanted, into in ((OVERDUE, overdue), (SOON, soon)):
            if status == wanted:
                row.needs = needs(person, {wanted}, titles) if state_shown else []
                row.items = own_items(person, {wanted})
                into.append(row)
        short: dict[str, str] = {}  # requirement -> its worst status for this person
        short_topics: set[str] = set()
        for item in own_items(person, {OVERDUE, SOON}):
            key = f"{item.track}:{item.item_id}"
            titles.setdefault(key, f"{item.title} ({item.track})")
            if short.get(key) != OVERDUE:
                short[key] = item.status
        for req in person["compliance"]["requirements"] if state_shown else ():
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
                        req.get("title")
                        or titles.get(req["requirement_id"])
                        or req["requirement_id"],
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
        titles={k: titles[k] for k in gaps if k in titles},
        tracks_shown=tracks,
    )


_PICTURES: Recent[tuple[str, str, bytes], Picture] = Recent()


def roster_picture(answer: Any) -> Picture:
    """``picture(answer)``, kept for the last few rosters by their day, the tracks shown,
    the requirements' titles and a digest of their rows (the facts are a function of those
    alone), so a page asked again parses no row; ``known_at`` is the answer's own."""
    digest = getattr(answer, "digest", None)
    if digest is None:
        return picture(answer)
    header = orjson.dumps([answer.get("tracks_shown"), requirement_titles(answer)])
    facts = _PICTURES.get((answer["as_of"], header.decode(), digest()), lambda: picture(answer))
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
    tracks = parse_track(request.query_params.getlist("track"))
    answer = roster_across(
        ledger, agency, travel.as_of, travel.known_at, tracks=tracks, form="overview"
    )
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
    history = trend_across(ledger, agency, start, as_of, every, known, tracks)
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
