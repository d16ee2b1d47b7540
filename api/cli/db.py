"""``muster db``: set up a store (run by its owner role) and make seal keys."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from api.cli import context
from api.cli.context import configured_seal_keys
from api.cli.errors import EXIT_DATABASE, refuse

__all__ = ["app"]

app = typer.Typer(help="Set up the store (as its owner role) and make seal keys.")


@app.command("init")
def init(
    app_role: str | None = typer.Option(
        None,
        "--app-role",
        help="PostgreSQL: the role the application runs as; granted SELECT and INSERT only",
    ),
) -> None:
    """Create the store's tables in MUSTER_DATABASE_URL (run as the owner role; idempotent)."""
    from api.logs import configure_logging
    from api.settings import get_settings
    from ledger.errors import LedgerError
    from replay.store_setup import init_store

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        ledger = init_store(
            settings.database_url,
            app_role=app_role,
            seal_keys=configured_seal_keys(),
            allow_unsafe_durability=settings.allow_unsafe_durability,
        )
    except (LedgerError, ValueError) as error:
        refuse(str(error))
    except Exception as error:  # the database's own refusal (say, a missing privilege)
        refuse(f"cannot set up the store: {error}", EXIT_DATABASE)
    backend = ledger.database.backend
    ledger.close()
    granted = f"; {app_role} may select and insert" if app_role and backend == "postgres" else ""
    context.console.print(f"store ready ({backend}){granted}")


@app.command("new-seal-key")
def new_seal_key(
    key_file: Path = typer.Argument(..., help="The key file (created, or a key appended)"),
    key_id: str = typer.Option(..., "--id", help="The new key's id, e.g. 2026-12"),
) -> None:
    """Add a fresh seal key to KEY_FILE; it becomes the one new units are sealed with."""
    from ledger.seal import load_seal_keys, new_seal_key_line

    if not key_id.isascii() or not key_id.replace("-", "").replace("_", "").isalnum():
        refuse("a key id is letters, digits, '-' and '_'")
    if key_file.exists():
        try:
            known = load_seal_keys(key_file).keys
        except ValueError as error:
            refuse(str(error))
        if key_id in known:
            refuse(f"key id {key_id!r} is already in {key_file}")
    # Owner read/write only: the key must stay out of the database administrators' reach.
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as out:
        out.write(new_seal_key_line(key_id))
    context.console.print(f"seal key {key_id} added to {key_file}; new units are sealed with it")
