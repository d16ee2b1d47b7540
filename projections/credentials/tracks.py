"""One status per person across the three tracks: the state rule track (``evaluate``), the
agency's credentials and its policy acknowledgements. Pure: the items are judged already.

Each item carries its track, so an answer can be filtered to one track, and the overall
status is the most severe item's (``STATUS_SEVERITY``), with one reason per item at that
severity. A person who is not active (not hired, on leave... as the state track says) is
``inactive`` whatever the tracks hold, as the state track already is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from projections.person_history import AssignmentPeriod, PersonHistory
from projections.status import STATUS_SEVERITY, StatusCode

__all__ = ["TRACKS", "Track", "TrackItem", "combine", "in_audience"]

Track = Literal["state", "credential", "policy"]
TRACKS: tuple[Track, ...] = ("state", "credential", "policy")


@dataclass(frozen=True)
class TrackItem:
    """One thing a person must hold or have done: a state requirement's overall answer, a
    credential (per weapon for a per-weapon type), or a policy's current version."""

    track: Track
    item_id: str
    title: str
    status: StatusCode
    until: date | None  # a credential's last valid day, a policy's acknowledgement deadline
    version: str  # the type version or policy version judging it
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "reasons": list(self.reasons),
            "status": self.status,
            "title": self.title,
            "track": self.track,
            "until": self.until.isoformat() if self.until else None,
            "version": self.version,
        }


def in_audience(
    selectors: Sequence[str], history: PersonHistory, employee_id: str, day: date
) -> bool:
    """Whether any selector (``ledger.program_events``) matches the person on ``day``."""
    post: AssignmentPeriod | None = history.assignment_on(day)
    for selector in selectors:
        if selector == "everyone":
            return True
        kind, _, value = selector.partition(":")
        if kind == "kind" and value == history.kind:
            return True
        if kind == "person" and value.casefold() == employee_id.casefold():
            return True
        if post is None:
            continue
        if (kind == "rank" and value == post.rank) or (kind == "unit" and value == post.unit):
            return True
        if kind == "assignment" and value in post.assignments:
            return True
    return False


def combine(
    items: Iterable[TrackItem], *, inactive_reason: str | None, tracks: Sequence[Track] = TRACKS
) -> dict[str, Any]:
    """The overall answer over the items of ``tracks``: status, reasons and the items."""
    kept = sorted((i for i in items if i.track in tracks), key=lambda i: (i.track, i.item_id))
    by_track = {
        track: _worst([i for i in kept if i.track == track]) for track in TRACKS if track in tracks
    }
    if inactive_reason is not None:
        overall: StatusCode = "inactive"
        reasons = [inactive_reason]
    else:
        overall = _worst(kept)
        reasons = [
            f"{i.track} {i.item_id}: {i.reasons[0] if i.reasons else i.status}"
            for i in kept
            if i.status == overall and overall not in {"compliant", "not_applicable"}
        ]
    return {
        "items": [i.to_dict() for i in kept],
        "reasons": reasons,
        "status": overall,
        "tracks": dict(by_track),
        "tracks_shown": [t for t in TRACKS if t in tracks],
    }


def _worst(items: Sequence[TrackItem]) -> StatusCode:
    applicable = [i.status for i in items if i.status not in {"not_applicable", "inactive"}]
    if not applicable:
        return "not_applicable"
    return min(applicable, key=STATUS_SEVERITY.index)
