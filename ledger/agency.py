"""The Agency aggregate: the tenant, its jurisdiction and the rule packs it follows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger import streams
from ledger.agency_programs import AgencyPrograms
from ledger.aggregate import Envelope, LedgerAggregate
from ledger.ids import agency_id_for
from ledger.jurisdictions import jurisdiction_on, jurisdiction_spans

if TYPE_CHECKING:
    from ledger.program_events import CredentialTypeState, PolicyState

__all__ = [
    "Agency",
    "AgencyRegistered",
    "JurisdictionAdopted",
    "TimeZoneSet",
    "agency_id_for",
    "jurisdiction_on",
    "jurisdiction_spans",
]


class AgencyRegistered(streams.AgencyEvent, Aggregate.Created):
    slug: str
    name: str
    jurisdiction: str


class JurisdictionAdopted(streams.AgencyEvent):
    """The agency follows the named jurisdiction's rule pack from ``effective_on``; before
    it, the jurisdiction it followed until then still judges it."""

    jurisdiction: str

    def apply(self, aggregate: Agency) -> None:
        aggregate.adopted.append((self.effective_on, self.jurisdiction))
        aggregate.jurisdiction = aggregate.jurisdiction_on(date.max)


class TimeZoneSet(streams.AgencyEvent):
    """The agency keeps its days in the named IANA zone (``America/Chicago``) from now on.

    An agency without one keeps its state's default zone (``ledger.time_zones``)."""

    time_zone: str

    def apply(self, aggregate: Agency) -> None:
        aggregate.time_zone = self.time_zone


class Agency(AgencyPrograms, LedgerAggregate):
    """An agency's stream; it is its own tenant, so its events carry its own id as agency.
    Its own credential types and policies are commands of ``ledger.agency_programs``."""

    stream_type = streams.AgencyEvent.stream_type

    def __init__(self, agency_id: UUID, slug: str, name: str, jurisdiction: str) -> None:
        self.agency_id = agency_id
        self.slug = slug
        self.name = name
        # The registered jurisdiction holds from the beginning (history is imported later);
        # adoptions from their effective dates.
        self.registered_jurisdiction = jurisdiction
        self.adopted: list[tuple[date, str]] = []
        self.jurisdiction = jurisdiction
        self.time_zone = ""  # none recorded: the state's default
        self.credential_types: dict[str, CredentialTypeState] = {}
        self.policies: dict[str, PolicyState] = {}

    def jurisdiction_on(self, day: date) -> str:
        """The jurisdiction followed on ``day``: the adoption latest in effect by then (of
        two on one day, the one recorded last), else the registered one."""
        return jurisdiction_on(self.registered_jurisdiction, self.adopted, day)

    @classmethod
    def register(
        cls, *, at: datetime, actor: str, slug: str, name: str, jurisdiction: str
    ) -> Agency:
        agency_id = agency_id_for(slug)
        return cls._start(
            AgencyRegistered(
                **cls._start_envelope(agency_id, at, actor, agency_id),
                effective_on=at.date(),
                slug=slug,
                name=name,
                jurisdiction=jurisdiction,
            )
        )

    def adopt_jurisdiction(
        self, *, at: datetime, actor: str, jurisdiction: str, effective_on: date
    ) -> None:
        self._record(
            JurisdictionAdopted(
                **self._envelope(at, actor), effective_on=effective_on, jurisdiction=jurisdiction
            )
        )

    def set_time_zone(self, *, at: datetime, actor: str, time_zone: str) -> None:
        self._record(
            TimeZoneSet(**self._envelope(at, actor), effective_on=at.date(), time_zone=time_zone)
        )

    def envelope(self, at: datetime, actor: str) -> Envelope:
        """The envelope of the stream's next event, for facts another module defines on the
        agency's stream (``ledger.imports``' marker, which records itself with ``record``)."""
        return self._envelope(at, actor)

    def record(self, event: streams.AgencyEvent) -> None:
        self._record(event)
