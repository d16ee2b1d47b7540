"""``muster credential``: the agency's own credential types (define, change, retire, list),
qualification attempts for one person or a whole range day, credentials granted,
suspended, reinstated and revoked, weapons issued and returned, and one status per person
across the state, credential and policy tracks (``status``, ``roster``)."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import typer

from api.cli.context import open_ledger
from api.cli.credential_types import types_app
from api.cli.timeargs import parse_as_of, parse_known_at
from api.cli.writes import (
    AGENCY,
    AS_JSON,
    DRY_RUN,
    ON,
    REASON,
    day_of,
    day_option,
    effective,
    write,
)
from ledger.application import Ledger
from ledger.errors import InvalidValueError, LedgerError
from ledger.unit_of_work import UnitOfWork

__all__ = ["credential_app"]

credential_app = typer.Typer(
    help="Credential types, qualifications and credentials; status across all tracks.",
    no_args_is_help=True,
)
credential_app.registered_commands.extend(types_app.registered_commands)

TRACK = typer.Option(None, "--track", help="state, credential or policy (repeatable; default all)")
RANGE_COLUMNS = ("employee_id", "result", "score", "weapon_class", "make_model", "serial")
MAX_RANGE_ROWS = 5000

WEAPON = (
    typer.Option("", "--weapon-class", help="Per-weapon types: the weapon's class"),
    typer.Option("", "--make-model", help="Per-weapon types: make and model"),
    typer.Option("", "--serial", help="Per-weapon types: the serial number"),
)


@credential_app.command("qualify")
def qualify(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    credential_type: str = typer.Option(..., "--type", help="Credential type id"),
    result: str = typer.Option(..., "--result", help="pass or fail"),
    instructor: str = typer.Option(..., "--instructor", help="Who ran the qualification"),
    score: str | None = typer.Option(None, "--score", help="The score, if scored"),
    weapon_class: str = WEAPON[0],
    make_model: str = WEAPON[1],
    serial: str = WEAPON[2],
    on: str | None = ON,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Record one qualification attempt, passed or failed (a failure grants nothing)."""
    day = day_option(on)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        return ledger.record_qualification(
            agency,
            employee_id,
            credential_type=credential_type,
            on=effective(ledger, agency, day),
            result=result,
            score_value=score,
            instructor=instructor,
            weapon=(weapon_class, make_model, serial),
            actor=who,
            uow=uow,
        )

    write(f"qualification of {employee_id}", command, dry_run, as_json)


def _range_rows(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidValueError(f"cannot read {path}: {error}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("employee_id", "result") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidValueError(
            f"{path.name}: missing column {', '.join(missing)} "
            f"(columns: {', '.join(RANGE_COLUMNS)})"
        )
    rows = list(reader)
    if len(rows) > MAX_RANGE_ROWS:
        raise InvalidValueError(f"{path.name}: at most {MAX_RANGE_ROWS} rows")
    return rows


@credential_app.command("range-day")
def range_day(
    file: Path = typer.Argument(..., help=f"CSV with columns {', '.join(RANGE_COLUMNS)}"),
    agency: str = AGENCY,
    credential_type: str = typer.Option(..., "--type", help="Credential type id"),
    instructor: str = typer.Option(..., "--instructor", help="Who ran the range"),
    on: str = typer.Option(..., "--on", help="The range day, YYYY-MM-DD"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """A range day's roster: every row's attempt is recorded, or (on any bad row) none."""
    day = day_of(on, "--on")
    rows = _range_rows(file)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> int:
        seen: dict[str, int] = {}
        for line, row in enumerate(rows, start=2):
            weapon = tuple((row.get(c) or "") for c in ("weapon_class", "make_model", "serial"))
            # The same row of the same range day is the same attempt: a file recorded twice
            # is refused at its first row, never counted twice.
            key = "|".join(
                [agency, credential_type, day.isoformat(), (row.get("employee_id") or "").strip()]
                + [(row.get(c) or "").strip() for c in RANGE_COLUMNS[1:]]
            ).casefold()
            seen[key] = seen.get(key, 0) + 1
            attempt_id = uuid.uuid5(uuid.NAMESPACE_URL, f"muster:range-day:{key}|{seen[key]}")
            try:
                ledger.record_qualification(
                    agency,
                    (row.get("employee_id") or ""),
                    credential_type=credential_type,
                    on=day,
                    result=(row.get("result") or "").strip().lower(),
                    score_value=row.get("score") or None,
                    instructor=instructor,
                    weapon=weapon,
                    attempt_id=attempt_id,
                    actor=who,
                    uow=uow,
                )
            except LedgerError as error:
                raise InvalidValueError(
                    f"{file.name} line {line}: {error}; nothing recorded"
                ) from None
        return len(rows)

    write(f"range day {day.isoformat()} ({file.name})", command, dry_run, as_json)


@credential_app.command("grant")
def grant(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    credential_type: str = typer.Option(..., "--type", help="Credential type id"),
    expires_on: str | None = typer.Option(None, "--expires", help="The certificate's expiry"),
    certificate: str = typer.Option("", "--certificate", help="Certificate number"),
    issuer: str = typer.Option("", "--issuer", help="Who issued it"),
    serial: str = typer.Option("", "--serial", help="Per-weapon types: the weapon's serial"),
    on: str | None = ON,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Grant a credential (an external certificate, or the agency's own grant)."""
    day = day_option(on)
    expiry = None if expires_on is None else day_of(expires_on, "--expires")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        return ledger.grant_credential(
            agency,
            employee_id,
            credential_type=credential_type,
            on=effective(ledger, agency, day),
            expires_on=expiry,
            certificate_number=certificate,
            issuer=issuer,
            serial=serial,
            actor=who,
            uow=uow,
        )

    write(f"credential for {employee_id}", command, dry_run, as_json)


def _action(action: str) -> Any:
    def run(
        employee_id: str = typer.Argument(..., help="Employee id"),
        agency: str = AGENCY,
        credential_type: str = typer.Option(..., "--type", help="Credential type id"),
        reason: str = REASON,
        serial: str = typer.Option("", "--serial", help="One weapon's credential (default all)"),
        on: str | None = ON,
        dry_run: bool = DRY_RUN,
        as_json: bool = AS_JSON,
    ) -> None:
        day = day_option(on)

        def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
            ledger.act_on_credential(
                agency,
                employee_id,
                action,
                credential_type=credential_type,
                on=effective(ledger, agency, day),
                reason=reason,
                serial=serial,
                actor=who,
                uow=uow,
            )

        write(f"{action} {credential_type} of {employee_id}", command, dry_run, as_json)

    run.__doc__ = {
        "suspend": "Suspend a credential from a date (not valid until reinstated).",
        "reinstate": "Reinstate a suspended credential from a date.",
        "revoke": "Revoke a credential: only a new pass or grant earns it again.",
    }[action]
    return run


for _name in ("suspend", "reinstate", "revoke"):
    credential_app.command(_name)(_action(_name))


@credential_app.command("issue-weapon")
def issue_weapon(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    weapon_class: str = typer.Option(..., "--weapon-class", help="e.g. handgun, rifle"),
    make_model: str = typer.Option("", "--make-model", help="Make and model"),
    serial: str = typer.Option(..., "--serial", help="Serial number"),
    on: str | None = ON,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """The person carries this weapon from a date (per-weapon credentials then bind)."""
    day = day_option(on)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.issue_weapon(
            agency,
            employee_id,
            weapon=(weapon_class, make_model, serial),
            on=effective(ledger, agency, day),
            actor=who,
            uow=uow,
        )

    write(f"weapon {serial} for {employee_id}", command, dry_run, as_json)


@credential_app.command("return-weapon")
def return_weapon(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    serial: str = typer.Option(..., "--serial", help="Serial number"),
    reason: str = REASON,
    on: str | None = ON,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """The person no longer carries the weapon from a date."""
    day = day_option(on)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.return_weapon(
            agency,
            employee_id,
            serial=serial,
            on=effective(ledger, agency, day),
            reason=reason,
            actor=who,
            uow=uow,
        )

    write(f"weapon {serial} of {employee_id}", command, dry_run, as_json)


def _tracks(given: list[str] | None) -> tuple[Any, ...]:
    from projections.credentials.tracks import TRACKS

    chosen = tuple(dict.fromkeys(given or TRACKS))
    unknown = [t for t in chosen if t not in TRACKS]
    if unknown:
        raise typer.BadParameter(f"--track {unknown[0]!r}: expected one of {', '.join(TRACKS)}")
    return chosen


@credential_app.command("status")
def status(
    employee_id: str = typer.Argument(..., help="Employee id"),
    agency: str = AGENCY,
    as_of: str | None = typer.Option(None, "--as-of", help="The day asked about"),
    known_at: str | None = typer.Option(None, "--known-at", help="As recorded then"),
    tracks: list[str] | None = TRACK,
    as_json: bool = AS_JSON,
) -> None:
    """One status across the state, credential and policy tracks, with reasons."""
    from api.cli.tracks_text import print_json, print_tracks
    from replay.tracks import person_tracks

    chosen = _tracks(tracks)
    with open_ledger() as ledger:
        answer = person_tracks(
            ledger, agency, employee_id, parse_as_of(as_of), parse_known_at(known_at), chosen
        )
    print_json(answer) if as_json else print_tracks(answer)


@credential_app.command("roster")
def roster(
    agency: str = AGENCY,
    as_of: str | None = typer.Option(None, "--as-of", help="The day asked about"),
    known_at: str | None = typer.Option(None, "--known-at", help="As recorded then"),
    tracks: list[str] | None = TRACK,
    statuses: list[str] | None = typer.Option(None, "--status", help="Only these overall statuses"),
    as_json: bool = AS_JSON,
) -> None:
    """Everyone's status across the tracks (people not yet hired left out)."""
    from api.cli.tracks_text import print_json, print_roster
    from replay.tracks import roster_tracks

    chosen = _tracks(tracks)
    allowed = ("non_compliant", "due_soon", "compliant", "inactive", "not_applicable")
    for value in statuses or ():
        if value not in allowed:
            raise typer.BadParameter(f"--status {value!r}: expected one of {', '.join(allowed)}")
    with open_ledger() as ledger:
        answer = roster_tracks(
            ledger,
            agency,
            parse_as_of(as_of),
            parse_known_at(known_at),
            chosen,
            frozenset(statuses or ()),
        )
    print_json(answer) if as_json else print_roster(answer)
