"""The read side's tables: their DDL, and the layout version that retires tables of an
earlier layout (everything here is derived from the log, so retiring loses nothing)."""

from __future__ import annotations

from projections.read_store.database import Cursor, ReadDatabase

__all__ = [
    "LAYOUT",
    "TABLES",
    "create_generation",
    "create_tables",
    "generation_tables",
    "read_schema",
]

TABLES = (
    "rm_meta",
    "rm_tracking",
    "rm_answers",
    "rm_memo_sets",
    "rm_memo_totals",
    "rm_history",
    "rm_status_grid",
    "rm_unit_periods",
)


def read_schema(schema: str) -> str:
    """The PostgreSQL schema of the read side of the event store in ``schema``: apart, so
    that the application role can own it (the tracked model builds and drops generation
    tables as it rebuilds) while owning nothing beside the events."""
    return f"{schema}_read"


# Bumped whenever a table changes shape: the tracked model's tables of another layout are
# dropped, and the next catch-up rebuilds them.
LAYOUT = "2"


def generation_tables(generation: int) -> tuple[str, str]:
    """The person and requirement tables of one generation of the tracked model."""
    return f"rm_person_g{generation}", f"rm_requirement_g{generation}"


def _in_place(db: ReadDatabase) -> bool:
    """Whether every table exists at this layout: then opening the store runs no DDL."""
    with db.reading() as cur:
        if db.backend == "sqlite":
            cur.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                f"({', '.join(['%s'] * len(TABLES))})",
                TABLES,
            )
        else:
            cur.execute(
                "SELECT count(to_regclass(name)) FROM unnest(%s::text[]) AS name",
                ([db.table(name) for name in TABLES],),
            )
        if int(cur.fetchall()[0][0]) != len(TABLES):
            return False
        cur.execute(f"SELECT value FROM {db.table('rm_meta')} WHERE key = 'layout'")
        return [tuple(row) for row in cur.fetchall()] == [(LAYOUT,)]


def create_tables(db: ReadDatabase) -> None:
    """Every table but the generations', if missing (idempotent); nothing at all when
    they are all in place at this layout."""
    if _in_place(db):
        return
    blob = "BLOB" if db.backend == "sqlite" else "BYTEA"
    with db.transaction() as cur:
        if db.backend == "postgres":
            # Asked first: CREATE SCHEMA IF NOT EXISTS needs the database's CREATE
            # privilege even when the schema exists (db init made it for the app role).
            cur.execute("SELECT to_regnamespace(%s) IS NULL", (db.schema_name,))
            if cur.fetchall()[0][0]:
                cur.execute(f"CREATE SCHEMA {db.schema_name}")
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table('rm_meta')} "
            "(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table('rm_tracking')} ("
            "generation INTEGER PRIMARY KEY, notification_id BIGINT NOT NULL, "
            "as_of TEXT NOT NULL, building INTEGER NOT NULL, head BIGINT NOT NULL, "
            "resume_after TEXT NOT NULL)"
        )
        _retire_other_layouts(db, cur)
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table('rm_answers')} ("
            "person_id TEXT NOT NULL, version INTEGER NOT NULL, rules_key TEXT NOT NULL, "
            "as_of TEXT NOT NULL, agency_id TEXT NOT NULL, employee_id TEXT NOT NULL, "
            "status TEXT NOT NULL, kind TEXT NOT NULL, person_status TEXT NOT NULL, "
            f"body {blob} NOT NULL, "
            "PRIMARY KEY (agency_id, rules_key, as_of, person_id, version))"
        )
        # One row per memoised answer set (an agency's answers for one rules key and day):
        # the bytes it takes and when it was first stored, for eviction; and the agency's
        # total.
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table('rm_memo_sets')} ("
            "agency_id TEXT NOT NULL, rules_key TEXT NOT NULL, as_of TEXT NOT NULL, "
            "bytes BIGINT NOT NULL, stored INTEGER NOT NULL, "
            "PRIMARY KEY (agency_id, rules_key, as_of))"
        )
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table('rm_memo_totals')} ("
            "agency_id TEXT PRIMARY KEY, bytes BIGINT NOT NULL)"
        )
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table('rm_history')} ("
            "person_id TEXT PRIMARY KEY, version INTEGER NOT NULL, fold_key TEXT NOT NULL, "
            "body TEXT NOT NULL)"
        )
        _store_uncompressed(db, cur, "rm_history", "body")
        # Status codes on firsts of a month (projections.read_store.grid), filled lazily by
        # trends: one row per person, stream head and rules key.
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table('rm_status_grid')} ("
            "agency_id TEXT NOT NULL, rules_key TEXT NOT NULL, person_id TEXT NOT NULL, "
            "version INTEGER NOT NULL, lo TEXT NOT NULL, codes TEXT NOT NULL, "
            "PRIMARY KEY (agency_id, rules_key, person_id, version))"
        )
        # Units by the day each assignment starts (projections.read_store.unit_periods),
        # filled lazily by the unit and command views: one row per person and stream head.
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {db.table('rm_unit_periods')} ("
            "agency_id TEXT NOT NULL, person_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "periods TEXT NOT NULL, PRIMARY KEY (person_id, version))"
        )
        cur.execute(
            "CREATE INDEX IF NOT EXISTS rm_unit_periods_agency ON "
            f"{db.table('rm_unit_periods')} (agency_id)"
        )


def _retire_other_layouts(db: ReadDatabase, cur: Cursor) -> None:
    cur.execute(f"SELECT value FROM {db.table('rm_meta')} WHERE key = 'layout'")
    if [tuple(row) for row in cur.fetchall()] == [(LAYOUT,)]:
        return
    cur.execute(f"SELECT generation FROM {db.table('rm_tracking')}")
    for (generation,) in cur.fetchall():
        for name in generation_tables(int(generation)):
            cur.execute(f"DROP TABLE IF EXISTS {db.table(name)}")
    cur.execute(f"DELETE FROM {db.table('rm_tracking')}")
    cur.execute(f"DELETE FROM {db.table('rm_meta')}")
    cur.execute(f"INSERT INTO {db.table('rm_meta')} VALUES ('layout', %s)", (LAYOUT,))


# The PostgreSQL types of a generation's columns in ``PERSON_COLUMNS`` and
# ``REQUIREMENT_COLUMNS`` order, as ``create_generation`` makes them (for a binary COPY).
PERSON_TYPES = (*["text"] * 9, "int4", "text", "bytea", "bytea")
REQUIREMENT_TYPES = ("text",) * 11


def create_generation(db: ReadDatabase, cur: Cursor, generation: int) -> None:
    """One generation's person and requirement tables, with their indexes."""
    person, requirement = generation_tables(generation)
    blob = "BLOB" if db.backend == "sqlite" else "BYTEA"
    cur.execute(
        f"CREATE TABLE IF NOT EXISTS {db.table(person)} ("
        "person_id TEXT PRIMARY KEY, agency_id TEXT NOT NULL, employee_id TEXT NOT NULL, "
        "name TEXT NOT NULL, kind TEXT NOT NULL, person_status TEXT NOT NULL, "
        "status TEXT NOT NULL, next_deadline TEXT, as_of TEXT NOT NULL, "
        f"version INTEGER NOT NULL, rules_key TEXT NOT NULL, body {blob} NOT NULL, "
        f"roster {blob} NOT NULL)"
    )
    _store_uncompressed(db, cur, person, "body")
    _store_uncompressed(db, cur, person, "roster")
    cur.execute(
        f"CREATE INDEX IF NOT EXISTS {person}_agency ON {db.table(person)} "
        "(agency_id, status, employee_id)"
    )
    cur.execute(
        f"CREATE TABLE IF NOT EXISTS {db.table(requirement)} ("
        "person_id TEXT NOT NULL, agency_id TEXT NOT NULL, requirement_key TEXT NOT NULL, "
        "pack_id TEXT NOT NULL, requirement_id TEXT NOT NULL, version_id TEXT NOT NULL, "
        "status TEXT NOT NULL, deadline TEXT, required TEXT NOT NULL, "
        "counted TEXT NOT NULL, remaining TEXT NOT NULL, "
        "PRIMARY KEY (person_id, requirement_key))"
    )
    cur.execute(
        f"CREATE INDEX IF NOT EXISTS {requirement}_deadline ON {db.table(requirement)} "
        "(agency_id, deadline)"
    )


def _store_uncompressed(db: ReadDatabase, cur: Cursor, table: str, column: str) -> None:
    """On PostgreSQL, a table's document column kept out of line without compression:
    checkpoints and answer documents (~12 KB each) are written by the thousand in a
    rebuild, and compressing them (pglz) took a tenth of a rebuild at L on two cores shared
    with the server. Altered only when not already so (the change takes a table lock)."""
    if db.backend != "postgres":
        return
    cur.execute(
        "SELECT attstorage FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
        (db.table(table), column),
    )
    if [tuple(row) for row in cur.fetchall()] != [("e",)]:
        cur.execute(f"ALTER TABLE {db.table(table)} ALTER COLUMN {column} SET STORAGE EXTERNAL")
