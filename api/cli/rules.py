"""``muster rules``: the shipped rule packs, their versions, topics, requirements and sources.

``list`` and ``show`` work from the pack files alone (no database is opened); ``update``
publishes newly shipped versions into the ledger and says whose status they change.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.cli.context import open_ledger
from api.cli.timeargs import model_day
from api.rulebook import ShippedChange, shipped_changes, update_shipped_packs
from ledger.rule_pack import content_hash
from projections.rules import PackFile, RulePackError, resolve_versions, shipped_packs
from projections.rules.loader import version_content
from projections.rules.schema import (
    CompleteOnceRequirement,
    CoursesRequirement,
    HoursRequirement,
    PoolRequirement,
    Requirement,
    ValidAtAllTimesRequirement,
)
from replay.changes import StatusChange, status_changes

__all__ = ["app"]

app = typer.Typer(help="Rule packs: POST requirements as versioned data.", no_args_is_help=True)

PacksDir = typer.Option(None, "--packs", help="Read packs from this folder instead.")


def _row(table: Table, *cells: str) -> None:
    # Pack text is data, not rich markup: "[...]" in a note must print as written.
    table.add_row(*(escape(cell) for cell in cells))


def _packs(directory: Path | None) -> list[PackFile]:
    try:
        return shipped_packs(directory)
    except RulePackError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _rule(requirement: Requirement) -> str:
    if isinstance(requirement, HoursRequirement):
        scope = f" in {', '.join(requirement.topics)}" if requirement.topics else ""
        if requirement.courses:
            scope += f" (courses {', '.join(requirement.courses)})"
        return f"≥ {requirement.min_hours} h{scope} per {requirement.window}"
    if isinstance(requirement, PoolRequirement):
        mins = ", ".join(f"{t} {m.hours}" for t, m in requirement.per_member_min.items())
        text = f"≥ {requirement.min_total} h per {requirement.window} from {requirement.total_from}"
        if mins:
            text += f"; minimums: {mins}"
        if requirement.choose:
            c = requirement.choose
            text += f"; {c.k} of {', '.join(c.of)} at ≥ {c.each_min} h"
        return text
    if isinstance(requirement, CoursesRequirement):
        items = "; ".join(
            i.label or "/".join(i.courses + i.topics) for i in requirement.complete_each
        )
        return f"each per {requirement.window}: {items}"
    if isinstance(requirement, CompleteOnceRequirement):
        items = "; ".join(
            i.label or "/".join(i.courses + i.topics) for i in requirement.complete_each
        )
        return f"once by {requirement.due}: {items}"
    if isinstance(requirement, ValidAtAllTimesRequirement):
        return (
            f"valid at all times: {requirement.credential.label or requirement.credential.topics}"
        )
    return requirement.kind


@app.command("list")
def list_packs(packs_dir: Path | None = PacksDir) -> None:
    """List the packs and their versions with effective dates."""
    table = Table(title="Rule packs")
    for column in ("state", "pack", "credential", "versions (effective from → to)"):
        table.add_column(column, overflow="fold")
    for pack in _packs(packs_dir):
        versions = "\n".join(
            f"{v.id}: {v.effective_from} → {v.effective_to or 'open'} ({v.applicability.mode})"
            for v in sorted(pack.versions, key=lambda v: v.effective_from)
        )
        _row(table, pack.state, pack.pack, pack.credential, versions)
    Console().print(table)


@app.command("show")
def show(state: str, packs_dir: Path | None = PacksDir) -> None:
    """Show a state's packs: versions, applicability, requirements, topics and sources."""
    wanted = state.strip().upper().removeprefix("US-")
    packs = [p for p in _packs(packs_dir) if p.state == wanted]
    if not packs:
        typer.echo(f"no rule pack for state {wanted!r}", err=True)
        raise typer.Exit(1)
    console = Console()

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    for pack in packs:
        console.rule(f"[bold]{escape(pack.title)}[/] ({escape(pack.pack)})")
        if pack.consequence:
            say(f"Consequence: {pack.consequence}")
        for note in pack.notes:
            say(f"open question: {note}")
        for resolved in resolve_versions(pack):
            spec = resolved.version
            digest = content_hash(version_content(resolved))[:16]
            first_due = spec.applicability.first_due
            mode = spec.applicability.mode + (f" (first due {first_due})" if first_due else "")
            say(
                f"\n{spec.id}: effective {spec.effective_from} → "
                f"{spec.effective_to or 'open'}; applicability: {mode}; "
                f"confidence: {spec.confidence}; sha256 {digest}…"
            )
            say(f"  {spec.summary}")
            if spec.note:
                say(f"  note: {spec.note}")
            say(f"  version sources: {', '.join(spec.source)}")
            table = Table(show_lines=True)
            for column in ("requirement", "who", "rule", "confidence", "sources"):
                table.add_column(column, overflow="fold")
            for r in spec.requirements:
                _row(
                    table,
                    f"{r.id}\n{r.title}",
                    ", ".join(r.population),
                    _rule(r),
                    r.confidence + (f"\n{r.note}" if r.note else ""),
                    ", ".join(r.source),
                )
            console.print(table)
            for x in spec.credit_exclusions:
                what = ", ".join([*x.tags, *x.topics, *x.courses])
                say(f"  not credited: {x.id} ({what}) — sources: {', '.join(x.source)}")
            for t in spec.tolling:
                kinds = ", ".join(t.exemption_kinds)
                say(f"  tolling: {kinds} → {t.effect} — sources: {', '.join(t.source)}")
            for o in spec.enforcement_overrides:
                cited = ", ".join(o.source)
                say(f"  enforcement {o.starts_on}–{o.ends_on}: {o.action} — sources: {cited}")
            say("  sources:")
            for source_id, source in resolved.sources.items():
                say(f"    {source_id}: {source.title}" + (f" <{source.url}>" if source.url else ""))
        topics = Table(title="Topics (canonical id → state category)")
        for column in ("topic id", "title", "state code", "state category"):
            topics.add_column(column, overflow="fold")
        for topic_id, topic in sorted(pack.topics.items()):
            _row(topics, topic_id, topic.title, topic.state_code or "", topic.state_category or "")
        console.print(topics)


# How many people an update's report names per agency (the count is always given).
_NAMED = 25


@app.command("update")
def update(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be published."),
    as_of: str | None = typer.Option(None, "--as-of", help="Day whose statuses are compared"),
    actor: str = typer.Option("cli", "--actor", help="Who is recording this"),
    packs_dir: Path | None = PacksDir,
) -> None:
    """Publish every newly shipped rule version (and revision) for every state an agency
    follows, as events; then list whose status changes on the day (default today)."""
    console = Console()

    def say(text: str, indent: int = 0) -> None:
        # Wrapped here with a hanging indent; a long URL is left whole, never split.
        lines = textwrap.wrap(
            text,
            width=max(console.width, 40),
            initial_indent=" " * indent,
            subsequent_indent=" " * (indent + 2),
            break_long_words=False,
            break_on_hyphens=False,
        )
        for line in lines or [""]:
            console.print(line, markup=False, highlight=False, soft_wrap=True)

    with open_ledger() as ledger:
        before = ledger.stable_horizon()
        _packs(packs_dir)  # a broken pack file is reported before anything is published
        if dry_run:
            changes = shipped_changes(ledger, packs_dir)
        else:
            changes = update_shipped_packs(ledger, f"user:{actor}", packs_dir)
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
