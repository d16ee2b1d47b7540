"""``muster notify run``: one notification pass (for cron or a systemd timer), an agency's
notice settings, and the notices recorded for a person (proof of notice).

A pass decides the notices due on ``--today`` (default: the agency's local date) from
the roster's answers, records each decision, then sends what is decided and not yet
delivered, recording each attempt (``api.notify.passes``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import typer

from api.cli.context import console, open_ledger
from api.cli.output import styled
from api.cli.writes import actor, optional_day

if TYPE_CHECKING:
    from api.notify.channels import Channels
    from api.settings import Settings
    from ledger.application import Ledger

__all__ = ["app", "channels_from", "run_all"]

app = typer.Typer(
    help="Send the reminders due (one pass); notice settings; notices recorded.",
    no_args_is_help=True,
)


def channels_from(settings: Settings) -> Channels:
    from api.notify.channels import Channels, SmtpChannel, WebhookChannel

    return Channels(
        SmtpChannel(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_from,
            settings.smtp_username,
            settings.smtp_password_file,
            float(settings.smtp_timeout),
        ),
        WebhookChannel(settings.webhook_key_file),
    )


def _refuse_open_secret_files() -> None:
    """Before a pass decides anything: a webhook key or SMTP password file others may
    read is refused in one line (each send refuses it too, as a failed delivery)."""
    from api.cli.errors import refuse
    from api.settings import get_settings
    from ledger.secret_files import SecretFileError, require_owner_only

    settings = get_settings()
    files = (
        (settings.webhook_key_file, "webhook key"),
        (settings.smtp_password_file, "SMTP password"),
    )
    for path, what in files:
        if path is not None:
            try:
                require_owner_only(path, what)
            except SecretFileError as error:
                refuse(str(error))


def run_all(ledger: Ledger, agency: str | None, today: date | None) -> list[str]:
    """One pass per agency (or the one named); a line per agency saying what it did."""
    from zoneinfo import ZoneInfo

    from api.notify.passes import run_pass
    from api.settings import get_settings

    settings = get_settings()
    channels = channels_from(settings)
    lines = []
    agencies = [ledger.get_agency(agency)] if agency else ledger.list_agencies()
    for view in agencies:
        day = today or ledger.clock().astimezone(ZoneInfo(view.time_zone or "UTC")).date()
        report = run_pass(
            ledger, view.slug, day, channels, lease_timeout=float(settings.lock_timeout)
        )
        lines.append(
            f"{view.slug} {day.isoformat()}: {report.decided} decided, "
            f"{report.delivered} delivered, {report.failed} failed"
        )
    return lines


@app.command("run")
def notify(
    agency: str | None = typer.Option(None, "--agency", help="One agency (default: every one)"),
    today: str | None = typer.Option(None, "--today", help="The day to decide for (YYYY-MM-DD)"),
) -> None:
    """Run one pass: decide, record and send the notices due today."""
    day = optional_day(today, "--today")
    _refuse_open_secret_files()
    with open_ledger() as ledger:
        for line in run_all(ledger, agency, day):
            console.print(line, markup=False)


@app.command("settings")
def settings_command(
    agency: str = typer.Option(..., "--agency", help="The agency's slug"),
    window: list[int] = typer.Option(
        [90, 60, 30, 7], "--window", help="Days before a deadline to remind (repeat)"
    ),
    remind_on_leave: bool = typer.Option(False, "--remind-on-leave/--no-remind-on-leave"),
    digest: str = typer.Option("weekly", "--digest", help="daily, weekly or off"),
    digest_weekday: int = typer.Option(0, "--digest-weekday", help="0 = Monday … 6 = Sunday"),
    webhook: str = typer.Option("", "--webhook", help="An http(s) URL told of every notice"),
    allow_extra_recipients: bool = typer.Option(
        False, "--allow-extra-recipients/--no-extra-recipients"
    ),
) -> None:
    """Record the agency's notice settings (an event: earlier passes keep theirs)."""
    from ledger.notice_cases import record_notice_settings

    who = actor()
    with open_ledger() as ledger:
        record_notice_settings(
            ledger,
            agency,
            actor=who,
            windows=window,
            remind_on_leave=remind_on_leave,
            digest=digest,
            digest_weekday=digest_weekday,
            webhook_url=webhook,
            allow_extra_recipients=allow_extra_recipients,
        )
    console.print(
        f"notice settings recorded for {agency}: windows {sorted(window, reverse=True)}, "
        f"digest {digest}",
        markup=False,
    )


@app.command("prefer")
def prefer(
    employee_id: str = typer.Argument(..., help="The person's employee id"),
    agency: str = typer.Option(..., "--agency", help="The agency's slug"),
    extra: list[str] = typer.Option(
        [], "--extra", help="Another address told with the person (repeat; agency must allow)"
    ),
    digest: bool = typer.Option(False, "--digest/--no-digest", help="Get the agency's digest"),
) -> None:
    """Record a person's notice preferences (mandatory notices cannot be turned off)."""
    from ledger.notice_cases import record_notice_preferences

    who = actor()
    with open_ledger() as ledger:
        record_notice_preferences(
            ledger, agency, employee_id, actor=who, extra_recipients=extra, digest_opt_in=digest
        )
    console.print(
        f"preferences recorded for {employee_id}: {len(extra)} extra recipient(s), "
        f"digest {'on' if digest else 'off'}; notices to {employee_id} stay on",
        markup=False,
    )


@app.command("history")
def history(
    employee_id: str = typer.Argument(..., help="The person's employee id"),
    agency: str = typer.Option(..., "--agency", help="The agency's slug"),
    known_at: str | None = typer.Option(
        None,
        "--known-at",
        metavar="INSTANT",
        help="As the records stood then (a date: its end in the agency's zone); default now",
    ),
) -> None:
    """The notices recorded for a person: when, to whom, by what, delivered or not, and
    any acknowledgement, as the records stood at --known-at."""
    from api.cli.timeargs import parse_known_at
    from api.notify.proof import notices_for_person
    from replay.asof import known_at_used, requested_instant

    requested = parse_known_at(known_at)
    with open_ledger() as ledger:
        ledger.get_person(agency, employee_id)  # an unknown person: the nearest names
        moment = known_at_used(ledger, requested_instant(ledger, agency, requested))
        told = notices_for_person(ledger, agency, employee_id, moment)
    if not told:
        console.print(
            f"no notices recorded for {employee_id} by {moment.isoformat()}", markup=False
        )
        return
    for line in told:
        console.print(styled((line.day, "bold"), f" {line.text}"))
