"""``muster replay``: rebuild every read model from the log, or catch them up."""

from __future__ import annotations

import os
import time

import structlog
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from api.cli.context import console, open_ledger
from api.cli.timeargs import model_day
from replay.read_models import catch_up, rebuild
from replay.read_side import open_read_store

log = structlog.get_logger()


def replay_command(
    as_of: str | None = typer.Option(None, "--as-of", help="Day the read models answer for"),
    incremental: bool = typer.Option(
        False, "--catch-up", help="Only apply events recorded since the last update"
    ),
    follow: bool = typer.Option(False, "--follow", help="Keep catching up every few seconds"),
    interval: float = typer.Option(2.0, "--interval", help="Seconds between catch-ups"),
    workers: int = typer.Option(
        os.cpu_count() or 1, "--workers", min=1, help="Processes evaluating people in a rebuild"
    ),
) -> None:
    """Rebuild the read models from an empty state (resumable, swapped in atomically)."""
    with open_ledger() as ledger:
        day = model_day(ledger, as_of)
        store = open_read_store(ledger)
        if not incremental and not follow:
            began = time.perf_counter()
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            ) as progress:
                task = progress.add_task("rebuilding read models (people)", total=None)
                generation = rebuild(
                    ledger,
                    store,
                    day,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                    workers=workers,
                )
            console.print(
                f"generation {generation} live for {day} in {time.perf_counter() - began:.1f} s"
            )
        while True:
            report = catch_up(ledger, store, day)
            log.info(
                "read_models.caught_up",
                position=report.position,
                events=report.events,
                people=report.people_updated,
                rebuilt=report.rebuilt,
            )
            console.print(
                f"caught up to position {report.position}: {report.events} events, "
                f"{report.people_updated} people updated"
            )
            if not follow:
                break
            time.sleep(interval)
            day = model_day(ledger, as_of)
