"""Every event class survives the orjson round trip with its field types intact."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from eventsourcing.persistence import Mapper, StoredEvent

from ledger.agency import AgencyRegistered, JurisdictionAdopted, TimeZoneSet
from ledger.envelope import LedgerEvent
from ledger.imports import ImportCompleted, SimulationCompleted
from ledger.notice import (
    NoticeAcknowledged,
    NoticeDecided,
    NoticeDelivered,
    NoticeDeliveryFailed,
    NoticePreferencesRecorded,
    NoticePreferencesStarted,
    NoticeSettingsRecorded,
    NoticeSettingsStarted,
)
from ledger.person import (
    AssignmentChanged,
    CertificationRecorded,
    ExemptionEnded,
    ExemptionGranted,
    ExtensionEnded,
    ExtensionGranted,
    LicenseRecorded,
    LicenseRenewed,
    PersonEnrolled,
    StatusChanged,
    TrainingCompleted,
    TrainingCorrected,
    TrainingVoided,
    WaiverEnded,
    WaiverGranted,
)
from ledger.serialisation import OrjsonTranscoder

NOW = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
ENVELOPE = {
    "originator_id": uuid4(),
    "originator_version": 2,
    "timestamp": NOW,
    "effective_on": date(2024, 2, 29),
    "actor": "user:alice",
    "agency_id": uuid4(),
}
TOPICS = {"use_of_force": Decimal("1.50"), "autism": Decimal("2.25")}
SAMPLES: list[LedgerEvent] = [
    AgencyRegistered(
        **ENVELOPE,
        originator_topic="ledger.agency:Agency",
        slug="mpls",
        name="Minneapolis",
        jurisdiction="US-MN",
    ),
    JurisdictionAdopted(**ENVELOPE, jurisdiction="US-MN"),
    TimeZoneSet(**ENVELOPE, time_zone="America/Chicago"),
    SimulationCompleted(**ENVELOPE, seed=7, officers=150, years=10),
    ImportCompleted(
        **ENVELOPE,
        file_sha256="ab" * 32,
        kind="training",
        file_name="t.csv",
        rows=3,
        people=2,
        records=3,
    ),
    PersonEnrolled(
        **ENVELOPE,
        originator_topic="ledger.person:Person",
        employee_id="E1",
        first_name="A",
        last_name="B",
        kind="sworn",
        hired_on=date(2020, 1, 6),
        rank="Sgt",
        unit="Patrol",
        assignments=["k9", "sro"],
        email="a@b.org",
    ),
    LicenseRecorded(
        **ENVELOPE, license_number="123", issued_on=date(2020, 1, 6), period_end=date(2023, 6, 30)
    ),
    LicenseRenewed(**ENVELOPE, license_number="123", period_end=date(2026, 6, 30)),
    StatusChanged(**ENVELOPE, status="leave", reason="military"),
    AssignmentChanged(**ENVELOPE, rank="Lt", unit="Traffic", assignments=[]),
    TrainingCompleted(
        **ENVELOPE,
        tags=["alerrt_level_1"],
        valid_until=date(2027, 2, 28),
        record_id=uuid4(),
        course_title="UoF",
        provider="P",
        post_course_number="N-1",
        delivery="online",
        hours=Decimal("4.00"),
        topic_hours=TOPICS,
        certificate_ref="c",
        source_record_id="s",
    ),
    TrainingCorrected(
        **ENVELOPE,
        tags=[],
        valid_until=None,
        record_id=uuid4(),
        reason="typo",
        changed=["hours"],
        course_title="UoF",
        provider="P",
        post_course_number="N-1",
        delivery="online",
        hours=Decimal("5.00"),
        topic_hours=TOPICS,
    ),
    CertificationRecorded(
        **ENVELOPE,
        certified_on=date(2019, 8, 1),
        basic_completed_on=None,
        certificates=["intermediate"],
        employment="part_time",
    ),
    TrainingVoided(**ENVELOPE, record_id=uuid4(), reason="duplicate"),
    ExemptionGranted(
        **ENVELOPE,
        exemption_id=uuid4(),
        kind="medical_leave",
        starts_on=date(2024, 1, 1),
        ends_on=None,
        reason="r",
        approver="Chief",
    ),
    ExemptionEnded(**ENVELOPE, exemption_id=uuid4(), ended_on=date(2024, 6, 1), reason="back"),
    WaiverGranted(
        **ENVELOPE,
        waiver_id=uuid4(),
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 12, 31),
        reason="courses cancelled",
        approver="board",
    ),
    WaiverEnded(**ENVELOPE, waiver_id=uuid4(), ended_on=date(2024, 6, 30), reason="offered"),
    ExtensionGranted(
        **ENVELOPE,
        extension_id=uuid4(),
        new_deadline=date(2025, 3, 31),
        reason="deployment",
        approver="OPOTC",
    ),
    ExtensionEnded(**ENVELOPE, extension_id=uuid4(), ended_on=date(2025, 2, 1), reason="back"),
    NoticeDecided(
        **ENVELOPE,
        originator_topic="ledger.notice:Notice",
        notice_key="mpls|reminder|email|person|e1@pd.example|E1|local/fa|2025-12-31|90",
        kind="reminder",
        channel="email",
        recipient="e1@pd.example",
        recipient_role="person",
        employee_id="E1",
        person_name="Pat Officer",
        requirement="local/fa",
        title="Firearms",
        deadline=date(2025, 12, 31),
        window="90",
        mandatory=True,
        lines=["E1\tPat Officer\tFirearms\t2025-12-31\tdue_soon"],
        message_digest="cd" * 32,
    ),
    NoticeDelivered(**ENVELOPE, attempt=2, message_id="<notice-x@muster>"),
    NoticeDeliveryFailed(**ENVELOPE, attempt=1, error="refused", next_attempt_at=NOW),
    NoticeDeliveryFailed(**ENVELOPE, attempt=8, error="refused", next_attempt_at=None),
    NoticeAcknowledged(**ENVELOPE, account="officer1"),
    NoticeSettingsStarted(**ENVELOPE, originator_topic="ledger.notice:NoticeSettings"),
    NoticePreferencesStarted(
        **ENVELOPE, originator_topic="ledger.notice:NoticePreferences", employee_id="E1"
    ),
    NoticePreferencesRecorded(
        **ENVELOPE, extra_recipients=["pat@home.example"], digest_opt_in=True
    ),
    NoticeSettingsRecorded(
        **ENVELOPE,
        windows=[60, 14],
        remind_on_leave=True,
        digest="daily",
        digest_weekday=4,
        webhook_url="https://alerts.example/muster",
        allow_extra_recipients=False,
    ),
]


def test_every_event_class_has_a_sample() -> None:
    """The sample list covers every concrete event class the ledger defines."""
    import ledger.agency
    import ledger.imports
    import ledger.notice
    import ledger.person_events

    defined = {
        obj
        for module in (ledger.agency, ledger.imports, ledger.notice, ledger.person_events)
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, LedgerEvent)
        and obj is not LedgerEvent
        and obj.__module__ == module.__name__
    }
    assert defined == {type(sample) for sample in SAMPLES}


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_round_trip_keeps_types(event: LedgerEvent) -> None:
    """decode(encode(e)) == e, and dates, Decimals and UUIDs come back as those types."""
    mapper: Mapper[object] = Mapper(transcoder=OrjsonTranscoder())
    stored = mapper.to_stored_event(event)
    again = mapper.to_domain_event(stored)
    assert again == event
    for name, value in vars(event).items():
        assert type(getattr(again, name)) is type(value), name
    assert mapper.to_stored_event(again).state == stored.state


def test_encoding_is_canonical() -> None:
    """Key order does not change the bytes, so equal events hash equally."""
    transcoder = OrjsonTranscoder()
    assert transcoder.encode({"b": 1, "a": Decimal("2.50")}) == transcoder.encode(
        {"a": Decimal("2.50"), "b": 1}
    )


def test_a_status_change_stored_before_expected_return_existed_reads_without_one() -> None:
    """StatusChanged version 1 (stored before a leave's expected return was recorded) is
    upcast on read: the same fact, with ``expected_return`` None."""
    transcoder = OrjsonTranscoder()
    mapper: Mapper[object] = Mapper(transcoder=transcoder)
    current = StatusChanged(
        **ENVELOPE, status="leave", reason="medical", expected_return=date(2025, 3, 1)
    )
    stored = mapper.to_stored_event(current)
    state = transcoder.decode(stored.state)
    assert (state.pop("class_version"), state.pop("expected_return")) == (2, date(2025, 3, 1))
    old = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=transcoder.encode(state),
    )
    event = mapper.to_domain_event(old)
    assert isinstance(event, StatusChanged)
    assert (event.status, event.reason, event.expected_return) == ("leave", "medical", None)
    assert stored.topic == "ledger.person:StatusChanged"
