"""The read side of one ledger: its read store and what it knows of agencies and rules,
built once per ledger and owning every cache the answers and the read models keep."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, cast
from weakref import WeakKeyDictionary

from projections.read_store import ReadStore
from projections.read_store.schema import read_schema
from replay.knowledge import Knowledge

if TYPE_CHECKING:
    from ledger.ledger_core import LedgerCore

__all__ = ["ReadSide", "open_read_store", "read_side"]


def open_read_store(ledger: LedgerCore) -> ReadStore:
    """The read-side tables in the ledger's own database (on PostgreSQL in the schema
    beside the ledger's, ``read_schema``). Missing tables are created (on PostgreSQL by
    ``muster db init``, so an ordinary start finds them and runs no DDL), but never in
    worker processes, whose ledgers are opened with ``CREATE_TABLE=false`` (the tables
    exist, and DDL run by two at once deadlocked)."""
    create = ledger.env_overrides.get("CREATE_TABLE", "true").lower() != "false"
    return ReadStore(
        ledger.recorder.datastore,  # type: ignore[attr-defined]
        ledger.database.backend,
        read_schema(ledger.database.postgres_schema),
        create=create,
    )


class ReadSide:
    """One ledger's read store and knowledge, shared by every answer and read-model update
    in this process (a worker process has its own ledger, so its own read side)."""

    def __init__(self, ledger: LedgerCore) -> None:
        self.ledger = ledger
        self.store = open_read_store(ledger)
        self.knowledge = Knowledge(ledger)


# The one registry: a ledger's read side lives as long as the ledger does.
_READ_SIDES: WeakKeyDictionary[LedgerCore, ReadSide] = WeakKeyDictionary()


def read_side(ledger: LedgerCore) -> ReadSide:
    """The ledger's read side, built on first use. It refers to its ledger through a weak
    proxy: a value that held its own key strongly would keep every ledger (and its
    connection pool) alive for the life of the process."""
    side = _READ_SIDES.get(ledger)
    if side is None:
        side = _READ_SIDES[ledger] = ReadSide(cast("LedgerCore", weakref.proxy(ledger)))
    return side
