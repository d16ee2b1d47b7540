"""Plain data the Ledger service returns (never aggregates), and how it is read off them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from ledger.time_zones import default_time_zone

if TYPE_CHECKING:  # read off them, never built here: an agency's view needs no Person
    from ledger.agency import Agency
    from ledger.agency_facts import AgencyFacts
    from ledger.person import Person

__all__ = [
    "AgencyView",
    "PersonView",
    "TrainingRecordView",
    "agency_view",
    "agency_view_of",
    "person_view",
]


@dataclass(frozen=True)
class AgencyView:
    id: UUID
    slug: str
    name: str
    jurisdiction: str
    registered_at: datetime
    time_zone: str  # recorded, else the state's default ("" where there is none)


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


def agency_view(agency: Agency) -> AgencyView:
    zone = agency.time_zone or default_time_zone(agency.jurisdiction) or ""
    return AgencyView(
        agency.id, agency.slug, agency.name, agency.jurisdiction, agency.created_on, zone
    )


def agency_view_of(facts: AgencyFacts) -> AgencyView:
    """``agency_view`` of the aggregate these facts were folded from
    (``ledger.agency_facts``)."""
    zone = facts.time_zone or default_time_zone(facts.jurisdiction) or ""
    return AgencyView(facts.id, facts.slug, facts.name, facts.jurisdiction, facts.created_on, zone)


def person_view(person: Person) -> PersonView:
    return PersonView(
        id=person.id,
        agency_id=person.agency_id,
        employee_id=person.employee_id,
        first_name=person.first_name,
        last_name=person.last_name,
        kind=person.kind,
        status=person.status,
        hired_on=person.hired_on,
        rank=person.rank,
        unit=person.unit,
        assignments=list(person.assignments),
        license_number=person.license_number,
        license_period_end=person.license_period_end,
        records=[
            TrainingRecordView(
                record_id=record_id,
                completed_on=r.completed_on,
                course_title=r.course_title,
                hours=r.hours,
                topic_hours=dict(r.topic_hours),
                voided=r.voided,
            )
            for record_id, r in person.records.items()
        ],
        version=person.version,
    )
