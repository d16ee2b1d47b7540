"""Whether the demo may write to a store: its history is back-dated (recorded at simulated
instants years ago), so it only ever writes to a store that holds nothing but itself.

Recorded time never decreases along the whole log, so back-dated history in a store that
already holds anything would either be pushed past everything recorded there or, in a
real agency's store, read as records the ledger knew years before it did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ledger.application import Ledger
from ledger.imports import simulation_completed
from replay.knowledge import decode_stored

__all__ = ["DEMO_ACTORS", "DemoRefusedError", "StoreState", "demo_store_state"]

# Who the demo records as: its rule packs, and the synthetic agency's history.
DEMO_ACTORS = frozenset({"system:demo", "system:synthetic"})

StoreState = Literal["empty", "complete", "interrupted"]


@dataclass
class DemoRefusedError(Exception):
    reason: str


def demo_store_state(ledger: Ledger, slug: str) -> StoreState:
    """``empty`` (nothing recorded), ``complete`` (this demo agency, whole) or
    ``interrupted`` (only what a demo records, without its completion marker); anything
    else raises DemoRefusedError, before anything is appended."""
    agencies = {view.slug: ledger.stream(view.id) for view in ledger.list_agencies()}
    foreign = sorted(s for s, events in agencies.items() if events[0].actor not in DEMO_ACTORS)
    if foreign:
        raise DemoRefusedError(
            f"the store holds agencies the demo did not create ({', '.join(foreign)}); "
            "the demo writes back-dated history, so it runs only on a store of its own "
            "(set MUSTER_DATABASE_URL to a new file)"
        )
    others = sorted(s for s in agencies if s != slug)
    if others:
        raise DemoRefusedError(
            f"the store holds the demo agency {others[0]!r}: one demo per store (its "
            f"history is back-dated); use --slug {others[0]} or a new store"
        )
    if slug in agencies:
        return (
            "complete"
            if simulation_completed(ledger, agencies[slug][0].originator_id)
            else ("interrupted")
        )
    if ledger.store.count_events() == 0:
        return "empty"
    # No agency, yet events: a demo publishes its rule packs first, so one interrupted
    # before it registered its agency leaves only those.
    packs = decode_stored(ledger, ledger.store.select_stream_events("rule_pack"))
    if ledger.store.count_events() == len(packs) and all(e.actor in DEMO_ACTORS for e in packs):
        return "interrupted"
    raise DemoRefusedError("the store holds records the demo did not make: use a store of its own")
