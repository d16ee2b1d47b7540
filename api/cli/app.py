"""The root ``muster`` typer application and its command groups.

The groups whose modules pull in the write side, the importer or the packet builder
(``import``, ``training``, ``person``, ``exemption``, ``waiver``, ``extension``, ``export``,
``digest``, ``credential``, ``policy``) are loaded when they are invoked, not when the CLI starts:
``muster --help`` or ``muster status`` pays for typer and rich and the code it runs, not
for openpyxl and the whole ledger (``benchmarks/cli_startup_bench.py``)."""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

from api.cli import agency, coercion, db, rules
from api.cli.dashboard import dashboard
from api.cli.demo import demo
from api.cli.query import roster_command, status_command, trend_command
from api.cli.replay import replay_command
from api.cli.serve import serve
from api.cli.verify import verify
from api.cli.verify_packet import verify_packet_command

__all__ = ["LAZY_GROUPS", "app"]

coercion.install()  # str, bool and list[str] options coerced without importing pydantic

# name: (module, its typer app, the help ``muster --help`` shows for it: the app's own).
LAZY_GROUPS = {
    "import": (
        "api.cli.imports",
        "app",
        "Import a roster or training history from CSV or XLSX (all rows or none).",
    ),
    "training": ("api.cli.record", "training_app", "Record, correct and void training."),
    "person": (
        "api.cli.record",
        "person_app",
        "Enrol people; status, assignment, licence and certification facts.",
    ),
    "exemption": ("api.cli.record", "exemption_app", "Grant and end exemptions."),
    "waiver": ("api.cli.record", "waiver_app", "Grant and end waivers."),
    "extension": ("api.cli.record", "extension_app", "Grant and end deadline extensions."),
    "export": (
        "api.cli.export",
        "app",
        "Audit packets anyone can verify offline (muster verify-packet).",
    ),
    "account": ("api.cli.account", "app", "Accounts, roles and API tokens."),
    "digest": ("api.cli.digest", "app", "The ledger digest, for an outside party to hold."),
    "credential": (
        "api.cli.credential",
        "credential_app",
        "Credential types, qualifications and credentials; status across all tracks.",
    ),
    "policy": (
        "api.cli.policy",
        "policy_app",
        "Policy documents, versions, assignments, acknowledgements and coverage.",
    ),
    "notify": (
        "api.cli.notify",
        "app",
        "Send the reminders due (one pass); notice settings; notices recorded.",
    ),
}


class _Group(TyperGroup):
    """The root group: the lazy groups are listed from ``LAZY_GROUPS`` and imported only
    when a command line names one."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in LAZY_GROUPS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in LAZY_GROUPS:  # listed in help: its name and help
            return TyperGroup(name=cmd_name, help=LAZY_GROUPS[cmd_name][2])
        return found

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] in LAZY_GROUPS and args[0] not in self.commands:
            self.add_command(load_group(args[0]), args[0])
        return super().resolve_command(ctx, args)


def load_group(name: str) -> Any:
    """The click group of a lazy command group, built from its module's typer app."""
    module, attribute, _help = LAZY_GROUPS[name]
    sub_app = getattr(importlib.import_module(module), attribute)
    sub_app.rich_markup_mode = HELP_MARKUP  # as the groups loaded with the root
    group = typer.main.get_group(sub_app)
    group.name = name
    return group


# Help is click's plain layout: typer's rich layout imports a markdown parser (~40 ms, a
# third of the start) for help that holds no markup. It reads the same at 80 columns.
HELP_MARKUP = None

app = typer.Typer(
    name="muster",
    rich_markup_mode=HELP_MARKUP,
    help="muster: an append-only training compliance ledger for law-enforcement agencies.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    cls=_Group,
)
app.add_typer(agency.app, name="agency")
app.add_typer(db.app, name="db")
app.add_typer(
    rules.app, name="rules", help="Shipped rule packs: versions, requirements, citations."
)
app.command("demo")(demo)
app.command("verify")(verify)
app.command("verify-packet")(verify_packet_command)
app.command("status")(status_command)
app.command("roster")(roster_command)
app.command("trend")(trend_command)
app.command("replay")(replay_command)
app.command("serve")(serve)
app.command("dashboard")(dashboard)
