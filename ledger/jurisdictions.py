"""Which jurisdiction an agency followed on a day, over plain values (the registered one
and the adoptions): the Agency aggregate's reading, shared with the readers that keep only
those values (``replay.knowledge``, ``ledger.agency_facts``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

__all__ = ["jurisdiction_on", "jurisdiction_spans"]


def jurisdiction_on(registered: str, adopted: Sequence[tuple[date, str]], day: date) -> str:
    """``Agency.jurisdiction_on`` over plain values, for readers that keep only those."""
    in_effect = [(on, n) for n, (on, _) in enumerate(adopted) if on <= day]
    if not in_effect:
        return registered
    return adopted[max(in_effect)[1]][1]


def jurisdiction_spans(
    registered: str, adopted: Sequence[tuple[date, str]]
) -> dict[str, tuple[tuple[date | None, date | None], ...]]:
    """The days the agency followed each jurisdiction, as ``jurisdiction_on`` reads them:
    for each, its spans (from, inclusive, None before any adoption; to, exclusive, None
    while it still follows it), oldest first."""
    timeline: list[tuple[date | None, str]] = [(None, registered)]
    for on in sorted({on for on, _ in adopted}):
        followed = jurisdiction_on(registered, adopted, on)
        if followed != timeline[-1][1]:
            timeline.append((on, followed))
    spans: dict[str, list[tuple[date | None, date | None]]] = {}
    for n, (start, followed) in enumerate(timeline):
        end = timeline[n + 1][0] if n + 1 < len(timeline) else None
        spans.setdefault(followed, []).append((start, end))
    return {name: tuple(found) for name, found in spans.items()}
