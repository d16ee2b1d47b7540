"""``rm_unit_periods``: each person's units by the day each assignment starts, at one stream
head, filled lazily by the unit and command views (``replay.units``), never by a rebuild
or a catch-up. Like a checkpoint, a row is a pure function of the events up to its head,
so a row at another head is never served; rows at other heads stay for questions at an
earlier ``known_at``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import orjson

from projections.read_store.database import ReadDatabase, prune_older_heads
from projections.read_store.rows import by_text

__all__ = ["UnitPeriod", "UnitPeriods"]

# (first day, unit), in the order ``PersonHistory.assignment_on`` reads them
UnitPeriod = tuple[date, str]


class UnitPeriods:
    def __init__(self, db: ReadDatabase) -> None:
        self._db = db

    def get(self, agency_id: UUID, heads: dict[UUID, int]) -> dict[UUID, list[UnitPeriod]]:
        wanted = by_text(heads)
        found: dict[UUID, list[UnitPeriod]] = {}
        with self._db.reading() as cur:
            cur.execute(
                f"SELECT person_id, version, periods FROM {self._db.table('rm_unit_periods')} "
                "WHERE agency_id = %s",
                (str(agency_id),),
            )
            for person_id, version, periods in cur.fetchall():
                person, head = wanted.get(person_id, (None, None))
                if person is not None and head == version:
                    found[person] = [
                        (date.fromisoformat(start), unit) for start, unit in orjson.loads(periods)
                    ]
        return found

    def put(self, agency_id: UUID, rows: Sequence[tuple[UUID, int, list[UnitPeriod]]]) -> None:
        """Store rows; skipped while an event write holds SQLite's lock (recomputable)."""
        if not rows:
            return
        with self._db.transaction_unless_busy() as cur:
            if cur is None:
                return
            cur.executemany(
                f"INSERT INTO {self._db.table('rm_unit_periods')} VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (person_id, version) DO NOTHING",
                [
                    (
                        str(agency_id),
                        str(person),
                        head,
                        orjson.dumps(
                            [(start.isoformat(), unit) for start, unit in periods]
                        ).decode(),
                    )
                    for person, head, periods in rows
                ],
            )
            # As the status grid's rows: the person's row before this one stays, no older.
            prune_older_heads(
                cur,
                self._db.table("rm_unit_periods"),
                "person_id = %s",
                [((str(person),), head) for person, head, _ in rows],
            )
