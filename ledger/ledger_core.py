"""The core of the Ledger application service: the store, units of work and the helpers
every write use case shares (the use cases themselves are in ``ledger.*_cases``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import Mapper, Notification, Recording, Transcoder

from ledger.clock import Clock, system_clock
from ledger.database import DatabaseConfig, parse_database_url
from ledger.envelope import LedgerEvent
from ledger.errors import FutureEffectiveDateError
from ledger.gc_pause import paused_gc
from ledger.index_writes import Appended, SavedUnit
from ledger.seal import SealKeys
from ledger.serialisation import LedgerMapper, OrjsonTranscoder
from ledger.store import ChainedRecorder

if TYPE_CHECKING:
    from ledger.unit_of_work import UnitOfWork
    from ledger.views import AgencyView, PersonView

# The unit of work (with the Person aggregate and its ~100 event classes) and the views are
# imported when a use case or ``get_agency`` first runs: a read that opens the store
# through ``ledger.reader`` decodes no person's events (issue 14 §6).

__all__ = ["LedgerCore"]


class LedgerCore(Application[UUID]):
    """The ledger's storage and units of work, which every family of use cases shares:
    opening the store, saving a unit under the write lock, the stable horizon, and the
    helpers each use case runs through (``_using``, ``_now_and_check``). ``Ledger``
    (``ledger.application``) combines it with the use cases. Recorded time always comes
    from ``clock``.
    """

    log_section_size = 5000

    def __init__(
        self,
        database_url: str = "sqlite:///var/muster.db",
        *,
        clock: Clock = system_clock,
        env: dict[str, str] | None = None,
        seal_keys: SealKeys | None = None,
        allow_unsafe_durability: bool = False,
    ) -> None:
        """``seal_keys``: the keys units are sealed with (``ledger.seal``); without them
        units are appended unsealed. On PostgreSQL the tables are not created here (an
        owner creates them: ``muster db init``, or ``env={"CREATE_TABLE": "true"}``), and
        a server that does not make commits durable is refused unless
        ``allow_unsafe_durability``. The embedded SQLite file creates its own tables."""
        self.database: DatabaseConfig = parse_database_url(database_url)
        self.database_url = database_url  # worker processes open their own ledger
        self.env_overrides = dict(env or {})
        self.clock = clock
        if self.database.sqlite_path is not None:
            self.database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        # Ordinary PostgreSQL processes run no DDL: each CREATE ... IF NOT EXISTS waited
        # behind any open insert, and the application role may not run it at all.
        defaults = {"CREATE_TABLE": "false"} if self.database.backend == "postgres" else {}
        super().__init__(env={**self.database.env, **defaults, **(env or {})})
        check_setup = getattr(self.recorder, "check_setup", None)
        if check_setup is not None:
            try:
                check_setup(allow_unsafe_durability=allow_unsafe_durability)
            except Exception:
                self.close()
                raise
        if self.snapshots is not None or self.repository.cache is not None:
            msg = "the ledger saves without snapshots or an aggregate cache: do not enable them"
            raise ValueError(msg)
        self.seal_keys = seal_keys or SealKeys()
        self.store.seal_keys = self.seal_keys

    @property
    def store(self) -> ChainedRecorder:
        return cast(ChainedRecorder, self.recorder)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=LedgerMapper
        )

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """Append the pending events of ``objs`` (aggregates or events, in argument order)
        as one unit, in one transaction (``append``), and return them as the library's
        recordings, each with its stored bytes.

        ``Application.save`` (``EventStore.put``) encodes events before the store takes
        its lock, too early for the recorded time that is inside their bytes; it would
        also update an aggregate cache, take snapshots and call notification hooks, none
        of which this ledger uses (``__init__`` refuses the first two)."""
        if kwargs:
            msg = f"the ledger saves units only, without {sorted(kwargs)}"
            raise TypeError(msg)
        events, appended = self._append(objs, keep_stored=True)
        return [
            Recording(
                event,
                Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=n_id,
                ),
            )
            for event, s, n_id in zip(
                events, appended.stored_events, appended.notification_ids, strict=True
            )
        ]

    def append(
        self, *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None
    ) -> SavedUnit:
        """Append the pending events of ``objs`` as one unit, in one transaction: under the
        events table's write lock the store reads this ledger's clock and gives every event
        of the unit the same recorded time, strictly after every unit committed before
        (``ChainedRecorder.append_unit``), then encodes them and writes the recorded-time
        index and hash links beside them, in chunks. The time a command staged its event
        with is provisional: the aggregates saved here are left modified at the unit's
        recorded time. Unlike ``save`` it keeps nothing of the encoded unit, so a unit of
        200,000 events (an import) never holds all their stored bytes at once."""
        events, appended = self._append(objs, keep_stored=False)
        return SavedUnit(appended.recorded_at, events, list(appended.notification_ids))

    def _append(
        self,
        objs: Sequence[MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None],
        *,
        keep_stored: bool,
    ) -> tuple[list[LedgerEvent], Appended]:
        events: list[LedgerEvent] = []
        saved: list[Aggregate] = []
        for obj in objs:
            if isinstance(obj, Aggregate):
                pending = obj.collect_events()
                if pending:
                    saved.append(obj)
                    events.extend(_ledger_event(event) for event in pending)
            elif obj is not None:
                events.append(_ledger_event(obj))
        if not events:
            return events, Appended(self.clock(), [], [])
        with paused_gc():  # encoding, hashing and rows: many small objects, no cycles
            appended = self.store.append_unit(
                events, self.mapper.to_stored_event, self.clock, keep_stored=keep_stored
            )
        for aggregate in saved:
            aggregate.modified_on = appended.recorded_at
        return events, appended

    def stable_horizon(self) -> datetime:
        """The latest instant whose answers can no longer change (``known_at`` is clamped to
        it): now by this ledger's clock when no unit is being written, else the recorded
        time of the last committed unit."""
        return self.store.stable_horizon(self.clock)

    # -- units of work -------------------------------------------------------------------

    def unit_of_work(self) -> UnitOfWork:
        from ledger.unit_of_work import UnitOfWork

        return UnitOfWork(self)

    @contextmanager
    def _using(self, uow: UnitOfWork | None) -> Iterator[UnitOfWork]:
        if uow is not None:
            yield uow
            return
        from ledger.unit_of_work import UnitOfWork

        own = UnitOfWork(self)
        yield own
        own.save()

    def _now_and_check(self, effective_on: date, what: str) -> datetime:
        now = self.clock()
        if effective_on > now.date():
            msg = f"{what} {effective_on.isoformat()} is after today ({now.date().isoformat()})"
            raise FutureEffectiveDateError(msg)
        return now

    def get_agency(self, slug: str) -> AgencyView:
        from ledger.unit_of_work import UnitOfWork
        from ledger.views import agency_view

        return agency_view(UnitOfWork(self).agency(slug))

    def list_agencies(self) -> list[AgencyView]:
        """Every agency, as its stream reads now."""
        from ledger.agency_facts import list_agencies

        return list_agencies(self.store, self.agency_view_by_aggregate)

    def agency_view_by_aggregate(self, agency_id: UUID) -> AgencyView:
        from ledger.agency import Agency
        from ledger.views import agency_view

        return agency_view(cast(Agency, self.repository.get(agency_id)))

    def get_person(self, agency: str, employee_id: str) -> PersonView:
        from ledger.unit_of_work import UnitOfWork
        from ledger.views import person_view

        return person_view(UnitOfWork(self).person(agency, employee_id))

    def get_person_by_id(self, person_id: UUID) -> PersonView:
        from eventsourcing.application import AggregateNotFoundError

        from ledger.errors import PersonNotFoundError
        from ledger.person import Person
        from ledger.views import person_view

        try:
            return person_view(cast(Person, self.repository.get(person_id)))
        except AggregateNotFoundError:
            raise PersonNotFoundError(f"no person with id {person_id}") from None

    def people_ids(self, agency: str) -> list[UUID]:
        from ledger.streams import PersonEvent

        return self.store.streams(PersonEvent.stream_type, self.get_agency(agency).id)

    def stream(self, originator_id: UUID) -> list[LedgerEvent]:
        return cast(list[LedgerEvent], list(self.events.get(originator_id)))

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))


def _ledger_event(event: object) -> LedgerEvent:
    if not isinstance(event, LedgerEvent):
        msg = f"{type(event).__name__} is neither a muster aggregate nor a muster event"
        raise TypeError(msg)
    return event
