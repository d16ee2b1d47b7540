"""Requirement measures: how much a set of credited records counts toward one requirement.

Pure arithmetic over ``CreditedRecord``s; windows, deadlines and statuses are decided by
the evaluator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from projections.rules.crediting import CreditedRecord, matches
from projections.rules.schema import HoursRequirement, Match, PoolRequirement
from projections.status import TopicProgress

__all__ = ["Measure", "hours_contribution", "measure_hours", "measure_items", "measure_pool"]

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Measure:
    unit: Literal["hours", "completions"]
    required: Decimal
    counted: Decimal
    remaining: Decimal
    records: tuple[str, ...]
    topics: tuple[TopicProgress, ...] = ()

    @property
    def met(self) -> bool:
        return self.remaining <= 0


def hours_contribution(requirement: HoursRequirement, credited: CreditedRecord) -> Decimal:
    """Course or tag matches count the whole record; otherwise listed topics count their
    hours; a requirement without filters counts every creditable hour."""
    record = credited.record
    if requirement.deliveries and record.delivery not in requirement.deliveries:
        return ZERO
    if requirement.courses or requirement.tags:
        if record.post_course_number in requirement.courses or not record.tags.isdisjoint(
            requirement.tags
        ):
            return credited.hours
        if not requirement.topics:
            return ZERO
    if requirement.topics:
        # Asked for every record of every window: a plain loop, no generator.
        total = ZERO
        topic_hours = credited.topic_hours
        for topic in requirement.topics:
            hours = topic_hours.get(topic)
            if hours is not None:
                total += hours
        return total
    return credited.hours


def measure_hours(requirement: HoursRequirement, credited: Sequence[CreditedRecord]) -> Measure:
    counted = ZERO
    used: list[str] = []
    for item in credited:
        share = hours_contribution(requirement, item)
        if share > 0:
            counted += share
            used.append(item.record.record_id)
    required = requirement.min_hours
    return Measure("hours", required, counted, max(required - counted, ZERO), tuple(used))


def measure_pool(requirement: PoolRequirement, credited: Sequence[CreditedRecord]) -> Measure:
    # Each member topic's hours, summed over the records in their order (one pass: this
    # runs for every window of every pool requirement of every person).
    per_topic = dict.fromkeys(requirement.members, ZERO)
    with_member_hours: list[str] = []
    for c in credited:
        topic_hours, counts = c.topic_hours, False
        for topic in per_topic:
            hours = topic_hours.get(topic)
            if hours is not None:
                per_topic[topic] += hours
                counts = counts or hours > 0
        if counts:
            with_member_hours.append(c.record.record_id)
    if requirement.total_from == "members":
        total = sum(per_topic.values(), ZERO)
        used = with_member_hours
    else:
        total = sum((c.hours for c in credited), ZERO)
        used = [c.record.record_id for c in credited if c.hours > 0]
    named = {t: m.hours for t, m in requirement.per_member_min.items()}
    deficits = sum((max(h - per_topic[t], ZERO) for t, h in named.items()), ZERO)
    progress = [TopicProgress(t, h, per_topic[t]) for t, h in sorted(named.items())]
    choose = requirement.choose
    if choose is not None:
        gaps = sorted(max(choose.each_min - per_topic[t], ZERO) for t in choose.of)
        deficits += sum(gaps[: choose.k], ZERO)
        best = sorted((min(per_topic[t], choose.each_min) for t in choose.of), reverse=True)
        progress.append(
            TopicProgress(
                f"choose_{choose.k}_of:{','.join(sorted(choose.of))}",
                choose.each_min * choose.k,
                sum(best[: choose.k], ZERO),
            )
        )
    named_total = sum(named.values(), ZERO)
    elective = requirement.min_total - named_total
    if named and elective > 0 and requirement.total_from == "members" and choose is None:
        # The elective remainder may be taken in any member topic, beyond its own minimum.
        beyond = sum((max(per_topic[t] - named.get(t, ZERO), ZERO) for t in per_topic), ZERO)
        progress.append(TopicProgress("elective", elective, min(beyond, elective)))
    remaining = max(requirement.min_total - total, deficits, ZERO)
    return Measure("hours", requirement.min_total, total, remaining, tuple(used), tuple(progress))


def _label(item: Match) -> str:
    if item.label:
        return item.label
    parts = [*(f"course:{c}" for c in item.courses), *item.topics, *(f"tag:{t}" for t in item.tags)]
    return "|".join(parts)


def measure_items(
    items: Sequence[Match],
    credited: Sequence[CreditedRecord],
    since: Sequence[date | None] | None = None,
) -> Measure:
    """Each item completed at least once; counts are completions, not hours. ``since``
    gives each item the first completion date it accepts (default: every credited record),
    so an allowance for earlier windows stays with the item the rule names."""
    used: list[str] = []
    progress = []
    done = ZERO
    for i, item in enumerate(items):
        first = since[i] if since is not None else None
        hits = [
            c.record.record_id
            for c in credited
            if (first is None or c.record.completed_on >= first)
            and matches(item, c.record, c.topic_hours)
        ]
        used.extend(h for h in hits if h not in used)
        progress.append(TopicProgress(_label(item), ONE, ONE if hits else ZERO))
        done += ONE if hits else ZERO
    required = Decimal(len(items))
    return Measure("completions", required, done, required - done, tuple(used), tuple(progress))
