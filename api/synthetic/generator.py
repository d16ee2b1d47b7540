"""Deterministic synthetic agency: years of realistic history, planned as dated commands and
recorded in time order.

Everything is drawn from one seeded ``random.Random``; recorded times come from a settable
clock that the generator advances through the simulated years, so late entries really are
recorded weeks after completion.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from uuid import UUID

from dateutil.relativedelta import relativedelta

from api.synthetic.catalogue import ASSIGNMENTS, COURSES, FIRST_NAMES, LAST_NAMES, RANKS, UNITS
from api.synthetic.commands import (
    ACTOR,
    Command,
    CorrectTraining,
    EndLeave,
    Enrol,
    Reassign,
    RecordLicense,
    RecordTraining,
    RegisterAgency,
    RenewLicense,
    Run,
    Separate,
    StartLeave,
    VoidTraining,
)
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.imports import record_simulation

__all__ = ["DemoSummary", "generate_agency"]

_LICENCE_YEARS = relativedelta(years=3)  # a licence period runs three years to 30 June


@dataclass
class DemoSummary:
    slug: str
    people: int = 0
    sworn: int = 0
    civilian: int = 0
    separated: int = 0
    events: int = 0
    records: int = 0
    late_entries: int = 0
    corrections: int = 0
    voids: int = 0
    exemptions: int = 0
    seconds: float = 0.0
    first_recorded: datetime | None = None
    last_recorded: datetime | None = None

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass(order=True, frozen=True)
class _Step:
    recorded_at: datetime
    sequence: int
    command: Command = field(compare=False)


class _Plan:
    """Collects every simulated command with its recorded time, then runs them in order.

    A command that would be recorded after ``not_after`` is left out: it has not happened
    yet. Whatever depends on a command (a licence on the enrolment, a correction on its
    record, the end of a leave on its start) is recorded on a later day, so it is left out
    with it."""

    def __init__(self, rng: random.Random, not_after: datetime | None) -> None:
        self.rng = rng
        self.steps: list[_Step] = []
        # Planned instants are whole seconds; the store moves a unit that shares its clock
        # reading with the one before by microseconds, so a second's margin keeps every
        # recorded time at or before ``not_after``.
        self.bound = None if not_after is None else not_after - timedelta(seconds=1)
        self.departures = 0  # planned, recorded or not: replacement hires keep headcount

    def at(self, day: date, command: Command, *, delay_days: int = 0) -> bool:
        moment = datetime.combine(day + timedelta(days=delay_days), time(8), UTC)
        moment += timedelta(seconds=self.rng.randrange(9 * 3600))
        if self.bound is not None and moment > self.bound:
            return False
        self.steps.append(_Step(moment, len(self.steps), command))
        return True

    def uuid(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)


def _june_30_after(day: date, years: int) -> date:
    end = day + relativedelta(years=years - 1, month=6, day=30)
    return end if end > day else end + relativedelta(years=1)


def _person(
    plan: _Plan,
    summary: DemoSummary,
    employee_id: str,
    hired_on: date,
    enrolled_on: date,
    until: date,
    sworn: bool,
) -> None:
    rng = plan.rng
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    rank = rng.choice(RANKS) if sworn else ""
    unit_name = rng.choice(UNITS[:4] if sworn else UNITS[4:])
    assignments = (rng.choice(ASSIGNMENTS),) if sworn and rng.random() < 0.15 else ()
    enrolled = plan.at(
        enrolled_on,
        Enrol(employee_id, first, last, sworn, hired_on, rank, unit_name, assignments),
    )
    summary.people += enrolled
    summary.sworn += sworn and enrolled
    summary.civilian += not sworn and enrolled
    after_enrol = enrolled_on + timedelta(days=1)
    leaves_on = until + timedelta(days=1)
    if rng.random() < 0.045 * max(1, (until - enrolled_on).days / 365):
        leaves_on = enrolled_on + timedelta(
            days=rng.randrange(60, max(61, (until - enrolled_on).days))
        )
    if sworn:
        period_end = _june_30_after(hired_on, 3)
        while period_end < enrolled_on:
            period_end += _LICENCE_YEARS
        license_number = f"{rng.randrange(10**5, 10**6)}"
        issued = max(hired_on, period_end - _LICENCE_YEARS + timedelta(days=1))
        plan.at(after_enrol, RecordLicense(employee_id, license_number, issued, period_end))
        while period_end < min(until, leaves_on):
            renewal_day = period_end - timedelta(days=rng.randrange(5, 60))
            new_end = period_end + _LICENCE_YEARS
            plan.at(
                max(renewal_day, after_enrol + timedelta(days=1)),
                RenewLicense(employee_id, renewal_day, new_end),
            )
            period_end = new_end
    # Training: several completions a year while employed; some entered weeks late.
    day = enrolled_on + timedelta(days=rng.randrange(10, 60))
    per_year = 10 if sworn else 3
    while day < min(until, leaves_on):
        course = rng.choice(COURSES if sworn else COURSES[-4:])
        record_id = plan.uuid()
        late = rng.random() < 0.12
        delay = rng.randrange(14, 60) if late else rng.randrange(0, 4)
        completed = day
        if completed + timedelta(days=delay) > until:
            break
        recorded = plan.at(
            completed, RecordTraining(employee_id, record_id, completed, course), delay_days=delay
        )
        summary.late_entries += late and recorded
        summary.records += recorded
        roll = rng.random()
        fix_day = completed + timedelta(days=delay + rng.randrange(7, 45))
        if fix_day < until and roll < 0.02:
            summary.corrections += plan.at(
                fix_day, CorrectTraining(employee_id, record_id, course[3])
            )
        elif fix_day < until and roll < 0.03:
            summary.voids += plan.at(fix_day, VoidTraining(employee_id, record_id))
        day += timedelta(days=max(7, int(rng.expovariate(per_year / 365))))
    # Leave with tolling, at most one per person in the simulated span.
    if rng.random() < 0.08:
        starts = enrolled_on + timedelta(
            days=rng.randrange(90, max(91, (until - enrolled_on).days))
        )
        ends = starts + timedelta(days=rng.randrange(45, 300))
        if ends < min(until, leaves_on):
            kind = rng.choice(["military_leave", "medical_leave"])
            exemption_id = plan.uuid()
            summary.exemptions += plan.at(
                starts,
                StartLeave(employee_id, exemption_id, starts, kind),
                delay_days=rng.randrange(0, 5),
            )
            plan.at(ends, EndLeave(employee_id, exemption_id, ends), delay_days=rng.randrange(0, 5))
    if rng.random() < 0.05 and sworn:
        moved = enrolled_on + timedelta(days=rng.randrange(30, max(31, (until - enrolled_on).days)))
        if moved < min(until, leaves_on):
            plan.at(moved, Reassign(employee_id, moved, rank))
    if leaves_on <= until:
        plan.departures += 1
        summary.separated += plan.at(
            leaves_on, Separate(employee_id, leaves_on), delay_days=rng.randrange(0, 10)
        )


def generate_agency(
    ledger: Ledger,
    clock: SettableClock,
    *,
    slug: str,
    name: str,
    state: str,
    officers: int,
    years: int,
    seed: int,
    until: date,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    not_after: datetime | None = None,
) -> DemoSummary:
    """Simulate ``years`` of history up to ``until`` for an agency of about ``officers``
    people (about 85 % sworn) and append it in batches of ``batch_size`` events, nothing
    recorded after ``not_after`` (the demo passes the instant it runs), the last unit with
    the ``SimulationCompleted`` marker: an interrupted run leaves none."""
    # bandit B311: a seeded, reproducible simulation; secrets come from `secrets` (seal.py).
    rng = random.Random(seed)  # nosec B311
    plan = _Plan(rng, not_after)
    summary = DemoSummary(slug=slug)
    # The same month ``years`` earlier, on a day every month has.
    start = until - relativedelta(years=years, day=min(until.day, 28))
    plan.at(start - timedelta(days=1), RegisterAgency(name, state))
    for n in range(officers):
        sworn = rng.random() < 0.85
        hired = start - timedelta(days=rng.randrange(30, 25 * 365))
        _person(plan, summary, f"E{n + 1:05d}", hired, start, until, sworn)
    # Replacement hires keep the headcount steady as people separate.
    for n in range(plan.departures):
        hired = start + timedelta(days=rng.randrange(30, max(31, (until - start).days - 30)))
        _person(plan, summary, f"N{n + 1:05d}", hired, hired, until, rng.random() < 0.85)

    plan.steps.sort()
    began = perf_counter()
    run = Run(ledger, ledger.unit_of_work(), rng, slug)
    steps = plan.steps
    for done, step in enumerate(steps, start=1):
        clock.set(step.recorded_at)
        step.command.run(run)
        # A unit's recorded time is the clock's when it is saved: each simulated day's
        # records are saved together at the day's last instant (or sooner, in batches).
        # Counting pending events walks the unit of work, so look only every 64 steps.
        last = done == len(steps)
        if last:
            record_simulation(
                ledger,
                run.uow,
                slug,
                until=until,
                seed=seed,
                officers=officers,
                years=years,
                actor=ACTOR,
            )
        day_ends = last or steps[done].recorded_at.date() != step.recorded_at.date()
        if day_ends or (done % 64 == 0 and run.uow.pending_count() >= batch_size):
            summary.events += len(run.uow.save().events)
            if progress is not None:
                progress(done, len(plan.steps))
    summary.seconds = perf_counter() - began
    summary.first_recorded = plan.steps[0].recorded_at
    summary.last_recorded = plan.steps[-1].recorded_at
    return summary
