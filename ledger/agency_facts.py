"""What a read needs of an agency's stream (who it is, the jurisdictions it followed, its
time zone), folded from the stored events' state without the Agency aggregate or the
event-sourcing library (issue 14 §6: a read that opens the store with
``ledger.light_reader`` imports neither).

This is a second reading of three event classes of ``ledger.agency``, kept honest by two
rules: an event of any topic this module does not know, or of a class version above 1,
makes ``fold_agency`` give None (the caller folds the stream with the aggregate instead);
and ``tests/ledger/test_agency_facts.py`` checks that every event class stored on an
agency's stream is either read here or named in ``IGNORED`` (a new one fails until it is
placed), and that this fold equals the aggregate's over drawn histories."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson

from ledger.jurisdictions import jurisdiction_on
from ledger.state_codec import untag

if TYPE_CHECKING:
    from ledger.store import ChainedRecorder
    from ledger.views import AgencyView

__all__ = ["AGENCY_STREAM", "IGNORED", "READ", "AgencyFacts", "fold_agency", "list_agencies"]

AGENCY_STREAM = "agency"  # ``ledger.streams.AgencyEvent.stream_type``

REGISTERED = "ledger.agency:AgencyRegistered"
ADOPTED = "ledger.agency:JurisdictionAdopted"
ZONE_SET = "ledger.agency:TimeZoneSet"
READ = frozenset({REGISTERED, ADOPTED, ZONE_SET})
_AGENCY_TOPIC = "ledger.agency:Agency"

# Events on an agency's stream that change none of ``AgencyFacts``: import markers and the
# agency's own programme (credential types, policies), which the aggregate keeps apart.
IGNORED = frozenset(
    {
        "ledger.imports:ImportCompleted",
        "ledger.imports:SimulationCompleted",
        "ledger.program_events:CredentialTypeDefined",
        "ledger.program_events:CredentialTypeChanged",
        "ledger.program_events:CredentialTypeRetired",
        "ledger.program_events:PolicyVersionUploaded",
        "ledger.program_events:PolicyPublished",
        "ledger.program_events:PolicyQuizSet",
        "ledger.program_events:PolicyAssigned",
    }
)


@dataclass(frozen=True)
class AgencyFacts:
    """The Agency aggregate's ``id``, ``slug``, ``name``, ``registered_jurisdiction``,
    ``jurisdiction``, ``adopted``, ``time_zone`` (as recorded: "" for none) and
    ``created_on`` after the same events."""

    id: UUID
    slug: str
    name: str
    registered_jurisdiction: str
    jurisdiction: str
    adopted: tuple[tuple[date, str], ...]
    time_zone: str
    created_on: datetime


def fold_agency(agency_id: UUID, events: Iterable[tuple[str, bytes]]) -> AgencyFacts | None:
    """The facts of an agency's stream from its stored events, ``(topic, state)`` in stream
    order; None when an event is not one this fold knows (see the module's docstring) or
    the stream does not start with the agency's registration."""
    registered: dict[str, Any] | None = None
    adopted: list[tuple[date, str]] = []
    time_zone = ""
    for topic, state in events:
        if topic in IGNORED:
            if registered is None:
                return None
            continue
        if topic not in READ:
            return None
        fields = orjson.loads(state)
        if fields.get("class_version", 1) != 1:
            return None
        if topic == REGISTERED:
            if registered is not None or fields.get("originator_topic") != _AGENCY_TOPIC:
                return None
            registered = fields
        elif registered is None:
            return None
        elif topic == ADOPTED:
            adopted.append((untag(fields["effective_on"]), fields["jurisdiction"]))
        else:
            time_zone = fields["time_zone"]
    if registered is None:
        return None
    first = registered["jurisdiction"]
    return AgencyFacts(
        id=agency_id,
        slug=registered["slug"],
        name=registered["name"],
        registered_jurisdiction=first,
        jurisdiction=jurisdiction_on(first, adopted, date.max) if adopted else first,
        adopted=tuple(adopted),
        time_zone=time_zone,
        created_on=untag(registered["timestamp"]),
    )


def list_agencies(
    store: ChainedRecorder, by_aggregate: Callable[[UUID], AgencyView]
) -> list[AgencyView]:
    """Every agency's view as its stream reads now: folded here, or by ``by_aggregate``
    where ``fold_agency`` does not know an event of its stream."""
    from ledger.views import agency_view_of

    views = []
    for agency_id in store.streams(AGENCY_STREAM):
        facts = fold_agency(agency_id, store.stream_rows(agency_id, None))
        views.append(by_aggregate(agency_id) if facts is None else agency_view_of(facts))
    return views
