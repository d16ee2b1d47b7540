"""One person's read-model rows: their status under the rules in force, as plain rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import orjson

from ledger.person import PersonEnrolled
from projections.evaluate import evaluate
from projections.history import PersonHistory
from projections.history_codec import Identity
from projections.read_store import PersonRow, RequirementRow
from projections.rules.schema import RuleVersion
from projections.status import Status, hours_text

__all__ = ["person_rows", "status_document"]


def status_document(status: Status, person: PersonEnrolled, person_status: str) -> bytes:
    """The stable JSON document for one person's answer (sorted keys, hours as text)."""
    body = status.to_dict()
    body["person"] = {
        "employee_id": person.employee_id,
        "name": Identity.of(person).name,
        "kind": person.kind,
        "person_status": person_status,
    }
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def person_rows(
    enrolled: PersonEnrolled,
    history: PersonHistory,
    version: int,
    rule_versions: Sequence[RuleVersion],
    as_of: date,
) -> tuple[PersonRow, list[RequirementRow]]:
    """Evaluate a person's history (their stream folded up to ``version``) on ``as_of``;
    pure, no I/O."""
    status = evaluate(rule_versions, history, as_of)
    person_status = history.status_on(as_of)
    person_id, agency_id = str(enrolled.originator_id), str(enrolled.agency_id)
    deadlines = sorted(
        r.deadline.isoformat()
        for r in status.requirements
        if r.deadline is not None and r.status in {"due_soon", "on_track", "non_compliant"}
    )
    row = PersonRow(
        person_id=person_id,
        agency_id=agency_id,
        employee_id=enrolled.employee_id,
        name=Identity.of(enrolled).name,
        kind=enrolled.kind,
        person_status=person_status,
        status=status.status,
        next_deadline=deadlines[0] if deadlines else None,
        as_of=as_of.isoformat(),
        version=version,
        body=status_document(status, enrolled, person_status).decode(),
    )
    requirements = [
        RequirementRow(
            person_id=person_id,
            agency_id=agency_id,
            requirement_key=f"{r.pack_id}/{r.requirement_id}/{(r.window_start or as_of)}",
            pack_id=r.pack_id,
            requirement_id=r.requirement_id,
            version_id=r.version_id,
            status=r.status,
            deadline=r.deadline.isoformat() if r.deadline else None,
            required=hours_text(r.required),
            counted=hours_text(r.counted),
            remaining=hours_text(r.remaining),
        )
        for r in status.requirements
    ]
    return row, requirements
