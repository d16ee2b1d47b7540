"""``muster agency``: register and list agencies."""

from __future__ import annotations

import typer

from api.cli import context
from api.cli.context import open_ledger, open_reader
from api.cli.output import styled
from api.cli.plain_text import NotPlainError, boxed_table, plain_width

app = typer.Typer(help="Register and list agencies.", no_args_is_help=True)
ACTOR = typer.Option(
    None, "--actor", help="Who is recording this (default: MUSTER_ACTOR, else the OS user)"
)


@app.command("add")
def add(
    slug: str = typer.Argument(..., help="Short id used by every other command, e.g. mpls-pd"),
    name: str = typer.Option(..., "--name", help="The agency's full name"),
    state: str = typer.Option(..., "--state", help="Two-letter state, selects the rule pack"),
    time_zone: str | None = typer.Option(
        None, "--time-zone", help="IANA zone of the agency's days (default: the state's)"
    ),
    actor: str | None = ACTOR,
) -> None:
    """Register an agency under a jurisdiction such as US-MN."""
    from api.cli.writes import actor as recording_actor
    from api.logs import log
    from api.rulebook import publish_shipped_packs

    who = recording_actor(actor)
    with open_ledger(create=True) as ledger:
        agency_id = ledger.register_agency(slug, name, state, actor=who, time_zone=time_zone)
        agency = ledger.get_agency(slug)
        published = publish_shipped_packs(ledger, who, jurisdiction=agency.jurisdiction)
    log().info(
        "agency.registered",
        agency=slug,
        jurisdiction=agency.jurisdiction,
        rule_versions_published=len(published),
    )
    context.console.print(
        styled(
            "registered ",
            (slug, "bold"),
            f" ({agency.jurisdiction}, {agency.time_zone}) id={agency_id}",
        )
    )
    if published:
        context.console.print(f"published rule versions: {', '.join(published)}")


@app.command("time-zone")
def set_time_zone(
    slug: str = typer.Argument(..., help="The agency's slug"),
    time_zone: str = typer.Argument(..., help="IANA zone name, e.g. America/Denver"),
    actor: str | None = ACTOR,
) -> None:
    """Record the time zone the agency keeps its days in (its default is its state's)."""
    from api.cli.writes import actor as recording_actor

    who = recording_actor(actor)
    with open_ledger() as ledger:
        ledger.set_time_zone(slug, time_zone, actor=who)
    context.console.print(f"{slug} keeps its days in {time_zone.strip()} from now on")


@app.command("list")
def list_agencies() -> None:
    """List every agency with its jurisdiction and headcount."""
    with open_reader() as ledger:
        rows = [
            [
                agency.slug,
                agency.name,
                agency.jurisdiction,
                agency.time_zone,
                str(len(ledger.store.streams("person", agency.id))),
                agency.registered_at.strftime("%Y-%m-%d"),
            ]
            for agency in ledger.list_agencies()
        ]
    headers = ["slug", "name", "state", "time zone", "people", "registered"]
    width = plain_width()
    if width is not None:  # printed as rich would print it, without rich
        try:
            lines = boxed_table(headers, rows, width)
        except NotPlainError:
            pass
        else:
            typer.echo("\n".join(lines))
            return
    from rich.table import Table

    table = Table("slug", "name", "state")
    table.add_column("time zone", no_wrap=True)  # whole: it is every answer's context
    table.add_column("people")
    table.add_column("registered")
    for row in rows:
        table.add_row(*row)
    context.console.print(table)
