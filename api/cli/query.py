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
from api.cli.timeargs import parse_as_of, parse_day, parse_known_at
from replay.asof import RosterFilters, roster, status
from replay.export import roster_csv, to_json
from replay.trend import trend

AGENCY = typer.Option(..., "--agency", help="Agency slug")
AS_OF = typer.Option(
    None, "--as-of", help="The day asked about (YYYY-MM-DD; default the agency's today)"
)
KNOWN_AT = typer.Option(
    None,
    "--known-at",
    help="Answer from the records as they stood then (default now; a date is the end of "
    "that day, a time without an offset local, both in the agency's time zone)",
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
        )
    )
    console.print(_axes(answer))
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
    for record in person["counted_records"]:
        for c in record.get("corrections", ()):
            console.print(
                f"- record {record['record_id'][:8]} (recorded {record['recorded_at']}) "
                f"corrected, recorded {c['recorded_at']}: {c['reason']} "
                f"({', '.join(c['changed'])})"
            )


def _axes(answer: Mapping[str, Any]) -> str:
    """The two time axes an answer is for, with the agency's zone (``as_of`` is its local
    date; ``known_at`` is stated in UTC, as in the machine-readable exports)."""
    return f"as of {answer['as_of']} ({answer['time_zone']}), known at {answer['known_at']}"


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
    console.print(f"{answer['agency']['name']}: {_axes(answer)}")
    console.print(f"rule versions: {', '.join(answer['rule_versions_known']) or 'none'}")
    counts = [f"{k}: {v}" for k, v in answer["counts"].items()]
    if answer["not_yet_hired"]:
        counts.append(f"(not yet hired, uncounted: {answer['not_yet_hired']})")
    console.print("  ".join(counts))
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
    for person in answer["people"]:
        for record in person["counted_records"]:
            for c in record.get("corrections", ()):
                console.print(
                    f"- {person['employee_id']}: record {record['record_id'][:8]} (recorded "
                    f"{record['recorded_at']}) corrected, recorded {c['recorded_at']}: "
                    f"{c['reason']}"
                )


def trend_command(
    agency: str = AGENCY,
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)"),
    end: str = typer.Option(..., "--to", help="Last day (YYYY-MM-DD)"),
    every: str = typer.Option("month", "--every", help="day, week, month or year"),
    known_at: str | None = KNOWN_AT,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable, byte-stable"),
) -> None:
    """The agency's status counts at each step, as the records stood at an instant."""
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    moment = parse_known_at(known_at)
    with open_ledger() as ledger:
        try:
            answer = trend(ledger, agency, first, last, every, moment, workers=os.cpu_count() or 1)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None
    if as_json:
        typer.echo(to_json(answer).decode(), nl=False)
        return
    console.print(
        f"{answer['agency']['name']}: known at {answer['known_at']}; days in "
        f"{answer['time_zone']}; people not yet hired on a day are not counted"
    )
    statuses = sorted({s for p in answer["points"] for s in p["counts"]})
    table = Table("as of", *statuses)
    for point in answer["points"]:
        table.add_row(point["as_of"], *(str(point["counts"].get(s, 0)) for s in statuses))
    console.print(table)
