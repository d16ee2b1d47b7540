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
    first = ledger.record_training(
        SLUG,
        "E1",
        completed_on=date(2024, 3, 5),
        course_title=HOSTILE_COURSE,
        hours="4",
        topic_hours={"use_of_force": "4"},
        actor=ACTOR,
    )
    ledger.record_training(
        SLUG,
        "E1",
        completed_on=date(2024, 9, 12),
        course_title="Crisis intervention",
        hours="8",
        topic_hours={"crisis_intervention_mental_illness": "8"},
        actor=ACTOR,
    )
    ledger.record_training(
        SLUG,
        "E2",
        completed_on=date(2024, 5, 1),
        course_title="-Legal update",
        hours="2",
        topic_hours={"officer_wellness": "2"},
        actor=ACTOR,
    )
    clock.set(KNOWN_AT + timedelta(minutes=30))  # "now" when the packet is asked for
    return UUID(str(first))


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
    ledger.record_training(
        SLUG,
        "E1",
        completed_on=date(2025, 2, 20),
        course_title="Firearms",
        hours="6",
        topic_hours={"use_of_force": "6"},
        actor=ACTOR,
    )
    clock.set(KNOWN_AT + timedelta(days=4))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
