"""Files the CLI writes whole or not at all: written beside the target, flushed to disk,
then moved over it, so a failure leaves the old file (or none) and no partial one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from api.cli.context import err_console
from api.cli.output import styled

__all__ = ["write_whole"]


def write_whole(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out``; a failure is one line on stderr and exit status 2."""
    target = out.resolve()
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", delete=False
        ) as file:
            temporary = Path(file.name)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        err_console.print(styled(("error:", "red"), f" cannot write {out}: {error}"))
        raise typer.Exit(2) from None
