"""Use cases of agencies: register one, its time zone, the jurisdiction it adopts."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger import fields, time_zones
from ledger.agency import Agency, agency_id_for
from ledger.errors import DuplicateAgencyError, InvalidValueError
from ledger.ledger_core import LedgerCore
from ledger.unit_of_work import UnitOfWork

__all__ = ["AgencyCases"]


class AgencyCases(LedgerCore):
    """Agency use cases of ``Ledger``, in primitives, with typed errors."""

    def register_agency(
        self,
        slug: str,
        name: str,
        state: str,
        *,
        actor: str,
        time_zone: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        """Register an agency; its days are kept in ``time_zone`` (an IANA name) if given,
        else in its state's default zone, which is not recorded (``ledger.time_zones``)."""
        slug = fields.agency_slug(slug)
        state = fields.state_code(state)
        name = fields.text("name", name, required=True)
        jurisdiction = f"US-{state}"
        zone = None if time_zone is None else time_zones.time_zone(time_zone)
        if zone is None and time_zones.default_time_zone(jurisdiction) is None:
            raise InvalidValueError(
                f"no default time zone for {jurisdiction}: give one (an IANA name such as "
                f"America/Chicago); note that rule packs ship only for "
                f"{', '.join(sorted(fields.shipped_states()))}"
            )
        now = self.clock()
        if self._exists(agency_id_for(slug)):
            raise DuplicateAgencyError(f"agency {slug!r} already exists")
        with self._using(uow) as u:
            agency = Agency.register(
                at=now, actor=actor, slug=slug, name=name, jurisdiction=jurisdiction
            )
            if zone is not None:
                agency.set_time_zone(at=now, actor=actor, time_zone=zone)
            u.add_agency(agency)
            return agency.id

    def set_time_zone(
        self, slug: str, time_zone: str, *, actor: str, uow: UnitOfWork | None = None
    ) -> None:
        """Record the IANA zone the agency keeps its days in, from now on."""
        zone = time_zones.time_zone(time_zone)
        now = self.clock()
        with self._using(uow) as u:
            u.agency(slug).set_time_zone(at=now, actor=actor, time_zone=zone)

    def adopt_jurisdiction(
        self,
        slug: str,
        jurisdiction: str,
        effective_on: date,
        *,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        jurisdiction = fields.jurisdiction(jurisdiction)
        now = self._now_and_check(effective_on, "adoption date")
        with self._using(uow) as u:
            u.agency(slug).adopt_jurisdiction(
                at=now, actor=actor, jurisdiction=jurisdiction, effective_on=effective_on
            )
