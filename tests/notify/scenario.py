"""A small agency over a simulated year, for the notification tests.

One local requirement (2 firearms hours every calendar year, deadline 31 December), no
shipped pack, four people in two units, a supervisor of Patrol and a coordinator:

- E1 (Patrol) completes the hours on 2025-11-15: reminded at 90 and 60 days only;
- E2 (Patrol) never does: reminded at 90, 60, 30 and 7 days, told on 2026-01-01 that it
  is overdue, and the supervisor and coordinator are told the same day (escalation);
- E3 (Traffic) is separated on 2025-09-01: never reminded;
- E4 (Patrol) goes on leave on 2025-09-15 (the default setting: not reminded on leave).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from ledger.accounts import grant_role, open_account, record_email
from ledger.application import Ledger
from ledger.clock import SettableClock
from tests.replay.helpers import publish_local_pack

SLUG = "notify-pd"
ACTOR = "user:test"
START, END = date(2025, 3, 1), date(2026, 2, 28)
PEOPLE = {"E1": "Patrol", "E2": "Patrol", "E3": "Traffic", "E4": "Patrol"}


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def email_of(employee_id: str) -> str:
    return f"{employee_id.lower()}@pd.example"


def build(ledger: Ledger, clock: SettableClock) -> None:
    clock.set(noon(date(2025, 1, 1)))
    ledger.register_agency(SLUG, "Notify Police Department", "MN", actor=ACTOR)
    publish_local_pack(ledger, SLUG, [(date(2020, 1, 1), 2)])
    staff(ledger, SLUG, PEOPLE, date(2025, 1, 1))


def staff(ledger: Ledger, slug: str, people: dict[str, str], hired_on: date) -> None:
    """Sworn officers of ``people`` (employee id: unit) hired on ``hired_on``, with their
    own addresses, a supervisor of Patrol (``sgt``) and a coordinator (``coord``)."""
    for employee_id, unit in people.items():
        ledger.enrol_person(
            slug,
            employee_id,
            first_name="Pat",
            last_name=f"Officer{employee_id}",
            kind="sworn",
            hired_on=hired_on,
            rank="Officer",
            unit_name=unit,
            email=email_of(employee_id),
            actor=ACTOR,
        )
    for name, role, unit in (("sgt", "supervisor", "Patrol"), ("coord", "coordinator", "")):
        open_account(ledger, name, name.title(), actor=ACTOR)
        grant_role(ledger, name, role, agency=slug, unit=unit, actor=ACTOR, starts_on=hired_on)
        record_email(ledger, name, f"{name}@pd.example", actor=ACTOR)


def _training(ledger: Ledger) -> None:
    ledger.record_training(
        SLUG,
        "E1",
        completed_on=date(2025, 11, 15),
        course_title="Firearms qualification",
        hours=2,
        topic_hours={"firearms": 2},
        actor=ACTOR,
    )


def _separation(ledger: Ledger) -> None:
    ledger.change_status(
        SLUG,
        "E3",
        status="separated",
        effective_on=date(2025, 9, 1),
        reason="resigned",
        actor=ACTOR,
    )


def _leave(ledger: Ledger) -> None:
    ledger.change_status(
        SLUG,
        "E4",
        status="leave",
        effective_on=date(2025, 9, 15),
        reason="medical",
        expected_return=date(2026, 6, 1),
        actor=ACTOR,
    )


# What happens in the world on a day, recorded that day before the pass.
EVENTS: dict[date, Callable[[Ledger], None]] = {
    date(2025, 9, 1): _separation,
    date(2025, 9, 15): _leave,
    date(2025, 11, 15): _training,
}

REQUIREMENT = "Firearms training every calendar year"


def expected_person_notices() -> set[tuple[date, str, str]]:
    """(day, recipient, subject) of every notice but the digests."""
    deadline = "31 December 2025"
    due = f"Reminder: {REQUIREMENT} is due by {deadline}"
    expected = {
        (date(2025, 10, 2), email_of("E1"), due),
        (date(2025, 11, 1), email_of("E1"), due),
    }
    for day in (date(2025, 10, 2), date(2025, 11, 1), date(2025, 12, 1), date(2025, 12, 24)):
        expected.add((day, email_of("E2"), due))
    overdue_day = date(2026, 1, 1)
    expected.add((overdue_day, email_of("E2"), f"Overdue: {REQUIREMENT} (deadline {deadline})"))
    escalation = f"Overdue in your unit: OfficerE2, Pat, {REQUIREMENT}"
    expected.add((overdue_day, "sgt@pd.example", escalation))
    expected.add((overdue_day, "coord@pd.example", escalation))
    return expected
