"""Use cases of training requests: an officer requests a training with a certificate, a
coordinator approves it (recording the completion) or rejects it, once; and the reads
that list them (one person's, or an agency's pending ones).

The certificate's bytes are not here: the edge inspects them (``ledger.certificates``),
keeps them (``ledger.blob_store``) and passes the ``Certificate``; the event records its
SHA-256, media type and size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast
from uuid import UUID, uuid4

from ledger import fields
from ledger.agency import agency_id_for
from ledger.certificates import Certificate
from ledger.ledger_core import LedgerCore
from ledger.person import Person
from ledger.request_events import PENDING, TrainingRequested, TrainingRequestState
from ledger.unit_of_work import UnitOfWork
from ledger.vocabulary import DeliveryMode

__all__ = ["RequestCases", "RequestView"]

_PAGE = 1000


@dataclass(frozen=True)
class RequestView:
    """One request as a list shows it: the person it is of and its state."""

    employee_id: str
    name: str
    request: TrainingRequestState


class RequestCases(LedgerCore):
    """Training-request use cases of ``Ledger``, in primitives, with typed errors."""

    def request_training(
        self,
        agency: str,
        employee_id: str,
        *,
        completed_on: date,
        course_title: str,
        hours: Decimal | str | int,
        certificate: Certificate,
        actor: str,
        topic: str = "",
        provider: str = "",
        delivery: str = DeliveryMode.IN_PERSON,
        request_id: UUID | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        """``topic``: the one topic the hours count towards ("" for general hours)."""
        now = self._now_and_check(completed_on, "completion date")
        total = fields.hours("hours", hours)
        one: dict[str, Decimal | str | int] = {topic.strip(): total} if topic.strip() else {}
        topic_hours = fields.topic_hours(one, total, field="topic")  # one topic, not a mapping
        with self._using(uow) as u:
            person = u.person(agency, employee_id)
            new_id = request_id or uuid4()
            person.request_training(
                at=now,
                actor=actor,
                request_id=new_id,
                completed_on=completed_on,
                course_title=fields.text("course_title", course_title, required=True),
                provider=fields.text("provider", provider),
                delivery=fields.choice("delivery", delivery, DeliveryMode),
                hours=total,
                topic_hours=topic_hours,
                certificate_sha256=certificate.sha256,
                certificate_media_type=certificate.media_type,
                certificate_bytes=certificate.size,
            )
            return new_id

    def approve_training_request(
        self,
        agency: str,
        employee_id: str,
        request_id: UUID,
        *,
        decided_on: date,
        actor: str,
        record_id: UUID | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        """Approve and record the completion; returns the new training record's id."""
        now = self._now_and_check(decided_on, "decision date")
        with self._using(uow) as u:
            new_id = record_id or uuid4()
            u.person(agency, employee_id).approve_request(
                request_id, at=now, actor=actor, decided_on=decided_on, record_id=new_id
            )
            return new_id

    def reject_training_request(
        self,
        agency: str,
        employee_id: str,
        request_id: UUID,
        *,
        decided_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        reason = fields.text("reason", reason, required=True)
        now = self._now_and_check(decided_on, "decision date")
        with self._using(uow) as u:
            u.person(agency, employee_id).reject_request(
                request_id, at=now, actor=actor, decided_on=decided_on, reason=reason
            )

    # -- reads -----------------------------------------------------------------------------

    def get_training_request(
        self, agency: str, employee_id: str, request_id: UUID
    ) -> TrainingRequestState:
        return UnitOfWork(self).person(agency, employee_id).training_request(request_id)

    def training_requests_of(self, agency: str, employee_id: str) -> list[RequestView]:
        """One person's requests, oldest first, as the ledger holds them now."""
        person = UnitOfWork(self).person(agency, employee_id)
        return _views(person)

    def pending_training_requests(self, agency: str) -> list[RequestView]:
        """The agency's undecided requests, oldest first.

        Found through the log's notifications of ``TrainingRequested`` (the store filters
        them by topic), then each requesting person's stream is loaded: the cost grows
        with the log and the number of requesters, not the agency's size."""
        people = set(self.store.streams("person", agency_id_for(agency)))
        self.get_agency(agency)  # an unknown agency is a NotFoundError
        requesters: dict[UUID, None] = {}
        start: int | None = 1
        topic = TrainingRequested.TOPIC
        while start is not None:
            page = self.notification_log.select(start, _PAGE, topics=[topic])
            for notification in page:
                if notification.originator_id in people:
                    requesters[UUID(str(notification.originator_id))] = None
            start = page[-1].id + 1 if len(page) == _PAGE else None
        views: list[RequestView] = []
        for person_id in requesters:
            person = cast(Person, self.repository.get(person_id))
            views.extend(v for v in _views(person) if v.request.decision == PENDING)
        return sorted(views, key=lambda v: v.request.requested_at)


def _views(person: Person) -> list[RequestView]:
    name = f"{person.first_name} {person.last_name}".strip()
    return sorted(
        (RequestView(person.employee_id, name, r) for r in person.training_requests.values()),
        key=lambda v: v.request.requested_at,
    )
