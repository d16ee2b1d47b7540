"""A small agency recorded through the real ledger, and packets read back as members."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.clock import SettableClock
from tests.factories import ACTOR

SLUG = "pkt-pd"
HOSTILE_COURSE = '=HYPERLINK("http://evil.example","x")'
# The instant a packet is built for, between the first records and the later ones.
KNOWN_AT = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)


def record_agency(ledger: Ledger, clock: SettableClock) -> UUID:
    """Three people with training up to ``KNOWN_AT`` (one with a formula for a name and a
    course title); returns the record id of the first officer's first course."""
    clock.set(datetime(2025, 2, 1, 9, 0, tzinfo=UTC))
    ledger.register_agency(SLUG, "Packet Test PD", "MN", actor=ACTOR)
    publish_shipped_packs(ledger, ACTOR, jurisdiction="US-MN")
    people = [
        ("E1", "Officer", "sworn"),
        ("E2", "+1+cmd|' /C calc'!A0", "sworn"),
        ("C1", "Clerk", "civilian"),
    ]
    for employee_id, last, kind in people:
        ledger.enrol_person(
            SLUG,
            employee_id,
            first_name="Pat",
            last_name=last,
            kind=kind,
            hired_on=date(2020, 1, 6),
            actor=ACTOR,
        )
    for employee_id in ("E1", "E2"):
        ledger.record_license(
            SLUG,
            employee_id,
            license_number=f"6{employee_id[1:]}0001",
            issued_on=date(2020, 1, 6),
            period_end=date(2026, 6, 30),
            actor=ACTOR,
        )
    clock.set(datetime(2025, 2, 10, 15, 0, tzinfo=UTC))
    first = _course(ledger, "E1", date(2024, 3, 5), HOSTILE_COURSE, "4", "use_of_force")
    _course(
        ledger,
        "E1",
        date(2024, 9, 12),
        "Crisis intervention",
        "8",
        "crisis_intervention_mental_illness",
    )
    _course(ledger, "E2", date(2024, 5, 1), "-Legal update", "2", "officer_wellness")
    clock.set(KNOWN_AT + timedelta(minutes=30))  # "now" when the packet is asked for
    return first


def record_later(ledger: Ledger, clock: SettableClock, record_id: UUID) -> None:
    """Events recorded after ``KNOWN_AT``: a correction of a counted record, new training."""
    clock.set(KNOWN_AT + timedelta(days=3))
    ledger.correct_training(
        SLUG,
        "E1",
        record_id,
        reason="hours mis-keyed",
        actor=ACTOR,
        hours="2",
        topic_hours={"use_of_force": "2"},
    )
    _course(ledger, "E1", date(2025, 2, 20), "Firearms", "6", "use_of_force")
    clock.set(KNOWN_AT + timedelta(days=4))


def _course(ledger: Ledger, employee_id: str, on: date, title: str, hours: str, topic: str) -> UUID:
    record_id = ledger.record_training(
        SLUG,
        employee_id,
        completed_on=on,
        course_title=title,
        hours=hours,
        topic_hours={topic: hours},
        actor=ACTOR,
    )
    return UUID(str(record_id))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
