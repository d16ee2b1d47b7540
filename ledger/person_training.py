"""The Person aggregate's training commands: record a completion, correct it, void it.

A mixin of ``ledger.person.Person`` (one concept per module): each command checks what only
the person's stream knows (the record exists, is not voided, the correction changes
something) and records one event (``ledger.person_events``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from ledger.errors import (
    InvalidValueError,
    RecordAlreadyVoidedError,
    TrainingRecordNotFoundError,
)
from ledger.person_events import (
    TrainingCompleted,
    TrainingCorrected,
    TrainingRecordState,
    TrainingVoided,
)

if TYPE_CHECKING:
    from ledger.aggregate import Envelope
    from ledger.envelope import LedgerEvent

__all__ = ["CORRECTABLE", "TrainingCommands"]

# The fields a correction may restate, as named on TrainingRecordState.
CORRECTABLE = (
    "completed_on",
    "course_title",
    "provider",
    "post_course_number",
    "delivery",
    "hours",
    "topic_hours",
    "tags",
    "valid_until",
)


class TrainingCommands:
    """Training commands of ``Person``, which holds the state they read."""

    if TYPE_CHECKING:
        employee_id: str
        records: dict[UUID, TrainingRecordState]

        def _envelope(self, at: datetime, actor: str) -> Envelope: ...
        def _record(self, event: LedgerEvent) -> None: ...

    def live_record(self, record_id: UUID) -> TrainingRecordState:
        """The training record, which must exist and not be voided."""
        record = self.records.get(record_id)
        if record is None:
            raise TrainingRecordNotFoundError(
                f"{self.employee_id} has no training record {record_id}"
            )
        if record.voided:
            raise RecordAlreadyVoidedError(f"training record {record_id} was voided")
        return record

    def complete_training(
        self,
        *,
        at: datetime,
        actor: str,
        record_id: UUID,
        completed_on: date,
        course_title: str,
        provider: str,
        post_course_number: str,
        delivery: str,
        hours: Decimal,
        topic_hours: dict[str, Decimal],
        certificate_ref: str,
        source_record_id: str,
        tags: list[str],
        valid_until: date | None,
    ) -> None:
        if record_id in self.records:
            raise InvalidValueError(f"training record {record_id} already exists")
        self._record(
            TrainingCompleted(
                **self._envelope(at, actor),
                effective_on=completed_on,
                record_id=record_id,
                course_title=course_title,
                provider=provider,
                post_course_number=post_course_number,
                delivery=delivery,
                hours=hours,
                topic_hours=topic_hours,
                certificate_ref=certificate_ref,
                source_record_id=source_record_id,
                tags=tags,
                valid_until=valid_until,
            )
        )

    def correct_training(
        self,
        record_id: UUID,
        *,
        at: datetime,
        actor: str,
        reason: str,
        completed_on: date,
        course_title: str,
        provider: str,
        post_course_number: str,
        delivery: str,
        hours: Decimal,
        topic_hours: dict[str, Decimal],
        tags: list[str],
        valid_until: date | None,
    ) -> list[str]:
        """Restate a live record in full; returns the names of the fields that change."""
        record = self.live_record(record_id)
        new = TrainingRecordState(
            completed_on,
            course_title,
            provider,
            post_course_number,
            delivery,
            hours,
            topic_hours,
            tags,
            valid_until,
        )
        changed = sorted(
            name for name in CORRECTABLE if getattr(new, name) != getattr(record, name)
        )
        if not changed:
            raise InvalidValueError("the correction changes nothing")
        self._record(
            TrainingCorrected(
                **self._envelope(at, actor),
                effective_on=completed_on,
                record_id=record_id,
                reason=reason,
                changed=changed,
                course_title=course_title,
                provider=provider,
                post_course_number=post_course_number,
                delivery=delivery,
                hours=hours,
                topic_hours=topic_hours,
                tags=tags,
                valid_until=valid_until,
            )
        )
        return changed

    def void_training(self, record_id: UUID, *, at: datetime, actor: str, reason: str) -> None:
        record = self.live_record(record_id)
        self._record(
            TrainingVoided(
                **self._envelope(at, actor),
                effective_on=record.completed_on,
                record_id=record_id,
                reason=reason,
            )
        )
