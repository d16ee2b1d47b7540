"""Crediting: which recorded hours a requirement may count, after exclusions.

Exclusions are the pack's (e.g. MN warrior-style training is never credited; OH annual
firearms requalification is not CPT). A tag or course exclusion drops the whole record; a
topic exclusion removes only that topic's hours from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from projections.history import TrainingRecord
from projections.rules.schema import CreditExclusion, Match

__all__ = ["CreditedRecord", "credited_records", "matches"]

ZERO = Decimal(0)


@dataclass(frozen=True)
class CreditedRecord:
    record: TrainingRecord
    hours: Decimal
    topic_hours: dict[str, Decimal] = field(default_factory=dict)
    excluded_by: tuple[str, ...] = ()


def matches(item: Match, record: TrainingRecord, topic_hours: dict[str, Decimal]) -> bool:
    """A record matches by course number, by tag, or by having hours in a listed topic."""
    return (
        record.post_course_number in item.courses
        or bool(record.tags & set(item.tags))
        or any(topic_hours.get(t, ZERO) > 0 for t in item.topics)
    )


def _applies(exclusion: CreditExclusion, requirement_id: str, record: TrainingRecord) -> bool:
    if exclusion.requirements and requirement_id not in exclusion.requirements:
        return False
    return exclusion.effective_from is None or record.completed_on >= exclusion.effective_from


def credited_records(
    records: Iterable[TrainingRecord],
    exclusions: Iterable[CreditExclusion],
    requirement_id: str,
    start: date | None,
    end: date,
) -> tuple[list[CreditedRecord], list[str]]:
    """Records completed in [start, end] with exclusions applied, ordered by date and id;
    also the reasons for anything excluded."""
    rules = list(exclusions)
    kept: list[CreditedRecord] = []
    reasons: list[str] = []
    in_range = [
        r for r in records if (start is None or r.completed_on >= start) and r.completed_on <= end
    ]
    for record in sorted(in_range, key=lambda r: (r.completed_on, r.record_id)):
        hours = record.hours
        topics = dict(record.topic_hours)
        dropped = None
        removed: list[str] = []
        for rule in rules:
            if not _applies(rule, requirement_id, record):
                continue
            if record.post_course_number in rule.courses or record.tags & set(rule.tags):
                dropped = rule.id
                break
            for topic in rule.topics:
                if topic in topics:
                    hours -= topics.pop(topic)
                    removed.append(rule.id)
        if dropped is not None:
            reasons.append(f"record {record.record_id} not credited ({dropped})")
            continue
        if removed:
            reasons.append(
                f"record {record.record_id}: excluded topic hours not credited "
                f"({', '.join(sorted(set(removed)))})"
            )
        kept.append(CreditedRecord(record, max(hours, ZERO), topics, tuple(sorted(set(removed)))))
    return kept, reasons
