"""``muster rules``: the shipped rule packs, their versions, topics, requirements and sources.

``list`` and ``show`` work from the pack files alone (no database is opened; the printing is
``api.cli.rules_text``); ``update`` publishes newly shipped versions into the ledger and
says whose status they change.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from api.cli import context
from api.cli.context import open_ledger
from api.cli.errors import refuse
from api.cli.timeargs import model_day, parse_day

if TYPE_CHECKING:
    from api.rulebook import ShippedChange
    from replay.changes import StatusChange

__all__ = ["app"]

app = typer.Typer(help="Rule packs: POST requirements as versioned data.", no_args_is_help=True)

PacksDir = typer.Option(None, "--packs", help="Read packs from this folder instead.")


@app.command("list")
def list_packs(packs_dir: Path | None = PacksDir) -> None:
    """List the packs and their versions with effective dates."""
    from api.cli.rules_text import print_packs

    print_packs(packs_dir)


def _state_today(state: str) -> date:
    """Today where the state keeps its days (UTC for a state the ledger has no zone for)."""
    from ledger.time_zones import default_time_zone, zone_info

    zone = default_time_zone(f"US-{state}")
    now = datetime.now(UTC)
    return now.astimezone(zone_info(zone)).date() if zone else now.date()


@app.command("show")
def show(
    state: str = typer.Argument(..., help="Two-letter state, e.g. MN"),
    on: str | None = typer.Option(
        None, "--as-of", help="Show the versions in force on this day (default today)"
    ),
    history: bool = typer.Option(False, "--history", help="Show every version, past and future"),
    packs_dir: Path | None = PacksDir,
) -> None:
    """What a state's packs require: the versions in force today (``--history``: every
    version), with applicability, requirements, topics and sources."""
    from api.cli.rules_text import in_force, packs, show_pack

    wanted = state.strip().upper().removeprefix("US-")
    every = packs(packs_dir)
    found = [p for p in every if p.state == wanted]
    if not found:
        shipped = ", ".join(sorted({p.state for p in every}))
        refuse(f"no rule pack for state {wanted!r}: the shipped packs are for {shipped}")
    day = parse_day(on, "--as-of") if on else _state_today(wanted)
    for pack in found:
        show_pack(pack, None if history else set(in_force(pack, day)), day)


# How many people an update's report names per agency (the count is always given).
_NAMED = 25


@app.command("update")
def update(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be published."),
    as_of: str | None = typer.Option(None, "--as-of", help="Day whose statuses are compared"),
    actor: str | None = typer.Option(
        None, "--actor", help="Who is recording this (default: MUSTER_ACTOR, else the OS user)"
    ),
    packs_dir: Path | None = PacksDir,
) -> None:
    """Publish every newly shipped rule version (and revision) for every state an agency
    follows, as events; then list whose status changes on the day (default today)."""

    def say(text: str, indent: int = 0) -> None:
        # Wrapped here with a hanging indent; a long URL is left whole, never split.
        lines = textwrap.wrap(
            text,
            width=max(context.console.width, 40),
            initial_indent=" " * indent,
            subsequent_indent=" " * (indent + 2),
            break_long_words=False,
            break_on_hyphens=False,
        )
        for line in lines or [""]:
            context.console.print(line, markup=False, highlight=False, soft_wrap=True)

    from api.cli.rules_text import packs
    from api.cli.writes import actor as recording_actor
    from api.rulebook import shipped_changes, update_shipped_packs
    from replay.changes import status_changes

    who = "" if dry_run else recording_actor(actor)  # refused before anything is opened
    with open_ledger() as ledger:
        before = ledger.stable_horizon()
        packs(packs_dir)  # a broken pack file is reported before anything is published
        if dry_run:
            changes = shipped_changes(ledger, packs_dir)
        else:
            changes = update_shipped_packs(ledger, who, packs_dir)
        if not changes:
            say("rule packs are up to date: nothing to publish")
            return
        verb = "would publish" if dry_run else "published"
        say(f"{verb} {len(changes)} rule version(s):")
        for change in changes:
            _say_change(say, change)
        if dry_run:
            return
        after = ledger.stable_horizon()
        day = model_day(ledger, as_of)
        say("")
        say(f"status on {day.isoformat()}, known at {before.isoformat()} → {after.isoformat()}:")
        for agency in sorted(ledger.list_agencies(), key=lambda a: a.slug):
            if agency.jurisdiction not in {c.jurisdiction for c in changes}:
                continue
            _say_changes(say, agency.slug, status_changes(ledger, agency.slug, day, before, after))


Say = Callable[[str, int], None]


def _say_change(say: Say, change: ShippedChange) -> None:
    what = "new" if change.kind == "new" else "revised"
    say(f"{what}: {change.label}, in force from {change.effective_from}", 2)
    say(change.summary, 4)
    for source in change.sources:
        say(f"source: {source}", 4)


def _say_changes(say: Say, slug: str, changes: list[StatusChange]) -> None:
    if not changes:
        say(f"{slug}: no one's status changes", 2)
        return
    say(f"{slug}: {len(changes)} people's status changes", 2)
    for change in changes[:_NAMED]:
        say(f"{change.employee_id} {change.name}: {change.before} → {change.after}", 4)
        for requirement, was, now in change.requirements:
            what, _, start = requirement.partition(" ")
            window = f" (window from {start})" if start else ""
            say(f"{what}{window}: {was} → {now}", 6)
    if len(changes) > _NAMED:
        say(f"… and {len(changes) - _NAMED} more (muster roster --json has everyone)", 4)
