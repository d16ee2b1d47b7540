"""Progress of long work (a roster, a trend, a rebuild, a demo), on stderr and only when
stderr is a terminal: the output on stdout stays the answer alone, byte for byte, and a log
line or a redirected stderr never holds a progress bar's redraws."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Advance", "progress_bar"]

# Work done so far and the work there is (None: not yet known).
Advance = Callable[[int, int | None], None]


@contextmanager
def progress_bar(description: str) -> Iterator[Advance]:
    """A transient bar on stderr for ``description``; a no-op when stderr is no terminal."""
    import sys

    from api.cli.plain_text import is_terminal

    if not is_terminal(sys.stderr):  # as rich decides it, without making its console
        yield _nothing
        return
    from api.cli.context import err_console

    if not err_console.is_terminal:
        yield _nothing
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from api.cli.output import visible

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(visible(description), total=None)

        def advance(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _nothing(done: int, total: int | None) -> None:
    """No terminal: no bar."""
