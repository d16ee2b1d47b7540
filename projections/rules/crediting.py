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

__all__ = ["CreditedRecord", "Exclusions", "credited_records", "matches"]

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


class Exclusions:
    """The exclusion rules that concern one requirement, with their tag and course sets,
    and all of their tags, courses and topics together (most records meet none of them:
    one check against the union tells, and such a record is credited whole)."""

    def __init__(self, exclusions: Iterable[CreditExclusion], requirement_id: str) -> None:
        self.rules = [
            (rule, frozenset(rule.tags), frozenset(rule.courses))
            for rule in exclusions
            if not rule.requirements or requirement_id in rule.requirements
        ]
        self.any_tags = frozenset().union(*(tags for _, tags, _ in self.rules))
        self.any_courses = frozenset().union(*(courses for _, _, courses in self.rules))
        self.any_topics = frozenset(topic for rule, _, _ in self.rules for topic in rule.topics)
        # Everything ``credit`` reads of the rules: equal keys credit every record alike
        # (versions of a pack mostly repeat their exclusions).
        self.key = tuple(
            (rule.id, rule.effective_from, tags, courses, tuple(rule.topics))
            for rule, tags, courses in self.rules
        )

    def credit(self, record: TrainingRecord) -> tuple[CreditedRecord | None, tuple[str, ...]]:
        """The record as credited (None: not credited at all), and the reasons for anything
        excluded from it."""
        if (
            record.post_course_number not in self.any_courses
            and self.any_tags.isdisjoint(record.tags)
            and self.any_topics.isdisjoint(record.topic_hours)
        ):
            return CreditedRecord(record, max(record.hours, ZERO), record.topic_hours), ()
        hours = record.hours
        topics: Mapping[str, Decimal] = record.topic_hours
        removed: list[str] = []
        for rule, tags, courses in self.rules:
            if rule.effective_from is not None and record.completed_on < rule.effective_from:
                continue
            if record.post_course_number in courses or not tags.isdisjoint(record.tags):
                return None, (f"record {record.record_id} not credited ({rule.id})",)
            for topic in rule.topics:
                if topic in topics:
                    if topics is record.topic_hours:
                        topics = dict(topics)  # copied only when a topic is taken out
                    assert isinstance(topics, dict)
                    hours -= topics.pop(topic)
                    removed.append(rule.id)
        excluded_by = tuple(sorted(set(removed)))
        reasons: tuple[str, ...] = ()
        if excluded_by:
            reasons = (
                f"record {record.record_id}: excluded topic hours not credited "
                f"({', '.join(excluded_by)})",
            )
        return CreditedRecord(record, max(hours, ZERO), topics, excluded_by), reasons


def credited_records(
    records: Iterable[TrainingRecord],
    exclusions: Iterable[CreditExclusion],
    requirement_id: str,
) -> tuple[list[CreditedRecord], list[str]]:
    """The records (completed in [start, end] and ordered by date and id, as
    ``PersonHistory.records_between`` gives them) with exclusions applied; also the
    reasons for anything excluded. Each record is credited on its own (``Exclusions.
    credit``), so the credit of a range is the range of the credits."""
    prepared = Exclusions(exclusions, requirement_id)
    kept: list[CreditedRecord] = []
    reasons: list[str] = []
    for record in records:
        credited, why = prepared.credit(record)
        reasons.extend(why)
        if credited is not None:
            kept.append(credited)
    return kept, reasons
