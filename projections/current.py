"""One person's rows in the tracked model: their answer on the model's day under the rules
in force, as a status document, a roster row and one row per requirement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ledger.person import PersonEnrolled
from projections.answer_keys import TRACKED_FORM
from projections.answers import documents, person_answer
from projections.evaluate import Plan
from projections.history import PersonHistory
from projections.history_codec import Identity
from projections.read_store import PersonRow, RequirementRow
from projections.rules.schema import RuleVersion
from projections.status import hours_text

__all__ = ["TRACKED_FORM", "person_rows"]


def person_rows(
    enrolled: PersonEnrolled,
    history: PersonHistory,
    version: int,
    rule_versions: Sequence[RuleVersion],
    rules_key: str,
    as_of: date,
    *,
    plan: Plan | None = None,
) -> tuple[PersonRow, list[RequirementRow]]:
    """Evaluate a person's history (their stream folded up to ``version``) on ``as_of``
    under ``rule_versions`` (which ``rules_key`` names); pure, no I/O. ``plan``:
    ``Plan.of(rule_versions, as_of)``, made once for many people."""
    identity = Identity.of(enrolled)
    answer = person_answer(identity, history, rule_versions, as_of, plan=plan)
    body, roster = documents(answer)
    status = answer.status
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
        name=identity.name,
        kind=enrolled.kind,
        person_status=answer.person_status,
        status=status.status,
        next_deadline=deadlines[0] if deadlines else None,
        as_of=as_of.isoformat(),
        version=version,
        rules_key=rules_key,
        body=body,
        roster=roster,
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
