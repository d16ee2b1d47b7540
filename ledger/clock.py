"""Where recorded time comes from: the system clock in production, a settable one in
simulations and tests. The store reads the ledger's clock under the event table's write
lock when a unit commits (``ledger.index_writes.unit_instant``); commands read it when they
are staged only to check effective dates against today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "SettableClock", "system_clock"]

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class SettableClock:
    """A clock that shows whatever instant it was last set to (never used by production
    entry points, which always record with ``system_clock``)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            msg = "recorded times must be timezone-aware"
            raise ValueError(msg)
        self.now = moment

    def __call__(self) -> datetime:
        return self.now
