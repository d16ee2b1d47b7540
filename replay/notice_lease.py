"""The lease one notification pass holds while it decides and sends: two passes at once
(cron and ``muster serve``, two hosts) never both send a notice.

On PostgreSQL it is a session advisory lock on a key derived from the store's schema, held
on a connection of its own for the whole pass; on SQLite an exclusive ``flock`` on a file
beside the store (``muster.db`` → ``muster.db.notify-lock``). Either is released by the
operating system or the server when the process dies, so a killed pass never blocks the
next one. A pass that cannot get the lease within ``timeout`` seconds gives up.
"""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ledger.database import DatabaseConfig
from ledger.errors import StoreBusyError

__all__ = ["notify_lease"]

_POLL_SECONDS = 0.05


def _advisory_key(schema: str) -> int:
    digest = hashlib.sha256(f"muster:notify:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def notify_lease(database: DatabaseConfig, timeout: float) -> Iterator[None]:
    """Hold the store's notification lease for the block (waiting up to ``timeout``)."""
    if database.sqlite_path is not None:
        with _file_lease(f"{database.sqlite_path}.notify-lock", timeout):
            yield
        return
    import psycopg

    key = _advisory_key(database.postgres_schema)
    with psycopg.connect(database.postgres_conninfo, autocommit=True) as conn:
        deadline = time.monotonic() + timeout
        while True:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if row is not None and row[0]:
                break
            if time.monotonic() > deadline:
                raise StoreBusyError("another notification pass holds the lease; run it again")
            time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


@contextmanager
def _file_lease(path: str, timeout: float) -> Iterator[None]:
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreBusyError(
                        "another notification pass holds the lease; run it again"
                    ) from None
                time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
