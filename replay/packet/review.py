"""``ce_review.csv``: a person packet's continuing-education review sheet (issue 19 §4), for
the licence period that holds ``as_of``: per requirement, each course counted toward it,
with provider, course title, date, credits, the board's course number and the state's
category of each topic, then the period's other courses.

Minnesota's POST Board asks, in a random continuing-education review, for proof showing
"provider, course title, date(s) and hours completed" (its licence-renewal page, in
``/work/shared/rules/post-rules.md`` §2.1); courses carry "a POST Board issued course number"
(post-rules-mn-or-update.md Q4) and MLO categories (the pack's topics' ``state_category``).
No board's own file layout was found for any shipped state, so every state gets this one
(generic) shape; the columns name the state's terms where the pack gives them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.persistence import StoredEvent

from ledger.application import Ledger
from projections.history import TrainingRecord, history_from_events
from replay.knowledge import AgencyKnowledge
from replay.read_side import read_side

__all__ = ["REVIEW_COLUMNS", "ce_review_rows"]

REVIEW_COLUMNS = [
    "licence_number",
    "period_start",
    "period_end",
    "requirement",
    "requirement_title",
    "requirement_status",
    "required",
    "counted",
    "completed_on",
    "provider",
    "course_title",
    "post_course_number",
    "credits",
    "categories",
    "delivery",
    "record_id",
    "recorded_at",
]


def ce_review_rows(
    ledger: Ledger, answer: Mapping[str, Any], stored: Sequence[StoredEvent], known_at: datetime
) -> list[list[object]]:
    """The sheet's rows (``REVIEW_COLUMNS``); none when no licence period holds ``as_of``."""
    as_of = date.fromisoformat(answer["as_of"])
    history = history_from_events(
        (ledger.mapper.to_domain_event(event) for event in stored), known_at
    )
    period = next((p for p in history.licenses if p.starts_on <= as_of <= p.period_end), None)
    if period is None:
        return []
    categories = _categories(ledger, answer["agency"]["slug"], known_at, as_of)
    records = {
        r.record_id: r
        for r in history.records
        if period.starts_on <= r.completed_on <= period.period_end
    }
    head = [period.license_number, period.starts_on, period.period_end]
    rows: list[list[object]] = []
    listed: set[str] = set()
    for requirement in answer["person"]["compliance"]["requirements"]:
        counted = [records[rid] for rid in requirement["records"] if rid in records]
        label = (
            f"{requirement['pack_id']}@{requirement['version_id']}/{requirement['requirement_id']}"
        )
        for record in sorted(counted, key=lambda r: (r.completed_on, r.record_id)):
            listed.add(record.record_id)
            rows.append(
                [
                    *head,
                    label,
                    requirement.get("title", ""),
                    requirement["status"],
                    requirement["required"],
                    requirement["counted"],
                    *_course(record, categories),
                ]
            )
    for record in sorted(records.values(), key=lambda r: (r.completed_on, r.record_id)):
        if record.record_id not in listed:
            rows.append([*head, "", "", "", "", "", *_course(record, categories)])
    return rows


def _course(record: TrainingRecord, categories: Mapping[str, str]) -> list[object]:
    topics = "; ".join(
        f"{categories.get(topic, topic)}: {hours}"
        for topic, hours in sorted(record.topic_hours.items())
    )
    return [
        record.completed_on,
        record.provider,
        record.course_title,
        record.post_course_number,
        record.hours,
        topics,
        record.delivery,
        record.record_id,
        "" if record.recorded_at is None else record.recorded_at.isoformat(),
    ]


def _categories(ledger: Ledger, slug: str, known_at: datetime, as_of: date) -> dict[str, str]:
    """Topic id -> the state's code and category (``MLO-CIT Crisis Intervention & …``),
    from the rule versions in force on ``as_of`` as known at ``known_at``."""
    knowledge = read_side(ledger).knowledge
    agency: AgencyKnowledge = knowledge.agency_at(slug, known_at)
    out: dict[str, str] = {}
    for version in knowledge.rule_versions_for(agency, known_at, as_of=as_of):
        for topic_id, topic in sorted(version.topics.items()):
            name = " ".join(x for x in (topic.state_code, topic.state_category or topic.title) if x)
            out.setdefault(topic_id, name)
    return out
