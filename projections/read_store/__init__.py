"""The read side's tables beside the event log, on SQLite or PostgreSQL: the tracked model
of the present (with its history checkpoints) and the memo of other answers."""

from __future__ import annotations

from typing import Any

from projections.read_store.checkpoints import Checkpoints
from projections.read_store.database import ReadDatabase
from projections.read_store.grid import StatusGrid
from projections.read_store.memo import MEMO_BYTES, AnswerMemo
from projections.read_store.queries import TrackedQueries
from projections.read_store.rows import AnswerRow, PersonRow, RequirementRow, Tracking
from projections.read_store.schema import create_tables
from projections.read_store.tracked import TrackedModel
from projections.read_store.unit_periods import UnitPeriods

__all__ = [
    "MEMO_BYTES",
    "AnswerRow",
    "PersonRow",
    "ReadStore",
    "RequirementRow",
    "Tracking",
]


class ReadStore:
    """The read-side tables in the ledger's own database (and schema), by job: ``tracked``
    (the model's generations and their writes), ``queries`` (reads of the live one),
    ``checkpoints``, ``memo``, ``grid`` (status codes on firsts of a month, for
    trends) and ``units`` (unit periods, for the unit views), both filled lazily."""

    def __init__(
        self,
        datastore: Any,
        backend: str,
        schema: str = "public",
        *,
        create: bool = True,
        memo_bytes: int = MEMO_BYTES,
    ) -> None:
        """``create=False``: the tables exist (worker processes never run the DDL).
        ``memo_bytes``: how much an agency's memoised answers may take at most."""
        self.db = ReadDatabase(datastore, backend, schema)
        if create:
            create_tables(self.db)
        self.checkpoints = Checkpoints(self.db)
        self.tracked = TrackedModel(self.db, self.checkpoints)
        self.queries = TrackedQueries(self.db, self.tracked)
        self.memo = AnswerMemo(self.db, self.checkpoints, memo_bytes)
        self.grid = StatusGrid(self.db, self.checkpoints)
        self.units = UnitPeriods(self.db)
