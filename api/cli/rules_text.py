"""How ``muster rules list`` and ``muster rules show`` print the shipped packs: the versions
in force on a day (or every version), their requirements, sources and topics, wrapped at the
terminal's width and printed as written (pack text is data, never markup)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.table import Table

from api.cli.context import console
from api.cli.errors import refuse
from api.cli.output import paragraph, styled
from ledger.rule_pack import content_hash
from projections.rules import PackFile, RulePackError, resolve_versions, shipped_packs
from projections.rules.loader import version_content
from projections.rules.schema import (
    CompleteOnceRequirement,
    CoursesRequirement,
    HoursRequirement,
    PoolRequirement,
    Requirement,
    RuleVersion,
    ValidAtAllTimesRequirement,
)

__all__ = ["in_force", "packs", "print_packs", "show_pack"]


def _row(table: Table, *cells: str) -> None:
    # Pack text is data, printed as written through the plain console (no markup).
    table.add_row(*cells)


def packs(directory: Path | None) -> list[PackFile]:
    try:
        return shipped_packs(directory)
    except RulePackError as error:
        refuse(str(error))


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


def in_force(pack: PackFile, day: date) -> list[str]:
    """The ids of the pack's versions in force on ``day`` (effective from it, to it or open)."""
    return [
        v.id
        for v in pack.versions
        if v.effective_from <= day and (v.effective_to is None or day <= v.effective_to)
    ]


def _say(text: str, indent: int = 0) -> None:
    console.print(paragraph(text, indent))


def show_pack(pack: PackFile, shown: set[str] | None, day: date) -> None:
    """One pack: the versions in ``shown`` (None: every version), then its topics."""
    console.print(paragraph(styled((pack.title, "bold"), f" ({pack.pack})")))
    console.rule()
    if pack.consequence:
        _say(f"Consequence: {pack.consequence}")
    for note in pack.notes:
        _say(f"open question: {note}")
    resolved_versions = resolve_versions(pack)
    if shown is not None:
        others = [r.version for r in resolved_versions if r.version.id not in shown]
        console.print()
        _say(f"in force on {day.isoformat()}: {', '.join(sorted(shown)) or 'no version'}")
        if others:
            listed = ", ".join(
                f"{v.id} ({v.effective_from} → {v.effective_to or 'open'})" for v in others
            )
            _say(f"other versions: {listed}; --history shows every version")
    for resolved in resolved_versions:
        if shown is None or resolved.version.id in shown:
            _show_version(resolved)
    console.print()
    _say("topics (canonical id: title; the state's code and category):")
    for topic_id, topic in sorted(pack.topics.items()):
        state = "; ".join(x for x in (topic.state_code, topic.state_category) if x)
        line = styled((topic_id, "bold"), f": {topic.title}" + (f"; {state}" if state else ""))
        console.print(paragraph(line, 2, bullet="-"))


def _show_version(resolved: RuleVersion) -> None:
    spec = resolved.version
    digest = content_hash(version_content(resolved))[:16]
    first_due = spec.applicability.first_due
    mode = spec.applicability.mode + (f" (first due {first_due})" if first_due else "")
    console.print()
    _say(
        f"{spec.id}: effective {spec.effective_from} → "
        f"{spec.effective_to or 'open'}; applicability: {mode}; "
        f"confidence: {spec.confidence}; sha256 {digest} (first 16 hex digits)"
    )
    _say(spec.summary, 2)
    if spec.note:
        _say(f"note: {spec.note}", 2)
    _say(f"version sources: {', '.join(spec.source)}", 2)
    for r in spec.requirements:
        console.print()
        console.print(paragraph(styled((r.title, "bold"), f" ({r.id})"), 2))
        _say(f"who: {', '.join(r.population)}", 4)
        _say(f"rule: {_rule(r)}", 4)
        _say(f"confidence: {r.confidence}" + (f"; {r.note}" if r.note else ""), 4)
        _say(f"sources: {', '.join(r.source)}", 4)
    if spec.credit_exclusions or spec.tolling or spec.enforcement_overrides:
        console.print()
    for x in spec.credit_exclusions:
        what = ", ".join([*x.tags, *x.topics, *x.courses])
        _say(f"not credited: {x.id} ({what}) — sources: {', '.join(x.source)}", 2)
    for t in spec.tolling:
        kinds = ", ".join(t.exemption_kinds)
        _say(f"tolling: {kinds} → {t.effect} — sources: {', '.join(t.source)}", 2)
    for o in spec.enforcement_overrides:
        cited = ", ".join(o.source)
        _say(f"enforcement {o.starts_on}–{o.ends_on}: {o.action} — sources: {cited}", 2)
    console.print()
    _say("sources:", 2)
    for source_id, source in resolved.sources.items():
        _say(f"{source_id}: {source.title}" + (f" <{source.url}>" if source.url else ""), 4)


def print_packs(directory: Path | None) -> None:
    """Every pack with its versions and their effective dates."""
    table = Table(title="Rule packs")
    for column in ("state", "pack", "credential", "versions (effective from → to)"):
        table.add_column(column, overflow="fold")
    for pack in packs(directory):
        versions = "\n".join(
            f"{v.id}: {v.effective_from} → {v.effective_to or 'open'} ({v.applicability.mode})"
            for v in sorted(pack.versions, key=lambda v: v.effective_from)
        )
        _row(table, pack.state, pack.pack, pack.credential, versions)
    console.print(table)
