"""``muster agency``: register and list agencies."""

from __future__ import annotations

import structlog
import typer
from rich.table import Table

from api.cli.context import console, open_ledger
from api.cli.output import styled
from api.rulebook import publish_shipped_packs

app = typer.Typer(help="Register and list agencies.", no_args_is_help=True)


@app.command("add")
def add(
    slug: str = typer.Argument(..., help="Short id used by every other command, e.g. mpls-pd"),
    name: str = typer.Option(..., "--name", help="The agency's full name"),
    state: str = typer.Option(..., "--state", help="Two-letter state, selects the rule pack"),
    actor: str = typer.Option("cli", "--actor", help="Who is recording this"),
) -> None:
    """Register an agency under a jurisdiction such as US-MN."""
    with open_ledger() as ledger:
        agency_id = ledger.register_agency(slug, name, state, actor=f"user:{actor}")
        agency = ledger.get_agency(slug)
        published = publish_shipped_packs(ledger, f"user:{actor}", jurisdiction=agency.jurisdiction)
    structlog.get_logger().info(
        "agency.registered",
        agency=slug,
        jurisdiction=agency.jurisdiction,
        rule_versions_published=len(published),
    )
    console.print(styled("registered ", (slug, "bold"), f" ({agency.jurisdiction}) id={agency_id}"))
    if published:
        console.print(f"published rule versions: {', '.join(published)}")


@app.command("list")
def list_agencies() -> None:
    """List every agency with its jurisdiction and headcount."""
    with open_ledger() as ledger:
        table = Table("slug", "name", "jurisdiction", "people", "registered (UTC)")
        for agency in ledger.list_agencies():
            people = len(ledger.store.streams("person", agency.id))
            table.add_row(
                agency.slug,
                agency.name,
                agency.jurisdiction,
                str(people),
                agency.registered_at.strftime("%Y-%m-%d %H:%M"),
            )
    console.print(table)
