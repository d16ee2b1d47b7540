"""The Ledger application service: every write use case, in primitives, with typed errors."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Protocol, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, Mapper, Recording, StoredEvent, Transcoder

from ledger.agency import Agency, JurisdictionAdopted, agency_id_for
from ledger.chain import EventMeta, IndexRow
from ledger.clock import Clock, system_clock
from ledger.database import DatabaseConfig, parse_database_url
from ledger.envelope import LedgerEvent
from ledger.errors import (
    AgencyNotFoundError,
    ConcurrentWriteError,
    DuplicateAgencyError,
    DuplicateEmployeeIdError,
    FutureEffectiveDateError,
    HoursOutOfRangeError,
    InvalidValueError,
    PersonNotFoundError,
    RecordAlreadyVoidedError,
    TrainingRecordNotFoundError,
)
from ledger.gc_pause import paused_gc
from ledger.person import (
    AssignmentChanged,
    CertificationRecorded,
    ExemptionEnded,
    ExemptionGranted,
    LicenseRecorded,
    LicenseRenewed,
    Person,
    StatusChanged,
    TrainingCompleted,
    TrainingCorrected,
    TrainingVoided,
    person_id_for,
)
from ledger.serialisation import LedgerMapper, OrjsonTranscoder
from ledger.views import AgencyView, PersonView, TrainingRecordView
from ledger.vocabulary import DeliveryMode, Employment, ExemptionKind, PersonKind, PersonStatus

__all__ = ["MAX_HOURS_PER_RECORD", "Ledger", "Unit"]

MAX_HOURS_PER_RECORD = Decimal(120)  # a three-week full-time course on one certificate
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class ChainedRecorder(Protocol):
    """Read access the chained stores add to the library's recorder."""

    def iter_index(self, batch: int = ...) -> Iterator[IndexRow]: ...
    def iter_stored(self, batch: int = ...) -> Iterator[StoredEvent]: ...
    def streams(self, stream_type: str, agency_id: UUID | None = ...) -> list[UUID]: ...
    def count_events(self) -> int: ...
    def recorded_by(self, agency_id: UUID, moment: datetime) -> list[IndexRow]: ...
    def stream_positions(
        self, stream_type: str, *, recorded_by: datetime | None = ...
    ) -> list[tuple[UUID, int]]: ...
    def stream_heads(
        self,
        stream_type: str,
        agency_id: UUID,
        *,
        recorded_by: datetime | None = ...,
        originator_ids: Sequence[UUID] | None = ...,
    ) -> dict[UUID, int]: ...
    def select_stream_events(
        self,
        stream_type: str,
        *,
        agency_id: UUID | None = ...,
        originator_ids: Sequence[UUID] | None = ...,
        recorded_by: datetime | None = ...,
        up_to_notification: int | None = ...,
    ) -> list[StoredEvent]: ...
    def heads_of(
        self,
        originator_ids: Sequence[UUID],
        *,
        recorded_by: datetime | None = ...,
        up_to_notification: int | None = ...,
    ) -> dict[UUID, int]: ...
    def select_streams_up_to(self, heads: Mapping[UUID, int]) -> list[StoredEvent]: ...
    def select_streams_until(
        self, originator_ids: Sequence[UUID], up_to_notification: int
    ) -> list[StoredEvent]: ...
    def heads_and_positions(
        self,
        originator_ids: Sequence[UUID],
        stream_type: str,
        *,
        recorded_by: datetime | None = ...,
    ) -> tuple[dict[UUID, int], list[tuple[UUID, int]]]: ...


class Unit:
    """Aggregates loaded or created by a group of commands that are saved together.

    A unit may be saved several times (the synthetic generator does); aggregates stay
    loaded between saves and only those touched since the last save are written.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.agencies: dict[str, Agency] = {}
        self.people: dict[UUID, Person] = {}
        self._touched: dict[UUID, Agency | Person] = {}

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

    def save(self) -> list[Recording[UUID]]:
        """Append every pending event of this unit in one transaction (all or nothing)."""
        aggregates = [a for a in self._touched.values() if a.pending_events]
        self._touched = {}
        if not aggregates:
            return []
        try:
            return self.ledger.save(*aggregates)
        except IntegrityError:
            # Someone else appended to one of these streams first; nothing of ours was saved,
            # and the loaded aggregates are stale, so the unit cannot be used again.
            self.agencies, self.people = {}, {}
            raise ConcurrentWriteError(
                "another writer changed these records at the same time; retry"
            ) from None


class Ledger(Application[UUID]):
    """Append-only compliance ledger. Recorded time always comes from ``clock``."""

    name = "Ledger"
    log_section_size = 5000

    def __init__(
        self,
        database_url: str = "sqlite:///var/muster.db",
        *,
        clock: Clock = system_clock,
        env: dict[str, str] | None = None,
    ) -> None:
        self.database: DatabaseConfig = parse_database_url(database_url)
        self.database_url = database_url  # worker processes open their own ledger
        self.env_overrides = dict(env or {})
        self.clock = clock
        if self.database.sqlite_path is not None:
            self.database.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        if self.database.backend == "postgres":
            _ensure_schema(self.database)
        super().__init__(env={**self.database.env, **(env or {})})

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
        """``Application.save`` (one transaction for everything given), collecting muster's
        own events and aggregates by their classes: the library tells events from
        aggregates with runtime protocol checks, which cost more per event than encoding
        it. Anything else still goes through the library's checks, in argument order."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        events = processing_event.events
        for obj in objs:
            if isinstance(obj, LedgerEvent):
                events.append(obj)
            elif isinstance(obj, Aggregate):
                events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            elif obj is not None:
                processing_event.collect_events(obj)
        processing_event.saved_kwargs.update(kwargs)
        with paused_gc():  # encoding, hashing and rows: many small objects, no cycles
            recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # deprecated in the library; kept in step
        return recordings

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        # The recorded-time index and hash links are written by the recorder in the same
        # transaction; it needs each event's envelope, which the stored bytes hide.
        processing_event.saved_kwargs["event_meta"] = [
            _meta(event) for event in processing_event.events
        ]
        return super()._record(processing_event)

    # -- units of work -------------------------------------------------------------------

    def unit(self) -> Unit:
        return Unit(self)

    @contextmanager
    def _using(self, unit: Unit | None) -> Iterator[Unit]:
        if unit is not None:
            yield unit
            return
        own = Unit(self)
        yield own
        own.save()

    def _now_and_check(self, effective_on: date, what: str) -> Any:
        now = self.clock()
        if effective_on > now.date():
            msg = f"{what} {effective_on.isoformat()} is after today ({now.date().isoformat()})"
            raise FutureEffectiveDateError(msg)
        return now

    # -- agencies ------------------------------------------------------------------------

    def register_agency(
        self, slug: str, name: str, state: str, *, actor: str, unit: Unit | None = None
    ) -> UUID:
        if not _SLUG.match(slug):
            raise InvalidValueError(
                f"agency slug {slug!r}: use 2-63 lowercase letters, digits and hyphens"
            )
        if not _STATE.match(state.upper()):
            raise InvalidValueError(f"state {state!r}: use a two-letter code such as MN")
        name = _text("name", name, required=True)
        now = self.clock()
        try:
            self.repository.get(agency_id_for(slug))
        except AggregateNotFoundError:
            pass
        else:
            raise DuplicateAgencyError(f"agency {slug!r} already exists")
        with self._using(unit) as u:
            agency = Agency.register(
                at=now,
                actor=actor,
                slug=slug,
                name=name,
                jurisdiction=f"US-{state.upper()}",
                effective_on=now.date(),
            )
            u.add_agency(agency)
            return agency.id

    def adopt_jurisdiction(
        self,
        slug: str,
        jurisdiction: str,
        effective_on: date,
        *,
        actor: str,
        unit: Unit | None = None,
    ) -> None:
        if not re.match(r"^US-[A-Z]{2}$", jurisdiction):
            raise InvalidValueError(f"jurisdiction {jurisdiction!r}: use a code such as US-MN")
        now = self._now_and_check(effective_on, "adoption date")
        with self._using(unit) as u:
            u.agency(slug).record(
                JurisdictionAdopted,
                at=now,
                actor=actor,
                effective_on=effective_on,
                jurisdiction=jurisdiction,
            )

    def get_agency(self, slug: str) -> AgencyView:
        return _agency_view(Unit(self).agency(slug))

    def list_agencies(self) -> list[AgencyView]:
        return [
            _agency_view(cast(Agency, self.repository.get(agency_id)))
            for agency_id in self.store.streams("agency")
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
        unit: Unit | None = None,
    ) -> UUID:
        employee_id = _text("employee_id", employee_id, required=True, limit=64)
        kind = _choice("kind", kind, PersonKind)
        now = self._now_and_check(hired_on, "hire date")
        with self._using(unit) as u:
            owner = u.agency(agency)
            person_id = person_id_for(owner.id, employee_id)
            if person_id in u.people or _exists(self, person_id):
                raise DuplicateEmployeeIdError(
                    f"employee id {employee_id!r} is already enrolled in agency {agency!r}"
                )
            person = Person.enrol(
                at=now,
                actor=actor,
                agency_id=owner.id,
                employee_id=employee_id,
                hired_on=hired_on,
                first_name=_text("first_name", first_name, required=True),
                last_name=_text("last_name", last_name, required=True),
                kind=kind,
                rank=_text("rank", rank),
                unit=_text("unit", unit_name),
                assignments=_tags(assignments, "assignment"),
                email=_text("email", email),
            )
            u.add_person(person)
            return person.id

    def record_license(
        self,
        agency: str,
        employee_id: str,
        *,
        license_number: str,
        issued_on: date,
        period_end: date,
        actor: str,
        unit: Unit | None = None,
    ) -> None:
        now = self._now_and_check(issued_on, "licence issue date")
        if period_end <= issued_on:
            raise InvalidValueError("licence period end must be after the issue date")
        with self._using(unit) as u:
            person = u.person(agency, employee_id)
            _require_sworn(person)
            person.record(
                LicenseRecorded,
                at=now,
                actor=actor,
                effective_on=issued_on,
                license_number=_text("license_number", license_number, required=True),
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
        unit: Unit | None = None,
    ) -> None:
        now = self._now_and_check(renewed_on, "renewal date")
        with self._using(unit) as u:
            person = u.person(agency, employee_id)
            if person.license_period_end is None:
                raise InvalidValueError("record a licence before renewing it")
            if period_end <= person.license_period_end:
                raise InvalidValueError(
                    f"renewed period end {period_end} must be after {person.license_period_end}"
                )
            person.record(
                LicenseRenewed,
                at=now,
                actor=actor,
                effective_on=renewed_on,
                license_number=license_number or person.license_number,
                period_end=period_end,
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
        unit: Unit | None = None,
    ) -> None:
        status = _choice("status", status, PersonStatus)
        now = self._now_and_check(effective_on, "status date")
        with self._using(unit) as u:
            person = u.person(agency, employee_id)
            if person.status == status:
                raise InvalidValueError(f"{employee_id} is already {status}")
            if status == PersonStatus.LEAVE and not reason.strip():
                raise InvalidValueError("a leave needs a reason")
            person.record(
                StatusChanged,
                at=now,
                actor=actor,
                effective_on=effective_on,
                status=status,
                reason=_text("reason", reason),
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
        unit: Unit | None = None,
    ) -> None:
        now = self._now_and_check(effective_on, "assignment date")
        with self._using(unit) as u:
            u.person(agency, employee_id).record(
                AssignmentChanged,
                at=now,
                actor=actor,
                effective_on=effective_on,
                rank=_text("rank", rank),
                unit=_text("unit", unit_name),
                assignments=_tags(assignments, "assignment"),
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
        unit: Unit | None = None,
    ) -> None:
        """Restate certification facts (OR cohorts, OH year of basic, TX proficiency...)."""
        now = self._now_and_check(effective_on, "certification date")
        for name, day in (
            ("certified_on", certified_on),
            ("basic_completed_on", basic_completed_on),
        ):
            if day is not None and day > now.date():
                raise FutureEffectiveDateError(f"{name} {day} is after today")
        with self._using(unit) as u:
            u.person(agency, employee_id).record(
                CertificationRecorded,
                at=now,
                actor=actor,
                effective_on=effective_on,
                certified_on=certified_on,
                basic_completed_on=basic_completed_on,
                certificates=_tags(certificates),
                employment=_choice("employment", employment, Employment),
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
        unit: Unit | None = None,
    ) -> UUID:
        now = self._now_and_check(completed_on, "completion date")
        total = _hours("hours", hours)
        topics = _topic_hours(topic_hours or {}, total)
        with self._using(unit) as u:
            person = u.person(agency, employee_id)
            new_id = record_id or uuid4()
            if new_id in person.records:
                raise InvalidValueError(f"training record {new_id} already exists")
            person.record(
                TrainingCompleted,
                at=now,
                actor=actor,
                effective_on=completed_on,
                record_id=new_id,
                course_title=_text("course_title", course_title, required=True),
                provider=_text("provider", provider),
                post_course_number=_text("post_course_number", post_course_number),
                delivery=_choice("delivery", delivery, DeliveryMode),
                hours=total,
                topic_hours=topics,
                certificate_ref=_text("certificate_ref", certificate_ref),
                source_record_id=_text("source_record_id", source_record_id),
                tags=_tags(tags),
                valid_until=_valid_until(valid_until, completed_on),
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
        unit: Unit | None = None,
        **changes: Any,
    ) -> list[str]:
        """Restate a record with ``changes`` (any of completed_on, course_title, provider,
        post_course_number, delivery, hours, topic_hours); returns the changed field names."""
        allowed = {
            "completed_on",
            "course_title",
            "provider",
            "post_course_number",
            "delivery",
            "hours",
            "topic_hours",
            "tags",
            "valid_until",
        }
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidValueError(f"cannot correct {sorted(unknown)}; allowed: {sorted(allowed)}")
        reason = _text("reason", reason, required=True)
        with self._using(unit) as u:
            person = u.person(agency, employee_id)
            record = _live_record(person, record_id)
            current = {
                "completed_on": record.completed_on,
                "course_title": record.course_title,
                "provider": record.provider,
                "post_course_number": record.post_course_number,
                "delivery": record.delivery,
                "hours": record.hours,
                "topic_hours": record.topic_hours,
                "tags": record.tags,
                "valid_until": record.valid_until,
            }
            new = {**current, **changes}
            new["tags"] = _tags(new["tags"])
            new["valid_until"] = _valid_until(new["valid_until"], new["completed_on"])
            new["hours"] = _hours("hours", new["hours"])
            new["topic_hours"] = _topic_hours(new["topic_hours"], new["hours"])
            new["delivery"] = _choice("delivery", new["delivery"], DeliveryMode)
            new["course_title"] = _text("course_title", new["course_title"], required=True)
            changed = sorted(key for key in allowed if new[key] != current[key])
            if not changed:
                raise InvalidValueError("the correction changes nothing")
            now = self._now_and_check(new["completed_on"], "completion date")
            person.record(
                TrainingCorrected,
                at=now,
                actor=actor,
                effective_on=new.pop("completed_on"),
                record_id=record_id,
                reason=reason,
                changed=changed,
                **new,
            )
            return changed

    def void_training(
        self,
        agency: str,
        employee_id: str,
        record_id: UUID,
        *,
        reason: str,
        actor: str,
        unit: Unit | None = None,
    ) -> None:
        reason = _text("reason", reason, required=True)
        with self._using(unit) as u:
            person = u.person(agency, employee_id)
            record = _live_record(person, record_id)
            person.record(
                TrainingVoided,
                at=self.clock(),
                actor=actor,
                effective_on=record.completed_on,
                record_id=record_id,
                reason=reason,
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
        unit: Unit | None = None,
    ) -> UUID:
        kind = _choice("kind", kind, ExemptionKind)
        now = self._now_and_check(starts_on, "exemption start")
        if ends_on is not None and ends_on < starts_on:
            raise InvalidValueError("an exemption cannot end before it starts")
        with self._using(unit) as u:
            person = u.person(agency, employee_id)
            exemption_id = exemption_id or uuid4()
            person.record(
                ExemptionGranted,
                at=now,
                actor=actor,
                effective_on=starts_on,
                exemption_id=exemption_id,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=_text("reason", reason, required=True),
                approver=_text("approver", approver, required=True),
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
        unit: Unit | None = None,
    ) -> None:
        now = self._now_and_check(ended_on, "exemption end")
        with self._using(unit) as u:
            person = u.person(agency, employee_id)
            exemption = person.exemptions.get(exemption_id)
            if exemption is None:
                raise InvalidValueError(f"no exemption {exemption_id} for {employee_id}")
            if ended_on < exemption.starts_on:
                raise InvalidValueError("an exemption cannot end before it starts")
            person.record(
                ExemptionEnded,
                at=now,
                actor=actor,
                effective_on=ended_on,
                exemption_id=exemption_id,
                ended_on=ended_on,
                reason=_text("reason", reason),
            )

    # -- reads ---------------------------------------------------------------------------

    def get_person(self, agency: str, employee_id: str) -> PersonView:
        return _person_view(Unit(self).person(agency, employee_id))

    def get_person_by_id(self, person_id: UUID) -> PersonView:
        try:
            return _person_view(cast(Person, self.repository.get(person_id)))
        except AggregateNotFoundError:
            raise PersonNotFoundError(f"no person with id {person_id}") from None

    def people_ids(self, agency: str) -> list[UUID]:
        return self.store.streams("person", self.get_agency(agency).id)

    def stream(self, originator_id: UUID) -> list[LedgerEvent]:
        return cast(list[LedgerEvent], list(self.events.get(originator_id)))


def _person_view(person: Person) -> PersonView:
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


def _meta(event: DomainEventProtocol[UUID]) -> EventMeta:
    if not isinstance(event, LedgerEvent):
        msg = f"{type(event).__name__} does not carry the muster envelope"
        raise TypeError(msg)
    return EventMeta(
        event.agency_id, _stream_type(type(event)), event.timestamp, event.effective_on
    )


@cache
def _stream_type(event_class: type[LedgerEvent]) -> str:
    # The stream's type is its aggregate module's name unless the event says otherwise
    # (ImportCompleted is recorded on the agency stream from its own module).
    return str(getattr(event_class, "STREAM_TYPE", event_class.__module__.rsplit(".", 1)[-1]))


def _ensure_schema(database: DatabaseConfig) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(database.postgres_conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(database.postgres_schema)
            )
        )


def _exists(ledger: Ledger, aggregate_id: UUID) -> bool:
    return bool(ledger.recorder.select_events(aggregate_id, limit=1))


def _agency_view(agency: Agency) -> AgencyView:
    return AgencyView(agency.id, agency.slug, agency.name, agency.jurisdiction, agency.created_on)


def _text(field: str, value: str, *, required: bool = False, limit: int = 200) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(f"{field}: expected text")
    value = value.strip()
    if required and not value:
        raise InvalidValueError(f"{field} is required")
    if len(value) > limit or _CONTROL.search(value):
        raise InvalidValueError(f"{field}: at most {limit} printable characters")
    return value


def _choice(field: str, value: str, allowed: type[Any]) -> str:
    try:
        return str(allowed(value).value)
    except ValueError:
        options = ", ".join(member.value for member in allowed)
        raise InvalidValueError(f"{field} {value!r}: expected one of {options}") from None


def _hours(field: str, value: Decimal | str | int) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        raise HoursOutOfRangeError(f"{field} {value!r} is not a number") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS_PER_RECORD:
        raise HoursOutOfRangeError(
            f"{field} {value} must be more than 0 and at most {MAX_HOURS_PER_RECORD}"
        )
    if hours != hours.quantize(Decimal("0.01")):
        raise HoursOutOfRangeError(f"{field} {value}: at most two decimal places")
    # One canonical form, so the same hours from CSV ("2") and XLSX (2.0) store identically.
    return hours.quantize(Decimal("0.01"))


def _topic_hours(topic_hours: dict[str, Decimal | str | int], total: Decimal) -> dict[str, Decimal]:
    cleaned: dict[str, Decimal] = {}
    for topic, hours in topic_hours.items():
        if not _TOPIC.match(topic):
            raise InvalidValueError(
                f"topic {topic!r}: use a canonical topic id such as use_of_force"
            )
        cleaned[topic] = _hours(f"hours for {topic}", hours)
    if sum(cleaned.values(), Decimal(0)) > total:
        raise HoursOutOfRangeError(
            f"topic hours {sum(cleaned.values())} exceed the record's total {total}"
        )
    return dict(sorted(cleaned.items()))


def _tags(values: Sequence[str], kind: str = "tag") -> list[str]:
    """A set of identifiers (tags, certificates, assignments): lower case, sorted, unique."""
    cleaned = sorted({value.strip().lower() for value in values if value.strip()})
    for value in cleaned:
        if not _TOPIC.match(value):
            raise InvalidValueError(f"{kind} {value!r}: use lowercase letters, digits and _")
    return cleaned


def _valid_until(valid_until: date | None, completed_on: date) -> date | None:
    if valid_until is not None and valid_until < completed_on:
        raise InvalidValueError("a credential cannot expire before it was earned")
    return valid_until


def _require_sworn(person: Person) -> None:
    if person.kind != PersonKind.SWORN:
        raise InvalidValueError(f"{person.employee_id} is civilian staff: no peace-officer licence")


def _live_record(person: Person, record_id: UUID) -> Any:
    record = person.records.get(record_id)
    if record is None:
        raise TrainingRecordNotFoundError(
            f"{person.employee_id} has no training record {record_id}"
        )
    if record.voided:
        raise RecordAlreadyVoidedError(f"training record {record_id} was voided")
    return record
