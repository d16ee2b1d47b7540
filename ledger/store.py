"""What the chained stores (``ledger.sqlite_store``, ``ledger.postgres_store``) offer beyond
the library's recorder: appending a unit of work with its one recorded time, the log's
stable horizon, and reads of the recorded-time index and of whole streams."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.chain import IndexRow
from ledger.clock import Clock
from ledger.envelope import LedgerEvent
from ledger.index_dialect import Dialect
from ledger.index_writes import Appended, Encode
from ledger.seal import SealKeys, SealRow

__all__ = ["ChainedRecorder"]


class ChainedRecorder(Protocol):
    """What the chained stores add to the library's recorder."""

    seal_keys: SealKeys
    dialect: Dialect

    def append_unit(
        self,
        events: Sequence[LedgerEvent],
        encode: Encode,
        clock: Clock,
        *,
        keep_stored: bool = True,
    ) -> Appended: ...
    def write_in_flight(self) -> bool: ...
    def last_recorded(self) -> datetime | None: ...
    def stable_horizon(self, clock: Clock) -> datetime: ...

    def iter_index(self, batch: int = ...) -> Iterator[IndexRow]: ...
    def iter_stored(self, batch: int = ...) -> Iterator[StoredEvent]: ...
    def iter_log(self, batch: int = ...) -> Iterator[IndexRow]: ...
    def iter_log_raw(self, batch: int = ...) -> Iterator[Sequence[Any]]: ...
    def iter_seals(self, batch: int = ...) -> Iterator[SealRow]: ...
    def streams(self, stream_type: str, agency_id: UUID | None = ...) -> list[UUID]: ...
    def count_events(self) -> int: ...
    def recorded_by(self, agency_id: UUID, moment: datetime) -> list[IndexRow]: ...
    def stream_positions(
        self, stream_type: str, *, recorded_by: datetime | None = ...
    ) -> list[tuple[UUID, int]]: ...
    def stream_heads(
        self,
        stream_type: str,
        agency_id: UUID,
        *,
        recorded_by: datetime | None = ...,
        originator_ids: Sequence[UUID] | None = ...,
    ) -> dict[UUID, int]: ...
    def select_stream_events(
        self,
        stream_type: str,
        *,
        agency_id: UUID | None = ...,
        originator_ids: Sequence[UUID] | None = ...,
        recorded_by: datetime | None = ...,
        up_to_notification: int | None = ...,
        without_topics: Sequence[str] = ...,
    ) -> list[StoredEvent]: ...
    def select_stream_rows(
        self,
        stream_type: str,
        *,
        agency_id: UUID | None = ...,
        originator_ids: Sequence[UUID] | None = ...,
        recorded_by: datetime | None = ...,
        up_to_notification: int | None = ...,
        without_topics: Sequence[str] = ...,
    ) -> list[tuple[UUID, int, str, bytes]]: ...
    def stream_rows(self, originator_id: UUID, head: int | None) -> list[tuple[str, bytes]]: ...
    def heads_of(
        self,
        originator_ids: Sequence[UUID],
        *,
        recorded_by: datetime | None = ...,
        up_to_notification: int | None = ...,
    ) -> dict[UUID, int]: ...
    def select_streams_up_to(self, heads: Mapping[UUID, int]) -> list[StoredEvent]: ...
    def heads_without(self, stream_type: str, agency_id: UUID, topic: str) -> dict[UUID, int]: ...
    def select_streams_until(
        self, originator_ids: Sequence[UUID], up_to_notification: int
    ) -> list[StoredEvent]: ...
    def heads_and_positions(
        self,
        originator_ids: Sequence[UUID],
        stream_type: str,
        *,
        recorded_by: datetime | None = ...,
    ) -> tuple[dict[UUID, int], list[tuple[UUID, int]]]: ...
