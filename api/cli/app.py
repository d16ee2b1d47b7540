"""The root ``muster`` typer application and its command groups."""

from __future__ import annotations

import typer

from api.cli import account, agency, db, imports, rules
from api.cli.demo import demo
from api.cli.query import roster_command, status_command, trend_command
from api.cli.record import exemption_app, person_app, training_app
from api.cli.replay import replay_command
from api.cli.serve import serve
from api.cli.verify import verify

__all__ = ["app"]

app = typer.Typer(
    name="muster",
    help="muster: an append-only training compliance ledger for law-enforcement agencies.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(account.app, name="account")
app.add_typer(agency.app, name="agency")
app.add_typer(imports.app, name="import")
app.add_typer(db.app, name="db")
app.add_typer(
    rules.app, name="rules", help="Shipped rule packs: versions, requirements, citations."
)
app.add_typer(training_app, name="training")
app.add_typer(person_app, name="person")
app.add_typer(exemption_app, name="exemption")
app.command("demo")(demo)
app.command("verify")(verify)
app.command("status")(status_command)
app.command("roster")(roster_command)
app.command("trend")(trend_command)
app.command("replay")(replay_command)
app.command("serve")(serve)
