"""``muster exemption|waiver|extension``: grant and end relief. What each does to a deadline
is the rule pack's; the answer says when a version grants none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import typer

from api.cli.writes import (
    AGENCY,
    AS_JSON,
    DRY_RUN,
    ON,
    REASON,
    day_of,
    day_option,
    effective,
    optional_day,
    write,
)
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = ["exemption_app", "extension_app", "waiver_app"]

exemption_app = typer.Typer(help="Grant and end exemptions.", no_args_is_help=True)
waiver_app = typer.Typer(help="Grant and end waivers.", no_args_is_help=True)
extension_app = typer.Typer(help="Grant and end deadline extensions.", no_args_is_help=True)


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
    start, end = day_of(starts_on, "--from"), optional_day(ends_on, "--to")

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

    write(f"exemption for {employee_id}", command, dry_run, as_json)


@waiver_app.command("grant")
def grant_waiver(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    starts_on: str = typer.Option(..., "--from", help="First day waived, YYYY-MM-DD"),
    ends_on: str = typer.Option(..., "--to", help="Last day waived, YYYY-MM-DD"),
    reason: str = REASON,
    approver: str = typer.Option(..., "--approver", help="Who approved it"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Waive the requirement windows overlapping a date range (where the rule pack grants
    waivers, e.g. Indiana's board waiver)."""
    start, end_day = day_of(starts_on, "--from"), day_of(ends_on, "--to")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.grant_waiver(
            agency,
            employee_id,
            starts_on=start,
            ends_on=end_day,
            reason=reason,
            approver=approver,
            actor=who,
            uow=uow,
        )

    write(f"waiver for {employee_id}", command, dry_run, as_json)


@extension_app.command("grant")
def grant_extension(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    new_deadline: str = typer.Option(..., "--to", help="The new deadline, YYYY-MM-DD"),
    on: str | None = typer.Option(None, "--on", help="Day granted, YYYY-MM-DD (default today)"),
    reason: str = REASON,
    approver: str = typer.Option(..., "--approver", help="Who approved it"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Extend a deadline falling between the grant day and a new deadline (where the rule
    pack grants extensions, e.g. Ohio's CPT extension)."""
    granted, until = day_option(on), day_of(new_deadline, "--to")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> UUID:
        return ledger.grant_extension(
            agency,
            employee_id,
            granted_on=effective(ledger, agency, granted),
            new_deadline=until,
            reason=reason,
            approver=approver,
            actor=who,
            uow=uow,
        )

    write(f"extension for {employee_id}", command, dry_run, as_json)


_OPTIONAL_REASON = typer.Option("", "--reason", help="Why (kept with the event)")


def _ender(what: str, use_case: str, *, reason: Any, doc: str) -> Callable[..., None]:
    """The ``end`` command of one kind of relief: ``use_case`` of the ledger, on a day."""

    def end_grant(
        employee_id: str = typer.Argument(..., help="Employee id"),
        grant_id: UUID = typer.Argument(..., help=f"The {what} to end", metavar=f"{what}_id"),
        agency: str = AGENCY,
        on: str | None = ON,
        reason: str = reason,
        dry_run: bool = DRY_RUN,
        as_json: bool = AS_JSON,
    ) -> None:
        ended_on = day_option(on)

        def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
            getattr(ledger, use_case)(
                agency,
                employee_id,
                grant_id,
                ended_on=effective(ledger, agency, ended_on),
                reason=reason,
                actor=who,
                uow=uow,
            )

        write(f"end of {what} {grant_id}", command, dry_run, as_json)

    end_grant.__doc__ = doc
    return end_grant


exemption_app.command("end")(
    _ender(
        "exemption",
        "end_exemption",
        reason=_OPTIONAL_REASON,
        doc="End an open exemption on a date.",
    )
)
_ENDED = "End a {} on a date (it covers nothing after that day)."
waiver_app.command("end")(
    _ender("waiver", "end_waiver", reason=REASON, doc=_ENDED.format("waiver"))
)
extension_app.command("end")(
    _ender("extension", "end_extension", reason=REASON, doc=_ENDED.format("extension"))
)
