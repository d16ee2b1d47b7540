"""The policy track: ``evaluate_policies(programme, history, facts, as_of)``, and who had
acknowledged a version (``acknowledged``). Pure: no I/O, no clock.

A policy binds a person on ``as_of`` when an assignment in force by then names them. The
version in force is the latest published by then; it requires an acknowledgement of itself,
or, when it is editorial, of the latest substantive version before it (an acknowledgement
of a later version counts too). Due ``due_days`` after the later of that version's
publication and the person's hire date (``due_from="publication"``), or also no earlier
than the assignment (``due_from="assignment"``); unacknowledged after that day it is
``non_compliant``, before it ``due_soon``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from projections.credentials.facts import Acknowledgement, CredentialFacts
from projections.credentials.programme import PolicyAssignment, Programme, Publication
from projections.credentials.tracks import TrackItem, in_audience
from projections.person_history import PersonHistory
from projections.status import StatusCode

__all__ = ["acknowledged", "evaluate_policies"]


def evaluate_policies(
    programme: Programme, history: PersonHistory, facts: CredentialFacts, as_of: date
) -> list[TrackItem]:
    items = []
    for policy_id in programme.policy_ids:
        binding = [
            a
            for a in programme.assignments
            if a.policy_id == policy_id
            and a.effective_on <= as_of
            and in_audience(a.audience, history, facts.employee_id, as_of)
        ]
        current = programme.publication_on(policy_id, as_of)
        if not binding or current is None:
            continue
        items.append(_judge(programme, current, binding, history, facts, as_of))
    return items


def _judge(
    programme: Programme,
    current: Publication,
    binding: list[PolicyAssignment],
    history: PersonHistory,
    facts: CredentialFacts,
    as_of: date,
) -> TrackItem:
    required = programme.required_publication(current)
    accepted = {
        p.version_hash: p.number
        for p in programme.publications_of(current.policy_id)
        if p.number >= required.number
    }
    version = f"v{current.number} {current.version_hash[:12]}"
    title = programme.title_of(current.policy_id)
    editorial = (
        f"; v{current.number} is editorial, v{required.number} is the one to acknowledge"
        if required is not current
        else ""
    )
    acks = [
        a
        for a in facts.acknowledgements
        if a.policy_id == current.policy_id and a.version_hash in accepted and a.on <= as_of
    ]
    if acks:
        first = min(acks, key=lambda a: a.on)
        reason = f"acknowledged v{accepted[first.version_hash]} on {first.on.isoformat()}"
        return TrackItem(
            "policy", current.policy_id, title, "compliant", None, version, (reason + editorial,)
        )
    due = min(_due(required, a, history) for a in binding)
    status: StatusCode = "non_compliant" if as_of > due else "due_soon"
    word = "overdue since" if status == "non_compliant" else "due by"
    reason = f"v{required.number} not acknowledged: {word} {due.isoformat()}{editorial}"
    return TrackItem("policy", current.policy_id, title, status, due, version, (reason,))


def _due(required: Publication, assignment: PolicyAssignment, history: PersonHistory) -> date:
    starts = [required.effective_on]
    if history.hired_on is not None:
        starts.append(history.hired_on)
    if assignment.due_from == "assignment":
        starts.append(assignment.effective_on)
    return max(starts) + timedelta(days=assignment.due_days)


def acknowledged(
    facts: Iterable[CredentialFacts],
    policy_id: str,
    version_hash: str,
    on: date,
    known_at: datetime | None = None,
) -> list[Acknowledgement]:
    """Who had acknowledged exactly this version by ``on`` (each person's first), as
    recorded by ``known_at`` (the facts given are expected to be folded at it already;
    this filters again, so a caller holding later facts gets the same answer)."""
    found = []
    for person in facts:
        mine = [
            a
            for a in person.acknowledgements
            if a.policy_id == policy_id
            and a.version_hash == version_hash
            and a.on <= on
            and (known_at is None or a.recorded_at is None or a.recorded_at <= known_at)
        ]
        if mine:
            found.append(min(mine, key=lambda a: a.on))
    return sorted(found, key=lambda a: a.employee_id)
