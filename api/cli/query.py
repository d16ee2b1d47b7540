"""``muster status``, ``muster roster`` and ``muster trend``: bitemporal answers.

The read side is imported when a command runs, not when the CLI starts (``muster --help``
costs the interpreter, typer and rich, not the engine)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

import typer

from api.cli.context import open_reader
from api.cli.progress import progress_bar
from api.cli.timeargs import parse_as_of, parse_day, parse_known_at

__all__ = ["TRACK", "parse_track_option", "roster_command", "status_command", "trend_command"]

AGENCY = typer.Option(..., "--agency", metavar="SLUG", help="Agency slug")
AS_OF = typer.Option(
    None,
    "--as-of",
    metavar="DAY",
    help="The day asked about (YYYY-MM-DD; default the agency's today)",
)
KNOWN_AT = typer.Option(
    None,
    "--known-at",
    metavar="INSTANT",
    help="Answer from the records as they stood then (default now; a date is the end of "
    "that day, a time without an offset local, both in the agency's time zone)",
)

TRACK = typer.Option(
    [],
    "--track",
    help="Only this track: state, credentials or policies (repeatable; default all three)",
)

# What the roster's filters may name (the engine's and the ledger's closed vocabularies).
STATUSES = ("non_compliant", "due_soon", "on_track", "compliant", "inactive", "not_applicable")
KINDS = ("sworn", "civilian")
PERSON_STATUSES = ("active", "leave", "inactive", "separated", "not_hired")


def status_command(
    employee_id: str = typer.Argument(..., help="Employee id within the agency"),
    agency: str = AGENCY,
    as_of: str | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable, byte-stable"),
) -> None:
    """One person's compliance on a day, as the records stood at an instant."""
    from api.cli.answers_text import print_status
    from replay.asof import status
    from replay.export import to_json

    day, moment = parse_as_of(as_of), parse_known_at(known_at)
    with open_reader() as ledger:
        answer = status(ledger, agency, employee_id, day, moment)
    if as_json:
        typer.echo(to_json(answer).decode(), nl=False)
        return
    print_status(answer)


def _vocabulary(values: Iterable[str], allowed: tuple[str, ...], option: str) -> frozenset[str]:
    """The values given, each one of ``allowed`` (``non-compliant`` and ``Non Compliant``
    read as ``non_compliant``); anything else is refused naming the allowed values."""
    kept = set()
    for value in values:
        code = value.strip().lower().replace("-", "_").replace(" ", "_")
        if code not in allowed:
            raise typer.BadParameter(f"{option} {value!r}: use one of {', '.join(allowed)}")
        kept.add(code)
    return frozenset(kept)


def parse_track_option(given: list[str]) -> tuple[Any, ...]:
    """``--track`` as given (none: all three tracks), refused naming the accepted names."""
    from replay.track_answers import parse_tracks

    try:
        return parse_tracks(given)
    except ValueError as error:
        raise typer.BadParameter(f"--{error}") from None


def roster_command(
    agency: str = AGENCY,
    as_of: str | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    output: str = typer.Option("table", "--format", help="table, json or csv"),
    status_filter: list[str] = typer.Option(
        [], "--status", help=f"Keep only these statuses: {', '.join(STATUSES)}"
    ),
    kind: list[str] = typer.Option([], "--kind", help="sworn or civilian"),
    person_status: list[str] = typer.Option([], "--person-status", help=", ".join(PERSON_STATUSES)),
    everyone: bool = typer.Option(
        False, "--all", help="Keep separated people too (left out unless asked)"
    ),
    track: list[str] = TRACK,
) -> None:
    """Everyone in an agency on a day, as the records stood at an instant: per person the
    unmet requirements, what remains of each and its deadline."""
    from api.cli.answers_text import print_roster
    from replay.asof import RosterFilters
    from replay.export import roster_csv, to_json
    from replay.track_answers import roster_across

    if output not in {"table", "json", "csv"}:
        raise typer.BadParameter(f"--format {output!r}: use table, json or csv")
    statuses = _vocabulary(status_filter, STATUSES, "--status")
    kinds = _vocabulary(kind, KINDS, "--kind")
    people = _vocabulary(person_status, PERSON_STATUSES, "--person-status")
    # Separated people are no one's to-do: left out unless asked for, by --all or by name.
    separated_left_out = not everyone and not people
    if separated_left_out:
        people = frozenset(PERSON_STATUSES) - {"separated"}
    day, moment = parse_as_of(as_of), parse_known_at(known_at)
    filters = RosterFilters(statuses, kinds, people)
    tracks = parse_track_option(track)
    with open_reader() as ledger, progress_bar("evaluating the roster (people)") as advance:
        answer = roster_across(
            ledger,
            agency,
            day,
            moment,
            filters,
            tracks,
            workers=os.cpu_count() or 1,
            progress=advance,
        )
    if output == "json":
        # Bytes straight out: a statewide roster is hundreds of megabytes of JSON.
        sys.stdout.buffer.write(to_json(answer))
        sys.stdout.buffer.flush()
    elif output == "csv":
        typer.echo(roster_csv(answer).decode(), nl=False)
    else:
        print_roster(answer, separated_left_out=separated_left_out)


def trend_command(
    agency: str = AGENCY,
    start: str = typer.Option(..., "--from", metavar="DAY", help="First day (YYYY-MM-DD)"),
    end: str = typer.Option(..., "--to", metavar="DAY", help="Last day (YYYY-MM-DD)"),
    every: str = typer.Option("month", "--every", metavar="STEP", help="day, week, month or year"),
    known_at: str | None = KNOWN_AT,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable, byte-stable"),
    track: list[str] = TRACK,
) -> None:
    """The agency's status counts at each step, as the records stood at an instant."""
    from api.cli.answers_text import print_trend
    from replay.export import to_json
    from replay.track_answers import trend_across
    from replay.trend import check_steps

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    moment = parse_known_at(known_at)
    try:
        check_steps(first, last, every)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    tracks = parse_track_option(track)
    with open_reader() as ledger, progress_bar("counting statuses (people)") as advance:
        answer = trend_across(
            ledger,
            agency,
            first,
            last,
            every,
            moment,
            tracks,
            workers=os.cpu_count() or 1,
            progress=advance,
        )
    if as_json:
        typer.echo(to_json(answer).decode(), nl=False)
        return
    print_trend(answer)
