"""The Ledger application service: every write use case, in primitives, with typed errors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import Mapper, Notification, Recording, Transcoder

from ledger import fields, time_zones
from ledger.agency import Agency, agency_id_for
from ledger.clock import Clock, system_clock
from ledger.database import DatabaseConfig, parse_database_url
from ledger.envelope import LedgerEvent
from ledger.errors import (
    DuplicateAgencyError,
    DuplicateEmployeeIdError,
    FutureEffectiveDateError,
    InvalidValueError,
    PersonNotFoundError,
)
from ledger.gc_pause import paused_gc
from ledger.index_store import Appended, SavedUnit
from ledger.person import CORRECTABLE, Person, person_id_for
from ledger.seal import SealKeys
from ledger.serialisation import LedgerMapper, OrjsonTranscoder
from ledger.store import ChainedRecorder
from ledger.unit_of_work import UnitOfWork
from ledger.views import AgencyView, PersonView, agency_view, person_view
from ledger.vocabulary import DeliveryMode, Employment, ExemptionKind, PersonKind, PersonStatus

__all__ = ["Ledger"]


class Ledger(Application[UUID]):
    """Append-only compliance ledger. Recorded time always comes from ``clock``.

    Each use case parses its primitives (``ledger.fields``), loads the aggregates through
    a unit of work (its own, or the caller's ``uow`` to save several commands together),
    and calls the aggregate's command, which checks its own rules.
    """

    name = "Ledger"
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
        return UnitOfWork(self)

    @contextmanager
    def _using(self, uow: UnitOfWork | None) -> Iterator[UnitOfWork]:
        if uow is not None:
            yield uow
            return
        own = UnitOfWork(self)
        yield own
        own.save()

    def _now_and_check(self, effective_on: date, what: str) -> datetime:
        now = self.clock()
        if effective_on > now.date():
            msg = f"{what} {effective_on.isoformat()} is after today ({now.date().isoformat()})"
            raise FutureEffectiveDateError(msg)
        return now

    # -- agencies ------------------------------------------------------------------------

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

    def get_agency(self, slug: str) -> AgencyView:
        return agency_view(UnitOfWork(self).agency(slug))

    def list_agencies(self) -> list[AgencyView]:
        return [
            agency_view(cast(Agency, self.repository.get(agency_id)))
            for agency_id in self.store.streams(Agency.stream_type)
        ]

    # -- people --------------------------------------------------------------------------

    def enrol_person(
        self,
        agency: str,
        employee_id: str,
        *,
        first_name: str,
        last_name: str,
        kind: str,
        hired_on: date,
        actor: str,
        rank: str = "",
        unit_name: str = "",
        assignments: Sequence[str] = (),
        email: str = "",
        uow: UnitOfWork | None = None,
    ) -> UUID:
        employee_id = fields.text("employee_id", employee_id, required=True, limit=64)
        kind = fields.choice("kind", kind, PersonKind)
        now = self._now_and_check(hired_on, "hire date")
        with self._using(uow) as u:
            owner = u.agency(agency)
            person_id = person_id_for(owner.id, employee_id)
            if person_id in u.people or self._exists(person_id):
                raise DuplicateEmployeeIdError(
                    f"employee id {employee_id!r} is already enrolled in agency {agency!r}"
                )
            person = Person.enrol(
                at=now,
                actor=actor,
                agency_id=owner.id,
                employee_id=employee_id,
                hired_on=hired_on,
                first_name=fields.text("first_name", first_name, required=True),
                last_name=fields.text("last_name", last_name, required=True),
                kind=kind,
                rank=fields.text("rank", rank),
                unit=fields.text("unit", unit_name),
                assignments=fields.assignments(assignments),
                email=fields.text("email", email),
            )
            u.add_person(person)
            return person.id

    def record_license(
        self,
        agency: str,
        employee_id: str,
        *,
        license_number: str,
        issued_on: date | None,
        period_end: date,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        """``issued_on=None``: only the period end is known (the licence's issue date was
        not given); the engine then derives the earlier periods and says so."""
        now = (
            self._now_and_check(issued_on, "licence issue date")
            if issued_on is not None
            else self.clock()
        )
        number = fields.text("license_number", license_number, required=True)
        with self._using(uow) as u:
            u.person(agency, employee_id).record_license(
                at=now,
                actor=actor,
                license_number=number,
                issued_on=issued_on,
                period_end=period_end,
            )

    def renew_license(
        self,
        agency: str,
        employee_id: str,
        *,
        renewed_on: date,
        period_end: date,
        actor: str,
        license_number: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> None:
        now = self._now_and_check(renewed_on, "renewal date")
        with self._using(uow) as u:
            u.person(agency, employee_id).renew_license(
                at=now,
                actor=actor,
                renewed_on=renewed_on,
                period_end=period_end,
                license_number=license_number,
            )

    def change_status(
        self,
        agency: str,
        employee_id: str,
        *,
        status: str,
        effective_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        status = fields.choice("status", status, PersonStatus)
        now = self._now_and_check(effective_on, "status date")
        reason = fields.text("reason", reason)
        with self._using(uow) as u:
            u.person(agency, employee_id).change_status(
                at=now, actor=actor, status=status, effective_on=effective_on, reason=reason
            )

    def change_assignment(
        self,
        agency: str,
        employee_id: str,
        *,
        effective_on: date,
        actor: str,
        rank: str,
        unit_name: str,
        assignments: Sequence[str],
        uow: UnitOfWork | None = None,
    ) -> None:
        now = self._now_and_check(effective_on, "assignment date")
        with self._using(uow) as u:
            u.person(agency, employee_id).change_assignment(
                at=now,
                actor=actor,
                effective_on=effective_on,
                rank=fields.text("rank", rank),
                unit=fields.text("unit", unit_name),
                assignments=fields.assignments(assignments),
            )

    def record_certification(
        self,
        agency: str,
        employee_id: str,
        *,
        effective_on: date,
        actor: str,
        certified_on: date | None = None,
        basic_completed_on: date | None = None,
        certificates: Sequence[str] = (),
        employment: str = "full_time",
        uow: UnitOfWork | None = None,
    ) -> None:
        """Restate certification facts (OR cohorts, OH year of basic, TX proficiency...)."""
        now = self._now_and_check(effective_on, "certification date")
        for name, day in (
            ("certified_on", certified_on),
            ("basic_completed_on", basic_completed_on),
        ):
            if day is not None and day > now.date():
                raise FutureEffectiveDateError(f"{name} {day} is after today")
        with self._using(uow) as u:
            u.person(agency, employee_id).record_certification(
                at=now,
                actor=actor,
                effective_on=effective_on,
                certified_on=certified_on,
                basic_completed_on=basic_completed_on,
                certificates=fields.tags(certificates),
                employment=fields.choice("employment", employment, Employment),
            )

    # -- training ------------------------------------------------------------------------

    def record_training(
        self,
        agency: str,
        employee_id: str,
        *,
        completed_on: date,
        course_title: str,
        hours: Decimal | str | int,
        actor: str,
        topic_hours: dict[str, Decimal | str | int] | None = None,
        provider: str = "",
        post_course_number: str = "",
        delivery: str = DeliveryMode.IN_PERSON,
        certificate_ref: str = "",
        source_record_id: str = "",
        tags: Sequence[str] = (),
        valid_until: date | None = None,
        record_id: UUID | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        now = self._now_and_check(completed_on, "completion date")
        total = fields.hours("hours", hours)
        topics = fields.topic_hours(topic_hours or {}, total)
        with self._using(uow) as u:
            person = u.person(agency, employee_id)
            new_id = record_id or uuid4()
            person.complete_training(
                at=now,
                actor=actor,
                record_id=new_id,
                completed_on=completed_on,
                course_title=fields.text("course_title", course_title, required=True),
                provider=fields.text("provider", provider),
                post_course_number=fields.text("post_course_number", post_course_number),
                delivery=fields.choice("delivery", delivery, DeliveryMode),
                hours=total,
                topic_hours=topics,
                certificate_ref=fields.text("certificate_ref", certificate_ref),
                source_record_id=fields.text("source_record_id", source_record_id),
                tags=fields.tags(tags),
                valid_until=fields.valid_until(valid_until, completed_on),
            )
            return new_id

    def correct_training(
        self,
        agency: str,
        employee_id: str,
        record_id: UUID,
        *,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
        **changes: Any,
    ) -> list[str]:
        """Restate a record with ``changes`` (any of completed_on, course_title, provider,
        post_course_number, delivery, hours, topic_hours, tags, valid_until); returns the
        changed field names."""
        unknown = set(changes) - set(CORRECTABLE)
        if unknown:
            raise InvalidValueError(
                f"cannot correct {sorted(unknown)}; allowed: {sorted(CORRECTABLE)}"
            )
        reason = fields.text("reason", reason, required=True)
        with self._using(uow) as u:
            person = u.person(agency, employee_id)
            record = person.live_record(record_id)
            new = {name: getattr(record, name) for name in CORRECTABLE} | changes
            completed_on: date = new["completed_on"]
            tags = fields.tags(new["tags"])
            valid_until = fields.valid_until(new["valid_until"], completed_on)
            total = fields.hours("hours", new["hours"])
            topic_hours = fields.topic_hours(new["topic_hours"], total)
            delivery = fields.choice("delivery", new["delivery"], DeliveryMode)
            course_title = fields.text("course_title", new["course_title"], required=True)
            now = self._now_and_check(completed_on, "completion date")
            return person.correct_training(
                record_id,
                at=now,
                actor=actor,
                reason=reason,
                completed_on=completed_on,
                course_title=course_title,
                provider=new["provider"],
                post_course_number=new["post_course_number"],
                delivery=delivery,
                hours=total,
                topic_hours=topic_hours,
                tags=tags,
                valid_until=valid_until,
            )

    def void_training(
        self,
        agency: str,
        employee_id: str,
        record_id: UUID,
        *,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        reason = fields.text("reason", reason, required=True)
        with self._using(uow) as u:
            u.person(agency, employee_id).void_training(
                record_id, at=self.clock(), actor=actor, reason=reason
            )

    # -- exemptions ----------------------------------------------------------------------

    def grant_exemption(
        self,
        agency: str,
        employee_id: str,
        *,
        kind: str,
        starts_on: date,
        ends_on: date | None,
        reason: str,
        approver: str,
        actor: str,
        exemption_id: UUID | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        kind = fields.choice("kind", kind, ExemptionKind)
        now = self._now_and_check(starts_on, "exemption start")
        with self._using(uow) as u:
            person = u.person(agency, employee_id)
            exemption_id = exemption_id or uuid4()
            person.grant_exemption(
                at=now,
                actor=actor,
                exemption_id=exemption_id,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=fields.text("reason", reason, required=True),
                approver=fields.text("approver", approver, required=True),
            )
            return exemption_id

    def end_exemption(
        self,
        agency: str,
        employee_id: str,
        exemption_id: UUID,
        *,
        ended_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        now = self._now_and_check(ended_on, "exemption end")
        with self._using(uow) as u:
            u.person(agency, employee_id).end_exemption(
                exemption_id,
                at=now,
                actor=actor,
                ended_on=ended_on,
                reason=fields.text("reason", reason),
            )

    # -- reads ---------------------------------------------------------------------------

    def get_person(self, agency: str, employee_id: str) -> PersonView:
        return person_view(UnitOfWork(self).person(agency, employee_id))

    def get_person_by_id(self, person_id: UUID) -> PersonView:
        try:
            return person_view(cast(Person, self.repository.get(person_id)))
        except AggregateNotFoundError:
            raise PersonNotFoundError(f"no person with id {person_id}") from None

    def people_ids(self, agency: str) -> list[UUID]:
        return self.store.streams(Person.stream_type, self.get_agency(agency).id)

    def stream(self, originator_id: UUID) -> list[LedgerEvent]:
        return cast(list[LedgerEvent], list(self.events.get(originator_id)))

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))


def _ledger_event(event: object) -> LedgerEvent:
    if not isinstance(event, LedgerEvent):
        msg = f"{type(event).__name__} is neither a muster aggregate nor a muster event"
        raise TypeError(msg)
    return event
