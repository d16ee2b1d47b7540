"""The library's ledger core under the ledger's own application name, without any use case:
what ``ledger.reader`` opens for whatever its light store does not read itself."""

from __future__ import annotations

from ledger.ledger_core import LedgerCore

__all__ = ["CoreReader"]


class CoreReader(LedgerCore):
    """The ledger's store and what every read needs of it; no use case."""

    name = "Ledger"  # as ``ledger.application.Ledger``: the same environment, the same store
