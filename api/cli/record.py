"""``muster training|person|exemption``: record one fact at a time from the command line.

Each command calls one ledger use case (the same the importer and the HTTP API call) in a
unit of work: ``--dry-run`` reports the events it would append and appends nothing;
otherwise they are appended together, and the recorded time the ledger gave them is
printed (``--json``: the same as a JSON object). Refusals are one line and exit status 2
(``api.cli.context.open_ledger``), with nothing appended.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
import typer

from api.cli.context import console, open_ledger
from api.cli.timeargs import parse_day
from api.settings import get_settings
from ledger.application import Ledger
from ledger.time_zones import zone_info
from ledger.unit_of_work import UnitOfWork

__all__ = ["exemption_app", "person_app", "training_app"]

training_app = typer.Typer(help="Record, correct and void training.", no_args_is_help=True)
person_app = typer.Typer(
    help="Enrol people; status, assignment, licence and certification facts.",
    no_args_is_help=True,
)
exemption_app = typer.Typer(help="Grant and end exemptions.", no_args_is_help=True)

AGENCY = typer.Option(..., "--agency", help="Agency slug")
ON = typer.Option(None, "--on", help="Effective date, YYYY-MM-DD (default today)")
REASON = typer.Option(..., "--reason", help="Why (kept with the event)")
DRY_RUN = typer.Option(False, "--dry-run", help="Report what would be recorded; append nothing")
AS_JSON = typer.Option(False, "--json", help="Machine-readable result")

# An actor name as it is stored in every event it records: no spaces, markup or controls.
_ACTOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")

Command = Callable[[Ledger, UnitOfWork, str], Any]


def actor() -> str:
    """Who is recording: ``MUSTER_ACTOR``, else the operating-system user; never a
    constant, so every event says which person at the keyboard recorded it."""
    name = get_settings().actor or getpass.getuser()
    if not _ACTOR.fullmatch(name):
        console.print(
            f"error: actor {name!r} is not a valid name (letters, digits, . _ @ -); "
            "set MUSTER_ACTOR",
            markup=False,
        )
        raise typer.Exit(2)
    return f"user:{name}"


def _write(what: str, command: Command, dry_run: bool, as_json: bool) -> None:
    """Run ``command`` in a unit of work; report, then append unless it is a dry run."""
    who = actor()
    with open_ledger() as ledger:
        uow = ledger.unit_of_work()
        result = command(ledger, uow, who)
        events = [type(e).__name__ for e in uow.pending()]
        if not dry_run:
            uow.save()
    recorded_at = uow.recorded_at.isoformat() if uow.recorded_at else None
    if as_json:
        payload = {
            "dry_run": dry_run,
            "events": events,
            "recorded_at": None if dry_run else recorded_at,
            "result": str(result) if result is not None else None,
        }
        typer.echo(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode())
        return
    listed = ", ".join(events) or "nothing"
    if dry_run:
        console.print(f"dry run: {what} would record {listed}; nothing appended", markup=False)
        return
    line = f"{what}: recorded {listed} at {recorded_at}"
    if result is not None:
        line += f" (id {result})"
    console.print(line, markup=False, soft_wrap=True)


def _day(text: str | None) -> date | None:
    """``--on``: None means today where the agency keeps its days (``_effective``)."""
    return None if text is None else parse_day(text, "--on")


def _effective(ledger: Ledger, agency: str, day: date | None) -> date:
    if day is not None:
        return day
    zone = ledger.get_agency(agency).time_zone or "UTC"  # recorded, else the state's
    return ledger.clock().astimezone(zone_info(zone)).date()


def _date(text: str, option: str) -> date:
    return parse_day(text, option)


def _optional_day(text: str | None, option: str) -> date | None:
    return None if text is None else _date(text, option)


def _topic_hours(pairs: list[str]) -> dict[str, Decimal | str]:
    topics: dict[str, Decimal | str] = {}
    for pair in pairs:
        topic, sep, hours = pair.partition("=")
        if not sep or not topic:
            raise typer.BadParameter(f"--topic {pair!r}: use TOPIC=HOURS, e.g. use_of_force=4")
        topics[topic.strip()] = hours.strip()
    return topics


# -- training ------------------------------------------------------------------------------


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
    completed_on, until = _day(on), _optional_day(valid_until, "--valid-until")
    topics = _topic_hours(topic)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.record_training(
            agency,
            employee_id,
            completed_on=_effective(ledger, agency, completed_on),
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

    _write(f"training for {employee_id}", command, dry_run, as_json)


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
    completed_on, topics = _day(on), _topic_hours(topic)
    if len(set(employee_ids)) != len(employee_ids):
        raise typer.BadParameter("an employee id is listed twice")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        for employee_id in employee_ids:
            ledger.record_training(
                agency,
                employee_id,
                completed_on=_effective(ledger, agency, completed_on),
                course_title=course,
                hours=hours,
                topic_hours=dict(topics),
                provider=provider,
                post_course_number=course_number,
                actor=who,
                uow=uow,
            )

    _write(f"class of {len(employee_ids)}", command, dry_run, as_json)


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
        changes["completed_on"] = _optional_day(on, "--on")
    if course is not None:
        changes["course_title"] = course
    if hours is not None:
        changes["hours"] = hours
    if valid_until is not None:
        changes["valid_until"] = _optional_day(valid_until, "--valid-until")
    if not changes:
        raise typer.BadParameter("say what changes: --on, --course, --hours or --valid-until")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.correct_training(
            agency, employee_id, record_id, reason=reason, actor=who, uow=uow, **changes
        )

    _write(f"correction of {record_id}", command, dry_run, as_json)


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

    _write(f"void of {record_id}", command, dry_run, as_json)


# -- people --------------------------------------------------------------------------------


@person_app.command("enrol")
def enrol(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    first_name: str = typer.Option(..., "--first-name"),
    last_name: str = typer.Option(..., "--last-name"),
    kind: str = typer.Option("sworn", "--kind", help="sworn or civilian"),
    hired_on: str = typer.Option(..., "--hired-on", help="YYYY-MM-DD"),
    rank: str = typer.Option("", "--rank"),
    unit: str = typer.Option("", "--unit"),
    assignment: list[str] = typer.Option([], "--assignment", help="Assignment (repeat)"),
    email: str = typer.Option("", "--email"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Enrol one person."""
    hired = _date(hired_on, "--hired-on")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.enrol_person(
            agency,
            employee_id,
            first_name=first_name,
            last_name=last_name,
            kind=kind,
            hired_on=hired,
            rank=rank,
            unit_name=unit,
            assignments=assignment,
            email=email,
            actor=who,
            uow=uow,
        )

    _write(f"enrolment of {employee_id}", command, dry_run, as_json)


def _status(status: str, what: str) -> Callable[..., None]:
    def change(
        employee_id: str = typer.Argument(..., help="Employee id"),
        agency: str = AGENCY,
        on: str | None = ON,
        reason: str = typer.Option("", "--reason", help="Why (kept with the event)"),
        dry_run: bool = DRY_RUN,
        as_json: bool = AS_JSON,
    ) -> None:
        effective_on = _day(on)

        def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
            ledger.change_status(
                agency,
                employee_id,
                status=status,
                effective_on=_effective(ledger, agency, effective_on),
                reason=reason,
                actor=who,
                uow=uow,
            )

        _write(f"{what} of {employee_id}", command, dry_run, as_json)

    change.__doc__ = f"Record the {what} of a person from a date (back-dating allowed)."
    return change


person_app.command("leave")(_status("leave", "leave"))
person_app.command("return")(_status("active", "return from leave"))
person_app.command("separate")(_status("separated", "separation"))
person_app.command("reinstate")(_status("active", "reinstatement"))


@person_app.command("assign")
def assign(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    on: str | None = ON,
    rank: str = typer.Option(..., "--rank"),
    unit: str = typer.Option(..., "--unit"),
    assignment: list[str] = typer.Option([], "--assignment", help="Assignment (repeat)"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Record a rank, unit and assignment change from a date."""
    effective_on = _day(on)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.change_assignment(
            agency,
            employee_id,
            effective_on=_effective(ledger, agency, effective_on),
            rank=rank,
            unit_name=unit,
            assignments=assignment,
            actor=who,
            uow=uow,
        )

    _write(f"assignment of {employee_id}", command, dry_run, as_json)


@person_app.command("licence")
def licence(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    number: str = typer.Option(..., "--number", help="Licence number"),
    issued_on: str = typer.Option(..., "--issued-on", help="YYYY-MM-DD"),
    period_end: str = typer.Option(..., "--period-end", help="End of the current period"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Record a licence: its number, issue date and the end of its current period."""
    issued, ends = _date(issued_on, "--issued-on"), _date(period_end, "--period-end")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.record_license(
            agency,
            employee_id,
            license_number=number,
            issued_on=issued,
            period_end=ends,
            actor=who,
            uow=uow,
        )

    _write(f"licence of {employee_id}", command, dry_run, as_json)


@person_app.command("renew")
def renew(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    on: str | None = ON,
    period_end: str = typer.Option(..., "--period-end", help="End of the new period"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Record a licence renewal."""
    renewed_on, ends = _day(on), _date(period_end, "--period-end")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.renew_license(
            agency,
            employee_id,
            renewed_on=_effective(ledger, agency, renewed_on),
            period_end=ends,
            actor=who,
            uow=uow,
        )

    _write(f"renewal of {employee_id}", command, dry_run, as_json)


@person_app.command("certification")
def certification(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    on: str | None = ON,
    certified_on: str | None = typer.Option(None, "--certified-on", help="YYYY-MM-DD"),
    basic_completed_on: str | None = typer.Option(
        None, "--basic-completed-on", help="Basic training completed, YYYY-MM-DD"
    ),
    certificate: list[str] = typer.Option([], "--certificate", help="Certificate (repeat)"),
    employment: str = typer.Option("full_time", "--employment", help="full_time, reserve, ..."),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Restate a person's certification facts (basic completion, certificates, basis)."""
    effective_on = _day(on)
    certified = _optional_day(certified_on, "--certified-on")
    basic = _optional_day(basic_completed_on, "--basic-completed-on")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.record_certification(
            agency,
            employee_id,
            effective_on=_effective(ledger, agency, effective_on),
            certified_on=certified,
            basic_completed_on=basic,
            certificates=certificate,
            employment=employment,
            actor=who,
            uow=uow,
        )

    _write(f"certification of {employee_id}", command, dry_run, as_json)


# -- exemptions ----------------------------------------------------------------------------


@exemption_app.command("grant")
def grant(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    kind: str = typer.Option(..., "--kind", help="military_leave, medical_leave, administrative"),
    starts_on: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD"),
    ends_on: str | None = typer.Option(None, "--to", help="Last day (open if omitted)"),
    reason: str = REASON,
    approver: str = typer.Option(..., "--approver", help="Who approved it"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Grant an exemption over a date range (the rule pack says what it tolls or waives)."""
    start, end = _date(starts_on, "--from"), _optional_day(ends_on, "--to")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.grant_exemption(
            agency,
            employee_id,
            kind=kind,
            starts_on=start,
            ends_on=end,
            reason=reason,
            approver=approver,
            actor=who,
            uow=uow,
        )

    _write(f"exemption for {employee_id}", command, dry_run, as_json)


@exemption_app.command("end")
def end(
    employee_id: str = typer.Argument(..., help="Employee id"),
    exemption_id: UUID = typer.Argument(..., help="The exemption to end"),
    agency: str = AGENCY,
    on: str | None = ON,
    reason: str = typer.Option("", "--reason", help="Why (kept with the event)"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """End an open exemption on a date."""
    ended_on = _day(on)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.end_exemption(
            agency,
            employee_id,
            exemption_id,
            ended_on=_effective(ledger, agency, ended_on),
            reason=reason,
            actor=who,
            uow=uow,
        )

    _write(f"end of exemption {exemption_id}", command, dry_run, as_json)
