"""Small builders for test data recorded through the real Ledger service."""

from __future__ import annotations

from datetime import date
from uuid import UUID

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


def notice(
    ledger: Ledger,
    slug: str,
    employee_id: str,
    *,
    day: date,
    title: str,
    recipient: str,
    kind: str = "reminder",
    window: str = "30",
    deadline: date | None = None,
    delivered: bool = True,
) -> UUID:
    """Record one notice about ``employee_id`` told to them (a pass's decision, by email),
    delivered or not yet sent: its id."""
    from ledger.notice_cases import attempt_event, decide_notices, notice_record, record_attempts

    agency_id = ledger.get_agency(slug).id
    key = f"{slug}|{kind}|email|person|{recipient}|{employee_id}|{title}|{day}|{window}"
    fields = {
        "notice_key": key,
        "kind": kind,
        "channel": "email",
        "recipient": recipient,
        "recipient_role": "person",
        "employee_id": employee_id,
        "person_name": f"Officer {employee_id}",
        "requirement": f"us-mn/{title.lower().replace(' ', '_')}",
        "title": title,
        "deadline": deadline,
        "window": window,
        "mandatory": True,
        "lines": [f"{title}: due {deadline}"],
        "message_digest": "0" * 64,
    }
    (notice_id,) = decide_notices(ledger, agency_id, day, [fields], actor="system:notify")
    if delivered:
        record = notice_record(ledger, notice_id)
        at = ledger.clock()
        record_attempts(
            ledger, [attempt_event(record, at=at, actor="system:notify", message_id="m")]
        )
    return notice_id
