"""Deterministic synthetic agency: years of realistic history, recorded in time order.

Used by ``muster demo``, the tests and the benchmarks. Everything is drawn from one seeded
``random.Random``; recorded times come from a settable clock that the generator advances
through the simulated years, so late entries really are recorded weeks after completion.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter
from uuid import UUID

from ledger.application import Ledger, Unit
from ledger.clock import SettableClock

__all__ = ["COURSES", "DemoSummary", "generate_agency"]

ACTOR = "system:synthetic"

# (title, provider, POST course number, hours, {canonical topic: hours})
COURSES: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("Use of Force Annual Update", "Agency Training Unit", "UOF-101", "4", {"use_of_force": "4"}),
    (
        "Firearms Qualification and Judgement",
        "Agency Range",
        "FA-220",
        "4",
        {"firearms": "3", "use_of_force": "1"},
    ),
    (
        "Crisis Intervention Team Basic",
        "State CIT Partnership",
        "CIT-40",
        "8",
        {"crisis_intervention_mental_illness": "8"},
    ),
    ("Autism Awareness for First Responders", "Autism Society", "AUT-4", "4", {"autism": "4"}),
    (
        "Conflict Management and Mediation",
        "Regional Academy",
        "CMM-2",
        "2",
        {"conflict_management_mediation": "2"},
    ),
    (
        "Implicit Bias in Policing",
        "Regional Academy",
        "IB-3",
        "3",
        {"diversity_implicit_bias": "3"},
    ),
    (
        "Crimes Motivated by Bias",
        "State POST Online",
        "CMB-1",
        "1",
        {"crimes_motivated_by_bias": "1"},
    ),
    (
        "Officer Wellness and Resilience",
        "Peer Support Network",
        "WEL-2",
        "2",
        {"officer_wellness": "2"},
    ),
    (
        "Emergency Vehicle Operations",
        "State Driving Center",
        "EVOC-8",
        "8",
        {"emergency_vehicle_operations": "8"},
    ),
    (
        "Defensive Tactics Refresher",
        "Agency Training Unit",
        "DT-4",
        "4",
        {"defensive_tactics": "4"},
    ),
    ("First Aid and CPR Recertification", "Red Cross", "FA-CPR", "4", {"first_aid_cpr": "4"}),
    ("Legislative Update", "State POST Online", "LEG-2", "2", {"legal_update": "2"}),
    ("Active Shooter Response", "Regional SWAT", "ASR-8", "8", {"active_shooter": "8"}),
    ("First-Line Supervision", "Command College", "LDR-16", "16", {"leadership": "16"}),
    ("Report Writing", "Regional Academy", "RW-2", "2", {}),
    (
        "De-escalation Scenarios",
        "Agency Training Unit",
        "DE-4",
        "4",
        {"conflict_management_mediation": "2", "use_of_force": "2"},
    ),
]
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Maria",
    "James",
    "Linh",
    "Ahmed",
    "Fatima",
    "Carlos",
    "Grace",
    "Noah",
]
LAST_NAMES = [
    "Johnson",
    "Nguyen",
    "Garcia",
    "Olson",
    "Anderson",
    "Hassan",
    "Smith",
    "Lee",
    "Martinez",
    "Brown",
    "Larson",
    "Yang",
    "Thompson",
    "Khan",
    "Lopez",
    "Peterson",
]
UNITS = ["Patrol", "Investigations", "Traffic", "Community Engagement", "Records", "Dispatch"]
RANKS = ["Officer", "Officer", "Officer", "Sergeant", "Lieutenant"]
ASSIGNMENTS = ["sro", "k9", "fto", "swat"]


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


Action = Callable[[Unit], None]


@dataclass(order=True)
class _Step:
    recorded_at: datetime
    sequence: int
    action: Action = field(compare=False)


class _Plan:
    """Collects every simulated fact with its recorded time, then replays them in order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.steps: list[_Step] = []

    def at(self, day: date, action: Action, *, delay_days: int = 0) -> datetime:
        moment = datetime.combine(day + timedelta(days=delay_days), time(8), UTC)
        moment += timedelta(seconds=self.rng.randrange(9 * 3600))
        self.steps.append(_Step(moment, len(self.steps), action))
        return moment

    def uuid(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)


def _june_30_after(day: date, years: int) -> date:
    end = date(day.year + years - 1, 6, 30)
    return end if end > day else date(day.year + years, 6, 30)


def _person(
    plan: _Plan,
    summary: DemoSummary,
    slug: str,
    employee_id: str,
    hired_on: date,
    enrolled_on: date,
    until: date,
    sworn: bool,
) -> None:
    rng = plan.rng
    summary.people += 1
    summary.sworn += sworn
    summary.civilian += not sworn
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    rank = rng.choice(RANKS) if sworn else ""
    unit_name = rng.choice(UNITS[:4] if sworn else UNITS[4:])
    assignments = [rng.choice(ASSIGNMENTS)] if sworn and rng.random() < 0.15 else []

    def enrol(u: Unit) -> None:
        u.ledger.enrol_person(
            slug,
            employee_id,
            first_name=first,
            last_name=last,
            kind="sworn" if sworn else "civilian",
            hired_on=hired_on,
            rank=rank,
            unit_name=unit_name,
            assignments=assignments,
            email=f"{first}.{last}.{employee_id}@example.org".lower(),
            actor=ACTOR,
            unit=u,
        )

    enrolled_at = plan.at(enrolled_on, enrol)
    after_enrol = enrolled_on + timedelta(days=1)
    leaves_on = until + timedelta(days=1)
    if rng.random() < 0.045 * max(1, (until - enrolled_on).days / 365):
        leaves_on = enrolled_on + timedelta(
            days=rng.randrange(60, max(61, (until - enrolled_on).days))
        )
    if sworn:
        period_end = _june_30_after(hired_on, 3)
        while period_end < enrolled_on:
            period_end = date(period_end.year + 3, 6, 30)
        license_number = f"{rng.randrange(10**5, 10**6)}"
        issued = max(hired_on, date(period_end.year - 3, 7, 1))

        def record_license(u: Unit, pe: date = period_end, issued_on: date = issued) -> None:
            u.ledger.record_license(
                slug,
                employee_id,
                license_number=license_number,
                issued_on=issued_on,
                period_end=pe,
                actor=ACTOR,
                unit=u,
            )

        plan.at(after_enrol, record_license)
        while period_end < min(until, leaves_on):
            renewal_day = period_end - timedelta(days=rng.randrange(5, 60))
            new_end = date(period_end.year + 3, 6, 30)

            def renew(u: Unit, on: date = renewal_day, pe: date = new_end) -> None:
                u.ledger.renew_license(
                    slug, employee_id, renewed_on=on, period_end=pe, actor=ACTOR, unit=u
                )

            plan.at(max(renewal_day, after_enrol + timedelta(days=1)), renew)
            period_end = new_end
    # Training: several completions a year while employed; some entered weeks late.
    day = enrolled_on + timedelta(days=rng.randrange(10, 60))
    per_year = 10 if sworn else 3
    while day < min(until, leaves_on):
        title, provider, number, hours, topics = rng.choice(COURSES if sworn else COURSES[-4:])
        record_id = plan.uuid()
        late = rng.random() < 0.12
        delay = rng.randrange(14, 60) if late else rng.randrange(0, 4)
        completed = day
        if completed + timedelta(days=delay) > until:
            break
        summary.late_entries += late
        summary.records += 1

        def train(
            u: Unit,
            on: date = completed,
            c: tuple[str, str, str, str, dict[str, str]] = (title, provider, number, hours, topics),
            rid: UUID = record_id,
        ) -> None:
            u.ledger.record_training(
                slug,
                employee_id,
                completed_on=on,
                course_title=c[0],
                provider=c[1],
                post_course_number=c[2],
                hours=c[3],
                topic_hours=dict(c[4]),
                delivery=rng.choice(["in_person", "in_person", "online", "hybrid"]),
                certificate_ref=f"cert-{rid.hex[:12]}",
                record_id=rid,
                actor=ACTOR,
                unit=u,
            )

        plan.at(completed, train, delay_days=delay)
        roll = rng.random()
        fix_day = completed + timedelta(days=delay + rng.randrange(7, 45))
        if fix_day < until and roll < 0.02:
            summary.corrections += 1

            def correct(u: Unit, rid: UUID = record_id, h: str = hours) -> None:
                u.ledger.correct_training(
                    slug,
                    employee_id,
                    rid,
                    hours=str(Decimal(h) + 1),
                    reason="certificate shows one more hour",
                    actor=ACTOR,
                    unit=u,
                )

            plan.at(fix_day, correct)
        elif fix_day < until and roll < 0.03:
            summary.voids += 1

            def void(u: Unit, rid: UUID = record_id) -> None:
                u.ledger.void_training(
                    slug, employee_id, rid, reason="duplicate entry", actor=ACTOR, unit=u
                )

            plan.at(fix_day, void)
        day += timedelta(days=max(7, int(rng.expovariate(per_year / 365))))
    # Leave with tolling, at most one per person in the simulated span.
    if rng.random() < 0.08:
        starts = enrolled_on + timedelta(
            days=rng.randrange(90, max(91, (until - enrolled_on).days))
        )
        ends = starts + timedelta(days=rng.randrange(45, 300))
        if ends < min(until, leaves_on):
            summary.exemptions += 1
            kind = rng.choice(["military_leave", "medical_leave"])
            exemption_id = plan.uuid()

            def start_leave(u: Unit, s: date = starts, k: str = kind) -> None:
                u.ledger.change_status(
                    slug,
                    employee_id,
                    status="leave",
                    effective_on=s,
                    reason=k.replace("_", " "),
                    actor=ACTOR,
                    unit=u,
                )
                u.ledger.grant_exemption(
                    slug,
                    employee_id,
                    kind=k,
                    starts_on=s,
                    ends_on=None,
                    reason=k.replace("_", " "),
                    approver="Chief of Police",
                    actor=ACTOR,
                    exemption_id=exemption_id,
                    unit=u,
                )

            def end_leave(u: Unit, e: date = ends) -> None:
                u.ledger.end_exemption(
                    slug,
                    employee_id,
                    exemption_id,
                    ended_on=e,
                    reason="returned to duty",
                    actor=ACTOR,
                    unit=u,
                )
                u.ledger.change_status(
                    slug,
                    employee_id,
                    status="active",
                    effective_on=e,
                    reason="returned from leave",
                    actor=ACTOR,
                    unit=u,
                )

            plan.at(starts, start_leave, delay_days=rng.randrange(0, 5))
            plan.at(ends, end_leave, delay_days=rng.randrange(0, 5))
    if rng.random() < 0.05 and sworn:
        moved = enrolled_on + timedelta(days=rng.randrange(30, max(31, (until - enrolled_on).days)))
        if moved < min(until, leaves_on):

            def reassign(u: Unit, on: date = moved) -> None:
                u.ledger.change_assignment(
                    slug,
                    employee_id,
                    effective_on=on,
                    rank=rank,
                    unit_name="Community Engagement",
                    assignments=["sro"],
                    actor=ACTOR,
                    unit=u,
                )

            plan.at(moved, reassign)
    if leaves_on <= until:
        summary.separated += 1

        def separate(u: Unit, on: date = leaves_on) -> None:
            u.ledger.change_status(
                slug,
                employee_id,
                status="separated",
                effective_on=on,
                reason=rng.choice(["retired", "resigned", "transferred"]),
                actor=ACTOR,
                unit=u,
            )

        plan.at(leaves_on, separate, delay_days=rng.randrange(0, 10))
    _ = enrolled_at


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
) -> DemoSummary:
    """Simulate ``years`` of history up to ``until`` for an agency of about ``officers``
    people (about 85 % sworn) and append it in batches of ``batch_size`` events."""
    rng = random.Random(seed)
    plan = _Plan(rng)
    summary = DemoSummary(slug=slug)
    start = date(until.year - years, until.month, min(until.day, 28))

    def register(u: Unit) -> None:
        u.ledger.register_agency(slug, name, state, actor=ACTOR, unit=u)

    plan.at(start - timedelta(days=1), register)
    for n in range(officers):
        sworn = rng.random() < 0.85
        hired = start - timedelta(days=rng.randrange(30, 25 * 365))
        _person(plan, summary, slug, f"E{n + 1:05d}", hired, start, until, sworn)
    # Replacement hires keep the headcount steady as people separate.
    for n in range(summary.separated):
        hired = start + timedelta(days=rng.randrange(30, max(31, (until - start).days - 30)))
        _person(plan, summary, slug, f"N{n + 1:05d}", hired, hired, until, rng.random() < 0.85)

    plan.steps.sort()
    began = perf_counter()
    unit = ledger.unit()
    for done, step in enumerate(plan.steps, start=1):
        clock.set(step.recorded_at)
        step.action(unit)
        # Counting pending events walks the unit, so look only every 64 steps.
        if (done % 64 == 0 and unit.pending_count() >= batch_size) or done == len(plan.steps):
            summary.events += len(unit.save())
            if progress is not None:
                progress(done, len(plan.steps))
    summary.seconds = perf_counter() - began
    summary.first_recorded = plan.steps[0].recorded_at
    summary.last_recorded = plan.steps[-1].recorded_at
    return summary
