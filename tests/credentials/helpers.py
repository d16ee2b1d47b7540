"""Builders for the credential and policy tests: an agency with sworn officers, a
per-weapon firearms qualification type, and recorded-time steps on the settable clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger.application import Ledger
from ledger.clock import SettableClock

ACTOR = "user:test"
SLUG = "pd"
GLOCK = ("handgun", "Glock 17", "A1")
SIG = ("handgun", "SIG P320", "B2")
FIREARMS: dict[str, Any] = {
    "name": "Firearms qualification",
    "holders": ["kind:sworn"],
    "earned_by": "qualification",
    "validity": "months",
    "validity_months": 12,
    "passing_score": 80,
    "max_score": 100,
    "warning_days": 30,
    "per_weapon": True,
    "weapon_classes": ["handgun"],
}


def agency(ledger: Ledger, *people: str) -> None:
    ledger.register_agency(SLUG, "Test PD", "MN", actor=ACTOR)
    for employee_id in people:
        ledger.enrol_person(
            SLUG,
            employee_id,
            first_name="Pat",
            last_name=employee_id,
            kind="sworn",
            hired_on=date(2020, 1, 6),
            actor=ACTOR,
        )


def step(clock: SettableClock, moment: datetime | None = None) -> datetime:
    """Move recorded time on (by a minute, or to ``moment``); the new instant."""
    clock.set(moment or clock.now + timedelta(minutes=1))
    return clock.now


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def qualify(
    ledger: Ledger,
    employee_id: str,
    on: date,
    *,
    result: str = "pass",
    score: int = 92,
    weapon: tuple[str, str, str] = GLOCK,
) -> None:
    ledger.record_qualification(
        SLUG,
        employee_id,
        credential_type="firearms",
        on=on,
        result=result,
        score_value=score,
        instructor="Sgt. Range",
        weapon=weapon,
        actor=ACTOR,
    )


def item(answer: dict[str, Any], item_id: str) -> dict[str, Any]:
    found = [i for i in answer["items"] if i["item_id"] == item_id]
    assert len(found) == 1, answer["items"]
    return found[0]
