"""How the recorded-time index is spelled on one backend (placeholders, table names, how
ids, instants and dates travel) and the statements written once for both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from ledger.chain import EventMeta, IndexRow

__all__ = [
    "INDEX_COLUMNS",
    "BackendReads",
    "Dialect",
    "Read",
    "WriteCursor",
    "copy_index_statement",
    "insert_index_statement",
    "keyed_pages",
    "last_recorded_statement",
]

INDEX_COLUMNS = (
    "originator_id, originator_version, notification_id, agency_id, stream_type, recorded_at, "
    "effective_on, link"
)


@dataclass(frozen=True)
class Dialect:
    placeholder: str
    index_table: str
    events_table: str
    id_param: Callable[[UUID], Any]
    time_param: Callable[[datetime], Any]
    date_param: Callable[[date], Any]
    # The (stream, position) pairs a batch continues, as a joinable row source named
    # ``wanted(column1, column2)``, and its parameters.
    pairs_source: Callable[[Sequence[tuple[Any, int]]], tuple[str, list[Any]]]
    to_uuid: Callable[[Any], UUID]
    to_time: Callable[[Any], datetime]
    to_date: Callable[[Any], date]
    # The event table's column holding an event's log position.
    notification_column: str = "notification_id"
    # The table of unit seals (``ledger.seal``).
    seal_table: str = "unit_seals"

    def marks(self, count: int) -> str:
        return ",".join([self.placeholder] * count)

    def index_row(self, row: Sequence[Any]) -> IndexRow:
        originator_id, version, notification_id, agency_id, kind, recorded, effective, link = row
        return IndexRow(
            self.to_uuid(originator_id),
            int(version),
            int(notification_id),
            EventMeta(
                self.to_uuid(agency_id), str(kind), self.to_time(recorded), self.to_date(effective)
            ),
            bytes(link),
        )


class WriteCursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...
    def fetchall(self) -> Any: ...


Read = Callable[[str, Sequence[Any]], list[Sequence[Any]]]
"""A backend's read query: SQL in the dialect's placeholders, its parameters, the rows."""


class BackendReads:
    """The base of the stores' read mixins (index, streams, seals): a store provides its
    ``dialect`` and ``_read``, a read query run on its own connection."""

    dialect: Dialect

    def _read(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        raise NotImplementedError


def last_recorded_statement(dialect: Dialect) -> str:
    """The log's last recorded time (a seek at the end of the recorded-time index)."""
    return f"SELECT max(recorded_at) FROM {dialect.index_table}"


def insert_index_statement(dialect: Dialect) -> str:
    """``INSERT`` of one index row as ``index_rows`` gives them."""
    return f"INSERT INTO {dialect.index_table} ({INDEX_COLUMNS}) VALUES ({dialect.marks(8)})"


def copy_index_statement(dialect: Dialect) -> str:
    """``COPY ... FROM STDIN`` of index rows in the order ``index_rows`` gives them."""
    return f"COPY {dialect.index_table} ({INDEX_COLUMNS}) FROM STDIN (FORMAT BINARY)"


def keyed_pages(
    read: Read, dialect: Dialect, columns: str, table: str, batch: int
) -> Iterator[Sequence[Any]]:
    """Every row of a table keyed by (stream, position), in key order, paged by key."""
    d = dialect
    after: tuple[Any, int] = (d.id_param(UUID(int=0)), 0)
    while True:
        rows = read(
            f"SELECT {columns} FROM {table} "
            f"WHERE (originator_id, originator_version) > ({d.marks(2)}) "
            f"ORDER BY originator_id, originator_version LIMIT {d.placeholder}",
            (*after, batch),
        )
        if not rows:
            return
        yield from rows
        after = (rows[-1][0], rows[-1][1])
