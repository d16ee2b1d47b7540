"""Crediting: which recorded hours a requirement may count, after exclusions.

Exclusions are the pack's (e.g. MN warrior-style training is never credited; OH annual
firearms requalification is not CPT). A tag or course exclusion drops the whole record; a
topic exclusion removes only that topic's hours from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

from projections.history import TrainingRecord
from projections.rules.schema import CreditExclusion, Match

__all__ = ["CreditedRecord", "credited_records", "matches"]

ZERO = Decimal(0)


class CreditedRecord(NamedTuple):
    # A named tuple, not a dataclass: one is built per record per window evaluated.
    record: TrainingRecord
    hours: Decimal
    topic_hours: Mapping[str, Decimal]
    excluded_by: tuple[str, ...] = ()


def matches(item: Match, record: TrainingRecord, topic_hours: Mapping[str, Decimal]) -> bool:
    """A record matches by course number, by tag, or by having hours in a listed topic."""
    return (
        record.post_course_number in item.courses
        or bool(record.tags & set(item.tags))
        or any(topic_hours.get(t, ZERO) > 0 for t in item.topics)
    )


def credited_records(
    records: Iterable[TrainingRecord],
    exclusions: Iterable[CreditExclusion],
    requirement_id: str,
) -> tuple[list[CreditedRecord], list[str]]:
    """The records (completed in [start, end] and ordered by date and id, as
    ``PersonHistory.records_between`` gives them) with exclusions applied; also the
    reasons for anything excluded."""
    # Runs for every window of every requirement of every person evaluated: the rules that
    # concern this requirement and their tag/course sets are prepared once per call.
    rules = [
        (rule, frozenset(rule.tags), frozenset(rule.courses))
        for rule in exclusions
        if not rule.requirements or requirement_id in rule.requirements
    ]
    kept: list[CreditedRecord] = []
    reasons: list[str] = []
    # Most records meet no rule at all: one check against every rule's tags, courses and
    # topics together tells, and such a record is credited whole.
    any_tags = frozenset().union(*(tags for _, tags, _ in rules))
    any_courses = frozenset().union(*(courses for _, _, courses in rules))
    any_topics = frozenset(topic for rule, _, _ in rules for topic in rule.topics)
    for record in records:
        if (
            record.post_course_number not in any_courses
            and any_tags.isdisjoint(record.tags)
            and any_topics.isdisjoint(record.topic_hours)
        ):
            kept.append(CreditedRecord(record, max(record.hours, ZERO), record.topic_hours))
            continue
        hours = record.hours
        topics: Mapping[str, Decimal] = record.topic_hours
        dropped = None
        removed: list[str] = []
        for rule, tags, courses in rules:
            if rule.effective_from is not None and record.completed_on < rule.effective_from:
                continue
            if record.post_course_number in courses or not tags.isdisjoint(record.tags):
                dropped = rule.id
                break
            for topic in rule.topics:
                if topic in topics:
                    if topics is record.topic_hours:
                        topics = dict(topics)  # copied only when a topic is taken out
                    assert isinstance(topics, dict)
                    hours -= topics.pop(topic)
                    removed.append(rule.id)
        if dropped is not None:
            reasons.append(f"record {record.record_id} not credited ({dropped})")
            continue
        excluded_by = tuple(sorted(set(removed)))
        if excluded_by:
            reasons.append(
                f"record {record.record_id}: excluded topic hours not credited "
                f"({', '.join(excluded_by)})"
            )
        kept.append(CreditedRecord(record, max(hours, ZERO), topics, excluded_by))
    return kept, reasons
