"""The Person aggregate's training-request commands: request, approve, reject.

A mixin of ``ledger.person.Person``: each command checks what only the person's stream
knows (the request exists and is still undecided) and records its events
(``ledger.request_events``). Approval records the training completion too
(``TrainingCommands.complete_training``), in the same unit, linked both ways: the
completion's ``source_record_id`` names the request, the approval names the record."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, cast
from uuid import UUID

from ledger.errors import (
    InvalidValueError,
    RequestAlreadyDecidedError,
    TrainingRequestNotFoundError,
)
from ledger.request_events import (
    PENDING,
    TrainingRequestApproved,
    TrainingRequested,
    TrainingRequestRejected,
    TrainingRequestState,
)

if TYPE_CHECKING:
    from ledger.aggregate import Envelope
    from ledger.envelope import LedgerEvent
    from ledger.person_training import TrainingCommands

__all__ = ["RequestCommands", "request_source"]


def request_source(request_id: UUID) -> str:
    """The ``source_record_id`` of a completion recorded by approving a request."""
    return f"training-request:{request_id}"


class RequestCommands:
    """Training-request commands of ``Person``, which holds the state they read."""

    if TYPE_CHECKING:
        employee_id: str
        training_requests: dict[UUID, TrainingRequestState]

        def _envelope(self, at: datetime, actor: str) -> Envelope: ...
        def _record(self, event: LedgerEvent) -> None: ...

    def training_request(self, request_id: UUID) -> TrainingRequestState:
        request = self.training_requests.get(request_id)
        if request is None:
            raise TrainingRequestNotFoundError(
                f"{self.employee_id} has no training request {request_id}"
            )
        return request

    def _undecided(self, request_id: UUID) -> TrainingRequestState:
        request = self.training_request(request_id)
        if request.decision != PENDING:
            raise RequestAlreadyDecidedError(
                f"training request {request_id} was already {request.decision}"
            )
        return request

    def request_training(
        self,
        *,
        at: datetime,
        actor: str,
        request_id: UUID,
        completed_on: date,
        course_title: str,
        provider: str,
        delivery: str,
        hours: Decimal,
        topic_hours: dict[str, Decimal],
        certificate_sha256: str,
        certificate_media_type: str,
        certificate_bytes: int,
    ) -> None:
        if request_id in self.training_requests:
            raise InvalidValueError(f"training request {request_id} already exists")
        self._record(
            TrainingRequested(
                **self._envelope(at, actor),
                effective_on=completed_on,
                request_id=request_id,
                course_title=course_title,
                provider=provider,
                delivery=delivery,
                hours=hours,
                topic_hours=topic_hours,
                certificate_sha256=certificate_sha256,
                certificate_media_type=certificate_media_type,
                certificate_bytes=certificate_bytes,
            )
        )

    def approve_request(
        self, request_id: UUID, *, at: datetime, actor: str, decided_on: date, record_id: UUID
    ) -> None:
        request = self._undecided(request_id)
        # ``Person`` holds both mixins: the completion is checked against its real signature.
        cast("TrainingCommands", self).complete_training(
            at=at,
            actor=actor,
            record_id=record_id,
            completed_on=request.completed_on,
            course_title=request.course_title,
            provider=request.provider,
            post_course_number="",
            delivery=request.delivery,
            hours=request.hours,
            topic_hours=dict(request.topic_hours),
            certificate_ref=f"sha256:{request.certificate_sha256}",
            source_record_id=request_source(request_id),
            tags=[],
            valid_until=None,
        )
        self._record(
            TrainingRequestApproved(
                **self._envelope(at, actor),
                effective_on=decided_on,
                request_id=request_id,
                record_id=record_id,
            )
        )

    def reject_request(
        self, request_id: UUID, *, at: datetime, actor: str, decided_on: date, reason: str
    ) -> None:
        self._undecided(request_id)
        self._record(
            TrainingRequestRejected(
                **self._envelope(at, actor),
                effective_on=decided_on,
                request_id=request_id,
                reason=reason,
            )
        )
