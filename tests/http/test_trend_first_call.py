"""The trend's first call on a fresh store, at the ends of the calendar (both backends).

Schemathesis found ``GET /api/v1/agencies/{agency}/trend`` failing on a first call and not
on the repeat: the status grid's back-fill (``replay.trend._grid_statuses``) evaluates
every month from ten years before the first asked, and for a start in the first ten years
of the era it asked for year 0 ("year 0 is out of range", a 500). The back-fill now stops
at January of year 1 (``date.min``), and the grid holds only months in a window around the
agency's today (``replay.trend._grid_window``): firsts of a month outside it are memoised
like any other day, so a chart of year 1 or of year 9999 fills no row across centuries.

Each call here is the first trend the store is asked (a fresh world per test), and is
answered 200, or 422 for steps the route refuses (never 500), the same on the repeat and
as evaluated without the memo or the grid."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from projections.read_store.grid import decode_codes
from replay.read_side import read_side
from replay.trend import GRID_YEARS_AFTER, GRID_YEARS_BEFORE, trend
from tests.http.conftest import AGENCY, World

BASE = f"/api/v1/agencies/{AGENCY}/trend"

FIRST_CALLS = [
    # start, end, every: the firsts of a month go through the grid and its back-fill
    ("0010-01-01", "0012-01-01", "year"),
    ("0001-01-01", "0002-01-01", "month"),
    ("0001-01-01", "0001-01-01", "day"),
    ("0005-03-01", "0011-03-01", "year"),
]


@pytest.mark.parametrize(("start", "end", "every"), FIRST_CALLS)
def test_a_first_trend_near_year_one_is_answered(
    world: World, start: str, end: str, every: str
) -> None:
    auth = world.auth("coordinator")
    url = f"{BASE}?start={start}&end={end}&every={every}"
    first = world.client.get(url, headers=auth)
    assert first.status_code == 200, first.text
    points = first.json()["points"]
    assert points[0]["as_of"] == start
    assert points[-1]["as_of"] == end
    # Nobody was hired in the first centuries: no one is counted on any step.
    assert all(point["counts"] == {} for point in points), points
    again = world.client.get(url, headers=auth)
    assert again.status_code == 200, again.text
    assert again.json()["points"] == points
    known_at = datetime.fromisoformat(first.json()["known_at"])
    evaluated = trend(
        world.ledger,
        AGENCY,
        date.fromisoformat(start),
        date.fromisoformat(end),
        every,
        known_at,
        memo=False,
    )
    assert evaluated["points"] == points


def test_the_grid_filled_from_year_one_still_answers_recent_months(world: World) -> None:
    """The rows the first call stored (from January of year 1 on) serve a recent chart,
    which counts what every status evaluated afresh counts."""
    auth = world.auth("coordinator")
    early = world.client.get(f"{BASE}?start=0001-01-01&end=0001-06-01&every=month", headers=auth)
    assert early.status_code == 200, early.text
    url = f"{BASE}?start=2024-01-01&end=2025-03-01&every=month"
    recent = world.client.get(url, headers=auth)
    assert recent.status_code == 200, recent.text
    points = recent.json()["points"]
    assert sum(points[-1]["counts"].values()) == 3  # E1, E2, E3, hired 2020-01-06
    evaluated = trend(
        world.ledger,
        AGENCY,
        date(2024, 1, 1),
        date(2025, 3, 1),
        "month",
        datetime.fromisoformat(recent.json()["known_at"]),
        memo=False,
    )
    assert evaluated["points"] == points


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-01&end=2025-01-01&every=year",  # 2025 steps: more than the route takes
        "start=9999-01-01&end=9999-12-31&every=month",  # a step past 9999-12-31
        "start=9999-12-01&end=9999-12-31&every=year",
    ],
)
def test_a_first_trend_at_the_calendar_s_ends_is_never_a_server_error(
    world: World, query: str
) -> None:
    """Answered or refused with a reason (422, naming a field), on the first call."""
    answer = world.client.get(f"{BASE}?{query}", headers=world.auth("coordinator"))
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        assert answer.json()["field"] in ("start", "end", "every"), answer.text


def _grid_rows(world: World) -> list[tuple[date, int]]:
    """Every row of the status grid: its first month and how many months it holds."""
    db = read_side(world.ledger).store.db
    with db.reading() as cur:
        cur.execute(f"SELECT lo, codes FROM {db.table('rm_status_grid')}")
        return [(date.fromisoformat(lo), len(decode_codes(codes))) for lo, codes in cur.fetchall()]


def test_the_grid_holds_no_month_outside_its_window(world: World) -> None:
    """Charts of the first years of the calendar and of centuries ahead are answered without
    the grid (no row starts before its window or runs past it); a recent chart fills it as
    before."""
    auth = world.auth("coordinator")
    for query in (
        "start=0001-01-01&end=0002-01-01&every=month",
        "start=0010-01-01&end=0030-01-01&every=year",
        "start=2200-01-01&end=2201-01-01&every=month",  # past the window's end (today+10y)
    ):
        answer = world.client.get(f"{BASE}?{query}", headers=auth)
        assert answer.status_code == 200, answer.text
    assert _grid_rows(world) == []
    recent = world.client.get(f"{BASE}?start=2024-01-01&end=2025-03-01&every=month", headers=auth)
    assert recent.status_code == 200, recent.text
    rows = _grid_rows(world)
    assert len(rows) == 3  # E1, E2, E3 at their heads
    today = date(2025, 3, 1)  # the fixture's clock
    for lo, months in rows:
        assert lo >= date(today.year - GRID_YEARS_BEFORE, today.month, 1)
        last = lo.year * 12 + lo.month - 1 + months - 1
        assert last <= (today.year + GRID_YEARS_AFTER) * 12 + today.month - 1
        assert lo == date(2024, 1, 1)  # the first month asked: nothing before it evaluated


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/agencies/mpls/people/E1/status?as_of=9999-12-31", "as_of"),
        ("/api/v1/agencies/mpls/roster?as_of=3000-01-01", "as_of"),
        (f"{BASE}?start=9999-01-01&end=9999-12-31&every=month", "start"),
        (f"{BASE}?start=2025-01-01&end=9999-12-31&every=year", "end"),
    ],
)
def test_a_day_past_the_engines_calendar_is_refused_naming_the_field(
    world: World, path: str, field: str
) -> None:
    """A window of years from a day in 9999 would run past 9999-12-31, where Python's
    calendar ends: the engine failed there (a 500 for the status at 9999-12-31). The API
    answers for days up to the CLI's ``LAST_DAY`` (2999-12-31) and refuses a later one as a
    422 naming the field (the pages likewise: ``tests/web/test_web_session.py``)."""
    answer = world.client.get(path, headers=world.auth("coordinator"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert "2999-12-31" in answer.json()["message"]


def test_the_last_answerable_day_is_answered(world: World) -> None:
    auth = world.auth("coordinator")
    status = world.client.get(
        "/api/v1/agencies/mpls/people/E1/status?as_of=2999-12-31", headers=auth
    )
    assert status.status_code == 200, status.text
    assert status.json()["as_of"] == "2999-12-31"
    chart = world.client.get(f"{BASE}?start=2999-01-01&end=2999-12-31&every=month", headers=auth)
    assert chart.status_code == 200, chart.text
    assert len(chart.json()["points"]) == 12
