"""Use cases of training records: record a completion, correct it, void it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from ledger import fields
from ledger.errors import InvalidValueError
from ledger.ledger_core import LedgerCore
from ledger.person import CORRECTABLE
from ledger.unit_of_work import UnitOfWork
from ledger.vocabulary import DeliveryMode

__all__ = ["TrainingCases"]


class TrainingCases(LedgerCore):
    """Training use cases of ``Ledger``, in primitives, with typed errors."""

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
