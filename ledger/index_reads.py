"""Questions asked of the recorded-time index: stream heads and positions at an instant,
an agency's rows by recorded time, the log in order, and the stable horizon."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ledger.chain import IndexRow
from ledger.clock import Clock
from ledger.index_dialect import (
    INDEX_COLUMNS,
    BackendReads,
    keyed_pages,
    last_recorded_statement,
)

__all__ = ["BEFORE_ANY_RECORD", "IndexReads"]

BEFORE_ANY_RECORD = datetime.min.replace(tzinfo=UTC)
"""The stable horizon of a log whose first unit is being written: nothing is known yet."""


class IndexReads(BackendReads):
    """Read queries over the index."""

    def iter_index(self, batch: int = 5000) -> Iterator[IndexRow]:
        """Every index row in (stream, position) order."""
        d = self.dialect
        rows = keyed_pages(self._read, d, INDEX_COLUMNS, d.index_table, batch)
        return (d.index_row(row) for row in rows)

    def iter_log(self, batch: int = 5000) -> Iterator[IndexRow]:
        """Every index row in log (notification id) order."""
        return (self.dialect.index_row(row) for row in self.iter_log_raw(batch))

    def iter_log_raw(self, batch: int = 5000) -> Iterator[Sequence[Any]]:
        """``iter_log``'s rows as the backend gives them (``INDEX_COLUMNS``, in the
        backend's own types), for a walk that converts only the values it needs with
        ``dialect`` (an audit packet's cut walks the whole log but keeps few of them)."""
        d = self.dialect
        after = -1
        while True:
            rows = self._read(
                f"SELECT {INDEX_COLUMNS} FROM {d.index_table} WHERE notification_id > "
                f"{d.placeholder} ORDER BY notification_id LIMIT {d.placeholder}",
                (after, batch),
            )
            if not rows:
                return
            yield from rows
            after = int(rows[-1][2])

    def recorded_by_sql(self) -> str:
        d = self.dialect
        return (
            f"SELECT {INDEX_COLUMNS} FROM {d.index_table} WHERE agency_id = {d.placeholder} "
            f"AND recorded_at <= {d.placeholder} ORDER BY recorded_at, notification_id"
        )

    def recorded_by(self, agency_id: UUID, moment: datetime) -> list[IndexRow]:
        """Index rows of one agency recorded at or before ``moment`` (uses the
        (agency_id, recorded_at) index)."""
        d = self.dialect
        rows = self._read(self.recorded_by_sql(), (d.id_param(agency_id), d.time_param(moment)))
        return [d.index_row(row) for row in rows]

    def stream_positions(
        self, stream_type: str, *, recorded_by: datetime | None = None
    ) -> list[tuple[UUID, int]]:
        """(stream, position) of every event of a stream type recorded by an instant."""
        d = self.dialect
        sql = (
            f"SELECT originator_id, originator_version FROM {d.index_table} "
            f"WHERE stream_type = {d.placeholder}"
        )
        params: list[Any] = [stream_type]
        if recorded_by is not None:
            sql += f" AND recorded_at <= {d.placeholder}"
            params.append(d.time_param(recorded_by))
        rows = self._read(sql + " ORDER BY originator_id, originator_version", params)
        return [(d.to_uuid(row[0]), int(row[1])) for row in rows]

    def heads_and_positions(
        self,
        originator_ids: Sequence[UUID],
        stream_type: str,
        *,
        recorded_by: datetime | None = None,
    ) -> tuple[dict[UUID, int], list[tuple[UUID, int]]]:
        """In one round trip: ``heads_of(originator_ids)`` and ``stream_positions(stream_type)``
        at the same instant (a single answer needs its agency's and person's heads and the
        rule-pack positions; three round trips were most of a memoised answer's time)."""
        d = self.dialect
        by_time = f" AND recorded_at <= {d.placeholder}" if recorded_by is not None else ""
        moment = [d.time_param(recorded_by)] if recorded_by is not None else []
        sql = (
            f"SELECT 0, originator_id, max(originator_version) FROM {d.index_table} "
            f"WHERE originator_id IN ({d.marks(len(originator_ids)) or 'NULL'}){by_time} "
            "GROUP BY originator_id UNION ALL "
            f"SELECT 1, originator_id, originator_version FROM {d.index_table} "
            f"WHERE stream_type = {d.placeholder}{by_time}"
        )
        params = [*(d.id_param(i) for i in originator_ids), *moment, stream_type, *moment]
        heads: dict[UUID, int] = {}
        positions: list[tuple[UUID, int]] = []
        for part, originator_id, version in self._read(sql, params):
            if int(part) == 0:
                heads[d.to_uuid(originator_id)] = int(version)
            else:
                positions.append((d.to_uuid(originator_id), int(version)))
        return heads, sorted(positions)

    def stream_heads(
        self,
        stream_type: str,
        agency_id: UUID,
        *,
        recorded_by: datetime | None = None,
        originator_ids: Sequence[UUID] | None = None,
    ) -> dict[UUID, int]:
        """Each stream's last position recorded by an instant (streams of one agency)."""
        if originator_ids is None:
            return self._agency_heads(stream_type, agency_id, recorded_by)
        return self.heads_of(originator_ids, recorded_by=recorded_by)

    def heads_of(
        self,
        originator_ids: Sequence[UUID],
        *,
        recorded_by: datetime | None = None,
        up_to_notification: int | None = None,
    ) -> dict[UUID, int]:
        """Named streams' last positions recorded by an instant or up to a log position
        (a primary-key seek per stream; streams with nothing by then are left out)."""
        d = self.dialect
        sql = (
            f"SELECT originator_id, max(originator_version) FROM {d.index_table} "
            f"WHERE originator_id IN ({d.marks(len(originator_ids)) or 'NULL'})"
        )
        params: list[Any] = [d.id_param(originator_id) for originator_id in originator_ids]
        if recorded_by is not None:
            sql += f" AND recorded_at <= {d.placeholder}"
            params.append(d.time_param(recorded_by))
        if up_to_notification is not None:
            sql += f" AND notification_id <= {d.placeholder}"
            params.append(up_to_notification)
        rows = self._read(sql + " GROUP BY originator_id", params)
        return {d.to_uuid(row[0]): int(row[1]) for row in rows}

    def _agency_heads(
        self, stream_type: str, agency_id: UUID, recorded_by: datetime | None
    ) -> dict[UUID, int]:
        # The agency's streams from the stream-start index, then one backward primary-key
        # seek per stream (recorded times never go back within a stream, so the first row
        # from the end recorded by T is the head at T). Grouping all of an agency's index
        # rows instead took a second at 100k events.
        d = self.dialect
        by_time = f" AND i.recorded_at <= {d.placeholder}" if recorded_by is not None else ""
        by_time_s = by_time.replace("i.", "s.")
        sql = (
            "SELECT s.originator_id, "
            f"(SELECT i.originator_version FROM {d.index_table} i "
            f"WHERE i.originator_id = s.originator_id{by_time} "
            "ORDER BY i.originator_version DESC LIMIT 1) "
            f"FROM {d.index_table} s WHERE s.originator_version = 1 "
            f"AND s.agency_id = {d.placeholder} AND s.stream_type = {d.placeholder}{by_time_s}"
        )
        moment = [d.time_param(recorded_by)] if recorded_by is not None else []
        params = [*moment, d.id_param(agency_id), stream_type, *moment]
        return {d.to_uuid(row[0]): int(row[1]) for row in self._read(sql, params)}

    def streams(self, stream_type: str, agency_id: UUID | None = None) -> list[UUID]:
        """Streams of a type (first event's position order), optionally of one agency."""
        d = self.dialect
        sql = (
            f"SELECT originator_id FROM {d.index_table} "
            f"WHERE originator_version = 1 AND stream_type = {d.placeholder}"
        )
        params: list[Any] = [stream_type]
        if agency_id is not None:
            sql += f" AND agency_id = {d.placeholder}"
            params.append(d.id_param(agency_id))
        return [d.to_uuid(row[0]) for row in self._read(sql + " ORDER BY notification_id", params)]

    def last_recorded(self) -> datetime | None:
        """The recorded time of the last committed unit (None: nothing recorded yet)."""
        value = self._read(last_recorded_statement(self.dialect), ())[0][0]
        return None if value is None else self.dialect.to_time(value)

    def write_in_flight(self) -> bool:
        """Whether a unit holds (or waits for) the events table's write lock right now."""
        return self.horizon_facts()[0]

    def horizon_facts(self) -> tuple[bool, datetime | None]:
        """Whether a write is in flight, and then the last committed unit's recorded time
        (read after the look at the lock): one visit to the database."""
        raise NotImplementedError

    def stable_horizon(self, clock: Clock) -> datetime:
        """The latest instant whose answers can no longer change.

        While a unit is being written it is the recorded time of the last committed unit
        (``last``): the unit in flight will carry a later one (``unit_instant``). When none
        is, it is now, or ``last`` if the clock is behind the log (a unit that takes the
        lock afterwards reads the clock later, and is after ``last`` anyway); the clock
        is read before the look at the lock."""
        now = clock()
        in_flight, last = self.horizon_facts()
        if last is None:
            return BEFORE_ANY_RECORD if in_flight else now
        if in_flight:
            return min(now, last)
        return max(now, last)
