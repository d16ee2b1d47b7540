"""A folded person history as compact bytes and back, exactly (a read model's checkpoint).

Folding a person means decoding every event of their stream; a checkpoint of the folded
history at a stream head answers the same as the fold, and is cheaper to load.
The format is positional JSON (dates ISO, decimals as their exact text), versioned by
``CODEC_VERSION``; a checkpoint of another version or of other fold code is never used.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson

from ledger.person import PersonEnrolled
from projections.fingerprint import engine_fingerprint
from projections.history import (
    AssignmentPeriod,
    Correction,
    Exemption,
    LicensePeriod,
    PersonHistory,
    StatusPeriod,
    TrainingRecord,
)

__all__ = ["CODEC_VERSION", "Identity", "decode_history", "encode_history", "fold_key"]

CODEC_VERSION = 3  # 2: records carry their corrections; 3: licence periods their source


@dataclass(frozen=True)
class Identity:
    """What an answer states about the person besides their history (from enrolment)."""

    employee_id: str
    name: str
    kind: str

    @classmethod
    def of(cls, enrolled: PersonEnrolled) -> Identity:
        return cls(
            enrolled.employee_id, f"{enrolled.last_name}, {enrolled.first_name}", enrolled.kind
        )


def fold_key() -> str:
    """What a checkpoint depends on besides the events: this codec and the fold code."""
    return f"{CODEC_VERSION}:{engine_fingerprint()}"


# Dates and instants go to orjson as they are: it writes them as ISO 8601 text (the
# instants' offset as +00:00, microseconds when there are any), as isoformat() would.
def _record(r: TrainingRecord) -> list[Any]:
    return [
        r.record_id,
        r.completed_on,
        str(r.hours),
        [[topic, str(hours)] for topic, hours in r.topic_hours.items()],
        r.recorded_at,
        r.post_course_number,
        r.course_title,
        r.provider,
        r.delivery,
        sorted(r.tags),
        r.valid_until,
        [[c.recorded_at, c.reason, list(c.changed)] for c in r.corrections],
    ]


def encode_history(identity: Identity, history: PersonHistory) -> bytes:
    h = history
    return orjson.dumps(
        [
            CODEC_VERSION,
            [identity.employee_id, identity.name, identity.kind],
            h.person_id,
            h.kind,
            h.hired_on,
            [[s.status, s.starts_on, s.reason] for s in h.statuses],
            [[p.license_number, p.starts_on, p.period_end, p.source] for p in h.licenses],
            [[a.starts_on, a.rank, a.unit, list(a.assignments)] for a in h.assignments],
            [_record(r) for r in h.records],
            [[e.exemption_id, e.kind, e.starts_on, e.ends_on, e.reason] for e in h.exemptions],
            h.certified_on,
            h.basic_completed_on,
            h.employment,
            sorted(h.certificates),
        ]
    )


_on = date.fromisoformat
# Hours repeat across records and people ("8", "2.5"): one Decimal per distinct text.
_decimal = lru_cache(maxsize=4096)(Decimal)


def _optional_day(text: str | None) -> date | None:
    return None if text is None else _on(text)


# This adapter builds a record straight into its instance dictionary: a frozen
# dataclass's __init__ sets each field through object.__setattr__, which was most of a
# checkpoint's decode (benchmarks/RESULTS.md). The fields are the dataclass's own, in
# order, checked at import; tests/rules/test_records_until.py and
# tests/replay/test_checkpoints.py compare the built records with the dataclass's.
_RECORD_FIELDS = (
    "record_id",
    "completed_on",
    "hours",
    "topic_hours",
    "recorded_at",
    "post_course_number",
    "course_title",
    "provider",
    "delivery",
    "tags",
    "valid_until",
    "corrections",
)
if tuple(f.name for f in fields(TrainingRecord)) != _RECORD_FIELDS:  # built in this order below
    raise RuntimeError(f"TrainingRecord's fields are not {_RECORD_FIELDS}")
_new_record = object.__new__
_instant = datetime.fromisoformat
_NO_TAGS: frozenset[str] = frozenset()


def _decoded_record(values: list[Any]) -> TrainingRecord:
    (
        rid,
        completed,
        hours,
        topics,
        recorded,
        course,
        title,
        provider,
        delivery,
        tags,
        valid,
        corrections,
    ) = values
    record = _new_record(TrainingRecord)
    record.__dict__.update(
        zip(
            _RECORD_FIELDS,
            (
                rid,
                _on(completed),
                _decimal(hours),
                {topic: _decimal(value) for topic, value in topics} if topics else {},
                None if recorded is None else _instant(recorded),
                course,
                title,
                provider,
                delivery,
                frozenset(tags) if tags else _NO_TAGS,
                None if valid is None else _on(valid),
                tuple(
                    Correction(None if at is None else _instant(at), reason, tuple(changed))
                    for at, reason, changed in corrections
                )
                if corrections
                else (),
            ),
            strict=True,
        )
    )
    return record


def _records_until(records: list[Any], day: date | None) -> list[Any]:
    if day is None:
        return records
    last = day.isoformat()  # ISO dates (four-digit years) sort as their days do
    return [r for r in records if r[1] <= last]


def decode_history(
    data: bytes | str, *, records_until: date | None = None
) -> tuple[Identity, PersonHistory]:
    """The identity and history ``encode_history`` was given (ValueError for another
    codec version). ``records_until``: only the training records completed on or before
    that day (the rest are not decoded): what an evaluation on that day is given when
    nothing but its status is wanted, as the engine credits no record completed after
    the day it is asked about (``tests/rules/test_records_until.py``)."""
    (
        version,
        identity,
        person_id,
        kind,
        hired_on,
        statuses,
        licenses,
        assignments,
        records,
        exemptions,
        certified_on,
        basic_completed_on,
        employment,
        certificates,
    ) = orjson.loads(data)
    if version != CODEC_VERSION:
        raise ValueError(f"history checkpoint of codec version {version}, not {CODEC_VERSION}")
    history = PersonHistory(
        person_id=person_id,
        kind=kind,
        hired_on=_optional_day(hired_on),
        statuses=tuple(StatusPeriod(s, _on(d), reason) for s, d, reason in statuses),
        licenses=tuple(LicensePeriod(n, _on(s), _on(e), src) for n, s, e, src in licenses),
        assignments=tuple(
            AssignmentPeriod(_on(d), rank, unit, tuple(names))
            for d, rank, unit, names in assignments
        ),
        records=tuple(map(_decoded_record, _records_until(records, records_until))),
        exemptions=tuple(
            Exemption(i, k, _on(s), _optional_day(e), reason) for i, k, s, e, reason in exemptions
        ),
        certified_on=_optional_day(certified_on),
        basic_completed_on=_optional_day(basic_completed_on),
        employment=employment,
        certificates=frozenset(certificates),
    )
    return Identity(*identity), history
