"""Which rule version governs a requirement's window, by the version's applicability mode.

- ``cycle_start_on_or_after`` (MN "next full three-year licensing cycle") and
  ``window_start_on_or_after``: windows starting in [effective_from, effective_to];
- ``calendar_year``: windows starting in a calendar year from effective_from's year to
  effective_to's year (a rule published in March binds that whole training year);
- ``renewal_on_or_after`` (MN crimes motivated by bias, 2024 renewals): windows ending on
  or after ``first_due`` (default effective_from) and, if set, by effective_to — including
  windows already under way.

Among the versions that claim a window, the one with the latest ``effective_from`` wins;
a version whose ``effective_from`` is after ``as_of`` is never considered. A window that no
version claims is judged by the oldest version whose legal start is unknown
(``VersionSpec.earlier_windows``), flagged (``projections.evaluate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from projections.rules.calendars import Window
from projections.rules.schema import RuleVersion

__all__ = ["claims", "governing_version"]


def claims(version: RuleVersion, window: Window) -> bool:
    spec = version.version
    mode = spec.applicability.mode
    if mode == "renewal_on_or_after":
        first_due = spec.applicability.first_due or spec.effective_from
        return window.end >= first_due and (
            spec.effective_to is None or window.end <= spec.effective_to
        )
    if mode == "calendar_year":
        last = spec.effective_to.year if spec.effective_to else None
        return window.start.year >= spec.effective_from.year and (
            last is None or window.start.year <= last
        )
    return window.start >= spec.effective_from and (
        spec.effective_to is None or window.start <= spec.effective_to
    )


def governing_version(
    versions: Sequence[RuleVersion], window: Window, as_of: date
) -> RuleVersion | None:
    """The newest version in effect on ``as_of`` that claims ``window``."""
    candidates = [v for v in versions if v.version.effective_from <= as_of and claims(v, window)]
    return max(candidates, key=lambda v: v.version.effective_from, default=None)
