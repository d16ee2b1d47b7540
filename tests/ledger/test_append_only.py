"""The database itself refuses to update or delete stored events (invariant 1): the
triggers refuse even the tables' owner, and the application role lacks the privilege."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError

from ledger.application import Ledger
from tests.conftest import APP_ROLE, owner_url
from tests.factories import agency, officer


@contextmanager
def _as_owner(ledger: Ledger) -> Iterator[Ledger]:
    """The same store opened as its owner role (on SQLite: the same file)."""
    if ledger.database.backend == "sqlite":
        yield ledger
        return
    owner = Ledger(owner_url(ledger.database_url))
    try:
        yield owner
    finally:
        owner.close()


def _tables(ledger: Ledger) -> list[str]:
    if ledger.database.backend == "sqlite":
        return ["stored_events", "event_index"]
    schema = ledger.database.postgres_schema
    return [f"{schema}.ledger_events", f"{schema}.ledger_event_index"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET originator_version = originator_version + 100",
        "DELETE FROM {table}",
        "DELETE FROM {table} WHERE originator_version = 2",
    ],
)
def test_raw_update_and_delete_are_refused(ledger: Ledger, statement: str) -> None:
    """UPDATE and DELETE through the owner's own connection fail; rows stay."""
    slug = agency(ledger)
    officer(ledger, slug)
    before = ledger.store.count_events()
    with _as_owner(ledger) as owner:
        for table in _tables(ledger):
            with (
                pytest.raises(PersistenceError, match="append-only"),
                owner.recorder.datastore.transaction(commit=True) as cursor,  # type: ignore[attr-defined]
            ):
                cursor.execute(statement.format(table=table))
    assert ledger.store.count_events() == before
    assert len(list(ledger.store.iter_index())) == before


def test_truncate_is_refused_on_postgres(postgres_ledger: Ledger) -> None:
    """PostgreSQL's TRUNCATE bypasses row triggers, so a statement trigger refuses it
    (SQLite has no TRUNCATE; its DELETE without WHERE is covered above)."""
    ledger = postgres_ledger
    agency(ledger)
    with _as_owner(ledger) as owner:
        for table in _tables(ledger):
            with (
                pytest.raises(PersistenceError, match="append-only"),
                owner.recorder.datastore.transaction(commit=True) as cursor,  # type: ignore[attr-defined]
            ):
                cursor.execute(f"TRUNCATE {table}")
    assert ledger.store.count_events() == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET {column} = {column} + 100",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "ALTER TABLE {table} DISABLE TRIGGER refuse_update_delete",
        "DROP TABLE {table}",
        "ALTER TABLE {table} ADD COLUMN forged text",
        "CREATE INDEX forged ON {table} (originator_id)",
        "LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE",
        "SET session_replication_role = replica",
        "CREATE TABLE {schema}.forged (x int)",
    ],
)
def test_application_role_cannot_rewrite_history(postgres_ledger: Ledger, statement: str) -> None:
    """The role the product runs as may only select and insert: it cannot update, delete,
    truncate, disable triggers (nor skip them), alter, drop or add to the event tables."""
    ledger = postgres_ledger
    assert ledger.database.env["POSTGRES_USER"] == APP_ROLE
    slug = agency(ledger)
    officer(ledger, slug)
    before = ledger.store.count_events()
    schema = ledger.database.postgres_schema
    tables = [(table, "originator_version") for table in _tables(ledger)]
    tables.append((f"{schema}.ledger_unit_seals", "events"))
    for table, column in tables:
        with (
            psycopg.connect(ledger.database.postgres_conninfo) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute(statement.format(table=table, schema=schema, column=column))
    assert ledger.store.count_events() == before
    assert len(list(ledger.store.iter_index())) == before
