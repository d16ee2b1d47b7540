"""``muster person``: enrol; leave, return, separation, reinstatement; assignment; licence
and renewal; certification facts."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import typer

from api.cli.writes import (
    AGENCY,
    AS_JSON,
    DRY_RUN,
    ON,
    day_of,
    day_option,
    effective,
    optional_day,
    write,
)
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = ["person_app"]

person_app = typer.Typer(
    help="Enrol people; status, assignment, licence and certification facts.",
    no_args_is_help=True,
)


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
    hired = day_of(hired_on, "--hired-on")

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

    write(f"enrolment of {employee_id}", command, dry_run, as_json)


def _status(status: str, what: str) -> Callable[..., None]:
    def change(
        employee_id: str = typer.Argument(..., help="Employee id"),
        agency: str = AGENCY,
        on: str | None = ON,
        reason: str = typer.Option("", "--reason", help="Why (kept with the event)"),
        dry_run: bool = DRY_RUN,
        as_json: bool = AS_JSON,
    ) -> None:
        effective_on = day_option(on)

        def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
            ledger.change_status(
                agency,
                employee_id,
                status=status,
                effective_on=effective(ledger, agency, effective_on),
                reason=reason,
                actor=who,
                uow=uow,
            )

        write(f"{what} of {employee_id}", command, dry_run, as_json)

    change.__doc__ = f"Record the {what} of a person from a date (back-dating allowed)."
    return change


@person_app.command("leave")
def leave(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    on: str | None = ON,
    reason: str = typer.Option("", "--reason", help="Why (required: kept with the event)"),
    expected_return: str | None = typer.Option(
        None, "--expected-return", help="Day the person is expected back, YYYY-MM-DD"
    ),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Record a leave from a date (back-dating allowed), with its reason and the expected
    return; a leave overlapping one already recorded is refused."""
    effective_on = day_option(on)
    back_on = optional_day(expected_return, "--expected-return")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.change_status(
            agency,
            employee_id,
            status="leave",
            effective_on=effective(ledger, agency, effective_on),
            reason=reason,
            expected_return=back_on,
            actor=who,
            uow=uow,
        )

    write(f"leave of {employee_id}", command, dry_run, as_json)


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
    effective_on = day_option(on)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.change_assignment(
            agency,
            employee_id,
            effective_on=effective(ledger, agency, effective_on),
            rank=rank,
            unit_name=unit,
            assignments=assignment,
            actor=who,
            uow=uow,
        )

    write(f"assignment of {employee_id}", command, dry_run, as_json)


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
    issued, ends = day_of(issued_on, "--issued-on"), day_of(period_end, "--period-end")

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

    write(f"licence of {employee_id}", command, dry_run, as_json)


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
    renewed_on, ends = day_option(on), day_of(period_end, "--period-end")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.renew_license(
            agency,
            employee_id,
            renewed_on=effective(ledger, agency, renewed_on),
            period_end=ends,
            actor=who,
            uow=uow,
        )

    write(f"renewal of {employee_id}", command, dry_run, as_json)


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
    effective_on = day_option(on)
    certified = optional_day(certified_on, "--certified-on")
    basic = optional_day(basic_completed_on, "--basic-completed-on")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.record_certification(
            agency,
            employee_id,
            effective_on=effective(ledger, agency, effective_on),
            certified_on=certified,
            basic_completed_on=basic,
            certificates=certificate,
            employment=employment,
            actor=who,
            uow=uow,
        )

    write(f"certification of {employee_id}", command, dry_run, as_json)
