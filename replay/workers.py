"""Read-side work spread over processes: spawned workers, each with its own ledger on the
same database, results handed back in submission order.

Evaluation is pure Python, so one process uses one core; rebuilds and large as-of answers
split their people into chunks and give each worker a chunk at a time. Workers are spawned
rather than forked, because a forked child would share the parent's open connections.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from ledger.application import Ledger

__all__ = ["WorkerPool", "worker_pool"]

T = TypeVar("T")
Task = Callable[..., T]

_LEDGER: Ledger | None = None


def _open(database_url: str, env: dict[str, str]) -> None:
    global _LEDGER
    # The parent opened the ledger, so its tables, indexes and triggers exist. Workers
    # starting together and each re-running that DDL deadlocked on PostgreSQL (the
    # trigger function's catalogue row against a table lock), so workers never run it.
    _LEDGER = Ledger(database_url, env={**env, "CREATE_TABLE": "false"})


def _run(task: Task[T], args: tuple[Any, ...]) -> T:
    assert _LEDGER is not None, "worker not initialised"
    return task(_LEDGER, *args)


class WorkerPool:
    """``map_in_order(task, calls)`` runs ``task(ledger, *args)`` for each call, in worker
    processes when there are any, else here; tasks must be module-level functions."""

    def __init__(self, ledger: Ledger, pool: ProcessPoolExecutor | None, workers: int) -> None:
        self._ledger = ledger
        self._pool = pool
        self._window = 2 * workers

    def map_in_order(self, task: Task[T], calls: Iterable[tuple[Any, ...]]) -> Iterator[T]:
        if self._pool is None:
            for args in calls:
                yield task(self._ledger, *args)
            return
        # At most two calls per worker in flight, so finished results never pile up in
        # memory faster than the caller consumes them.
        pending: deque[Future[T]] = deque()
        for args in calls:
            pending.append(self._pool.submit(_run, task, args))
            if len(pending) >= self._window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


@contextmanager
def worker_pool(ledger: Ledger, workers: int) -> Iterator[WorkerPool]:
    """A pool of ``workers`` processes (none, and work done here, when ``workers`` ≤ 1)."""
    if workers <= 1:
        yield WorkerPool(ledger, None, 1)
        return
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_open,
        initargs=(ledger.database_url, ledger.env_overrides),
    ) as pool:
        yield WorkerPool(ledger, pool, workers)
