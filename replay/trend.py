"""``trend``: an agency's status counts at each step between two days, as known at T,
each person's status on each day memoised like any answer."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta

from ledger.gc_pause import paused_gc
from ledger.ledger_core import LedgerCore
from projections.answer_keys import rules_key
from projections.read_store import AnswerRow
from projections.read_store.grid import FIRST_MONTH, UNKNOWN, GridRow, month, month_day
from projections.rules.schema import RuleVersion
from replay.asof import (
    NOT_HIRED,
    KnownAt,
    Progress,
    header,
    known_at_used,
    local_day,
    requested_instant,
)
from replay.chunks import Checkpoint, Work, status_codes, status_rows
from replay.read_side import read_side
from replay.workers import worker_pool

__all__ = [
    "CHART_YEARS",
    "YEARLY_CHART_YEARS",
    "check_steps",
    "fill_status_grid",
    "fill_yearly_chart",
    "statuses_by_day",
    "trend",
]

# The longest chart the dashboard's overview draws (``?years=1..10``): what
# ``fill_status_grid`` fills ahead of the readers.
CHART_YEARS = 10


def trend(
    ledger: LedgerCore,
    slug: str,
    start: date,
    end: date,
    every: str,
    known_at: KnownAt = None,
    *,
    memo: bool = True,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Status counts at each step from ``start`` to ``end`` (of the people hired by then),
    all as known at T (a bare date: the end of that day in the agency's zone; clamped to
    the stable horizon: ``replay.asof.known_at_used``).

    Each person's status on each day is memoised like any answer (status only), so a chart
    asked again costs a read per step, and after new events only the people they concern
    are evaluated again. Those not memoised have their history read once (checkpoint, else
    events) and evaluated for every step they miss, in up to ``workers`` processes.
    """
    answer, days, codes = statuses_by_day(
        ledger, slug, start, end, every, known_at, memo=memo, workers=workers, progress=progress
    )
    points = []
    for day in days:
        counts = Counter(codes[day].values())
        del counts[NOT_HIRED]
        points.append({"as_of": day.isoformat(), "counts": dict(sorted(counts.items()))})
    return {**answer, "points": points}


def fill_status_grid(
    ledger: LedgerCore,
    slug: str,
    years: int = CHART_YEARS,
    *,
    before: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
) -> int:
    """Fill the status grid, as recorded now, on the firsts of a month of the last
    ``years`` years up to this month (what the overview's monthly charts of the present
    ask), and of the ``before`` years before them (what the ``before``-year chart of any
    past day in those ``years`` asks: ``muster replay`` passes its ``--chart-years`` as
    both), so no reader pays for them: what ``muster replay`` runs beside the tracked
    model. Only what the grid lacks is evaluated (everyone the first time; afterwards the
    people written to since); a month before a person's hire is known from their history,
    not evaluated (``replay.chunks.status_codes``). Returns how many people were
    evaluated."""
    used = known_at_used(ledger, None)
    agency = read_side(ledger).knowledge.agency_at(slug, used)
    end = local_day(agency, used).replace(day=1)
    start = end - relativedelta(years=years + before)
    evaluated = 0

    def counted(done: int, total: int | None) -> None:
        nonlocal evaluated
        evaluated = max(evaluated, total or 0)
        if progress is not None:
            progress(done, total)

    statuses_by_day(ledger, slug, start, end, "month", used, workers=workers, progress=counted)
    return evaluated


# The overview's default chart (``api.web.overview.TREND_YEARS``): today's day in each of
# the last five years, which ``fill_yearly_chart`` memoises ahead of the readers.
YEARLY_CHART_YEARS = 5


def fill_yearly_chart(
    ledger: LedgerCore,
    slug: str,
    years: int = YEARLY_CHART_YEARS,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> None:
    """Memoise, as recorded now, everyone's status on the agency's today in each of the
    last ``years`` years (the overview's default yearly chart of today: days that are not
    firsts of a month, so the status grid holds none of them), so the first reader of the
    day does not evaluate everyone on each of them: what ``muster replay`` runs beside the
    grid's fill. Only what the memo lacks is evaluated (the same path a reader takes)."""
    used = known_at_used(ledger, None)
    agency = read_side(ledger).knowledge.agency_at(slug, used)
    today = local_day(agency, used)
    start = today - relativedelta(years=years)
    statuses_by_day(ledger, slug, start, today, "year", used, workers=workers, progress=progress)


def statuses_by_day(
    ledger: LedgerCore,
    slug: str,
    start: date,
    end: date,
    every: str,
    known_at: KnownAt = None,
    *,
    memo: bool = True,
    workers: int = 1,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], list[date], dict[date, dict[UUID, str]]]:
    """``trend``'s answer without its points, its days, and each person's state status on
    each day (``not_hired`` before their hire)."""
    known_at = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    days = _steps(start, end, every)
    side = read_side(ledger)
    with paused_gc():
        agency = side.knowledge.agency_at(slug, known_at)
        heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=known_at)
        today = local_day(agency, known_at)
        # Each day is judged under the jurisdiction the agency followed that day, with the
        # windows that closed under any it followed before (``rule_versions_for``).
        spans: dict[tuple[str, tuple[str, ...]], list[date]] = {}
        for day in days:
            key = (agency.jurisdiction_on(day), agency.followed_by(day))
            spans.setdefault(key, []).append(day)
        codes: dict[date, dict[UUID, str]] = {day: {} for day in days}
        for span in spans.values():
            versions = side.knowledge.rule_versions_for(agency, known_at, as_of=span[0])
            # Firsts of a month within the grid's window from the status grid (filled here
            # for what it lacks); the other days memoised one answer set a day.
            # memo=False: every status evaluated.
            firsts = [day for day in span if memo and _on_grid(day, today)]
            others = [day for day in span if not (memo and _on_grid(day, today))]
            if firsts and heads:
                grid = _grid_statuses(
                    ledger,
                    agency.agency_id,
                    heads,
                    versions,
                    firsts,
                    known_at,
                    today,
                    workers,
                    progress,
                )
                for person, row in grid.items():
                    for day, code in zip(firsts, row, strict=True):
                        codes[day][person] = code
            if others:
                known = _statuses(
                    ledger,
                    agency.agency_id,
                    heads,
                    versions,
                    others,
                    known_at,
                    memo,
                    workers,
                    progress,
                )
                for day, rows in known.items():
                    codes[day].update(
                        (person, NOT_HIRED if row.person_status == NOT_HIRED else row.status)
                        for person, row in rows.items()
                    )
    head = header(agency, versions, end, known_at)  # the rules of the last span: ``end``'s
    head.pop("as_of")
    answer = {**head, "from": start.isoformat(), "to": end.isoformat(), "every": every}
    return answer, days, codes


# The grid holds firsts of a month in a window around the agency's today: a career and
# more before it, a few years after. A first of a month outside it (a chart of the first
# centuries of the era, or of year 9999) is memoised one answer set a day like any other
# day, so no person's row spans centuries nobody served in: the back-fill of a chart from
# year 1 would otherwise evaluate and hold some 24,000 months per person (1.7 GB at M).
GRID_YEARS_BEFORE = 60
GRID_YEARS_AFTER = 10


def _grid_window(today: date) -> range:
    """The months (``grid.month``) the status grid holds, by the agency's today; never
    before January of year 1 (``date.min``)."""
    here = month(today)
    return range(max(FIRST_MONTH, here - 12 * GRID_YEARS_BEFORE), here + 12 * GRID_YEARS_AFTER + 1)


def _on_grid(day: date, today: date) -> bool:
    return day.day == 1 and month(day) in _grid_window(today)


def _grid_statuses(
    ledger: LedgerCore,
    agency_id: UUID,
    heads: dict[UUID, int],
    versions: list[RuleVersion],
    days: list[date],
    known_at: datetime,
    today: date,
    workers: int,
    progress: Progress | None,
) -> dict[UUID, list[str]]:
    """By person, their status code on each of ``days`` (firsts of a month), ``not_hired``
    before the hire: from the status grid (``projections.read_store.grid``) at their head
    at T under ``versions``; the months a person's row lacks (or the whole row, at a head
    nobody asked about) are evaluated like the memo's, in up to ``workers`` processes, and
    stored into the row."""
    store = read_side(ledger).store
    key = rules_key(versions, "status")
    months = [month(day) for day in days]
    rows = store.grid.get(agency_id, key, heads)
    # Only the months asked for are evaluated: a reader never pays for months nobody
    # asked about (the first chart of a first of a month once back-filled fifteen years of
    # months for everyone: 516 s at M). ``fill_status_grid`` (``muster replay``) fills the
    # recent years ahead of the readers.
    window = _grid_window(today)
    missing: dict[UUID, list[date]] = {}
    for person in heads:
        lo, codes = rows.get(person, (0, []))
        lacking = [
            month_day(i)
            for i in months
            if i in window and (not lo <= i < lo + len(codes) or codes[i - lo] == UNKNOWN)
        ]
        if lacking:
            missing[person] = lacking
    if missing:
        people = sorted(missing)
        work = Work.plan(store, heads, people, versions, True, workers)
        calls = [
            (
                agency_id,
                known_at,
                {p: heads[p] for p in chunk},
                work.checkpoints_of(chunk),
                {p: missing[p] for p in chunk},
                work.versions,
                days[0],
            )
            for chunk in work.chunks
        ]
        fresh: list[tuple[UUID, int, GridRow]] = []
        folded: list[Checkpoint] = []
        done = 0
        with worker_pool(ledger, work.workers) as pool:
            for chunk, (computed, new_checkpoints) in zip(
                work.chunks, pool.map_in_order(status_codes, calls), strict=True
            ):
                for person_id, codes_found in computed:
                    found = {
                        month(day): code
                        for day, code in zip(missing[person_id], codes_found, strict=True)
                    }
                    rows[person_id] = _merged(rows.get(person_id), found)
                    fresh.append((person_id, heads[person_id], rows[person_id]))
                folded.extend(new_checkpoints)
                done += len(chunk)
                if progress is not None:
                    progress(done, len(people))
        store.grid.put(agency_id, key, fresh, folded)
    return {
        person: [rows[person][1][index - rows[person][0]] for index in months] for person in heads
    }


def _merged(row: GridRow | None, found: dict[int, str]) -> GridRow:
    """A person's grid row with the months just evaluated written in (holes stay
    ``UNKNOWN``)."""
    lo, codes = row if row is not None else (min(found), [])
    first = min(lo, *found)
    last = max(lo + len(codes) - 1, *found)
    merged = [UNKNOWN] * (last - first + 1)
    merged[lo - first : lo - first + len(codes)] = codes
    for index, code in found.items():
        merged[index - first] = code
    return first, merged


def _statuses(
    ledger: LedgerCore,
    agency_id: UUID,
    heads: dict[UUID, int],
    versions: list[RuleVersion],
    days: list[date],
    known_at: datetime,
    memo: bool,
    workers: int,
    progress: Progress | None,
) -> dict[date, dict[UUID, AnswerRow]]:
    """Every person's status on each of ``days`` under ``versions``: memoised, else
    evaluated in up to ``workers`` processes (``progress`` told of each chunk done)."""
    store = read_side(ledger).store
    key = rules_key(versions, "status")
    known = {
        day: store.memo.get(agency_id, key, day.isoformat(), heads) if memo else {} for day in days
    }
    missing = {p: [d for d in days if p not in known[d]] for p in heads}
    people = sorted(p for p, wanted in missing.items() if wanted)
    work = Work.plan(store, heads, people, versions, memo, workers)
    calls = [
        (
            agency_id,
            known_at,
            {p: heads[p] for p in chunk},
            work.checkpoints_of(chunk),
            {p: missing[p] for p in chunk},
            work.versions,
        )
        for chunk in work.chunks
    ]
    fresh: dict[date, list[tuple[UUID, int, AnswerRow]]] = {day: [] for day in days}
    folded: list[Checkpoint] = []
    done, total = 0, len(people)
    with worker_pool(ledger, work.workers) as pool:
        for chunk, (computed, new_checkpoints) in zip(
            work.chunks, pool.map_in_order(status_rows, calls), strict=True
        ):
            for person_id, day, row in computed:
                known[day][person_id] = row
                fresh[day].append((person_id, heads[person_id], row))
            folded.extend(new_checkpoints)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    if memo:
        for day in days:
            # The folded histories' checkpoints go with the first day's answers.
            stored = folded if day == days[0] else []
            store.memo.put(agency_id, key, day.isoformat(), fresh[day], stored)
    return known


def check_steps(start: date, end: date, every: str) -> None:
    """ValueError, saying why, for steps a trend refuses (before anything is read)."""
    _steps(start, end, every)


def _steps(start: date, end: date, every: str) -> list[date]:
    """Each step counts from ``start``, so a month step from the 31st lands on each month's
    last day and comes back to the 31st (dateutil clamps to the month's end)."""
    if end < start:
        raise ValueError("--to must not be before --from")
    if every not in _STEP:
        raise ValueError(f"--every {every!r}: use day, week, month or year")
    days: list[date] = []
    day = start
    while day <= end:
        days.append(day)
        if len(days) > 2000:
            raise ValueError("at most 2000 steps")
        try:
            day = start + _STEP[every] * len(days)
        except (OverflowError, ValueError):  # past 9999-12-31: beyond any ``end``
            break
    return days


_STEP = {
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "month": relativedelta(months=1),
    "year": relativedelta(years=1),
}
