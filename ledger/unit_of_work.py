"""The unit of work: the aggregates a group of commands loads or creates, saved together in
one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from ledger.agency import Agency, agency_id_for
from ledger.envelope import LedgerEvent
from ledger.errors import AgencyNotFoundError, ConcurrentWriteError, PersonNotFoundError
from ledger.index_writes import SavedUnit
from ledger.person import Person, person_id_for

if TYPE_CHECKING:
    from ledger.ledger_core import LedgerCore

__all__ = ["UnitOfWork"]


class UnitOfWork:
    """Aggregates loaded or created by a group of commands that are saved together.

    A unit of work may be saved several times (the synthetic generator does); aggregates
    stay loaded between saves and only those touched since the last save are written.
    """

    def __init__(self, ledger: LedgerCore) -> None:
        self.ledger = ledger
        self.agencies: dict[str, Agency] = {}
        self.people: dict[UUID, Person] = {}
        self._touched: dict[UUID, Agency | Person] = {}
        self.recorded_at: datetime | None = None  # the recorded time of the last save

    def agency(self, slug: str) -> Agency:
        if slug not in self.agencies:
            try:
                self.agencies[slug] = cast(Agency, self.ledger.repository.get(agency_id_for(slug)))
            except AggregateNotFoundError:
                raise AgencyNotFoundError(f"no agency with slug {slug!r}") from None
        agency = self.agencies[slug]
        self._touched[agency.id] = agency
        return agency

    def add_agency(self, agency: Agency) -> None:
        self.agencies[agency.slug] = self._touched[agency.id] = agency

    def person(self, agency_slug: str, employee_id: str) -> Person:
        agency = self.agency(agency_slug)
        person_id = person_id_for(agency.id, employee_id)
        if person_id not in self.people:
            try:
                self.people[person_id] = cast(Person, self.ledger.repository.get(person_id))
            except AggregateNotFoundError:
                msg = f"no person with employee id {employee_id!r} in agency {agency_slug!r}"
                raise PersonNotFoundError(msg) from None
        person = self.people[person_id]
        self._touched[person_id] = person
        return person

    def add_person(self, person: Person) -> None:
        self.people[person.id] = self._touched[person.id] = person

    def pending_count(self) -> int:
        return sum(len(aggregate.pending_events) for aggregate in self._touched.values())

    def pending(self) -> list[LedgerEvent]:
        """The events the next save would append (what a dry run reports)."""
        return [
            cast(LedgerEvent, event)
            for aggregate in self._touched.values()
            for event in aggregate.pending_events
        ]

    def save(self) -> SavedUnit:
        """Append every pending event of this unit of work in one transaction (all or
        nothing), all recorded at one instant: the commit's, taken under the write lock
        (``Ledger.append``); returns the unit's events and their log positions."""
        aggregates = [a for a in self._touched.values() if a.pending_events]
        self._touched = {}
        if not aggregates:
            return SavedUnit(self.ledger.clock(), [], [])
        try:
            saved = self.ledger.append(*aggregates)
        except IntegrityError:
            # Someone else appended to one of these streams first; nothing of ours was saved,
            # and the loaded aggregates are stale, so the unit of work cannot be used again.
            self.agencies, self.people = {}, {}
            raise ConcurrentWriteError(
                "another writer changed these records at the same time; retry"
            ) from None
        self.recorded_at = saved.recorded_at
        return saved
