"""A small agency whose deadlines are its own (issue 17's tracks), for the notification
tests of credential expiry and policy acknowledgement (issue 18, point 1).

No rule pack: only a per-weapon firearms qualification (12 months, held by sworn officers)
and a "Use of force" policy assigned to everyone, 45 days to acknowledge a new version.
Four sworn officers, each carrying a Glock 17 of their own serial, all qualified on
2024-06-10 (valid through 2025-06-09) and all having acknowledged version 1:

- C1 (Patrol) never requalifies and never acknowledges version 2: reminded of the
  expiry at 90, 60, 30 and 7 days, told on 2025-06-10 that it has expired, with the
  Patrol supervisor and the coordinator told the same day; reminded to acknowledge v2
  (published 2025-05-01, due 2025-06-15) at 60, 30 and 7 days, told on 2025-06-16 it is
  overdue, with the same escalation;
- C2 (Patrol) requalifies on 2025-05-01 (after the 60-day reminder) and acknowledges v2
  on 2025-05-20 (after the 30-day reminder): no reminder of either after that;
- C3 (Traffic) goes on leave on 2025-04-01 (the default setting: not reminded on leave):
  the 90-day expiry reminder only;
- C4 (Traffic) is separated on 2025-01-15: never reminded.

Version 3, published 2025-05-10, is editorial: version 2 is still the one to acknowledge,
so it changes no notice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

from ledger.application import Ledger
from ledger.clock import SettableClock
from tests.credentials.helpers import FIREARMS
from tests.notify.scenario import email_of as email_of
from tests.notify.scenario import noon as noon
from tests.notify.scenario import staff

SLUG = "own-pd"
ACTOR = "user:test"
START, END = date(2025, 3, 1), date(2025, 7, 15)
PEOPLE = {"C1": "Patrol", "C2": "Patrol", "C3": "Traffic", "C4": "Traffic"}
POLICY = "use-of-force"
V1 = b"# Use of force\n\nOfficers use only the force that is objectively reasonable.\n"
V2 = V1 + b"\nDe-escalation is required where feasible.\n"
V3 = V2.replace(b"feasible", b"feasible (see 4.3)")


def serial_of(employee_id: str) -> str:
    return f"A{employee_id[1:]}"


def title_of(employee_id: str) -> str:
    return f"Firearms qualification (Glock 17, serial {serial_of(employee_id)})"


def name_of(employee_id: str) -> str:
    return f"Officer{employee_id}, Pat"


def qualify(ledger: Ledger, employee_id: str, on: date) -> None:
    ledger.record_qualification(
        SLUG,
        employee_id,
        credential_type="firearms",
        on=on,
        result="pass",
        score_value=92,
        instructor="Sgt. Range",
        weapon=("handgun", "Glock 17", serial_of(employee_id)),
        actor=ACTOR,
    )


def build(ledger: Ledger, clock: SettableClock) -> None:
    clock.set(noon(date(2024, 1, 2)))
    ledger.register_agency(SLUG, "Own Tracks Police Department", "MN", actor=ACTOR)
    staff(ledger, SLUG, PEOPLE, date(2020, 1, 6))
    for employee_id in PEOPLE:
        ledger.issue_weapon(
            SLUG,
            employee_id,
            weapon=("handgun", "Glock 17", serial_of(employee_id)),
            on=date(2023, 6, 1),
            actor=ACTOR,
        )
    ledger.define_credential_type(
        SLUG, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    for text in (V1, V2, V3):
        ledger.upload_policy(SLUG, POLICY, text, title="Use of force", actor=ACTOR)
    ledger.publish_policy(SLUG, POLICY, _hash(V1), effective_on=date(2024, 1, 2), actor=ACTOR)
    ledger.assign_policy(
        SLUG, POLICY, audience=["everyone"], due_days=45, effective_on=date(2024, 1, 2), actor=ACTOR
    )
    clock.set(noon(date(2024, 1, 5)))
    for employee_id in PEOPLE:
        ledger.acknowledge_policy(
            SLUG, employee_id, POLICY, 1, on=date(2024, 1, 5), channel="online", actor=ACTOR
        )
    clock.set(noon(date(2024, 6, 10)))
    for employee_id in PEOPLE:
        qualify(ledger, employee_id, date(2024, 6, 10))
    clock.set(noon(date(2025, 1, 15)))
    ledger.change_status(
        SLUG,
        "C4",
        status="separated",
        effective_on=date(2025, 1, 15),
        reason="resigned",
        actor=ACTOR,
    )


def _hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _leave(ledger: Ledger) -> None:
    ledger.change_status(
        SLUG,
        "C3",
        status="leave",
        effective_on=date(2025, 4, 1),
        reason="medical",
        expected_return=date(2025, 12, 1),
        actor=ACTOR,
    )


def _version_2_and_requalification(ledger: Ledger) -> None:
    ledger.publish_policy(SLUG, POLICY, _hash(V2), effective_on=date(2025, 5, 1), actor=ACTOR)
    qualify(ledger, "C2", date(2025, 5, 1))


def _editorial_version_3(ledger: Ledger) -> None:
    ledger.publish_policy(
        SLUG, POLICY, _hash(V3), effective_on=date(2025, 5, 10), editorial=True, actor=ACTOR
    )


def _acknowledgement(ledger: Ledger) -> None:
    ledger.acknowledge_policy(
        SLUG, "C2", POLICY, 2, on=date(2025, 5, 20), channel="online", actor=ACTOR
    )


# What happens in the world on a day, recorded that day before the pass.
EVENTS: dict[date, Callable[[Ledger], None]] = {
    date(2025, 4, 1): _leave,
    date(2025, 5, 1): _version_2_and_requalification,
    date(2025, 5, 10): _editorial_version_3,
    date(2025, 5, 20): _acknowledgement,
}

EXPIRES = "9 June 2025"
ACK_BY = "15 June 2025"
POLICY_TITLE = "Use of force v2"


def expected_notices() -> set[tuple[date, str, str]]:
    """(day, recipient, subject) of every notice but the digests."""
    expected: set[tuple[date, str, str]] = set()

    def expiry(employee_id: str, *days: date) -> None:
        subject = f"Reminder: {title_of(employee_id)} expires {EXPIRES}"
        expected.update((day, email_of(employee_id), subject) for day in days)

    def acknowledge(employee_id: str, *days: date) -> None:
        subject = f"Reminder: acknowledge {POLICY_TITLE} by {ACK_BY}"
        expected.update((day, email_of(employee_id), subject) for day in days)

    expiry("C1", date(2025, 3, 11), date(2025, 4, 10), date(2025, 5, 10), date(2025, 6, 2))
    expiry("C2", date(2025, 3, 11), date(2025, 4, 10))
    expiry("C3", date(2025, 3, 11))
    acknowledge("C1", date(2025, 5, 1), date(2025, 5, 16), date(2025, 6, 8))
    acknowledge("C2", date(2025, 5, 1), date(2025, 5, 16))
    expired, late = date(2025, 6, 10), date(2025, 6, 16)
    expected.add((expired, email_of("C1"), f"Expired: {title_of('C1')} (valid through {EXPIRES})"))
    expected.add((late, email_of("C1"), f"Overdue: acknowledge {POLICY_TITLE} (deadline {ACK_BY})"))
    for boss in ("sgt@pd.example", "coord@pd.example"):
        expected.add((expired, boss, f"Expired in your unit: {name_of('C1')}, {title_of('C1')}"))
        expected.add(
            (late, boss, f"Overdue in your unit: {name_of('C1')}, acknowledge {POLICY_TITLE}")
        )
    return expected
