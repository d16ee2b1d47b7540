"""Read-side work spread over processes: workers each with its own ledger on the same
database, results handed back in submission order.

Evaluation is pure Python, so one process uses one core; rebuilds and large as-of answers
split their people into chunks and give each worker a chunk at a time.

Workers are forked where that is safe, because a spawned one spends about half a second
importing everything again (a sixth of a rebuild at M). A forked child inherits the
parent's open connections but never uses them: it opens its own ledger, and leaves by
``os._exit`` (as multiprocessing's children do), so nothing inherited is closed or
flushed. The interpreter re-creates its import and logging locks after a fork; locks held
by other threads are the danger, so with other threads alive (PostgreSQL's connection pool)
a fork is used only before Python 3.12, where it was not yet deprecated; else workers are
spawned.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from ledger.ledger_core import LedgerCore
from ledger.reader import LedgerReader

__all__ = ["WorkerPool", "start_method", "worker_pool"]

T = TypeVar("T")
Task = Callable[..., T]

_LEDGER: LedgerCore | None = None


def _open(database_url: str, env: dict[str, str]) -> None:
    global _LEDGER
    # A forked child may start inside the parent's paused collector: collect again, but
    # leave the inherited objects alone (scanning them would copy every page they are on).
    gc.freeze()
    gc.enable()
    # The parent opened the ledger, so its tables, indexes and triggers exist. Workers
    # starting together and each re-running that DDL deadlocked on PostgreSQL (the
    # trigger function's catalogue row against a table lock), so workers never run it.
    # The parent also checked the server's durability settings (workers only read the log).
    _LEDGER = LedgerReader(
        database_url, env={**env, "CREATE_TABLE": "false"}, allow_unsafe_durability=True
    )


def _run(task: Task[T], args: tuple[Any, ...]) -> T:
    assert _LEDGER is not None, "worker not initialised"
    return task(_LEDGER, *args)


class WorkerPool:
    """``map_in_order(task, calls)`` runs ``task(ledger, *args)`` for each call, in worker
    processes when there are any, else here; tasks must be module-level functions."""

    def __init__(self, ledger: LedgerCore, pool: ProcessPoolExecutor | None, workers: int) -> None:
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


def start_method() -> str:
    """``fork`` where it is safe (see the module's docstring), else ``spawn``."""
    forkable = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    threads_safe = threading.active_count() == 1 or sys.version_info < (3, 12)
    return "fork" if forkable and threads_safe else "spawn"


@contextmanager
def worker_pool(ledger: LedgerCore, workers: int) -> Iterator[WorkerPool]:
    """A pool of ``workers`` processes (none, and work done here, when ``workers`` ≤ 1)."""
    if workers <= 1:
        yield WorkerPool(ledger, None, 1)
        return
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(start_method()),
        initializer=_open,
        initargs=(ledger.database_url, ledger.env_overrides),
    ) as pool:
        yield WorkerPool(ledger, pool, workers)
