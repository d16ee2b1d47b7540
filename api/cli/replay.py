"""``muster replay``: rebuild every read model from the log, or catch them up."""

from __future__ import annotations

import os
import time
from datetime import date
from typing import TYPE_CHECKING

import typer

from api.cli import context
from api.cli.context import open_ledger
from api.cli.progress import progress_bar
from api.cli.timeargs import model_day, parse_as_of

if TYPE_CHECKING:
    from ledger.application import Ledger


def _fill_status_grid(ledger: Ledger, years: int, workers: int) -> None:
    """Each agency's status on the firsts of a month of the last ``years`` years and the
    ``years`` before them (the ``years``-year chart of any day in the last ``years``), and
    on today's day in each of the last five years (the overview's default chart), as
    recorded now, filled ahead of the dashboard's charts (``replay.trend.fill_status_grid``,
    ``fill_yearly_chart``): everyone the first time, then the people written to since."""
    if years == 0:
        return
    from replay.trend import fill_status_grid, fill_yearly_chart

    for agency in ledger.list_agencies():
        with progress_bar(f"{agency.slug}: monthly chart points") as advance:
            evaluated = fill_status_grid(
                ledger, agency.slug, years, before=years, workers=workers, progress=advance
            )
        if evaluated:
            people = "1 person" if evaluated == 1 else f"{evaluated} people"
            context.console.print(
                f"{agency.slug}: {2 * years} years of monthly statuses filled for {people}"
            )
        # The overview's default chart of today: today's day in each of the last years.
        with progress_bar(f"{agency.slug}: yearly chart points") as advance:
            fill_yearly_chart(ledger, agency.slug, workers=workers, progress=advance)


def _fill_own_tracks(ledger: Ledger, day: date | None) -> None:
    """Everyone's credential and policy items judged and stored beside the tracked model
    (``replay.track_answers.fill_own_tracks``), in each agency that has either."""
    from replay.track_answers import fill_own_tracks

    for agency in ledger.list_agencies():
        judged = fill_own_tracks(ledger, agency.slug, day)
        if judged:
            people = "1 person" if judged == 1 else f"{judged} people"
            context.console.print(f"{agency.slug}: credential and policy items stored for {people}")


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
    chart_years: int = typer.Option(
        10,
        "--chart-years",
        min=0,
        max=10,
        help="Years of the dashboard's monthly charts to fill ahead (0: none): the months of "
        "the last 2N years, so that the N-year chart of any day in the last N is filled",
    ),
) -> None:
    """Rebuild the read models from an empty state (resumable, swapped in atomically)."""
    from api.logs import log as logger
    from replay.read_models import catch_up, rebuild
    from replay.read_side import open_read_store

    log = logger()
    with open_ledger() as ledger:
        day = model_day(ledger, as_of)
        store = open_read_store(ledger)
        if not incremental and not follow:
            began = time.perf_counter()
            with progress_bar("rebuilding read models (people)") as advance:
                generation = rebuild(ledger, store, day, progress=advance, workers=workers)
            context.console.print(
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
            context.console.print(
                f"caught up to position {report.position}: {report.events} events, "
                f"{report.people_updated} people updated"
            )
            _fill_own_tracks(ledger, parse_as_of(as_of))
            _fill_status_grid(ledger, chart_years, workers)
            if not follow:
                break
            time.sleep(interval)
            day = model_day(ledger, as_of)
