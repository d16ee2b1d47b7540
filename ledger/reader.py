"""The store opened for reading: ``LedgerCore`` (store, mapper, stable horizon, the
agencies) without any family of write use cases (``ledger.*_cases``).

The read commands of the CLI (``muster agency list``, ``status``, ``roster``, ``trend``)
open this instead of ``Ledger``: they import neither the use cases nor what only the use
cases need (the unit of work, the Person aggregate and its event classes are imported when
an event of theirs is first decoded), so a read starts in less time (issue 14 §6,
``benchmarks/cli_startup_bench.py``). It opens the same store as ``Ledger`` does, by the
same name: every eventsourcing setting named after the application is the ledger's."""

from __future__ import annotations

from ledger.ledger_core import LedgerCore

__all__ = ["LedgerReader"]


class LedgerReader(LedgerCore):
    """The ledger's store and what every read needs of it; no use case."""

    name = "Ledger"  # as ``ledger.application.Ledger``: the same environment, the same store
