"""A ledger's read side never keeps the ledger (and its connection pool) alive."""

from __future__ import annotations

import gc
import weakref

from ledger.application import Ledger
from replay.read_side import _READ_SIDES, read_side


def test_a_closed_ledger_with_a_read_side_is_collected(database_url: str) -> None:
    """Once the last reference to a ledger goes, its read side and registry entry go too."""
    gc.collect()  # an earlier test's ledger still awaiting collection is not counted here
    before = len(_READ_SIDES)
    ledger = Ledger(database_url)
    side = read_side(ledger)
    assert len(_READ_SIDES) == before + 1
    assert read_side(ledger) is side
    gone = weakref.ref(ledger)
    ledger.close()
    del ledger, side
    gc.collect()
    assert gone() is None
    assert len(_READ_SIDES) == before
