"""Stream types are declared literally, so moving or renaming a class cannot change the hash
header of any event."""

from __future__ import annotations

import pytest
from eventsourcing.utils import get_topic, resolve_topic

import ledger.agency
import ledger.imports
import ledger.notice
import ledger.person
import ledger.person_credential_events
import ledger.person_events
import ledger.program_events
import ledger.request_events
import ledger.rule_pack
from ledger.agency import Agency
from ledger.envelope import LedgerEvent
from ledger.person import Person
from ledger.rule_pack import RulePack

# Every stored topic with the stream type in its events' hash headers, as first recorded.
STREAM_TYPES = {
    "ledger.agency:AgencyRegistered": "agency",
    "ledger.agency:JurisdictionAdopted": "agency",
    "ledger.agency:TimeZoneSet": "agency",
    "ledger.imports:ImportCompleted": "agency",
    "ledger.imports:SimulationCompleted": "agency",
    "ledger.person:PersonEnrolled": "person",
    "ledger.person:LicenseRecorded": "person",
    "ledger.person:LicenseRenewed": "person",
    "ledger.person:StatusChanged": "person",
    "ledger.person:AssignmentChanged": "person",
    "ledger.person:TrainingCompleted": "person",
    "ledger.person:TrainingCorrected": "person",
    "ledger.person:TrainingVoided": "person",
    "ledger.person:CertificationRecorded": "person",
    "ledger.person:ExemptionGranted": "person",
    "ledger.person:ExemptionEnded": "person",
    "ledger.person:WaiverGranted": "person",
    "ledger.person:WaiverEnded": "person",
    "ledger.person:ExtensionGranted": "person",
    "ledger.person:ExtensionEnded": "person",
    "ledger.program_events:CredentialTypeDefined": "agency",
    "ledger.program_events:CredentialTypeChanged": "agency",
    "ledger.program_events:CredentialTypeRetired": "agency",
    "ledger.program_events:PolicyVersionUploaded": "agency",
    "ledger.program_events:PolicyPublished": "agency",
    "ledger.program_events:PolicyAssigned": "agency",
    "ledger.program_events:PolicyQuizSet": "agency",
    "ledger.person_credential_events:QualificationAttempted": "person",
    "ledger.person_credential_events:CredentialGranted": "person",
    "ledger.person_credential_events:CredentialSuspended": "person",
    "ledger.person_credential_events:CredentialReinstated": "person",
    "ledger.person_credential_events:CredentialRevoked": "person",
    "ledger.person_credential_events:WeaponIssued": "person",
    "ledger.person_credential_events:WeaponReturned": "person",
    "ledger.person_credential_events:PolicyAcknowledged": "person",
    "ledger.notice:NoticeDecided": "notice",
    "ledger.notice:NoticeDelivered": "notice",
    "ledger.notice:NoticeDeliveryFailed": "notice",
    "ledger.notice:NoticeAcknowledged": "notice",
    "ledger.notice:NoticePreferencesStarted": "notice_preferences",
    "ledger.notice:NoticePreferencesRecorded": "notice_preferences",
    "ledger.notice:NoticeSettingsStarted": "notice_settings",
    "ledger.notice:NoticeSettingsRecorded": "notice_settings",
    "ledger.request_events:TrainingRequested": "person",
    "ledger.request_events:TrainingRequestApproved": "person",
    "ledger.request_events:TrainingRequestRejected": "person",
    "ledger.rule_pack:RulePackRegistered": "rule_pack",
    "ledger.rule_pack:RuleVersionPublished": "rule_pack",
    "ledger.rule_pack:RuleVersionRevised": "rule_pack",
}


def test_every_event_class_declares_its_stream_type() -> None:
    """Each concrete event class has exactly the stream type its stored events were
    hashed with, and the topic it was first stored under: the person events moved to
    ``ledger.person_events`` and keep their ``ledger.person:…`` topics (``TOPIC``)."""
    modules = (
        ledger.agency,
        ledger.imports,
        ledger.person_events,
        ledger.rule_pack,
        ledger.program_events,
        ledger.person_credential_events,
        ledger.notice,
        ledger.person_events,
        ledger.request_events,
        ledger.rule_pack,
    )
    declared = {
        get_topic(obj): obj.stream_type
        for module in modules
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, LedgerEvent)
        and obj.__module__ == module.__name__
    }
    assert declared == STREAM_TYPES


def test_moved_person_events_resolve_from_their_stored_topics() -> None:
    """An event read back resolves its stored topic to the class that records it now."""
    for topic in (t for t in STREAM_TYPES if t.startswith("ledger.person:")):
        cls = resolve_topic(topic)
        assert cls.__dict__["TOPIC"] == topic
        assert get_topic(cls) == topic
        assert getattr(ledger.person, topic.partition(":")[2]) is cls


@pytest.mark.parametrize(
    ("aggregate", "stream_type"), [(Agency, "agency"), (Person, "person"), (RulePack, "rule_pack")]
)
def test_each_aggregate_declares_its_stream_type(aggregate: type, stream_type: str) -> None:
    """An aggregate's stream type is a class attribute, the same as its events'."""
    assert aggregate.__dict__["stream_type"] == stream_type
