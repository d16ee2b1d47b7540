"""The seal table beside the log (``ledger.seal``): writing a unit's seal under the write
lock, and reading the seals in log order, for both backends through their ``Dialect``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ledger.chain import GENESIS
from ledger.index_dialect import BackendReads, Dialect, WriteCursor
from ledger.seal import SealedEvent, SealKeys, SealRow

__all__ = ["SealReads", "seal_unit"]

_SEAL_COLUMNS = "first_notification, last_notification, events, recorded_at, key_id, previous, mac"


def seal_unit(
    dialect: Dialect,
    cursor: WriteCursor,
    keys: SealKeys,
    recorded_at: datetime,
    events: Sequence[SealedEvent],
) -> None:
    """Seal one unit (its events in log order) in the unit's transaction, under the
    write lock: the MAC chains onto the last seal of the log."""
    cursor.execute(f"SELECT mac FROM {dialect.seal_table} ORDER BY first_notification DESC LIMIT 1")
    found = cursor.fetchall()
    previous = bytes(found[0][0]) if found else GENESIS
    row = keys.seal(previous, recorded_at, events)
    cursor.execute(
        f"INSERT INTO {dialect.seal_table} ({_SEAL_COLUMNS}) VALUES ({dialect.marks(7)})",
        (
            row.first_notification,
            row.last_notification,
            row.events,
            dialect.time_param(row.recorded_at),
            row.key_id,
            row.previous,
            row.mac,
        ),
    )


class SealReads(BackendReads):
    """Reads of the seal table."""

    def iter_seals(self, batch: int = 5000) -> Iterator[SealRow]:
        """Every unit seal in log order."""
        d = self.dialect
        after = -1
        while True:
            rows = self._read(
                f"SELECT {_SEAL_COLUMNS} FROM {d.seal_table} WHERE first_notification > "
                f"{d.placeholder} ORDER BY first_notification LIMIT {d.placeholder}",
                (after, batch),
            )
            if not rows:
                return
            for first, last, events, recorded, key_id, previous, mac in rows:
                yield SealRow(
                    int(first),
                    int(last),
                    int(events),
                    d.to_time(recorded),
                    str(key_id),
                    bytes(previous),
                    bytes(mac),
                )
            after = int(rows[-1][0])
