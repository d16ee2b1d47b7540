"""The Ledger's use cases append the right facts and refuse bad input without writing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from ledger.agency import jurisdiction_spans
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import (
    AgencyNotFoundError,
    DuplicateAgencyError,
    DuplicateEmployeeIdError,
    FutureEffectiveDateError,
    HoursOutOfRangeError,
    InvalidValueError,
    PersonNotFoundError,
    RecordAlreadyVoidedError,
    TrainingRecordNotFoundError,
)
from ledger.person import TrainingCompleted, TrainingCorrected, TrainingVoided
from tests.factories import ACTOR, agency, officer


def test_agency_registration_and_listing(ledger: Ledger) -> None:
    """An agency is registered once under its state's jurisdiction and listed by slug."""
    agency(ledger, "mpls", "mn")
    view = ledger.get_agency("mpls")
    assert (view.slug, view.jurisdiction) == ("mpls", "US-MN")
    assert [a.slug for a in ledger.list_agencies()] == ["mpls"]
    with pytest.raises(DuplicateAgencyError):
        agency(ledger, "mpls")
    with pytest.raises(InvalidValueError):
        ledger.register_agency("Bad Slug!", "x", "MN", actor=ACTOR)
    with pytest.raises(InvalidValueError):
        ledger.register_agency("ok-slug", "x", "Minnesota", actor=ACTOR)
    assert ledger.store.count_events() == 1


def test_training_recorded_with_envelope(ledger: Ledger, clock: SettableClock) -> None:
    """A completion carries effective date, actor, agency and the ledger's recorded time."""
    slug = agency(ledger)
    officer(ledger, slug)
    # The unit is recorded at the clock's reading when it is saved (issue 12 §1: the clock
    # moves on from the units of the set-up, which had to be a microsecond apart).
    clock.set(clock() + timedelta(seconds=1))
    record_id = ledger.record_training(
        slug,
        "E1",
        completed_on=date(2025, 2, 10),
        course_title="Use of Force Update",
        hours="4",
        topic_hours={"use_of_force": "2.5"},
        actor=ACTOR,
    )
    person = ledger.get_person(slug, "E1")
    event = ledger.stream(person.id)[-1]
    assert isinstance(event, TrainingCompleted)
    assert event.record_id == record_id
    assert event.effective_on == date(2025, 2, 10)
    assert event.timestamp == clock()
    assert event.actor == ACTOR
    assert event.agency_id == ledger.get_agency(slug).id
    assert event.hours == Decimal("4.00")
    assert event.topic_hours == {"use_of_force": Decimal("2.50")}


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"hours": "0"}, HoursOutOfRangeError),
        ({"hours": "-2"}, HoursOutOfRangeError),
        ({"hours": "121"}, HoursOutOfRangeError),
        ({"hours": "1.234"}, HoursOutOfRangeError),
        ({"hours": "abc"}, HoursOutOfRangeError),
        ({"topic_hours": {"use_of_force": "5"}}, HoursOutOfRangeError),
        ({"topic_hours": {"Use Of Force": "1"}}, InvalidValueError),
        ({"completed_on": date(2025, 3, 2)}, FutureEffectiveDateError),
        ({"course_title": "  "}, InvalidValueError),
        ({"delivery": "carrier pigeon"}, InvalidValueError),
    ],
)
def test_bad_training_input_is_refused_and_writes_nothing(
    ledger: Ledger, changes: dict[str, object], error: type[Exception]
) -> None:
    """Each invalid completion raises its typed error and leaves the store unchanged."""
    slug = agency(ledger)
    officer(ledger, slug)
    before = ledger.store.count_events()
    fields: dict[str, object] = {
        "completed_on": date(2025, 2, 1),
        "course_title": "Course",
        "hours": "4",
        "topic_hours": {},
        **changes,
    }
    with pytest.raises(error):
        ledger.record_training(slug, "E1", actor=ACTOR, **fields)  # type: ignore[arg-type]
    assert ledger.store.count_events() == before


def test_unknown_people_and_agencies(ledger: Ledger) -> None:
    """Commands naming someone the ledger does not hold fail with not-found errors."""
    with pytest.raises(AgencyNotFoundError):
        ledger.get_agency("nowhere")
    slug = agency(ledger)
    with pytest.raises(PersonNotFoundError):
        ledger.record_training(
            slug, "E404", completed_on=date(2025, 1, 1), course_title="x", hours=1, actor=ACTOR
        )


def test_employee_ids_unique_within_agency_only(ledger: Ledger) -> None:
    """The same employee id may exist in two agencies but not twice in one."""
    one, two = agency(ledger, "one-pd"), agency(ledger, "two-pd")
    officer(ledger, one, "E1")
    officer(ledger, two, "E1")
    with pytest.raises(DuplicateEmployeeIdError):
        officer(ledger, one, " e1 ")
    assert ledger.get_person(one, "E1").id != ledger.get_person(two, "E1").id


def test_correction_and_void(ledger: Ledger) -> None:
    """Corrections restate a record with a reason; a voided record cannot be touched again."""
    slug = agency(ledger)
    officer(ledger, slug)
    rid = ledger.record_training(
        slug,
        "E1",
        completed_on=date(2025, 1, 5),
        course_title="CIT",
        hours=8,
        topic_hours={"crisis_intervention_mental_illness": 8},
        actor=ACTOR,
    )
    changed = ledger.correct_training(
        slug,
        "E1",
        rid,
        reason="certificate says 7 h",
        hours="7",
        topic_hours={"crisis_intervention_mental_illness": "7"},
        actor=ACTOR,
    )
    assert changed == ["hours", "topic_hours"]
    with pytest.raises(InvalidValueError):
        ledger.correct_training(slug, "E1", rid, reason="no-op", hours="7", actor=ACTOR)
    with pytest.raises(TrainingRecordNotFoundError):
        ledger.void_training(slug, "E1", uuid4(), reason="x", actor=ACTOR)
    ledger.void_training(slug, "E1", rid, reason="entered twice", actor=ACTOR)
    with pytest.raises(RecordAlreadyVoidedError):
        ledger.void_training(slug, "E1", rid, reason="again", actor=ACTOR)
    with pytest.raises(RecordAlreadyVoidedError):
        ledger.correct_training(slug, "E1", rid, reason="late", hours="6", actor=ACTOR)
    events = ledger.stream(ledger.get_person(slug, "E1").id)
    kinds = [type(e) for e in events[-3:]]
    assert kinds == [TrainingCompleted, TrainingCorrected, TrainingVoided]
    corrected = events[-2]
    assert isinstance(corrected, TrainingCorrected)
    assert corrected.reason == "certificate says 7 h"
    assert ledger.get_person(slug, "E1").records[0].voided


def test_status_licence_assignment_and_exemptions(ledger: Ledger) -> None:
    """Status, licence renewal, assignments and tolling are recorded as separate facts."""
    slug = agency(ledger)
    officer(ledger, slug)
    with pytest.raises(InvalidValueError):
        ledger.renew_license(
            slug, "E1", renewed_on=date(2023, 6, 1), period_end=date(2023, 6, 30), actor=ACTOR
        )
    ledger.renew_license(
        slug, "E1", renewed_on=date(2023, 6, 1), period_end=date(2026, 6, 30), actor=ACTOR
    )
    ledger.change_assignment(
        slug,
        "E1",
        effective_on=date(2024, 8, 20),
        rank="Officer",
        unit_name="Community",
        assignments=["SRO", "sro"],
        actor=ACTOR,
    )
    exemption = ledger.grant_exemption(
        slug,
        "E1",
        kind="military_leave",
        starts_on=date(2024, 9, 1),
        ends_on=None,
        reason="deployment",
        approver="Chief",
        actor=ACTOR,
    )
    ledger.change_status(
        slug, "E1", status="leave", effective_on=date(2024, 9, 1), reason="military", actor=ACTOR
    )
    with pytest.raises(InvalidValueError):
        ledger.change_status(
            slug, "E1", status="leave", effective_on=date(2024, 9, 2), reason="again", actor=ACTOR
        )
    with pytest.raises(InvalidValueError):
        ledger.end_exemption(
            slug, "E1", exemption, ended_on=date(2024, 8, 1), reason="x", actor=ACTOR
        )
    ledger.end_exemption(
        slug, "E1", exemption, ended_on=date(2025, 2, 1), reason="home", actor=ACTOR
    )
    ledger.change_status(
        slug,
        "E1",
        status="active",
        effective_on=date(2025, 2, 1),
        reason="reinstated after leave",
        actor=ACTOR,
    )
    person = ledger.get_person(slug, "E1")
    assert person.license_period_end == date(2026, 6, 30)
    assert person.assignments == ["school_resource_officer"]
    assert person.status == "active"


def test_civilians_have_no_licence(ledger: Ledger) -> None:
    """Recording a peace-officer licence for civilian staff is refused."""
    slug = agency(ledger)
    ledger.enrol_person(
        slug,
        "C1",
        first_name="Dee",
        last_name="Clerk",
        kind="civilian",
        hired_on=date(2021, 4, 1),
        actor=ACTOR,
    )
    with pytest.raises(InvalidValueError):
        ledger.record_license(
            slug,
            "C1",
            license_number="1",
            issued_on=date(2021, 4, 1),
            period_end=date(2024, 6, 30),
            actor=ACTOR,
        )


def test_recorded_time_never_goes_backwards_in_a_stream(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A clock that jumps back still yields non-decreasing recorded times within a stream."""
    slug = agency(ledger)
    officer(ledger, slug)
    clock.set(clock() - timedelta(days=2))
    ledger.record_training(
        slug, "E1", completed_on=date(2025, 1, 2), course_title="x", hours=1, actor=ACTOR
    )
    times = [e.timestamp for e in ledger.stream(ledger.get_person(slug, "E1").id)]
    assert times == sorted(times)


def test_unit_saves_all_or_nothing(ledger: Ledger) -> None:
    """Commands in one unit are appended together; a failing command leaves nothing."""
    slug = agency(ledger)
    uow = ledger.unit_of_work()
    officer_ids = ["A1", "A2"]
    for employee_id in officer_ids:
        ledger.enrol_person(
            slug,
            employee_id,
            first_name="A",
            last_name="B",
            kind="sworn",
            hired_on=date(2024, 1, 1),
            actor=ACTOR,
            uow=uow,
        )
    assert ledger.store.count_events() == 1
    with pytest.raises(HoursOutOfRangeError):
        ledger.record_training(
            slug,
            "A1",
            completed_on=date(2024, 2, 1),
            course_title="x",
            hours=0,
            actor=ACTOR,
            uow=uow,
        )
    saved = uow.save()
    assert len(saved.events) == 2
    assert ledger.store.count_events() == 3


def test_recorded_time_index_matches_events(ledger: Ledger, clock: SettableClock) -> None:
    """The recorded-time index holds each event's recorded time and effective date."""
    slug = agency(ledger)
    officer(ledger, slug)
    clock.set(datetime(2025, 4, 1, 9, 0, tzinfo=UTC))
    ledger.record_training(
        slug, "E1", completed_on=date(2025, 3, 3), course_title="x", hours=1, actor=ACTOR
    )
    rows = {(r.originator_id, r.originator_version): r for r in ledger.store.iter_index()}
    person_id = ledger.get_person(slug, "E1").id
    for event in ledger.stream(person_id):
        row = rows[(person_id, event.originator_version)]
        assert row.meta.recorded_at == event.timestamp
        assert row.meta.effective_on == event.effective_on
        assert row.meta.stream_type == "person"


def test_events_recorded_by_an_instant_is_an_indexed_query(
    ledger: Ledger, clock: SettableClock
) -> None:
    """ "All events recorded by T" comes from the recorded-time index, and the database
    answers it with that index rather than a scan of the events."""
    slug = agency(ledger)
    officer(ledger, slug)
    # The set-up's three units, at one clock reading, are recorded a microsecond apart.
    cut = ledger.store.last_recorded()
    assert cut is not None
    clock.set(cut + timedelta(days=3))
    ledger.record_training(
        slug, "E1", completed_on=date(2025, 1, 2), course_title="late", hours=1, actor=ACTOR
    )
    agency_id = ledger.get_agency(slug).id
    assert len(ledger.store.recorded_by(agency_id, cut)) == 3
    assert len(ledger.store.recorded_by(agency_id, clock())) == 4
    if ledger.database.backend == "sqlite":
        plan = _sqlite_plan(ledger, agency_id)
        assert "event_index_agency_recorded" in plan
    else:
        plan = _postgres_plan(ledger, agency_id)
        assert "ledger_event_index_agency_recorded" in plan


def _sqlite_plan(ledger: Ledger, agency_id: object) -> str:
    import sqlite3

    assert ledger.database.sqlite_path is not None
    with sqlite3.connect(ledger.database.sqlite_path) as conn:
        rows = conn.execute(
            "EXPLAIN QUERY PLAN " + ledger.store.recorded_by_sql(),  # type: ignore[attr-defined]
            (agency_id.hex, "9999"),  # type: ignore[attr-defined]
        ).fetchall()
    return " ".join(str(row[-1]) for row in rows)


def _postgres_plan(ledger: Ledger, agency_id: object) -> str:
    import psycopg

    with psycopg.connect(ledger.database.postgres_conninfo) as conn:
        # A tiny table would be scanned sequentially; ask the planner what it would do at size.
        conn.execute("SET enable_seqscan = off")
        rows = conn.execute(
            ("EXPLAIN " + ledger.store.recorded_by_sql()).encode(),  # type: ignore[attr-defined]
            (agency_id, datetime(2030, 1, 1, tzinfo=UTC)),
        ).fetchall()
    return " ".join(str(row[0]) for row in rows)


def test_one_large_unit_saves_in_one_transaction(ledger: Ledger) -> None:
    """A unit of 12,000 events (an import-sized write, several megabytes) is appended in one
    transaction; on PostgreSQL a single pipelined INSERT of that size used to deadlock."""
    slug = agency(ledger)
    officer(ledger, slug)
    uow = ledger.unit_of_work()
    for n in range(12_000):
        ledger.record_training(
            slug,
            "E1",
            completed_on=date(2010, 1, 1) + timedelta(days=n % 5000),
            course_title=f"Course {n}",
            hours=1,
            topic_hours={"use_of_force": 1},
            actor=ACTOR,
            uow=uow,
        )
    saved = uow.save()
    assert len(saved.events) == 12_000
    ids = saved.notification_ids
    assert ids == sorted(ids)
    assert ledger.store.count_events() == 12_003
    from replay.verify import verify_store

    assert verify_store(ledger.store).ok


def test_every_stream_has_one_stream_type_in_the_index(ledger: Ledger) -> None:
    """Events recorded on an agency's stream from other modules (an import marker) are
    indexed under the agency's stream type, like the stream's first event."""
    from ledger.imports import record_import

    slug = agency(ledger)
    officer(ledger, slug)
    uow = ledger.unit_of_work()
    record_import(
        ledger,
        uow,
        slug,
        file_sha256="ab" * 32,
        kind="training",
        file_name="t.csv",
        rows=0,
        people=0,
        records=0,
        actor=ACTOR,
    )
    uow.save()
    types: dict[object, set[str]] = {}
    for row in ledger.store.iter_index():
        types.setdefault(row.originator_id, set()).add(row.meta.stream_type)
    assert all(len(kinds) == 1 for kinds in types.values()), types
    assert types[ledger.get_agency(slug).id] == {"agency"}


def test_assignment_aliases_are_recorded_as_canonical_ids(ledger: Ledger) -> None:
    """Rule packs bind canonical assignment ids (MN school_resource_officer, CA dispatch):
    an alias or a spelled-out name given at enrolment or at a change is recorded as the
    canonical id, and a name outside the vocabulary is kept as given (lower case)."""
    slug = agency(ledger)
    ledger.enrol_person(
        slug,
        "E7",
        first_name="Sam",
        last_name="Rowe",
        kind="sworn",
        hired_on=date(2020, 1, 6),
        assignments=["SRO", "School Resource Officer", "k9"],
        actor=ACTOR,
    )
    assert ledger.get_person(slug, "E7").assignments == ["k9", "school_resource_officer"]
    ledger.change_assignment(
        slug,
        "E7",
        effective_on=date(2024, 8, 20),
        rank="Officer",
        unit_name="Communications",
        assignments=["Dispatcher", "public-safety-dispatcher"],
        actor=ACTOR,
    )
    assert ledger.get_person(slug, "E7").assignments == ["dispatch"]


def test_an_import_is_dated_on_the_agencys_day_not_utcs(ledger: Ledger, clock: object) -> None:
    """An import committed at 21:30 in Minnesota is already the next day in UTC; its
    ``effective_on`` is the agency's day (America/Chicago, MN's default zone), as every
    other fact recorded "today" is."""
    from ledger.clock import SettableClock
    from ledger.imports import ImportCompleted, record_import

    assert isinstance(clock, SettableClock)
    slug = agency(ledger)  # MN: America/Chicago
    clock.set(datetime(2025, 3, 2, 3, 30, tzinfo=UTC))  # 2025-03-01 21:30 CST
    uow = ledger.unit_of_work()
    record_import(
        ledger,
        uow,
        slug,
        file_sha256="cd" * 32,
        kind="people",
        file_name="roster.csv",
        rows=0,
        people=0,
        records=0,
        actor=ACTOR,
    )
    uow.save()
    marker = [
        e for e in ledger.stream(ledger.get_agency(slug).id) if isinstance(e, ImportCompleted)
    ]
    assert [m.effective_on for m in marker] == [date(2025, 3, 1)]


def test_the_days_each_jurisdiction_was_followed() -> None:
    """``jurisdiction_spans`` reads adoptions as ``jurisdiction_on`` does: by effective
    date, the later-recorded of two on one day winning; adopting the one already followed
    changes nothing."""
    adopted = [
        (date(2024, 1, 1), "US-MN"),
        (date(2022, 1, 1), "US-OH"),
        (date(2023, 1, 1), "US-OH"),
        (date(2025, 1, 1), "US-IN"),
        (date(2025, 1, 1), "US-TX"),
    ]
    assert jurisdiction_spans("US-MN", adopted) == {
        "US-MN": ((None, date(2022, 1, 1)), (date(2024, 1, 1), date(2025, 1, 1))),
        "US-OH": ((date(2022, 1, 1), date(2024, 1, 1)),),
        "US-TX": ((date(2025, 1, 1), None),),
    }
    assert jurisdiction_spans("US-MN", [(date(2020, 1, 1), "US-MN")]) == {"US-MN": ((None, None),)}
