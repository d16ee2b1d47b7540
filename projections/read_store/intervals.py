"""``rm_status_intervals``: each person's status-interval runs (``projections.intervals``)
at one stream head, written by rebuild and catch-up with the tracked model's rows.

Like a checkpoint, a person's runs are a pure function of their events up to the head,
the rules key of each run and the grid, so runs at a head other than the one asked are
simply not served; a person's runs are replaced whole."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from projections.intervals import Interval, UnitPeriod
from projections.read_store.database import Cursor, ReadDatabase

__all__ = ["PersonIntervals", "StatusIntervals"]

# (person, agency, stream head, status runs, unit periods)
PersonIntervals = tuple[UUID, UUID, int, Sequence[Interval], Sequence[UnitPeriod]]


class StatusIntervals:
    def __init__(self, db: ReadDatabase) -> None:
        self._db = db

    def replace(self, rows: Sequence[PersonIntervals], cur: Cursor) -> None:
        """Each person's runs and unit periods, replacing theirs (in ``cur``'s
        transaction)."""
        if not rows:
            return
        table, units = self._db.table("rm_status_intervals"), self._db.table("rm_unit_periods")
        ids = [(str(r[0]),) for r in rows]
        cur.executemany(f"DELETE FROM {table} WHERE person_id = %s", ids)
        cur.executemany(f"DELETE FROM {units} WHERE person_id = %s", ids)
        cur.executemany(
            f"INSERT INTO {units} (person_id, agency_id, version, seq, starts_on, unit) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (str(person), str(agency), head, seq, start.isoformat(), unit)
                for person, agency, head, _, periods in rows
                for seq, (start, unit) in enumerate(periods)
            ],
        )
        cur.executemany(
            f"INSERT INTO {table} (person_id, agency_id, version, rules_key, lo, hi, code) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (str(person), str(agency), head, key, lo.isoformat(), hi.isoformat(), code)
                for person, agency, head, runs, _ in rows
                for lo, hi, key, code in runs
            ],
        )

    def of_agency(
        self, agency_id: UUID, keys: Sequence[str], start: date, end: date
    ) -> dict[str, tuple[int, list[tuple[str, str, str, str]]]]:
        """By person id (text): the head their runs are at, and their runs under one of
        ``keys`` meeting ``start``..``end`` (ISO days: lo, hi, rules key, code)."""
        found: dict[str, tuple[int, list[tuple[str, str, str, str]]]] = {}
        if not keys:
            return found
        with self._db.reading() as cur:
            cur.execute(
                "SELECT person_id, version, lo, hi, rules_key, code FROM "
                f"{self._db.table('rm_status_intervals')} WHERE agency_id = %s "
                f"AND rules_key IN ({', '.join(['%s'] * len(keys))}) AND lo <= %s AND hi >= %s",
                (str(agency_id), *keys, end.isoformat(), start.isoformat()),
            )
            for person, version, lo, hi, key, code in cur.fetchall():
                entry = found.get(person)
                if entry is None:
                    entry = found[person] = (int(version), [])
                entry[1].append((lo, hi, key, code))
        return found

    def units_of(self, agency_id: UUID) -> dict[str, tuple[int, list[UnitPeriod]]]:
        """By person id (text): the head their unit periods are at, and the periods."""
        found: dict[str, tuple[int, list[UnitPeriod]]] = {}
        with self._db.reading() as cur:
            cur.execute(
                "SELECT person_id, version, starts_on, unit FROM "
                f"{self._db.table('rm_unit_periods')} WHERE agency_id = %s "
                "ORDER BY person_id, seq",
                (str(agency_id),),
            )
            for person, version, start, unit in cur.fetchall():
                entry = found.get(person)
                if entry is None:
                    entry = found[person] = (int(version), [])
                entry[1].append((date.fromisoformat(start), unit))
        return found

    def clear(self) -> None:
        with self._db.transaction() as cur:
            cur.execute(f"DELETE FROM {self._db.table('rm_status_intervals')}")
            cur.execute(f"DELETE FROM {self._db.table('rm_unit_periods')}")
