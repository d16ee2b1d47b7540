"""What changed in people's answers between two instants of the recorded-time axis: the
same roster day asked as the records stood at ``before`` and at ``after`` (for instance
around a rule update), person by person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ledger.ledger_core import LedgerCore
from replay.asof import roster

__all__ = ["StatusChange", "status_changes"]

_ABSENT = "not_applicable"


@dataclass(frozen=True)
class StatusChange:
    """One person whose overall status, or a requirement's, differs between the two."""

    employee_id: str
    name: str
    before: str
    after: str
    requirements: tuple[tuple[str, str, str], ...]  # (requirement, before, after)


def _requirements(person: dict[str, Any]) -> dict[str, str]:
    compliance = person["compliance"]
    return {
        f"{r['requirement_id']} {r.get('window_start') or ''}": r["status"]
        for r in compliance.get("requirements", [])
    }


def status_changes(
    ledger: LedgerCore, slug: str, as_of: date, before: datetime, after: datetime
) -> list[StatusChange]:
    """Every person known at ``after`` whose answer on ``as_of`` differs from the answer
    known at ``before`` (a person unknown then counts as ``unknown``), by employee id."""
    then = {p["employee_id"]: p for p in roster(ledger, slug, as_of, before)["people"]}
    changes = []
    for person in roster(ledger, slug, as_of, after)["people"]:
        old = then.get(person["employee_id"])
        was = _requirements(old) if old else {}
        now = _requirements(person)
        # A requirement one side does not have binds no one there: not_applicable.
        differ = tuple(
            (key.strip(), was.get(key, _ABSENT), now.get(key, _ABSENT))
            for key in sorted(set(was) | set(now))
            if was.get(key, _ABSENT) != now.get(key, _ABSENT)
        )
        before_status = old["compliance"]["status"] if old else "unknown"
        after_status = person["compliance"]["status"]
        if differ or before_status != after_status:
            changes.append(
                StatusChange(
                    person["employee_id"], person["name"], before_status, after_status, differ
                )
            )
    return changes
