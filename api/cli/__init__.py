"""The ``muster`` command line: one typer app, one module per command group."""

from __future__ import annotations

from api.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
