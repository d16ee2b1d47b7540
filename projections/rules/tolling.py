"""Tolling: what recorded exemptions do to a requirement's deadline, as the pack says.

With no tolling rule for an exemption's kind, the exemption changes nothing and the
reasons say so: the engine never invents relief the rules do not grant. A waiver or an
extension (their own events on the person's stream) is what the pack says a waiver or an
extension does: a tolling rule with the effect ``waive`` or ``extend_to_end``, whatever
exemption kinds it also names (IN 250 IAC 2-7-4 waivers and OH R.C. 109.803 extensions
are written as administrative exemptions in the packs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from projections.history import EXTENSION, WAIVER, PersonHistory
from projections.rules.calendars import Window
from projections.rules.schema import Tolling

__all__ = ["Tolled", "toll"]

# The tolling effect that is a waiver or an extension, by the kind the history gives them.
_RELIEF_EFFECTS = {WAIVER: "waive", EXTENSION: "extend_to_end"}


@dataclass(frozen=True)
class Tolled:
    deadline: date | None  # None: suspended by an open-ended exemption
    waived: bool
    reasons: tuple[str, ...]
    rules: tuple[Tolling, ...]


def _overlaps(starts_on: date, ends_on: date | None, window: Window) -> bool:
    return starts_on <= window.end and (ends_on is None or ends_on >= window.start)


def toll(
    rules: list[Tolling], requirement_id: str, history: PersonHistory, window: Window
) -> Tolled:
    if not history.exemptions:  # most people's windows: nothing to toll, nothing to say
        return Tolled(window.end, False, (), ())
    deadline: date | None = window.end
    waived = False
    reasons: list[str] = []
    used: list[Tolling] = []
    applicable = [r for r in rules if not r.requirements or requirement_id in r.requirements]
    for exemption in sorted(history.exemptions, key=lambda e: (e.starts_on, e.exemption_id)):
        if not _overlaps(exemption.starts_on, exemption.ends_on, window):
            continue
        until = exemption.ends_on.isoformat() if exemption.ends_on else "open"
        relief = _RELIEF_EFFECTS.get(exemption.kind)
        what = exemption.kind if relief else f"{exemption.kind} exemption"
        label = f"{what} {exemption.starts_on.isoformat()}–{until}"
        rules_for_kind = [
            r for r in applicable if exemption.kind in r.exemption_kinds or r.effect == relief
        ]
        if not rules_for_kind:
            grants = f"no {exemption.kind}" if relief else "no tolling for it"
            reasons.append(f"{label} recorded; this rule version grants {grants}")
            continue
        for rule in rules_for_kind:
            used.append(rule)
            if rule.effect == "waive":
                waived = True
                reasons.append(f"{label} waives this window")
            elif rule.effect == "extend_by_overlap" and deadline is not None:
                last = min(exemption.ends_on or window.end, window.end)
                days = (last - max(exemption.starts_on, window.start)).days + 1
                deadline += timedelta(days=days)
                reasons.append(f"{label} extends the deadline by {days} days")
            elif rule.effect == "extend_to_end" and deadline is not None:
                covers = exemption.starts_on <= deadline and (
                    exemption.ends_on is None or exemption.ends_on >= deadline
                )
                if covers:
                    deadline = exemption.ends_on
                    effect = "extends the deadline to its end" if deadline else "suspends it"
                    reasons.append(f"{label} {effect}")
    return Tolled(deadline, waived, tuple(reasons), tuple(used))
