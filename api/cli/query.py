"""``muster status``, ``muster roster`` and ``muster trend``: bitemporal answers."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

import typer
from rich.table import Table

from api.cli.context import console, open_ledger
from api.cli.output import styled
from api.cli.timeargs import parse_as_of, parse_known_at
from replay.asof import RosterFilters, roster, status
from replay.export import roster_csv, to_json
from replay.trend import trend

AGENCY = typer.Option(..., "--agency", help="Agency slug")
AS_OF = typer.Option(None, "--as-of", help="The day asked about (YYYY-MM-DD, default today)")
KNOWN_AT = typer.Option(
    None, "--known-at", help="Answer from the records as they stood then (default now)"
)


def status_command(
    employee_id: str = typer.Argument(..., help="Employee id within the agency"),
    agency: str = AGENCY,
    as_of: str | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable, byte-stable"),
) -> None:
    """One person's compliance on a day, as the records stood at an instant."""
    day, moment = parse_as_of(as_of), parse_known_at(known_at)
    with open_ledger() as ledger:
        answer = status(ledger, agency, employee_id, day, moment)
    if as_json:
        typer.echo(to_json(answer).decode(), nl=False)
        return
    person = answer["person"]
    compliance = person["compliance"]
    console.print(
        styled(
            (person["name"], "bold"),
            f" ({person['employee_id']}, {person['kind']}, {person['person_status']}): ",
            (compliance["status"], "bold"),
            f" as of {answer['as_of']}, known at {answer['known_at']}",
        )
    )
    console.print(f"rule versions: {', '.join(compliance['rule_versions']) or 'none'}")
    table = Table(
        "requirement",
        "window",
        "status",
        "required",
        "counted",
        "remaining",
        "deadline",
        "confidence",
    )
    for r in compliance["requirements"]:
        window = f"{r['window_start'] or ''}..{r['window_end'] or ''}"
        table.add_row(
            f"{r['pack_id']}/{r['requirement_id']}",
            window,
            r["status"],
            r["required"],
            r["counted"],
            r["remaining"],
            r["deadline"] or "",
            r["confidence"],
        )
    console.print(table)
    for reason in compliance["reasons"]:
        console.print(f"- {reason}")
    records = Table("record", "effective on", "recorded at", "course", "hours")
    for record in person["counted_records"]:
        records.add_row(
            record["record_id"][:8],
            record["effective_on"],
            record["recorded_at"],
            record["course_title"],
            record["hours"],
        )
    console.print(records)


def roster_command(
    agency: str = AGENCY,
    as_of: str | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    output: str = typer.Option("table", "--format", help="table, json or csv"),
    status_filter: list[str] = typer.Option([], "--status", help="Keep only these statuses"),
    kind: list[str] = typer.Option([], "--kind", help="sworn or civilian"),
    person_status: list[str] = typer.Option(
        [], "--person-status", help="active, leave, inactive, separated"
    ),
) -> None:
    """Everyone in an agency on a day, as the records stood at an instant."""
    if output not in {"table", "json", "csv"}:
        raise typer.BadParameter("--format: table, json or csv")
    day, moment = parse_as_of(as_of), parse_known_at(known_at)
    filters = RosterFilters(frozenset(status_filter), frozenset(kind), frozenset(person_status))
    with open_ledger() as ledger:
        answer = roster(ledger, agency, day, moment, filters, workers=os.cpu_count() or 1)
    if output == "json":
        # Bytes straight out: a statewide roster is hundreds of megabytes of JSON.
        sys.stdout.buffer.write(to_json(answer))
        sys.stdout.buffer.flush()
    elif output == "csv":
        typer.echo(roster_csv(answer).decode(), nl=False)
    else:
        _roster_table(answer)


def _roster_table(answer: Mapping[str, Any]) -> None:
    console.print(
        f"{answer['agency']['name']}: as of {answer['as_of']}, known at {answer['known_at']}; "
        f"rule versions: {', '.join(answer['rule_versions_known']) or 'none'}"
    )
    console.print("  ".join(f"{k}: {v}" for k, v in answer["counts"].items()))
    table = Table("employee", "name", "kind", "person", "status", "unmet requirements")
    for person in answer["people"]:
        unmet = [
            r["requirement_id"]
            for r in person["compliance"]["requirements"]
            if r["status"] in {"non_compliant", "due_soon", "on_track"}
        ]
        table.add_row(
            person["employee_id"],
            person["name"],
            person["kind"],
            person["person_status"],
            person["compliance"]["status"],
            ", ".join(unmet),
        )
    console.print(table)


def trend_command(
    agency: str = AGENCY,
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)"),
    end: str = typer.Option(..., "--to", help="Last day (YYYY-MM-DD)"),
    every: str = typer.Option("month", "--every", help="day, week, month or year"),
    known_at: str | None = KNOWN_AT,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable, byte-stable"),
) -> None:
    """The agency's status counts at each step, as the records stood at an instant."""
    first, last, moment = parse_as_of(start), parse_as_of(end), parse_known_at(known_at)
    with open_ledger() as ledger:
        try:
            answer = trend(ledger, agency, first, last, every, moment, workers=os.cpu_count() or 1)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None
    if as_json:
        typer.echo(to_json(answer).decode(), nl=False)
        return
    statuses = sorted({s for p in answer["points"] for s in p["counts"]})
    table = Table("as of", *statuses)
    for point in answer["points"]:
        table.add_row(point["as_of"], *(str(point["counts"].get(s, 0)) for s in statuses))
    console.print(table)
