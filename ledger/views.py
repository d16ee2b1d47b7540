"""Plain data the Ledger service returns: never aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

__all__ = ["AgencyView", "PersonView", "TrainingRecordView"]


@dataclass(frozen=True)
class AgencyView:
    id: UUID
    slug: str
    name: str
    jurisdiction: str
    registered_at: datetime


@dataclass(frozen=True)
class TrainingRecordView:
    record_id: UUID
    completed_on: date
    course_title: str
    hours: Decimal
    topic_hours: dict[str, Decimal]
    voided: bool


@dataclass(frozen=True)
class PersonView:
    id: UUID
    agency_id: UUID
    employee_id: str
    first_name: str
    last_name: str
    kind: str
    status: str
    hired_on: date
    rank: str
    unit: str
    assignments: list[str]
    license_number: str
    license_period_end: date | None
    records: list[TrainingRecordView]
    version: int
