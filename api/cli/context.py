"""What every CLI command shares: settings, logging, the ledger and error reporting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import structlog
import typer
from eventsourcing.persistence import PersistenceError

from api.cli.output import PlainConsole, styled
from api.logs import configure_logging
from api.settings import get_settings
from ledger.application import Ledger
from ledger.clock import Clock, system_clock
from ledger.errors import LedgerError, StoreBusyError
from ledger.seal import SealKeys, load_seal_keys

__all__ = ["configured_seal_keys", "console", "err_console", "lock_timeouts", "open_ledger"]

console = PlainConsole()
err_console = PlainConsole(stderr=True)


def lock_timeouts(seconds: int) -> dict[str, str]:
    """The stores' lock waits, in the eventsourcing environment's terms."""
    return {"POSTGRES_LOCK_TIMEOUT": str(seconds), "SQLITE_LOCK_TIMEOUT": str(seconds)}


def configured_seal_keys() -> SealKeys:
    """The keys of ``MUSTER_SEAL_KEY_FILE`` (none if unset); a bad file is a one-line error
    and exit status 2."""
    path = get_settings().seal_key_file
    if path is None:
        return SealKeys()
    try:
        return load_seal_keys(path)
    except ValueError as error:
        err_console.print(styled(("error:", "red"), f" {error}"))
        raise typer.Exit(2) from None


@contextmanager
def open_ledger(clock: Clock = system_clock) -> Iterator[Ledger]:
    """The configured ledger; domain errors become a one-line message and exit status 2."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    keys = configured_seal_keys()
    try:
        ledger = Ledger(
            settings.database_url,
            clock=clock,
            seal_keys=keys,
            allow_unsafe_durability=settings.allow_unsafe_durability,
            env=lock_timeouts(settings.lock_timeout),
        )
    except LedgerError as error:
        err_console.print(styled(("error:", "red"), f" {error}"))
        raise typer.Exit(2) from None
    except Exception as error:
        err_console.print(
            styled((f"cannot open the ledger at {settings.database_url}: {error}", "red"))
        )
        raise typer.Exit(2) from None
    structlog.get_logger().debug("ledger.opened", backend=ledger.database.backend)
    try:
        yield ledger
    except StoreBusyError as error:
        err_console.print(styled(("error:", "red"), f" {error}"))
        raise typer.Exit(3) from None
    except KeyboardInterrupt:
        raise
    except PersistenceError as error:  # the database's refusal, e.g. a lock wait ran out
        err_console.print(styled(("error:", "red"), f" the database refused: {error}"))
        raise typer.Exit(3) from None
    except LedgerError as error:
        err_console.print(styled(("error:", "red"), f" {error}"))
        raise typer.Exit(2) from None
    finally:
        ledger.close()
