"""``muster training``: record one completion, one course for a class, correct, void."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import typer

from api.cli.writes import (
    AGENCY,
    AS_JSON,
    DRY_RUN,
    ON,
    REASON,
    day_option,
    effective,
    optional_day,
    topic_hours,
    write,
)
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = ["training_app"]

training_app = typer.Typer(help="Record, correct and void training.", no_args_is_help=True)


@training_app.command("record")
def record_training(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    course: str = typer.Option(..., "--course", help="Course title"),
    hours: str = typer.Option(..., "--hours", help="Credit hours, e.g. 4 or 1.5"),
    on: str | None = ON,
    topic: list[str] = typer.Option([], "--topic", help="TOPIC=HOURS (repeat)"),
    provider: str = typer.Option("", "--provider"),
    course_number: str = typer.Option("", "--course-number", help="POST course number"),
    delivery: str = typer.Option("in_person", "--delivery", help="in_person, online, ..."),
    valid_until: str | None = typer.Option(None, "--valid-until", help="Credential expiry"),
    tag: list[str] = typer.Option([], "--tag", help="A training tag (repeat)"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Record one completed course for one person."""
    completed_on, until = day_option(on), optional_day(valid_until, "--valid-until")
    topics = topic_hours(topic)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.record_training(
            agency,
            employee_id,
            completed_on=effective(ledger, agency, completed_on),
            course_title=course,
            hours=hours,
            topic_hours=dict(topics),
            provider=provider,
            post_course_number=course_number,
            delivery=delivery,
            valid_until=until,
            tags=tag,
            actor=who,
            uow=uow,
        )

    write(f"training for {employee_id}", command, dry_run, as_json)


@training_app.command("class")
def record_class(
    employee_ids: list[str] = typer.Argument(..., help="Every attendee's employee id"),
    agency: str = AGENCY,
    course: str = typer.Option(..., "--course", help="Course title"),
    hours: str = typer.Option(..., "--hours", help="Credit hours each"),
    on: str | None = ON,
    topic: list[str] = typer.Option([], "--topic", help="TOPIC=HOURS (repeat)"),
    provider: str = typer.Option("", "--provider"),
    course_number: str = typer.Option("", "--course-number", help="POST course number"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Record one course for a whole class: all attendees or none (one unit of work)."""
    completed_on, topics = day_option(on), topic_hours(topic)
    if len(set(employee_ids)) != len(employee_ids):
        raise typer.BadParameter("an employee id is listed twice")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        for employee_id in employee_ids:
            ledger.record_training(
                agency,
                employee_id,
                completed_on=effective(ledger, agency, completed_on),
                course_title=course,
                hours=hours,
                topic_hours=dict(topics),
                provider=provider,
                post_course_number=course_number,
                actor=who,
                uow=uow,
            )

    write(f"class of {len(employee_ids)}", command, dry_run, as_json)


@training_app.command("correct")
def correct_training(
    employee_id: str = typer.Argument(..., help="Employee id"),
    record_id: UUID = typer.Argument(..., help="The record to correct"),
    agency: str = AGENCY,
    reason: str = REASON,
    on: str | None = typer.Option(None, "--on", help="Corrected completion date"),
    course: str | None = typer.Option(None, "--course", help="Corrected course title"),
    hours: str | None = typer.Option(None, "--hours", help="Corrected hours"),
    valid_until: str | None = typer.Option(None, "--valid-until", help="Corrected expiry"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Restate a record (the original stays in the log, linked to the correction)."""
    changes: dict[str, Any] = {}
    if on is not None:
        changes["completed_on"] = optional_day(on, "--on")
    if course is not None:
        changes["course_title"] = course
    if hours is not None:
        changes["hours"] = hours
    if valid_until is not None:
        changes["valid_until"] = optional_day(valid_until, "--valid-until")
    if not changes:
        raise typer.BadParameter("say what changes: --on, --course, --hours or --valid-until")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.correct_training(
            agency, employee_id, record_id, reason=reason, actor=who, uow=uow, **changes
        )

    write(f"correction of {record_id}", command, dry_run, as_json)


@training_app.command("void")
def void_training(
    employee_id: str = typer.Argument(..., help="Employee id"),
    record_id: UUID = typer.Argument(..., help="The record to void"),
    agency: str = AGENCY,
    reason: str = REASON,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Void a record entered in error (it stays in the log, marked void, with the reason)."""

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.void_training(agency, employee_id, record_id, reason=reason, actor=who, uow=uow)

    write(f"void of {record_id}", command, dry_run, as_json)
