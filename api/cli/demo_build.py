"""What ``muster demo`` does: generate a synthetic agency with years of history in a store of
its own, and summarise it (imported when the command runs, not when the CLI starts)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import typer
from rich import box
from rich.table import Table

from api.cli.answers_text import amount, status_word
from api.cli.context import console, open_ledger
from api.cli.errors import refuse
from api.cli.progress import progress_bar
from api.cli.timeargs import parse_day
from api.logs import log
from api.rulebook import publish_shipped_packs
from api.synthetic import generate_agency
from api.synthetic.store_check import DemoRefusedError, demo_store_state
from ledger import fields
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import InvalidValueError, LedgerError
from ledger.time_zones import STATE_TIME_ZONES, default_time_zone, zone_info
from replay.read_models import catch_up
from replay.read_side import open_read_store
from replay.verify import verify_store


def build_demo(
    officers: int, years: int, seed: int, slug: str, state: str, until: str, name: str
) -> None:
    """``muster demo``'s work (the command is ``api.cli.demo.demo``)."""
    started = datetime.now(UTC)  # nothing the demo records is recorded after this
    slug, state, name, last_day = _checked(slug, state, name, until, started)
    with open_ledger(create=True) as ledger:
        where = str(ledger.database.sqlite_path or ledger.database.env["POSTGRES_DBNAME"])
        try:
            found = demo_store_state(ledger, slug)
        except DemoRefusedError as refused:
            refuse(f"refusing the demo: {refused.reason}")
        sqlite_path = ledger.database.sqlite_path
    if found == "interrupted":
        if sqlite_path is None:
            refuse(
                f"an interrupted demo is in {where} "
                f"(schema {ledger.database.postgres_schema}): drop that schema or point "
                "MUSTER_DATABASE_URL at a new one, then run the demo again"
            )
        aside = _move_aside(sqlite_path, started)
        console.print(f"an interrupted demo was found: moved it to {aside}; building afresh")
    # A simulation records history at simulated times; production paths use the real clock.
    clock = SettableClock(started)
    with open_ledger(clock, create=True) as ledger:
        if found != "complete":
            _generate(ledger, clock, slug, state, name, officers, years, seed, last_day, started)
        else:
            console.print(f"agency {slug} already exists: summarising it")
        _summarise(ledger, slug)
        _compliance(ledger, slug, last_day)
        report = verify_store(ledger.store)
    console.print(f"ledger digest: {report.root} ({'verified' if report.ok else 'BROKEN'})")
    console.print(f"database: {where}")


def _checked(
    slug: str, state: str, name: str, until: str, started: datetime
) -> tuple[str, str, str, date]:
    """Everything the demo would be refused for, before anything is appended: the slug,
    state and name as the ledger reads them, and a last day no later than the agency's
    today (the demo records nothing that has not happened)."""
    try:
        slug = fields.agency_slug(slug)
        state = fields.state_code(state)
        name = fields.text("name", name, required=True)
        zone = default_time_zone(f"US-{state}")
        if zone is None:
            raise InvalidValueError(f"no shipped rule pack for US-{state}: use one of {_STATES}")
    except LedgerError as error:
        refuse(str(error))
    today = started.astimezone(zone_info(zone)).date()
    last_day = parse_day(until, "--until") if until else today
    if last_day > today:
        raise typer.BadParameter(f"--until {until}: after today ({today}) in {zone}")
    return slug, state, name, last_day


_STATES = ", ".join(sorted(j.removeprefix("US-") for j in STATE_TIME_ZONES))


def _move_aside(path: Path, started: datetime) -> Path:
    """Keep an interrupted demo's file (and its WAL) under another name; never delete it."""
    aside = path.with_name(f"{path.name}.interrupted-{started:%Y%m%dT%H%M%SZ}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(aside.with_name(aside.name + suffix))
    return aside


def _generate(
    ledger: Ledger,
    clock: SettableClock,
    slug: str,
    state: str,
    name: str,
    officers: int,
    years: int,
    seed: int,
    last_day: date,
    started: datetime,
) -> None:
    # The simulated ledger was in use for the whole span: its rule packs were published
    # before the first simulated fact was recorded.
    clock.set(datetime.combine(date(last_day.year - years, 1, 1), datetime.min.time(), UTC))
    published = publish_shipped_packs(ledger, "system:demo")
    console.print(f"published {len(published)} rule versions")
    with progress_bar(f"simulating {years} years of {slug}") as advance:
        summary = generate_agency(
            ledger,
            clock,
            slug=slug,
            name=name,
            state=state,
            officers=officers,
            years=years,
            seed=seed,
            until=last_day,
            progress=advance,
            not_after=started,
        )
    log().info(
        "demo.generated",
        agency=slug,
        events=summary.events,
        people=summary.people,
        seconds=round(summary.seconds, 2),
        seed=seed,
    )
    console.print(
        f"generated {summary.events:,} events in {summary.seconds:.1f} s "
        f"({summary.events_per_second:,.0f} events/s); "
        f"{summary.late_entries:,} late entries, {summary.corrections} corrections, "
        f"{summary.voids} voids, {summary.exemptions} leaves with tolling"
    )


def _summarise(ledger: Ledger, slug: str) -> None:
    agency = ledger.get_agency(slug)
    people = [ledger.get_person_by_id(pid) for pid in ledger.people_ids(slug)]
    table = Table(title=f"{agency.name} ({agency.jurisdiction})", show_header=True)
    table.add_column("status")
    table.add_column("sworn", justify="right")
    table.add_column("civilian", justify="right")
    for status in ("active", "leave", "inactive", "separated"):
        sworn = sum(1 for p in people if p.status == status and p.kind == "sworn")
        civilian = sum(1 for p in people if p.status == status and p.kind == "civilian")
        table.add_row(status, str(sworn), str(civilian))
    console.print(table)
    records = [r for p in people for r in p.records]
    live = [r for r in records if not r.voided]
    console.print(
        f"people: {len(people)}  training records: {len(live):,} live, "
        f"{len(records) - len(live)} voided  hours: {sum(r.hours for r in live):,}  "
        f"events in store: {ledger.store.count_events():,}"
    )


def _compliance(ledger: Ledger, slug: str, as_of: date) -> None:
    """Bring the tracked model up to date and show the agency's compliance today."""
    store = open_read_store(ledger)
    catch_up(ledger, store, as_of)
    agency_id = ledger.get_agency(slug).id
    counts = store.queries.counts_by_status(agency_id)
    console.print(
        f"compliance on {as_of}: "
        + "  ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
    )
    people = {row.person_id: row for row in store.queries.people(agency_id)}
    # At 80 columns the requirement's title and the person wrap at words; the status, the
    # deadline and what remains are short and kept whole.
    table = Table(title="next deadlines", show_header=True, box=box.SIMPLE_HEAD, expand=True)
    table.add_column("person", ratio=2)
    table.add_column("requirement", ratio=3)
    table.add_column("status", no_wrap=True)
    table.add_column("deadline", no_wrap=True)
    table.add_column("remaining", no_wrap=True)
    for row in store.queries.upcoming_deadlines(agency_id, limit=8):
        person = people[row.person_id]
        title, unit = _requirement_title(person.body, row.pack_id, row.requirement_id)
        table.add_row(
            f"{person.name} ({person.employee_id})",
            title,
            status_word(row.status),
            row.deadline or "",
            amount(row.remaining, unit) if unit else row.remaining,
        )
    console.print(table)


def _requirement_title(body: bytes, pack_id: str, requirement_id: str) -> tuple[str, str]:
    """A requirement's title and unit as the person's stored answer states them (its id
    and no unit where the answer does not list it)."""
    for result in orjson.loads(body)["compliance"]["requirements"]:
        if (result["pack_id"], result["requirement_id"]) == (pack_id, requirement_id):
            return str(result["title"]), str(result["unit"])
    return requirement_id, ""
