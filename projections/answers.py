"""One person's answer and the documents stored for it (a status answer, a roster row).
The key naming everything besides their events and the day that they depend on is
``projections.answer_keys.rules_key``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

import orjson

from projections.answer_keys import EXPORT_OPTIONS
from projections.evaluate import Plan, evaluate, evaluate_planned
from projections.history import PersonHistory, TrainingRecord
from projections.history_codec import Identity
from projections.rules.schema import RuleVersion
from projections.status import Status, hours_text

__all__ = [
    "EXPORT_OPTIONS",
    "PersonAnswer",
    "answer_document",
    "documents",
    "overview_document",
    "person_answer",
    "roster_document",
]

# A roster row sits at depth two of the exported document (its list of people), four in.
_ROW_INDENT = b"    "


@dataclass(frozen=True)
class PersonAnswer:
    employee_id: str
    name: str
    kind: str
    person_status: str
    status: Status
    history: PersonHistory

    @cached_property
    def _counted(self) -> list[TrainingRecord]:
        """The records some requirement counted (both documents of an answer list them)."""
        counted = {record for r in self.status.requirements for record in r.records}
        return [r for r in self.history.records_between(None, date.max) if r.record_id in counted]

    def counted_records(self) -> list[dict[str, Any]]:
        """Every record some requirement counted, with its effective date and recorded time
        (and, for a corrected record, each correction's recorded time and reason)."""
        return [_record(record, _dates(record), _corrections(record)) for record in self._counted]

    def _person(self) -> dict[str, Any]:
        return {
            "employee_id": self.employee_id,
            "name": self.name,
            "kind": self.kind,
            "person_status": self.person_status,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self._person(),
            "compliance": self.status.to_dict(),
            "counted_records": self.counted_records(),
        }

    def roster_entry(self) -> dict[str, Any]:
        """The roster's row for this person: the same status, windows, deadlines, counts,
        reasons and counted records (effective date, recorded time), without what every
        person shares — requirement titles, kinds, default consequences and source texts
        are stated once in the roster's ``rule_versions`` catalogue, citations by source id.
        A statewide roster is tens of thousands of these, so they are kept small."""
        return {
            **self._person(),
            "compliance": self.status.to_dict(compact=True),
            "counted_records": [
                {**_dates(record), **_corrections(record)} for record in self._counted
            ],
        }

    def documents(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``to_dict()`` and ``roster_entry()`` made together, what they share once (the
        status's common parts, each record's dates and corrections); their values are
        shared, so both are serialised before anything could change them (``documents``)."""
        full, compact = self.status.to_dicts()
        records, entries = [], []
        for record in self._counted:
            dates, corrections = _dates(record), _corrections(record)
            records.append(_record(record, dates, corrections))
            entries.append({**dates, **corrections})
        person = self._person()
        return (
            {**person, "compliance": full, "counted_records": records},
            {**person, "compliance": compact, "counted_records": entries},
        )


def _dates(record: TrainingRecord) -> dict[str, Any]:
    """What both documents say of a counted record first: its id and two times."""
    return {
        "record_id": record.record_id,
        "effective_on": record.completed_on.isoformat(),
        "recorded_at": _instant(record.recorded_at),
    }


def _record(
    record: TrainingRecord, dates: dict[str, Any], corrections: dict[str, Any]
) -> dict[str, Any]:
    """A counted record as the status document lists it (keys in this order)."""
    return {
        **dates,
        "course_title": record.course_title,
        "hours": hours_text(record.hours),
        "topic_hours": {k: hours_text(v) for k, v in sorted(record.topic_hours.items())},
        **corrections,
    }


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _corrections(record: TrainingRecord) -> dict[str, Any]:
    """``corrections`` of a corrected record, oldest first; an uncorrected record has no
    such key (a statewide roster lists millions of records, few of them corrected)."""
    if not record.corrections:
        return {}
    return {
        "corrections": [
            {
                "recorded_at": _instant(c.recorded_at),
                "reason": c.reason,
                "changed": list(c.changed),
            }
            for c in record.corrections
        ]
    }


def person_answer(
    identity: Identity,
    history: PersonHistory,
    versions: Sequence[RuleVersion],
    as_of: date,
    *,
    plan: Plan | None = None,
) -> PersonAnswer:
    """Pure: the history is already folded at ``known_at``. ``plan``: ``Plan.of(versions,
    as_of)``, made once by a caller answering many people."""
    if plan is None:
        status = evaluate(versions, history, as_of)
    else:
        assert plan.as_of == as_of
        status = evaluate_planned(plan, history)
    return PersonAnswer(
        employee_id=identity.employee_id,
        name=identity.name,
        kind=identity.kind,
        person_status=history.status_on(as_of),
        status=status,
        history=history,
    )


def answer_document(answer: PersonAnswer) -> bytes:
    """The stored status answer: the ``person`` of ``muster status --json``."""
    return orjson.dumps(answer.to_dict())


def roster_document(answer: PersonAnswer) -> bytes:
    """The stored roster row, exactly as it appears in the export (sorted keys, indented
    at its depth there), so a roster is put together without parsing anything."""
    return _roster_bytes(answer.roster_entry())


# The requirement statuses the dashboard's overview lists (overdue, due soon, deadlines).
_OVERVIEW_STATUSES = frozenset({"non_compliant", "due_soon", "on_track"})


def overview_document(answer: PersonAnswer) -> bytes:
    """A narrow row for the dashboard's overview: the person, their status, and of their
    requirements only those overdue, due soon or on track, with what remains of each by
    when (the fields a roster row gives them, nothing else): a fraction of a roster row,
    made without the counted records."""
    status = answer.status
    requirements = [
        {
            "deadline": r.deadline.isoformat() if r.deadline else None,
            "remaining": hours_text(r.remaining),
            "requirement_id": r.requirement_id,
            "status": r.status,
            "topics": [t.to_dict() for t in sorted(r.topics, key=lambda t: t.topic)],
            "unit": r.unit,
        }
        for r in sorted(status.requirements, key=lambda r: r.sort_key)
        if r.status in _OVERVIEW_STATUSES
    ]
    return orjson.dumps(
        {
            "employee_id": answer.employee_id,
            "name": answer.name,
            "kind": answer.kind,
            "person_status": answer.person_status,
            "compliance": {"requirements": requirements, "status": status.status},
        }
    )


def _roster_bytes(entry: dict[str, Any]) -> bytes:
    document = orjson.dumps(entry, option=EXPORT_OPTIONS)
    return _ROW_INDENT + document.replace(b"\n", b"\n" + _ROW_INDENT)


def documents(answer: PersonAnswer) -> tuple[bytes, bytes]:
    """``answer_document(answer)`` and ``roster_document(answer)``, made together (the
    tracked model stores both)."""
    full, entry = answer.documents()
    return orjson.dumps(full), _roster_bytes(entry)
