"""``muster db init``: create the event store's and the read side's tables, run by the
owner role, and grant the application role exactly what running needs.

The application role may then SELECT and INSERT the event, index and seal tables and draw
log positions from their sequence; it owns the read side's schema (derived data, rebuilt
from the log) and nothing else. It cannot UPDATE, DELETE or TRUNCATE the log, alter or
drop its tables, or disable their triggers: those need ownership.
"""

from __future__ import annotations

from psycopg import sql

from ledger.application import Ledger
from ledger.seal import SealKeys
from ledger.side_database import create_statements as side_tables
from ledger.side_database import grant_statements as side_grants
from projections.read_store.schema import read_schema
from replay.read_side import open_read_store

__all__ = ["grant_statements", "init_store"]


def init_store(
    database_url: str,
    *,
    app_role: str | None = None,
    seal_keys: SealKeys | None = None,
    allow_unsafe_durability: bool = False,
) -> Ledger:
    """Create every table (idempotent) as the URL's role, and on PostgreSQL grant
    ``app_role`` what it needs; returns the opened (owner's) ledger, to close."""
    ledger = Ledger(
        database_url,
        env={"CREATE_TABLE": "true"},
        seal_keys=seal_keys,
        allow_unsafe_durability=allow_unsafe_durability,
    )
    try:
        if ledger.database.backend == "postgres":
            _side_tables(ledger, app_role)
        if ledger.database.backend == "postgres" and app_role:
            _grant(ledger, app_role)
        open_read_store(ledger)
        if ledger.database.backend == "postgres" and app_role:
            _hand_over_read_side(ledger, app_role)
    except Exception:
        ledger.close()
        raise
    return ledger


def grant_statements(schema: str, app_role: str, store: object) -> list[sql.Composed]:
    """The application role's grants on the event store in ``schema``."""
    role = sql.Identifier(app_role)
    tables = [
        sql.Identifier(schema, getattr(store, "events_table_name", "ledger_events")),
        sql.Identifier(schema, getattr(store, "index_table_name", "ledger_event_index")),
        sql.Identifier(schema, getattr(store, "seal_table_name", "ledger_unit_seals")),
    ]
    return [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(sql.SQL(", ").join(tables), role),
        # The one sequence there: the events table's log positions.
        sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
            sql.Identifier(schema), role
        ),
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
            sql.Identifier(read_schema(schema)), role
        ),
    ]


def _grant(ledger: Ledger, app_role: str) -> None:
    schema = ledger.database.postgres_schema
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection() as conn, conn.transaction(), conn.cursor() as cur:
        for statement in grant_statements(schema, app_role, ledger.recorder):
            cur.execute(statement)


def _side_tables(ledger: Ledger, app_role: str | None) -> None:
    """Accounts' secrets, throttling, idempotency keys and the read audit (``ledger.
    side_database``): created by the owner; the application role may change the first
    three and only insert into the audit."""
    schema = ledger.database.postgres_schema
    statements = side_tables("postgres", schema)
    if app_role:
        statements += side_grants(schema, app_role)
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection() as conn, conn.transaction(), conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


def _hand_over_read_side(ledger: Ledger, app_role: str) -> None:
    """The read-side tables just created by the owner become the application role's."""
    schema = read_schema(ledger.database.postgres_schema)
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection() as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tableowner <> %s",
            (schema, app_role),
        )
        for row in cur.fetchall():
            name = next(iter(row.values())) if isinstance(row, dict) else row[0]
            cur.execute(
                sql.SQL("ALTER TABLE {} OWNER TO {}").format(
                    sql.Identifier(schema, name), sql.Identifier(app_role)
                )
            )
