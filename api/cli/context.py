"""What every CLI command shares: settings, logging, the ledger and error reporting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import structlog
import typer

from api.cli.output import PlainConsole, styled
from api.logs import configure_logging
from api.settings import get_settings
from ledger.application import Ledger
from ledger.clock import Clock, system_clock
from ledger.errors import LedgerError

__all__ = ["console", "err_console", "open_ledger"]

console = PlainConsole()
err_console = PlainConsole(stderr=True)


@contextmanager
def open_ledger(clock: Clock = system_clock) -> Iterator[Ledger]:
    """The configured ledger; domain errors become a one-line message and exit status 2."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        ledger = Ledger(settings.database_url, clock=clock)
    except Exception as error:
        err_console.print(
            styled((f"cannot open the ledger at {settings.database_url}: {error}", "red"))
        )
        raise typer.Exit(2) from None
    structlog.get_logger().debug("ledger.opened", backend=ledger.database.backend)
    try:
        yield ledger
    except LedgerError as error:
        err_console.print(styled(("error:", "red"), f" {error}"))
        raise typer.Exit(2) from None
    finally:
        ledger.close()
