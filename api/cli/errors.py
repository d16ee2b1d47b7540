"""The one mapping from what can go wrong to an exit status and a one-line message.

Every command runs inside ``run`` (the console script's entry point), so every error of
every command ends here: a usage error, a refused value, an unknown agency, a database that
refused, a file that cannot be read. Each family has one exit status (the README's table):

====  =====================================================================================
0     success
1     verification failed (``verify``) or an import was refused (its report says why)
2     invalid input: a usage error, a value out of range, an unknown agency or person, a
      file that cannot be read or written, a store that is missing or not set up
3     the database refused, stayed busy past ``MUSTER_LOCK_TIMEOUT``, or is unreachable
70    an internal error: a bug in muster (``MUSTER_LOG_LEVEL=debug`` logs its traceback)
130   interrupted (Ctrl-C)
====  =====================================================================================

The message is one line on stderr, ``error: ...``, never a traceback; a refusal appends
nothing (each use case is one unit of work, saved whole or not at all).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from api.settings import SettingsError

__all__ = [
    "EXIT_DATABASE",
    "EXIT_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_REFUSED",
    "RefusedError",
    "explain",
    "refuse",
    "run",
    "say_error",
]

EXIT_REFUSED = 1
EXIT_INPUT = 2
EXIT_DATABASE = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


class RefusedError(Exception):
    """A refusal already put in words: ``message`` is the line after ``error:``."""

    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def refuse(message: str, code: int = EXIT_INPUT) -> NoReturn:
    raise RefusedError(message, code)


def one_line(text: str) -> str:
    """A message as one line: its own line breaks become ``; ``."""
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _usage(error: UsageError) -> str:
    message = one_line(error.format_message())
    if error.ctx is not None:
        message += f" (see {error.ctx.command_path} --help)"
    return message


def _settings(error: SettingsError) -> str:
    """The settings' problems, by variable name."""
    return "bad configuration: " + "; ".join(f"{name}: {what}" for name, what in error.problems)


def _os_error(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


def _refused(error: BaseException) -> str:
    return f"the database refused: {error}"


def explain(error: BaseException) -> tuple[int, str]:
    """The exit status and the one-line message for an error of any family."""
    from eventsourcing.persistence import PersistenceError

    from ledger.errors import LedgerError, StoreBusyError

    if isinstance(error, RefusedError):
        return error.code, one_line(error.message)
    families: list[tuple[tuple[type[BaseException], ...], int, Callable[[Any], str]]] = [
        ((UsageError,), EXIT_INPUT, _usage),
        ((SettingsError,), EXIT_INPUT, _settings),
        ((StoreBusyError,), EXIT_DATABASE, str),
        ((LedgerError,), EXIT_INPUT, str),
        ((PersistenceError, sqlite3.Error), EXIT_DATABASE, _refused),
        ((OSError,), EXIT_INPUT, _os_error),
        ((KeyboardInterrupt,), EXIT_INTERRUPTED, lambda _: "interrupted"),
        ((typer.Abort,), EXIT_REFUSED, lambda _: "aborted"),
    ]
    for family, code, words in families:
        if isinstance(error, family):
            return code, one_line(words(error))
    if type(error).__module__.split(".")[0] == "psycopg":  # the driver's own refusals
        return EXIT_DATABASE, one_line(_refused(error))
    return EXIT_INTERNAL, one_line(
        f"internal error (a bug in muster, please report it): {type(error).__name__}: "
        f"{error}; MUSTER_LOG_LEVEL=debug logs the traceback"
    )


def say_error(message: str) -> None:
    """``error: message`` on stderr, on one line however narrow the terminal."""
    from api.cli.context import err_console
    from api.cli.output import styled

    err_console.print(styled(("error:", "red"), f" {message}"), soft_wrap=True)


def _log_traceback(error: BaseException) -> None:
    """A bug's traceback, as a debug log record on stderr (shown with MUSTER_LOG_LEVEL=debug)."""
    from api.logs import log

    try:
        logger = log()
    except Exception:  # the settings themselves are broken: the one line says enough
        return
    logger.debug("cli.internal_error", exc_info=error)


def run(app: typer.Typer) -> int:
    """Run the command line; every error becomes its exit status and one line."""
    try:
        result = app(standalone_mode=False)
    except NoArgsIsHelpError as error:  # ``muster`` or ``muster agency`` alone: the help
        shown = error.format_message()  # typer's rich help has printed itself already
        if shown.strip():
            typer.echo(shown)
        return EXIT_INPUT
    except SystemExit as error:
        return error.code if isinstance(error.code, int) else EXIT_INPUT
    except BrokenPipeError:  # ``muster roster | head``: the reader left, nothing to say
        # What is still buffered for stdout goes nowhere, not into an error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_REFUSED
    except BaseException as error:
        code, message = explain(error)
        if code == EXIT_INTERNAL:
            _log_traceback(error)
        say_error(message)
        return code
    return result if isinstance(result, int) else 0
