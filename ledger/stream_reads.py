"""Stored events read straight from the event table: every stream's, or named streams' cut
at their heads or at a log position, by primary key (the heads come from the index)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.index_dialect import BackendReads, keyed_pages

if TYPE_CHECKING:
    from eventsourcing.persistence import StoredEvent

__all__ = ["StreamReads"]


class StreamReads(BackendReads):
    """Reads of stored events."""

    def iter_stored(self, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every stored event in (stream, position) order."""
        from eventsourcing.persistence import StoredEvent

        d = self.dialect
        rows = keyed_pages(
            self._read, d, "originator_id, originator_version, topic, state", d.events_table, batch
        )
        return (StoredEvent(d.to_uuid(r[0]), int(r[1]), str(r[2]), bytes(r[3])) for r in rows)

    def select_streams_until(
        self, originator_ids: Sequence[UUID], up_to_notification: int
    ) -> list[StoredEvent]:
        """Stored events of the named streams recorded at or before a log position, in
        (stream, position) order: ``select_streams_up_to(heads_of(ids, up_to_notification=
        n))`` in one read of the event table (log positions follow commit order, so what
        a stream recorded by then is a prefix of it)."""
        d = self.dialect
        return self._streams(
            originator_ids,
            f" AND {d.notification_column} <= {d.placeholder}",
            [up_to_notification],
            None,
        )

    def heads_without(self, stream_type: str, agency_id: UUID, topic: str) -> dict[UUID, int]:
        """The heads of an agency's streams of a type none of whose events has ``topic``
        (e.g. the notices not yet delivered): the streams from the stream-start index, each
        kept or not by a primary-key probe of its events, so nothing else is read or
        decoded however many such streams were closed before."""
        d = self.dialect
        sql = (
            "SELECT s.originator_id, "
            f"(SELECT max(i.originator_version) FROM {d.index_table} i "
            "WHERE i.originator_id = s.originator_id) "
            f"FROM {d.index_table} s WHERE s.originator_version = 1 "
            f"AND s.agency_id = {d.placeholder} AND s.stream_type = {d.placeholder} "
            f"AND NOT EXISTS (SELECT 1 FROM {d.events_table} e "
            f"WHERE e.originator_id = s.originator_id AND e.topic = {d.placeholder})"
        )
        rows = self._read(sql, (d.id_param(agency_id), stream_type, topic))
        return {d.to_uuid(row[0]): int(row[1]) for row in rows}

    def select_streams_up_to(self, heads: Mapping[UUID, int]) -> list[StoredEvent]:
        """Stored events of the named streams, each up to its given position, in (stream,
        position) order. Read from the event table by key alone: joining the index for the
        cut-off cost more than reading the events (the positions come from ``heads_of``
        or ``stream_heads``, which consult the index)."""
        return self._streams(list(heads), "", [], heads)

    # ``heads``: each stream's last position to keep (None: every position the query gives).
    def _streams(
        self,
        originator_ids: Sequence[UUID],
        condition: str,
        params: list[Any],
        heads: Mapping[UUID, int] | None,
    ) -> list[StoredEvent]:
        if not originator_ids:
            return []
        from eventsourcing.persistence import StoredEvent  # a read that decodes imports it

        d = self.dialect
        ids = sorted(originator_ids)
        rows = self._read(
            "SELECT originator_id, originator_version, topic, state "
            f"FROM {d.events_table} WHERE originator_id IN ({d.marks(len(ids))}){condition} "
            "ORDER BY originator_id, originator_version",
            [*(d.id_param(originator_id) for originator_id in ids), *params],
        )
        out: list[StoredEvent] = []
        raw_id: Any = None
        stream = UUID(int=0)
        limit = 0
        for row_id, version, topic, state in rows:
            if row_id != raw_id:  # rows come stream by stream: one id conversion each
                raw_id, stream = row_id, d.to_uuid(row_id)
                limit = heads[stream] if heads is not None else _EVERY_POSITION
            if version <= limit:
                out.append(StoredEvent(stream, int(version), str(topic), bytes(state)))
        return out

    def select_stream_rows(
        self,
        stream_type: str,
        *,
        agency_id: UUID | None = None,
        originator_ids: Sequence[UUID] | None = None,
        recorded_by: datetime | None = None,
        up_to_notification: int | None = None,
        without_topics: Sequence[str] = (),
    ) -> list[tuple[UUID, int, str, bytes]]:
        """Stored events of one stream type as (stream, position, topic, state), in (stream,
        position) order, filtered by agency or named streams (which must be of that type)
        and by recorded time / log position through the index; events of
        ``without_topics`` are left out (their state is not read: a reader that folds no
        training records need not fetch them)."""
        d = self.dialect
        sql = (
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            f"FROM {d.index_table} i JOIN {d.events_table} e "
            "ON e.originator_id = i.originator_id AND e.originator_version = i.originator_version "
        )
        params: list[Any]
        if originator_ids is not None:
            # Named streams: seek by primary key. Adding the type or agency condition here
            # made SQLite scan the whole stream-type index once per chunk of streams.
            sql += f"WHERE i.originator_id IN ({d.marks(len(originator_ids)) or 'NULL'})"
            params = [d.id_param(originator_id) for originator_id in originator_ids]
        else:
            sql += f"WHERE i.stream_type = {d.placeholder}"
            params = [stream_type]
            if agency_id is not None:
                sql += f" AND i.agency_id = {d.placeholder}"
                params.append(d.id_param(agency_id))
        if recorded_by is not None:
            sql += f" AND i.recorded_at <= {d.placeholder}"
            params.append(d.time_param(recorded_by))
        if up_to_notification is not None:
            sql += f" AND i.notification_id <= {d.placeholder}"
            params.append(up_to_notification)
        if without_topics:
            sql += f" AND e.topic NOT IN ({d.marks(len(without_topics))})"
            params.extend(without_topics)
        rows = self._read(sql + " ORDER BY i.originator_id, i.originator_version", params)
        return [(d.to_uuid(r[0]), int(r[1]), str(r[2]), bytes(r[3])) for r in rows]

    def select_stream_events(
        self,
        stream_type: str,
        *,
        agency_id: UUID | None = None,
        originator_ids: Sequence[UUID] | None = None,
        recorded_by: datetime | None = None,
        up_to_notification: int | None = None,
        without_topics: Sequence[str] = (),
    ) -> list[StoredEvent]:
        """``select_stream_rows`` as the library's stored events."""
        from eventsourcing.persistence import StoredEvent

        rows = self.select_stream_rows(
            stream_type,
            agency_id=agency_id,
            originator_ids=originator_ids,
            recorded_by=recorded_by,
            up_to_notification=up_to_notification,
            without_topics=without_topics,
        )
        return [StoredEvent(*row) for row in rows]

    def stream_rows(self, originator_id: UUID, head: int | None) -> list[tuple[str, bytes]]:
        """(topic, state) of one stream's events up to ``head`` (None: all), in stream
        order: for a reader that decodes the state itself (``ledger.agency_facts``)."""
        d = self.dialect
        sql = f"SELECT topic, state FROM {d.events_table} WHERE originator_id = {d.placeholder}"
        params: list[Any] = [d.id_param(originator_id)]
        if head is not None:
            sql += f" AND originator_version <= {d.placeholder}"
            params.append(head)
        rows = self._read(sql + " ORDER BY originator_version", params)
        return [(str(topic), bytes(state)) for topic, state in rows]

    def count_events(self) -> int:
        return int(self._read(f"SELECT count(*) FROM {self.dialect.events_table}", ())[0][0])


_EVERY_POSITION = 2**63
