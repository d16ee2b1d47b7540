"""What every ``muster training|person|exemption|waiver|extension`` write shares: who is
recording (a real, validated identity, never a constant), one unit of work per command,
``--dry-run`` and ``--json``, and the date options.

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

import orjson
import typer

from api.cli.context import console, open_ledger
from api.cli.timeargs import parse_day
from api.settings import get_settings
from ledger.application import Ledger
from ledger.time_zones import zone_info
from ledger.unit_of_work import UnitOfWork

__all__ = [
    "AGENCY",
    "AS_JSON",
    "DRY_RUN",
    "ON",
    "REASON",
    "Command",
    "actor",
    "day_of",
    "day_option",
    "effective",
    "optional_day",
    "topic_hours",
    "write",
]

AGENCY = typer.Option(..., "--agency", help="Agency slug")
ON = typer.Option(None, "--on", help="Effective date, YYYY-MM-DD (default today)")
REASON = typer.Option(..., "--reason", help="Why (kept with the event)")
DRY_RUN = typer.Option(False, "--dry-run", help="Report what would be recorded; append nothing")
AS_JSON = typer.Option(False, "--json", help="Machine-readable result")

# An actor name as it is stored in every event it records: no spaces, markup or controls.
_ACTOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")

Command = Callable[[Ledger, UnitOfWork, str], Any]


def actor(given: str | None = None) -> str:
    """Who is recording: ``given`` (an ``--actor`` option), else ``MUSTER_ACTOR``, else the
    operating-system user; never a constant, so every event says which person at the
    keyboard recorded it. Validated like any stored name."""
    name = given or get_settings().actor
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no LOGNAME/USER and no password entry (a bare container)
            name = ""
    if not name:
        console.print(
            "error: cannot tell who is recording: set MUSTER_ACTOR to your name", markup=False
        )
        raise typer.Exit(2)
    if not _ACTOR.fullmatch(name):
        console.print(
            f"error: actor {name!r} is not a valid name (letters, digits, . _ @ -); "
            "set MUSTER_ACTOR",
            markup=False,
        )
        raise typer.Exit(2)
    return f"user:{name}"


def write(what: str, command: Command, dry_run: bool, as_json: bool) -> None:
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


def day_option(text: str | None) -> date | None:
    """``--on``: None means today where the agency keeps its days (``_effective``)."""
    return None if text is None else parse_day(text, "--on")


def effective(ledger: Ledger, agency: str, day: date | None) -> date:
    if day is not None:
        return day
    zone = ledger.get_agency(agency).time_zone or "UTC"  # recorded, else the state's
    return ledger.clock().astimezone(zone_info(zone)).date()


def day_of(text: str, option: str) -> date:
    return parse_day(text, option)


def optional_day(text: str | None, option: str) -> date | None:
    return None if text is None else day_of(text, option)


def topic_hours(pairs: list[str]) -> dict[str, Decimal | str]:
    topics: dict[str, Decimal | str] = {}
    for pair in pairs:
        topic, sep, hours = pair.partition("=")
        if not sep or not topic:
            raise typer.BadParameter(f"--topic {pair!r}: use TOPIC=HOURS, e.g. use_of_force=4")
        topics[topic.strip()] = hours.strip()
    return topics
