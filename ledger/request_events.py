"""Training requests on a person's stream: an officer asks for a training to be recorded,
with a certificate, and a coordinator approves (which records the completion, linked to
the request) or rejects it, once. Each is an event; the state their ``apply`` keeps is
``Person.training_requests``.

Topics are declared literally (``TOPIC``), as every event's: a topic is part of every
stored event and its hash header, so moving a class must never change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from ledger import streams

if TYPE_CHECKING:
    from ledger.person import Person

__all__ = [
    "PENDING",
    "TrainingRequestApproved",
    "TrainingRequestRejected",
    "TrainingRequestState",
    "TrainingRequested",
]

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


class TrainingRequested(streams.PersonEvent):
    """``effective_on`` is the completion date the officer states; the certificate is
    named by its SHA-256 (``ledger.blob_store`` keeps its bytes)."""

    TOPIC: ClassVar[str] = "ledger.request_events:TrainingRequested"

    request_id: UUID
    course_title: str
    provider: str
    delivery: str
    hours: Decimal
    topic_hours: dict[str, Decimal]
    certificate_sha256: str
    certificate_media_type: str
    certificate_bytes: int

    def apply(self, aggregate: Person) -> None:
        aggregate.training_requests[self.request_id] = TrainingRequestState(
            request_id=self.request_id,
            completed_on=self.effective_on,
            course_title=self.course_title,
            provider=self.provider,
            delivery=self.delivery,
            hours=self.hours,
            topic_hours=dict(self.topic_hours),
            certificate_sha256=self.certificate_sha256,
            certificate_media_type=self.certificate_media_type,
            certificate_bytes=self.certificate_bytes,
            requested_at=self.timestamp,
            requested_by=self.actor,
        )


class TrainingRequestApproved(streams.PersonEvent):
    """``record_id`` is the training completion recorded with it (in the same unit);
    ``effective_on`` is the day of the decision."""

    TOPIC: ClassVar[str] = "ledger.request_events:TrainingRequestApproved"

    request_id: UUID
    record_id: UUID

    def apply(self, aggregate: Person) -> None:
        state = aggregate.training_requests[self.request_id]
        state.decision, state.record_id = APPROVED, self.record_id
        state.decided_at, state.decided_by = self.timestamp, self.actor


class TrainingRequestRejected(streams.PersonEvent):
    """``effective_on`` is the day of the decision."""

    TOPIC: ClassVar[str] = "ledger.request_events:TrainingRequestRejected"

    request_id: UUID
    reason: str

    def apply(self, aggregate: Person) -> None:
        state = aggregate.training_requests[self.request_id]
        state.decision, state.reason = REJECTED, self.reason
        state.decided_at, state.decided_by = self.timestamp, self.actor


@dataclass
class TrainingRequestState:
    request_id: UUID
    completed_on: date
    course_title: str
    provider: str
    delivery: str
    hours: Decimal
    topic_hours: dict[str, Decimal]
    certificate_sha256: str
    certificate_media_type: str
    certificate_bytes: int
    requested_at: datetime
    requested_by: str
    decision: str = PENDING
    record_id: UUID | None = None
    reason: str = ""
    decided_at: datetime | None = None
    decided_by: str = ""
