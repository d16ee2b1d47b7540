"""``trend``: an agency's status counts at each step between two days, as known at T,
each person's status on each day memoised like any answer."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from datetime import date, datetime
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta

from ledger.application import Ledger
from ledger.gc_pause import paused_gc
from projections.answers import rules_key
from projections.intervals import on_grid
from projections.read_store import AnswerRow, ReadStore
from projections.read_store.rows import by_text
from projections.rules.schema import RuleVersion
from replay.asof import NOT_HIRED, KnownAt, Progress, header, known_at_used, requested_instant
from replay.chunks import Checkpoint, Work, status_rows
from replay.read_side import read_side
from replay.workers import worker_pool

__all__ = ["check_steps", "trend"]


def trend(
    ledger: Ledger,
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

    The status-interval model (``projections.intervals``, kept by rebuild and catch-up)
    answers every first of a month on its grid for the people whose runs are at their
    head as of T under the rules known at T; for a ``known_at`` before someone's latest
    event, or before a rule change, those people (or days) take the exact path below, so
    the model is never served stale. ``memo=False`` skips it as it skips the memo.

    Each person's status on each day is memoised like any answer (status only), so a chart
    asked again costs a read per step, and after new events only the people they concern
    are evaluated again. Those not memoised have their history read once (checkpoint, else
    events) and evaluated for every step they miss, in up to ``workers`` processes.
    """
    known_at = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    days = _steps(start, end, every)
    side = read_side(ledger)
    with paused_gc():
        agency = side.knowledge.agency_at(slug, known_at)
        heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=known_at)
        # Each day is judged under the jurisdiction the agency followed that day.
        spans: dict[str, list[date]] = {}
        for day in days:
            spans.setdefault(agency.jurisdiction_on(day), []).append(day)
        counts: dict[date, Counter[str]] = {day: Counter() for day in days}
        for span in spans.values():
            versions = side.knowledge.rule_versions_for(agency, known_at, as_of=span[0])
            key = rules_key(versions, "status")
            # The status-interval model first, then the memo and evaluation for the rest.
            # memo=False is the exact path: every status evaluated, nothing read or stored.
            if memo:
                wanted = _from_intervals(side.store, agency.agency_id, heads, key, span, counts)
            else:
                wanted = {person: list(span) for person in heads}
            known = _statuses(
                ledger,
                agency.agency_id,
                heads,
                versions,
                wanted,
                known_at,
                memo,
                workers,
                progress,
            )
            for day, rows in known.items():
                counts[day].update(
                    row.status for row in rows.values() if row.person_status != NOT_HIRED
                )
    points = [
        {"as_of": day.isoformat(), "counts": dict(sorted(counts[day].items()))} for day in days
    ]
    head = header(agency, versions, end, known_at)  # the rules of the last span: ``end``'s
    head.pop("as_of")
    return {
        **head,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "every": every,
        "points": points,
    }


def _from_intervals(
    store: ReadStore,
    agency_id: UUID,
    heads: dict[UUID, int],
    key: str,
    span: list[date],
    counts: dict[date, Counter[str]],
) -> dict[UUID, list[date]]:
    """Count, from the status-interval model, each person whose runs under ``key`` are at
    their head (at ``known_at``) and cover every grid day of ``span``; return the days
    left to answer otherwise, by person: the days off the grid, and all of a person's
    days when the model has not got them whole (another head, other rules, a day beyond
    its grid)."""
    grid_days = [day for day in span if on_grid(day)]
    off_grid = [day for day in span if not on_grid(day)]
    wanted = {person: list(off_grid) for person in heads if off_grid}
    if not grid_days:
        return wanted
    iso = [day.isoformat() for day in grid_days]
    found = store.intervals.of_agency(agency_id, [key], grid_days[0], grid_days[-1])
    steps = len(iso)
    # Per code, a difference array over the grid steps: +1 where a run starts, -1 after.
    diff: dict[str, list[int]] = {}
    for text, (person, head) in by_text(heads).items():
        entry = found.get(text)
        ranges = []
        if entry is not None and entry[0] == head:
            for lo, hi, _, code in entry[1]:
                first, after = bisect_left(iso, lo), bisect_right(iso, hi)
                if first < after:
                    ranges.append((first, after, code))
        if sum(after - first for first, after, _ in ranges) != steps:
            wanted[person] = list(span)  # not whole: answered the exact way
            continue
        for first, after, code in ranges:
            if code != NOT_HIRED:
                line = diff.setdefault(code, [0] * (steps + 1))
                line[first] += 1
                line[after] -= 1
    for code, line in diff.items():
        running = 0
        for step, change in enumerate(line[:steps]):
            running += change
            if running:
                counts[grid_days[step]][code] += running
    return wanted


def _statuses(
    ledger: Ledger,
    agency_id: UUID,
    heads: dict[UUID, int],
    versions: list[RuleVersion],
    wanted: dict[UUID, list[date]],
    known_at: datetime,
    memo: bool,
    workers: int,
    progress: Progress | None,
) -> dict[date, dict[UUID, AnswerRow]]:
    """Each person's status on each of their ``wanted`` days under ``versions``:
    memoised, else evaluated in up to ``workers`` processes (``progress`` told of each
    chunk done)."""
    store = read_side(ledger).store
    key = rules_key(versions, "status")
    days = sorted({day for wanted_days in wanted.values() for day in wanted_days})
    asked = {day: {p: heads[p] for p, ds in wanted.items() if day in ds} for day in days}
    known = {
        day: store.memo.get(agency_id, key, day.isoformat(), asked[day]) if memo else {}
        for day in days
    }
    missing = {p: [d for d in ds if p not in known[d]] for p, ds in wanted.items()}
    people = sorted(p for p, left in missing.items() if left)
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
        day = start + _STEP[every] * len(days)
    return days


_STEP = {
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "month": relativedelta(months=1),
    "year": relativedelta(years=1),
}
