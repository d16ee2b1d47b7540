"""The tables kept beside the event log that are not events: account secrets, login
throttling, idempotency keys and the read audit (``ledger.account_store``,
``ledger.read_audit``); on PostgreSQL also the content-addressed blobs (policy documents,
uploaded certificates: ``ledger.blob_store``; SQLite keeps those as files beside its own).

On PostgreSQL they are tables in the ledger's schema, created by the owner role with the
event store (``create_statements``, run by ``muster db init``), reached through the
ledger's own connection pool; the application role may change the secrets, throttling and
idempotency rows (secrets are rotated and erased) and may only select and insert audit
entries. The embedded SQLite store keeps them in a file of their own beside the ledger's
(``muster.db`` → ``muster.side.db``), so a read's audit entry never takes the event
store's one write lock.

Statements are written once with psycopg's ``%s`` placeholders.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError, OperationalError

from ledger.database import DatabaseConfig

__all__ = [
    "BLOBS",
    "CERTIFICATES",
    "SideCursor",
    "SideDatabase",
    "create_statements",
    "grant_statements",
    "utc_text",
]

SECRETS = "muster_secrets"
THROTTLE = "muster_login_throttle"
IDEMPOTENCY = "muster_idempotency"
AUDIT = "muster_read_audit"
# The blob store's tables on PostgreSQL (``ledger.blob_store``; insert-only for the
# application role): policy documents and certificates. SQLite keeps them as files instead.
BLOBS = "muster_policy_blobs"
_BLOB_COLUMNS = "sha256 text PRIMARY KEY, media_type text NOT NULL, content bytea NOT NULL"
CERTIFICATES = "muster_certificates"
CHANGEABLE = (SECRETS, THROTTLE, IDEMPOTENCY)

_TABLES = {
    SECRETS: (
        "secret_id text PRIMARY KEY, account_id text NOT NULL, kind text NOT NULL, "
        "hash text NOT NULL, label text NOT NULL, created_at text NOT NULL, "
        "expires_at text, revoked_at text, last_used_at text"
    ),
    THROTTLE: "username text PRIMARY KEY, failures integer NOT NULL, locked_until text",
    IDEMPOTENCY: (
        "account_id text NOT NULL, key text NOT NULL, request_hash text NOT NULL, "
        "status integer, response text, created_at text NOT NULL, "
        "PRIMARY KEY (account_id, key)"
    ),
    AUDIT: (
        "position bigint PRIMARY KEY, at text NOT NULL, actor text NOT NULL, "
        "action text NOT NULL, object text NOT NULL, agency text NOT NULL, "
        "source text NOT NULL, outcome text NOT NULL, previous text NOT NULL, "
        "link text NOT NULL"
    ),
}
_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {SECRETS}_account ON {{t}}{SECRETS} (account_id, kind)",
    f"CREATE INDEX IF NOT EXISTS {AUDIT}_agency ON {{t}}{AUDIT} (agency, position)",
]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_statements(backend: str, schema: str = "public") -> list[str]:
    """DDL for every side table (idempotent); the audit table refuses UPDATE and DELETE."""
    prefix = "" if backend == "sqlite" else f"{_quoted(schema)}."
    statements = [
        f"CREATE TABLE IF NOT EXISTS {prefix}{name} ({columns})"
        for name, columns in _TABLES.items()
    ]
    statements += [index.format(t=prefix) for index in _INDEXES]
    if backend == "sqlite":
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {AUDIT}_no_{op.lower()} BEFORE {op} ON {AUDIT} "
            f"BEGIN SELECT RAISE(ABORT, 'muster: {op} on {AUDIT} refused: append-only'); END"
            for op in ("UPDATE", "DELETE")
        ]
        return statements
    statements.append(
        f"CREATE TABLE IF NOT EXISTS {prefix}{CERTIFICATES} (sha256 text PRIMARY KEY, "
        "media_type text NOT NULL, size bigint NOT NULL, content bytea NOT NULL)"
    )
    refuse = f"{prefix}muster_refuse_audit_change"
    statements.append(f"CREATE TABLE IF NOT EXISTS {prefix}{BLOBS} ({_BLOB_COLUMNS})")
    statements += [
        f"CREATE OR REPLACE FUNCTION {refuse}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'muster: % on % refused: the read audit is append-only', "
        "TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$",
        f"CREATE OR REPLACE TRIGGER refuse_update_delete BEFORE UPDATE OR DELETE ON "
        f"{prefix}{AUDIT} FOR EACH ROW EXECUTE FUNCTION {refuse}()",
        f"CREATE OR REPLACE TRIGGER refuse_truncate BEFORE TRUNCATE ON {prefix}{AUDIT} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {refuse}()",
    ]
    return statements


def grant_statements(schema: str, app_role: str) -> list[str]:
    """PostgreSQL: what the application role may do with the side tables."""
    prefix, role = f"{_quoted(schema)}.", _quoted(app_role)
    changeable = ", ".join(prefix + name for name in CHANGEABLE)
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {changeable} TO {role}",
        f"GRANT SELECT, INSERT ON {prefix}{AUDIT} TO {role}",
        f"GRANT SELECT, INSERT ON {prefix}{BLOBS} TO {role}",
        f"GRANT SELECT, INSERT ON {prefix}{CERTIFICATES} TO {role}",
    ]


class SideCursor:
    """A cursor of either backend taking ``%s`` placeholders; rows as tuples."""

    def __init__(self, cursor: Any, *, qmark: bool) -> None:
        self._cursor = cursor
        self._qmark = qmark

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        text = statement.replace("%s", "?") if self._qmark else statement
        try:
            self._cursor.execute(text, tuple(params))
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from None
        except sqlite3.OperationalError as error:
            raise OperationalError(str(error)) from None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._cursor.fetchall()
        return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in rows]

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


class SideDatabase:
    """Transactions on the side tables of one ledger's database."""

    lock_timeout = 10.0  # seconds a SQLite write waits for the side file's lock

    def __init__(self, config: DatabaseConfig, datastore: Any = None) -> None:
        self.backend = config.backend
        self.datastore = datastore
        self._local = threading.local()
        self.prefix = ""
        self.schema = config.postgres_schema
        if config.backend == "sqlite":
            assert config.sqlite_path is not None
            self.path: Path | None = side_path(config.sqlite_path)
            self._write_lock = _write_lock(self.path)
            with self.transaction() as cur:
                for statement in create_statements("sqlite"):
                    cur.execute(statement)
        else:
            self.path = None
            self.prefix = f"{_quoted(config.postgres_schema)}."

    def table(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _sqlite(self, *, reader: bool = False) -> sqlite3.Connection:
        """This thread's connection to the side file: its writer, or (``reader``) one that
        may only read (``query_only``), so a read can never take the write lock."""
        name = "reader" if reader else "conn"
        conn: sqlite3.Connection | None = getattr(self._local, name, None)
        if conn is None:
            assert self.path is not None
            conn = sqlite3.connect(self.path, timeout=self.lock_timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            if reader:
                conn.execute("PRAGMA query_only = ON")
            setattr(self._local, name, conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[SideCursor]:
        """One transaction that may write; on SQLite it holds the side file's write lock
        from the start (which orders the audit chain), on PostgreSQL the chain takes
        ``lock_chain``.

        On SQLite this process's writers first queue on one lock per side file
        (``_write_lock``), so a thread waiting for another's commit is woken as soon as it
        is done, instead of polling the file's lock in SQLite's busy handler, which sleeps
        1, 2, 5, 10, 15, 20, 25... ms between tries (up to ``lock_timeout`` in all). Other
        processes' writers (another worker, the CLI) are still waited for by the handler."""
        if self.backend == "sqlite":
            nested = getattr(self._local, "writing", False)
            lock = self._write_lock
            # A nested call is refused by SQLite itself (no transaction within one), as before.
            if not nested and not lock.acquire(timeout=self.lock_timeout):
                raise OperationalError("database is locked (another thread's side write)")
            self._local.writing = True
            try:
                with self._sqlite_transaction(self._sqlite(), "BEGIN IMMEDIATE") as cur:
                    yield cur
            finally:
                if not nested:
                    self._local.writing = False
                    lock.release()
            return
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as cur,
        ):
            yield SideCursor(cur, qmark=False)

    @contextmanager
    def reading(self) -> Iterator[SideCursor]:
        """One transaction that only reads. On SQLite (WAL) a snapshot of what was
        committed when it began, on a connection that cannot write: it neither waits for
        the write lock nor holds it, so a request checking its bearer token never waits
        for another's read-audit commit (nor delays it). On PostgreSQL the same as
        ``transaction`` (its reads never wait for writers)."""
        if self.backend == "sqlite":
            with self._sqlite_transaction(self._sqlite(reader=True), "BEGIN") as cur:
                yield cur
            return
        with self.transaction() as cur:
            yield cur

    @staticmethod
    @contextmanager
    def _sqlite_transaction(conn: sqlite3.Connection, begin: str) -> Iterator[SideCursor]:
        cur = conn.cursor()
        try:
            cur.execute(begin)
        except sqlite3.OperationalError as error:
            raise OperationalError(str(error)) from None
        try:
            yield SideCursor(cur, qmark=True)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    def lock_chain(self, cur: SideCursor) -> None:
        """Serialise appends to the audit chain (SQLite: the transaction already does)."""
        if self.backend != "sqlite":
            # Two-key advisory locks never collide with the event store's one-key lock.
            cur.execute("SELECT pg_advisory_xact_lock(7501, hashtext(%s))", (self.schema,))

    def close(self) -> None:
        for name in ("conn", "reader"):
            conn: sqlite3.Connection | None = getattr(self._local, name, None)
            if conn is not None:
                conn.close()
                setattr(self._local, name, None)


_WRITE_LOCKS: dict[Path, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path: Path | None) -> threading.Lock:
    """The one lock this process's writers of the side file at ``path`` queue on."""
    assert path is not None
    key = path.resolve()
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.Lock())


def side_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(f"{ledger_path.stem}.side.db")


def utc_text(moment: datetime) -> str:
    """Instants as fixed-width UTC ISO text: they compare as text in the right order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
