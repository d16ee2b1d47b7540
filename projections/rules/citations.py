"""What a requirement's result rests on: the worst confidence of its elements, the reasons
flagged by uncertain or derived ones, and the citations of their sources."""

from __future__ import annotations

from collections.abc import Iterable

from projections.rules.schema import (
    CONFIDENCE_ORDER,
    Confidence,
    EarlierWindows,
    EnforcementOverride,
    LicensePeriodCalendar,
    PoolRequirement,
    Requirement,
    RuleVersion,
    Tolling,
)
from projections.status import Citation

__all__ = ["Cited", "cite"]

Cited = tuple[Confidence, tuple[str, ...], tuple[Citation, ...]]


def _worst(confidences: Iterable[Confidence]) -> Confidence:
    return max(confidences, key=CONFIDENCE_ORDER.index, default="verified")


def cite(
    version: RuleVersion,
    requirement: Requirement,
    first_period: bool,
    first_window: bool,
    tolling: tuple[Tolling, ...],
    overrides: tuple[EnforcementOverride, ...],
    earlier: EarlierWindows | None = None,
) -> Cited:
    """The worst confidence of every element the answer rests on, the reasons flagged by
    uncertain or derived elements, and the citations of their sources."""
    spec = version.version
    # Every element the answer rests on contributes its sources and its confidence.
    cited: list[tuple[list[str], Confidence, str | None, str]] = [
        (requirement.source, requirement.confidence, requirement.note, "requirement"),
        (spec.source, spec.confidence, spec.note, f"version {spec.id}"),
    ]
    calendar_id = getattr(requirement, "window", None)
    if calendar_id:
        calendar = version.calendars[calendar_id]
        what = f"calendar {calendar_id}"
        cited.append((calendar.source, calendar.confidence, calendar.note, what))
        if first_period:
            assert isinstance(calendar, LicensePeriodCalendar)
            cited.append(
                ([], calendar.first_period_confidence, calendar.first_period_note, "first period")
            )
    if first_window:
        what = "first window"
        cited.append(([], requirement.first_window_confidence, requirement.first_window_note, what))
    if isinstance(requirement, PoolRequirement):
        for topic, minimum in sorted(requirement.per_member_min.items()):
            cited.append((minimum.source, minimum.confidence, minimum.note, f"minimum {topic}"))
        if requirement.choose:
            choice = requirement.choose
            cited.append((choice.source, choice.confidence, choice.note, "choice"))
    for rule in tolling:
        cited.append((rule.source, rule.confidence, rule.note, "tolling"))
    for override in overrides:
        cited.append((override.source, override.confidence, override.note, "enforcement"))
    if earlier is not None:
        what = f"version {spec.id} before {spec.effective_from.isoformat()}"
        cited.append((earlier.source, earlier.confidence, earlier.note, what))
    confidence = _worst(c for _, c, _, _ in cited)
    flagged = tuple(
        f"{level} ({what}): {note or 'verify against the live rule text'}"
        for _, level, note, what in cited
        if level in {"uncertain", "derived"}
    )
    source_ids = sorted({s for ids, _, _, _ in cited for s in ids})
    citations = tuple(
        Citation(s, version.sources[s].title, version.sources[s].url) for s in source_ids
    )
    return confidence, flagged, citations
