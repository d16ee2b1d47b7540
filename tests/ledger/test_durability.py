"""The store refuses settings under which an acknowledged unit can be lost (issue 13 §6)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from ledger.application import Ledger
from ledger.errors import StoreSetupError
from tests.conftest import (
    POSTGRES_URL,
    _conninfo,
    as_role,
    create_postgres_store,
    drop_postgres_store,
)
from tests.factories import agency

UNSAFE_ROLE = "muster_app_unsafe"


def test_sqlite_writes_in_wal_mode_with_full_syncs(tmp_path: object) -> None:
    """SQLite appends in WAL mode with ``synchronous = FULL`` on the writing connection."""
    ledger = Ledger(f"sqlite:///{tmp_path}/durable.db")
    try:
        agency(ledger)
        datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
        with datastore.get_connection(commit=False) as conn, conn.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            assert cur.fetchone()[0] == "wal"
            cur.execute("PRAGMA synchronous")
            assert int(cur.fetchone()[0]) == 2  # FULL
    finally:
        ledger.close()


@pytest.fixture
def unsafe_role_url(postgres_ready: None) -> Iterator[str]:
    """A store reached through a role whose sessions run ``synchronous_commit = off``."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    create_postgres_store(schema)
    role = sql.Identifier(UNSAFE_ROLE)
    with psycopg.connect(_conninfo(POSTGRES_URL), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (UNSAFE_ROLE,))
        if exists.fetchone() is None:
            # Another test process may make it first.
            with contextlib.suppress(
                psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation
            ):
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
        conn.execute(sql.SQL("ALTER ROLE {} SET synchronous_commit = off").format(role))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role))
        conn.execute(
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(
                sql.Identifier(schema), role
            )
        )
    yield as_role(f"{POSTGRES_URL}?schema={schema}", UNSAFE_ROLE)
    drop_postgres_store(schema)


def test_postgres_refuses_synchronous_commit_off(unsafe_role_url: str) -> None:
    """With ``synchronous_commit = off`` for its role the ledger refuses to start, in one
    line naming the setting and the override; the override lets it start."""
    with pytest.raises(StoreSetupError, match="synchronous_commit=off") as refused:
        Ledger(unsafe_role_url)
    assert "MUSTER_ALLOW_UNSAFE_DURABILITY" in str(refused.value)
    allowed = Ledger(unsafe_role_url, allow_unsafe_durability=True)
    allowed.close()


def test_postgres_refuses_a_store_never_initialised(postgres_ready: None) -> None:
    """Ordinary commands create nothing on PostgreSQL: a schema without ``db init`` is
    refused, naming the command to run, and nothing is created."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with pytest.raises(StoreSetupError, match="muster db init"):
        Ledger(f"{POSTGRES_URL}?schema={schema}")
    with psycopg.connect(_conninfo(POSTGRES_URL)) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
    assert found == (0,)
