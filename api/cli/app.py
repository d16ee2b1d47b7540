"""The root ``muster`` typer application and its command groups."""

from __future__ import annotations

import typer

from api.cli import agency
from api.cli.demo import demo
from api.cli.verify import verify

__all__ = ["app"]

app = typer.Typer(
    name="muster",
    help="muster: an append-only training compliance ledger for law-enforcement agencies.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(agency.app, name="agency")
app.command("demo")(demo)
app.command("verify")(verify)
