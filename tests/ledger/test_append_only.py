"""The database itself refuses to update or delete stored events (invariant 1)."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import PersistenceError

from ledger.application import Ledger
from tests.factories import agency, officer


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
    """UPDATE and DELETE through the application's own connection fail; rows stay."""
    slug = agency(ledger)
    officer(ledger, slug)
    before = ledger.store.count_events()
    for table in _tables(ledger):
        with (
            pytest.raises(PersistenceError, match="append-only"),
            ledger.recorder.datastore.transaction(commit=True) as cursor,
        ):  # type: ignore[attr-defined]
            cursor.execute(statement.format(table=table))
    assert ledger.store.count_events() == before
    assert len(list(ledger.store.iter_index())) == before


def test_truncate_is_refused_on_postgres(postgres_ledger: Ledger) -> None:
    """PostgreSQL's TRUNCATE bypasses row triggers, so a statement trigger refuses it
    (SQLite has no TRUNCATE; its DELETE without WHERE is covered above)."""
    ledger = postgres_ledger
    agency(ledger)
    for table in _tables(ledger):
        with (
            pytest.raises(PersistenceError, match="append-only"),
            ledger.recorder.datastore.transaction(commit=True) as cursor,
        ):  # type: ignore[attr-defined]
            cursor.execute(f"TRUNCATE {table}")
    assert ledger.store.count_events() == 1
