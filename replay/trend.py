"""``trend``: an agency's status counts at each step between two days, as known at T,
each person's status on each day memoised like any answer."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta

from ledger.application import Ledger
from ledger.gc_pause import paused_gc
from projections.answer_keys import rules_key
from projections.read_store import AnswerRow
from projections.rules.schema import RuleVersion
from replay.asof import NOT_HIRED, KnownAt, Progress, header, known_at_used, requested_instant
from replay.chunks import Checkpoint, Work, status_rows
from replay.read_side import read_side
from replay.workers import worker_pool

__all__ = ["check_steps", "statuses_by_day", "trend"]


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

    Each person's status on each day is memoised like any answer (status only), so a chart
    asked again costs a read per step, and after new events only the people they concern
    are evaluated again. Those not memoised have their history read once (checkpoint, else
    events) and evaluated for every step they miss, in up to ``workers`` processes.
    """
    answer, days, known = statuses_by_day(
        ledger, slug, start, end, every, known_at, memo=memo, workers=workers, progress=progress
    )
    points = [
        {
            "as_of": day.isoformat(),
            "counts": dict(
                sorted(
                    Counter(
                        row.status for row in known[day].values() if row.person_status != NOT_HIRED
                    ).items()
                )
            ),
        }
        for day in days
    ]
    return {**answer, "points": points}


def statuses_by_day(
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
) -> tuple[dict[str, Any], list[date], dict[date, dict[UUID, AnswerRow]]]:
    """``trend``'s answer without its points, its days, and each person's state answer
    (status only) on each day."""
    known_at = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    days = _steps(start, end, every)
    side = read_side(ledger)
    with paused_gc():
        agency = side.knowledge.agency_at(slug, known_at)
        heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=known_at)
        # Each day is judged under the jurisdiction the agency followed that day, with the
        # windows that closed under any it followed before (``rule_versions_for``).
        spans: dict[tuple[str, tuple[str, ...]], list[date]] = {}
        for day in days:
            key = (agency.jurisdiction_on(day), agency.followed_by(day))
            spans.setdefault(key, []).append(day)
        known: dict[date, dict[UUID, AnswerRow]] = {}
        for span in spans.values():
            versions = side.knowledge.rule_versions_for(agency, known_at, as_of=span[0])
            known.update(
                _statuses(
                    ledger,
                    agency.agency_id,
                    heads,
                    versions,
                    span,
                    known_at,
                    memo,
                    workers,
                    progress,
                )
            )
    head = header(agency, versions, end, known_at)  # the rules of the last span: ``end``'s
    head.pop("as_of")
    answer = {**head, "from": start.isoformat(), "to": end.isoformat(), "every": every}
    return answer, days, known


def _statuses(
    ledger: Ledger,
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
        day = start + _STEP[every] * len(days)
    return days


_STEP = {
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "month": relativedelta(months=1),
    "year": relativedelta(years=1),
}
