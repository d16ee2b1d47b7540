"""The ``muster`` command line: one typer app, one module per command group."""

from __future__ import annotations

import sys

from api.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    """The console script: every error ends as its exit status and one line
    (``api.cli.errors``)."""
    from api.cli.errors import run

    sys.exit(run(app))
