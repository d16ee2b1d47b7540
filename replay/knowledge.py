"""What the ledger knew at an instant: an agency's people, their events and the rules.

Everything here filters on recorded time only (``known_at``); effective dates are left to
the pure evaluation. ``known_at=None`` means "everything recorded so far".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import TYPE_CHECKING, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from ledger.agency_facts import AgencyFacts, fold_agency
from ledger.errors import AgencyNotFoundError
from ledger.ids import agency_id_for
from ledger.jurisdictions import jurisdiction_on, jurisdiction_spans
from ledger.time_zones import default_time_zone, zone_info
from projections.stored_versions import (
    Followed,
    StoredVersion,
    stored_version_from_state,
    stored_versions_from_events,
    versions_for_agency,
)

if TYPE_CHECKING:
    from eventsourcing.persistence import StoredEvent

    from ledger.envelope import LedgerEvent
    from ledger.ledger_core import LedgerCore
    from projections.rules.schema import RuleVersion

# The library, the Agency aggregate and the rule-pack events are imported only where a
# stored event is one the plain readings (``ledger.agency_facts``,
# ``stored_version_from_state``) do not know: a read the read store answers does without
# them (issue 14 §6).

__all__ = ["AgencyKnowledge", "Knowledge", "decode_stored", "person_streams"]


@dataclass(frozen=True)
class AgencyKnowledge:
    """``jurisdiction`` is the latest adopted; ``jurisdiction_on`` the one followed on a
    day (``JurisdictionAdopted`` takes effect from its effective date)."""

    agency_id: UUID
    slug: str
    name: str
    jurisdiction: str
    time_zone: str = "UTC"  # recorded, else the state's default (UTC where there is none)
    registered_jurisdiction: str = ""
    adopted: tuple[tuple[date, str], ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return zone_info(self.time_zone)

    def jurisdiction_on(self, day: date) -> str:
        return jurisdiction_on(self.registered_jurisdiction or self.jurisdiction, self.adopted, day)

    def followed(self) -> dict[str, Followed]:
        """The days the agency followed each jurisdiction (``jurisdiction_spans``)."""
        return jurisdiction_spans(self.registered_jurisdiction or self.jurisdiction, self.adopted)

    def followed_by(self, day: date) -> tuple[str, ...]:
        """The jurisdictions the agency had followed by ``day`` (that day or earlier): a
        day's answer reports the windows that closed under each while it followed it."""
        return tuple(
            sorted(
                name
                for name, spans in self.followed().items()
                if any(start is None or start <= day for start, _ in spans)
            )
        )


class Knowledge:
    """Agencies and rule versions as known at an instant, for one ledger, with what their
    stored events decode to kept by stream position: stored events never change (the store
    refuses it and ``verify`` proves it), so a position decoded once is valid for good."""

    def __init__(self, ledger: LedgerCore) -> None:
        self._ledger = ledger
        self._agencies: dict[tuple[UUID, int], AgencyKnowledge] = {}
        self._rule_versions: dict[tuple[UUID, int], StoredVersion | None] = {}
        # (version, the copy bound to the days its jurisdiction was followed), by the
        # version's id and those days: one copy per version and spans, made once, so its
        # validated version (``StoredVersion.rule_version``) is made and prepared once too.
        self._followed: dict[tuple[int, Followed], tuple[StoredVersion, StoredVersion]] = {}

    def agency_at(self, slug: str, known_at: datetime | None) -> AgencyKnowledge:
        return self.agency_by_id(agency_id_for(slug), known_at, slug)

    def agency_by_id(
        self, agency_id: UUID, known_at: datetime | None, slug: str = ""
    ) -> AgencyKnowledge:
        heads = self._ledger.store.heads_of([agency_id], recorded_by=known_at)
        return self.agency_at_head(agency_id, heads.get(agency_id), known_at, slug)

    def agency_at_head(
        self, agency_id: UUID, head: int | None, known_at: datetime | None, slug: str = ""
    ) -> AgencyKnowledge:
        """The agency folded up to its stream head at ``known_at`` (None: no agency by then)."""
        if head is None:
            raise AgencyNotFoundError(f"no agency {slug or agency_id} was known at {known_at}")
        # Folded once per stream head: an agency stream also carries every import, so reading
        # it whole for each answer grew with the agency's history.
        key = (agency_id, head)
        if key not in self._agencies:
            agency = fold_agency(agency_id, self._ledger.store.stream_rows(agency_id, head))
            if agency is None:
                agency = self._folded_by_aggregate(agency_id, head)
            zone = agency.time_zone or default_time_zone(agency.jurisdiction) or "UTC"
            self._agencies[key] = AgencyKnowledge(
                agency.id,
                agency.slug,
                agency.name,
                agency.jurisdiction,
                zone,
                agency.registered_jurisdiction,
                tuple(agency.adopted),
            )
        return self._agencies[key]

    def _folded_by_aggregate(self, agency_id: UUID, head: int) -> AgencyFacts:
        """The Agency aggregate's fold of the stream up to ``head``, for a stream with an
        event ``fold_agency`` does not know."""
        from ledger.agency import Agency

        events = cast(list["LedgerEvent"], list(self._ledger.events.get(agency_id, lte=head)))
        agency = cast(Agency, None)
        for event in events:
            agency = event.mutate(agency)  # type: ignore[assignment]
        return AgencyFacts(
            agency.id,
            agency.slug,
            agency.name,
            agency.registered_jurisdiction,
            agency.jurisdiction,
            tuple(agency.adopted),
            agency.time_zone,
            agency.created_on,
        )

    def rule_versions_for(
        self,
        agency: AgencyKnowledge,
        known_at: datetime | None,
        positions: list[tuple[UUID, int]] | None = None,
        *,
        as_of: date,
    ) -> list[RuleVersion]:
        """``stored_versions_for``, each validated by the rule-pack schema (once per stored
        position, and once per position and followed spans): what evaluation is given,
        bound to the same followed spans as the stored versions."""
        stored = self.stored_versions_for(agency, known_at, positions, as_of=as_of)
        return [v.rule_version() for v in stored]

    def stored_versions_for(
        self,
        agency: AgencyKnowledge,
        known_at: datetime | None,
        positions: list[tuple[UUID, int]] | None = None,
        *,
        as_of: date,
    ) -> list[StoredVersion]:
        """Rule versions published by ``known_at`` that bind this agency on ``as_of``: the
        state packs of the jurisdiction it followed that day and the agency's own local
        packs (each checked against its content hash), as stored: read without the schema
        (``projections.stored_versions``). ``positions``: the rule-pack stream positions
        recorded by ``known_at``, if already read.

        An agency that had followed more than one jurisdiction by ``as_of`` gets the state
        packs of each, every version bound to the days it followed that jurisdiction
        (``StoredVersion.followed_during``, whose validated version is bound alike:
        ``RuleVersion.followed``): the engine reports a window of a pack only when the
        agency followed its jurisdiction on the window's end (or on ``as_of`` for the
        window under way), so windows that closed unmet under the earlier rules stay
        findings and the later rules judge no window that closed before they were adopted.
        The spans are part of the rules key (``projections.answer_keys.rules_key``), so an
        answer under other spans is never read from the memo or the tracked model."""
        store, cache = self._ledger.store, self._rule_versions
        if positions is None:
            positions = store.stream_positions("rule_pack", recorded_by=known_at)
        if any(position not in cache for position in positions):
            rows = store.select_stream_rows("rule_pack", recorded_by=known_at)
            for originator_id, version, topic, state in rows:
                known, parsed = stored_version_from_state(topic, state)
                if not known:
                    parsed = self._decoded_version(originator_id, version, topic, state)
                cache[(originator_id, version)] = parsed
        published = {(v.pack, v.id): v for p in positions if (v := cache[p]) is not None}
        ordered = [published[key] for key in sorted(published)]
        followed = agency.followed_by(as_of)
        if len(followed) <= 1:
            return versions_for_agency(ordered, agency.jurisdiction_on(as_of), agency.slug)
        spans = agency.followed()
        return [
            self._bound(v, spans[v.jurisdiction]) if v.owner == "state" else v
            for v in ordered
            if (v.owner == "state" and v.jurisdiction in followed)
            or (v.owner == "agency" and v.agency == agency.slug)
        ]

    def _decoded_version(
        self, originator_id: UUID, version: int, topic: str, state: bytes
    ) -> StoredVersion | None:
        """``stored_versions_from_events`` of one event decoded by the mapper."""
        from eventsourcing.persistence import StoredEvent

        stored = StoredEvent(originator_id, version, topic, state)
        parsed = stored_versions_from_events(decode_stored(self._ledger, [stored]))
        return parsed[0] if parsed else None

    def _bound(self, version: StoredVersion, spans: Followed) -> StoredVersion:
        key = (id(version), spans)
        entry = self._followed.get(key)
        if entry is None or entry[0] is not version:
            entry = (version, version.followed_during(spans))
            self._followed[key] = entry
        return entry[1]


def decode_stored(ledger: LedgerCore, stored: Sequence[StoredEvent]) -> list[LedgerEvent]:
    to_domain = ledger.mapper.to_domain_event
    return [cast("LedgerEvent", to_domain(s)) for s in stored]


def person_streams(
    ledger: LedgerCore,
    agency_id: UUID,
    known_at: datetime | None,
    *,
    person_id: UUID | None = None,
    up_to_notification: int | None = None,
    without_topics: Sequence[str] = (),
) -> Iterator[list[LedgerEvent]]:
    """Each person's events recorded by ``known_at``, one list per person (stream order).

    A person stream is a prefix in recorded time (recorded times never go backwards within
    a stream), so filtering the index on recorded time yields exactly that prefix.
    """
    stored = ledger.store.select_stream_events(
        "person",
        agency_id=agency_id,
        originator_ids=None if person_id is None else [person_id],
        recorded_by=known_at,
        up_to_notification=up_to_notification,
        without_topics=without_topics,
    )
    for _, group in groupby(stored, key=lambda s: s.originator_id):
        yield decode_stored(ledger, list(group))
