"""Which rule version governs a requirement's window for one person, and the
earlier-window reading a result rests on when the version's legal start is unknown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from projections.engine.context import Context
from projections.rules.calendars import Window
from projections.rules.prepared import prepare
from projections.rules.schema import (
    Calendar,
    CompleteOnceRequirement,
    EarlierWindows,
    Requirement,
    RollingCalendar,
    RuleVersion,
    ValidAtAllTimesRequirement,
)
from projections.rules.selection import claims

__all__ = [
    "Candidates",
    "Governed",
    "definition_in",
    "earlier_reading",
    "govern",
    "requirement_window",
]

# The governing version, its definition of the requirement (None: it does not define it,
# so the requirement is not in force for that window) and the window under its calendar.
Governed = tuple[RuleVersion, Requirement | None, Window]


def definition_in(version: RuleVersion, requirement_id: str) -> Requirement | None:
    return prepare(version).requirements.get(requirement_id)


@dataclass(frozen=True)
class Candidates:
    """The versions of one pack that may govern a requirement's windows, in the order
    ``govern`` tries them, found once per requirement and evaluation: those in effect on
    the day asked, newest first, with their definitions (None: not defined there); then
    those defining it whose legal start is unknown (``earlier_windows``), oldest first.
    Each with the calendar its windows are found in (None: a kind without windows, or not
    defined); ``defining``: every version that defines it, newest first."""

    in_effect: tuple[tuple[RuleVersion, Requirement | None, Calendar | None], ...]
    unknown_start: tuple[tuple[RuleVersion, Requirement, Calendar | None], ...]
    defining: tuple[tuple[RuleVersion, Requirement], ...]

    @classmethod
    def of(cls, versions: Sequence[RuleVersion], requirement_id: str, as_of: date) -> Candidates:
        """``versions``: the pack's versions, newest first."""
        found = [(v, definition_in(v, requirement_id)) for v in versions]
        defined = [(v, d, _windowed(v, d)) for v, d in found]
        return cls(
            tuple(entry for entry in defined if entry[0].version.effective_from <= as_of),
            tuple(
                (v, d, c)
                for v, d, c in reversed(defined)
                if d is not None and v.version.earlier_windows
            ),
            tuple((v, d) for v, d in found if d is not None),
        )


def _windowed(version: RuleVersion, requirement: Requirement | None) -> Calendar | None:
    """The calendar ``requirement_window`` finds the requirement's windows in, if any."""
    if requirement is None or isinstance(
        requirement, CompleteOnceRequirement | ValidAtAllTimesRequirement
    ):
        return None
    calendar = version.calendars[requirement.window]
    return None if isinstance(calendar, RollingCalendar) else calendar


def requirement_window(
    version: RuleVersion, requirement: Requirement, ctx: Context, day: date
) -> Window | None:
    """The requirement's window containing ``day`` (a stand-in window for kinds that have
    none, used only to choose the governing version)."""
    if isinstance(requirement, CompleteOnceRequirement):
        start = requirement.counts_from or version.version.effective_from
        return Window(min(start, requirement.due), requirement.due)
    if isinstance(requirement, ValidAtAllTimesRequirement):
        return Window(day, day)
    calendar = version.calendars[requirement.window]
    if isinstance(calendar, RollingCalendar):
        return Window(day, day)
    return ctx.window(calendar, day)


def govern(
    candidates: Candidates, requirement_id: str, probe: Window, ctx: Context, day: date
) -> Governed | None:
    """Newest first: the first version in effect on the day asked that claims the
    requirement's window (versions after it are there only for the windows before them);
    when none does, the oldest version whose unknown legal start covers earlier windows
    (``earlier_windows``), so such a window is judged and flagged, not left unbound."""
    for version, defined, calendar in candidates.in_effect:
        if defined is None:
            window: Window | None = probe
        elif calendar is not None:
            window = ctx.window(calendar, day)
        else:
            window = requirement_window(version, defined, ctx, day)
        if window is not None and claims(version, window):
            return version, defined, window
    for version, defined, calendar in candidates.unknown_start:
        if calendar is not None:
            window = ctx.window(calendar, day)
        else:
            window = requirement_window(version, defined, ctx, day)
        if window is not None and earlier_reading(version, requirement_id, window, ctx) is not None:
            return version, defined, window
    return None


def earlier_reading(
    version: RuleVersion, requirement_id: str, window: Window, ctx: Context
) -> EarlierWindows | None:
    """The earlier-window reading a result under ``version`` rests on: the window is not
    one the version claims, or the day asked is before the version's known start."""
    spec = version.version
    if not spec.earlier_windows:
        return None
    if claims(version, window) and ctx.as_of >= spec.effective_from:
        return None
    start = min(window.start, ctx.as_of)
    return spec.earlier_cover(requirement_id, start, window.end)
