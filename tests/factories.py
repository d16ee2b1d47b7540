"""Small builders for test data recorded through the real Ledger service."""

from __future__ import annotations

from datetime import date

from ledger.application import Ledger

ACTOR = "user:test"


def agency(ledger: Ledger, slug: str = "test-pd", state: str = "MN") -> str:
    ledger.register_agency(slug, "Test Police Department", state, actor=ACTOR)
    return slug


def officer(ledger: Ledger, slug: str, employee_id: str = "E1", *, licensed: bool = True) -> str:
    ledger.enrol_person(
        slug,
        employee_id,
        first_name="Pat",
        last_name="Officer",
        kind="sworn",
        hired_on=date(2020, 1, 6),
        rank="Officer",
        unit_name="Patrol",
        actor=ACTOR,
    )
    if licensed:
        ledger.record_license(
            slug,
            employee_id,
            license_number="12345",
            issued_on=date(2020, 1, 6),
            period_end=date(2023, 6, 30),
            actor=ACTOR,
        )
    return employee_id


def stored_events(url: str) -> int:
    """How many events the store at ``url`` holds (to show a refusal appended nothing)."""
    ledger = Ledger(url)
    try:
        return ledger.store.count_events()
    finally:
        ledger.close()
