"""Read-model tables beside the event log, on SQLite or PostgreSQL, in generations.

Each full rebuild writes a new *generation* of tables (``rm_person_g7``...) while readers
keep using the live one; the swap is one row update of ``rm_meta``, so readers never see a
half-built model. Every change to a generation commits together with that generation's
tracking position (``rm_tracking``), which only moves forward: a crash never skips or
double-applies an event, and two runners cannot both apply the same batch.

Beside the generations, two tables keyed by what their content is a pure function of,
never stale and safe to fill from any reader: the answer memo and the history checkpoints
(a person's folded history at their stream head).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Protocol
from uuid import UUID

from projections.history_codec import fold_key

# What an agency's memoised answers may take at most: a statewide roster is ~230 MB, an
# agency of a thousand's ~16 MB, a status-only answer (for trends) ~200 bytes.
MEMO_BYTES = 2 * 1024**3
# Counted per stored answer besides its body: the key columns and the row's overhead.
_MEMO_ROW_BYTES = 200

__all__ = ["MEMO_BYTES", "AnswerRow", "PersonRow", "ReadStore", "RequirementRow", "Tracking"]


class _Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...
    def fetchall(self) -> list[Any]: ...


@dataclass(frozen=True)
class Tracking:
    generation: int
    notification_id: int
    as_of: str
    building: bool
    head: int
    resume_after: str


@dataclass(frozen=True)
class AnswerRow:
    """A memoised as-of answer: its JSON body and what a roster filters and counts on."""

    employee_id: str
    status: str
    kind: str
    person_status: str
    body: bytes


@dataclass(frozen=True)
class PersonRow:
    person_id: str
    agency_id: str
    employee_id: str
    name: str
    kind: str
    person_status: str
    status: str
    next_deadline: str | None
    as_of: str
    version: int
    body: str


@dataclass(frozen=True)
class RequirementRow:
    person_id: str
    agency_id: str
    requirement_key: str
    pack_id: str
    requirement_id: str
    version_id: str
    status: str
    deadline: str | None
    required: str
    counted: str
    remaining: str


_PERSON_COLUMNS = (
    "person_id, agency_id, employee_id, name, kind, person_status, status, next_deadline, "
    "as_of, version, body"
)
_REQUIREMENT_COLUMNS = (
    "person_id, agency_id, requirement_key, pack_id, requirement_id, version_id, status, "
    "deadline, required, counted, remaining"
)


class ReadStore:
    """Read-model tables living in the same database (and schema) as the ledger."""

    def __init__(
        self,
        datastore: Any,
        backend: str,
        schema: str = "public",
        *,
        create: bool = True,
        memo_bytes: int = MEMO_BYTES,
    ) -> None:
        """``create=False``: the tables exist (worker processes never run the DDL).
        ``memo_bytes``: how much an agency's memoised answers may take at most."""
        self._datastore = datastore
        self.backend = backend
        self.memo_bytes = memo_bytes
        self._prefix = "" if backend == "sqlite" else f'"{schema}".'
        if create:
            self.create()

    # -- plumbing -------------------------------------------------------------------------

    def table(self, name: str) -> str:
        return f"{self._prefix}{name}"

    @contextmanager
    def transaction(self) -> Iterator[_Cursor]:
        """One database transaction; ``?`` placeholders work on both backends."""
        if self.backend == "sqlite":
            with self._datastore.transaction(commit=True) as cursor:
                yield cursor
            return
        with self._datastore.get_connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield _QmarkCursor(cur)

    @contextmanager
    def reading(self, *, binary: bool = False) -> Iterator[_Cursor]:
        """A read; ``binary``: PostgreSQL sends results in binary (bytea as raw bytes)."""
        if self.backend == "sqlite":
            with self._datastore.transaction(commit=False) as cursor:
                yield cursor
            return
        with self._datastore.get_connection() as conn, conn.cursor(binary=binary) as cur:
            yield _QmarkCursor(cur)

    def create(self) -> None:
        with self.transaction() as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table('rm_meta')} "
                "(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            # The memo of earlier code, without the facets a roster filters on (a cache).
            cur.execute(f"DROP TABLE IF EXISTS {self.table('rm_answer_memo')}")
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table('rm_answers')} ("
                "person_id TEXT NOT NULL, version INTEGER NOT NULL, rules_key TEXT NOT NULL, "
                "as_of TEXT NOT NULL, agency_id TEXT NOT NULL, employee_id TEXT NOT NULL, "
                "status TEXT NOT NULL, kind TEXT NOT NULL, person_status TEXT NOT NULL, "
                f"body {'BLOB' if self.backend == 'sqlite' else 'BYTEA'} NOT NULL, "
                "PRIMARY KEY (agency_id, rules_key, as_of, person_id, version))"
            )
            # One row per memoised answer set (an agency's answers for one rules key and
            # day): the bytes it takes and when it was first stored, for eviction; and the
            # agency's total.
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table('rm_memo_sets')} ("
                "agency_id TEXT NOT NULL, rules_key TEXT NOT NULL, as_of TEXT NOT NULL, "
                "bytes BIGINT NOT NULL, stored INTEGER NOT NULL, "
                "PRIMARY KEY (agency_id, rules_key, as_of))"
            )
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table('rm_memo_totals')} ("
                "agency_id TEXT PRIMARY KEY, bytes BIGINT NOT NULL)"
            )
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table('rm_history')} ("
                "person_id TEXT PRIMARY KEY, version INTEGER NOT NULL, fold_key TEXT NOT NULL, "
                "body TEXT NOT NULL)"
            )
            self._store_uncompressed(cur, "rm_history")
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table('rm_tracking')} ("
                "generation INTEGER PRIMARY KEY, notification_id BIGINT NOT NULL, "
                "as_of TEXT NOT NULL, building INTEGER NOT NULL, head BIGINT NOT NULL, "
                "resume_after TEXT NOT NULL)"
            )

    def _create_generation(self, cur: _Cursor, generation: int) -> None:
        person, requirement = self._names(generation)
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table(person)} ("
            "person_id TEXT PRIMARY KEY, agency_id TEXT NOT NULL, employee_id TEXT NOT NULL, "
            "name TEXT NOT NULL, kind TEXT NOT NULL, person_status TEXT NOT NULL, "
            "status TEXT NOT NULL, next_deadline TEXT, as_of TEXT NOT NULL, "
            "version INTEGER NOT NULL, body TEXT NOT NULL)"
        )
        self._store_uncompressed(cur, person)
        cur.execute(
            f"CREATE INDEX IF NOT EXISTS {person}_agency ON {self.table(person)} "
            "(agency_id, status, employee_id)"
        )
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table(requirement)} ("
            "person_id TEXT NOT NULL, agency_id TEXT NOT NULL, requirement_key TEXT NOT NULL, "
            "pack_id TEXT NOT NULL, requirement_id TEXT NOT NULL, version_id TEXT NOT NULL, "
            "status TEXT NOT NULL, deadline TEXT, required TEXT NOT NULL, "
            "counted TEXT NOT NULL, remaining TEXT NOT NULL, "
            "PRIMARY KEY (person_id, requirement_key))"
        )
        cur.execute(
            f"CREATE INDEX IF NOT EXISTS {requirement}_deadline ON {self.table(requirement)} "
            "(agency_id, deadline)"
        )

    def _store_uncompressed(self, cur: _Cursor, table: str) -> None:
        """On PostgreSQL, a table's ``body`` kept out of line without compression: checkpoints
        and status documents (~12 KB each) are written by the thousand in a rebuild, and
        compressing them (pglz) took ~3 s of a 30 s rebuild at L on two cores shared with
        the server. Altered only when not already so (the change takes a table lock)."""
        if self.backend != "postgres":
            return
        cur.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = ?::regclass AND attname = ?",
            (self.table(table), "body"),
        )
        if [tuple(row) for row in cur.fetchall()] != [("e",)]:
            cur.execute(f"ALTER TABLE {self.table(table)} ALTER COLUMN body SET STORAGE EXTERNAL")

    @staticmethod
    def _names(generation: int) -> tuple[str, str]:
        return f"rm_person_g{generation}", f"rm_requirement_g{generation}"

    # -- generations ----------------------------------------------------------------------

    def live_generation(self, cur: _Cursor | None = None) -> int | None:
        if cur is None:
            with self.reading() as reader:
                return self.live_generation(reader)
        cur.execute(f"SELECT value FROM {self.table('rm_meta')} WHERE key = 'live'")
        rows = cur.fetchall()
        return int(rows[0][0]) if rows else None

    def tracking(self, generation: int) -> Tracking | None:
        with self.reading() as cur:
            cur.execute(
                "SELECT generation, notification_id, as_of, building, head, resume_after "
                f"FROM {self.table('rm_tracking')} WHERE generation = ?",
                (generation,),
            )
            rows = cur.fetchall()
        if not rows:
            return None
        g, n, as_of, building, head, resume_after = rows[0]
        return Tracking(int(g), int(n), str(as_of), bool(building), int(head), str(resume_after))

    def building_generation(self) -> Tracking | None:
        """An unfinished rebuild, if one was interrupted."""
        with self.reading() as cur:
            cur.execute(
                f"SELECT generation FROM {self.table('rm_tracking')} WHERE building = 1 "
                "ORDER BY generation DESC"
            )
            rows = cur.fetchall()
        return self.tracking(int(rows[0][0])) if rows else None

    def start_generation(self, head: int, as_of: str) -> Tracking:
        with self.transaction() as cur:
            cur.execute(f"SELECT max(generation) FROM {self.table('rm_tracking')}")
            latest = cur.fetchall()[0][0]
            generation = int(latest or 0) + 1
            self._create_generation(cur, generation)
            cur.execute(
                f"INSERT INTO {self.table('rm_tracking')} VALUES (?, 0, ?, 1, ?, '')",
                (generation, as_of, head),
            )
        tracking = self.tracking(generation)
        assert tracking is not None
        return tracking

    def write_rebuild_rows(
        self,
        generation: int,
        rows: Sequence[tuple[PersonRow, Sequence[RequirementRow]]],
        histories: Sequence[tuple[UUID, int, str]] = (),
    ) -> None:
        """Rows (and history checkpoints) for some people of a rebuild, in one transaction.
        They replace any rows of those people, so a chunk written again after an
        interruption (its rows committed, the resume point not yet moved) is harmless."""
        with self.transaction() as cur:
            self._upsert(cur, generation, rows)
            self.histories_put(histories, fold_key(), cur)

    def rebuilt_up_to(self, generation: int, resume_after: str) -> None:
        """Every person up to ``resume_after`` (in id order) has their rows in the
        generation: where an interrupted rebuild resumes."""
        with self.transaction() as cur:
            cur.execute(
                f"UPDATE {self.table('rm_tracking')} SET resume_after = ? "
                "WHERE generation = ? AND building = 1",
                (resume_after, generation),
            )

    def finish_generation(self, generation: int) -> None:
        """Make a rebuilt generation live in one transaction, then drop older ones."""
        with self.transaction() as cur:
            cur.execute(
                f"UPDATE {self.table('rm_tracking')} SET building = 0, notification_id = head "
                "WHERE generation = ?",
                (generation,),
            )
            cur.execute(f"DELETE FROM {self.table('rm_meta')} WHERE key = 'live'")
            cur.execute(
                f"INSERT INTO {self.table('rm_meta')} VALUES ('live', ?)", (str(generation),)
            )
        self._drop_older_than(generation)

    def _drop_older_than(self, generation: int) -> None:
        with self.transaction() as cur:
            cur.execute(
                f"SELECT generation FROM {self.table('rm_tracking')} WHERE generation < ?",
                (generation,),
            )
            for (old,) in cur.fetchall():
                for name in self._names(int(old)):
                    cur.execute(f"DROP TABLE IF EXISTS {self.table(name)}")
                cur.execute(f"DELETE FROM {self.table('rm_tracking')} WHERE generation = ?", (old,))

    # -- incremental updates ----------------------------------------------------------------

    def apply_batch(
        self,
        generation: int,
        *,
        from_position: int,
        to_position: int,
        as_of: str,
        rows: Sequence[tuple[PersonRow, Sequence[RequirementRow]]],
        histories: Sequence[tuple[UUID, int, str]] = (),
    ) -> bool:
        """Write the rows and move tracking from ``from_position`` to ``to_position`` in one
        transaction. Returns False (writing nothing) if another runner moved it first."""
        with self.transaction() as cur:
            cur.execute(
                f"UPDATE {self.table('rm_tracking')} SET notification_id = ?, as_of = ? "
                "WHERE generation = ? AND notification_id = ? AND building = 0",
                (to_position, as_of, generation, from_position),
            )
            if _rowcount(cur) != 1:
                return False
            self._upsert(cur, generation, rows)
            self.histories_put(histories, fold_key(), cur)
        return True

    def _upsert(
        self,
        cur: _Cursor,
        generation: int,
        rows: Sequence[tuple[PersonRow, Sequence[RequirementRow]]],
    ) -> None:
        person, requirement = (self.table(name) for name in self._names(generation))
        ids = [(person_row.person_id,) for person_row, _ in rows]
        cur.executemany(f"DELETE FROM {requirement} WHERE person_id = ?", ids)
        cur.executemany(f"DELETE FROM {person} WHERE person_id = ?", ids)
        cur.executemany(
            f"INSERT INTO {person} ({_PERSON_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [_person_values(person_row) for person_row, _ in rows],
        )
        cur.executemany(
            f"INSERT INTO {requirement} ({_REQUIREMENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [_requirement_values(row) for _, requirement_rows in rows for row in requirement_rows],
        )

    # -- memoised as-of answers -----------------------------------------------------------

    def memo_get(
        self, agency_id: UUID, rules_key: str, as_of: str, heads: dict[UUID, int]
    ) -> dict[UUID, AnswerRow]:
        """Stored answers for people whose stream head (at the asked instant) matches.

        An answer is a pure function of (the person's events up to that head, the rule
        versions, the day, the evaluation code), all of which the key pins down; stored
        events never change, so an entry is never stale."""
        # Bodies stay bytes end to end: a roster is put together from them without decoding.
        with self.reading(binary=True) as cur:
            cur.execute(
                "SELECT person_id, version, employee_id, status, kind, person_status, body "
                f"FROM {self.table('rm_answers')} "
                "WHERE agency_id = ? AND rules_key = ? AND as_of = ?",
                (str(agency_id), rules_key, as_of),
            )
            wanted = _by_text(heads)
            found: dict[UUID, AnswerRow] = {}
            for person_id, version, *facets in cur.fetchall():
                key, head = wanted.get(person_id, (None, None))
                if key is not None and head == version:
                    found[key] = AnswerRow(*facets)
            return found

    def memo_put(
        self,
        agency_id: UUID,
        rules_key: str,
        as_of: str,
        rows: Sequence[tuple[UUID, int, AnswerRow]],
        histories: Sequence[tuple[UUID, int, str]] = (),
    ) -> None:
        """Store answers (and the history checkpoints folded to compute them)."""
        if not rows and not histories:
            return
        conflict = "OR IGNORE " if self.backend == "sqlite" else ""
        suffix = "" if self.backend == "sqlite" else " ON CONFLICT DO NOTHING"
        with self.transaction() as cur:
            if self.backend == "postgres":
                # A memo entry can always be recomputed, so its commit need not wait for the
                # WAL flush (measured ~5 ms of a ~10 ms cold answer). Atomicity is unchanged,
                # and the setting is local to this transaction: event writes keep theirs.
                cur.execute("SET LOCAL synchronous_commit TO OFF")
            if rows:
                cur.executemany(
                    f"INSERT {conflict}INTO {self.table('rm_answers')} "
                    f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?){suffix}",
                    [
                        (
                            str(person_id),
                            version,
                            rules_key,
                            as_of,
                            str(agency_id),
                            row.employee_id,
                            row.status,
                            row.kind,
                            row.person_status,
                            row.body,
                        )
                        for person_id, version, row in rows
                    ],
                )
                size = sum(len(row.body) + _MEMO_ROW_BYTES for _, _, row in rows)
                self._count_and_evict(cur, str(agency_id), rules_key, as_of, size)
            self.histories_put(histories, fold_key(), cur)

    def _count_and_evict(
        self, cur: _Cursor, agency_id: str, rules_key: str, as_of: str, added: int
    ) -> None:
        """Count the bytes added; past the agency's limit, drop whole answer sets, first
        stored first, never the one being written. (A roster row is about 10 KB: unbounded,
        a dashboard stepping through days would fill the disk.)"""
        sets, totals = self.table("rm_memo_sets"), self.table("rm_memo_totals")
        cur.execute(
            f"INSERT INTO {sets} AS old VALUES (?, ?, ?, ?, "
            f"(SELECT coalesce(max(stored), 0) + 1 FROM {sets})) "
            "ON CONFLICT (agency_id, rules_key, as_of) DO UPDATE "
            "SET bytes = old.bytes + excluded.bytes",
            (agency_id, rules_key, as_of, added),
        )
        cur.execute(
            f"INSERT INTO {totals} AS old VALUES (?, ?) ON CONFLICT (agency_id) DO UPDATE "
            "SET bytes = old.bytes + excluded.bytes RETURNING bytes",
            (agency_id, added),
        )
        if int(cur.fetchall()[0][0]) <= self.memo_bytes:
            return
        cur.execute(
            f"SELECT rules_key, as_of, bytes FROM {sets} WHERE agency_id = ? ORDER BY stored DESC",
            (agency_id,),
        )
        kept, full = 0, False
        for key, day, size in cur.fetchall():
            full = full or kept + int(size) > self.memo_bytes
            if not full or (key, day) == (rules_key, as_of):
                kept += int(size)
                continue
            for table in ("rm_answers", "rm_memo_sets"):
                cur.execute(
                    f"DELETE FROM {self.table(table)} "
                    "WHERE agency_id = ? AND rules_key = ? AND as_of = ?",
                    (agency_id, key, day),
                )
        cur.execute(f"UPDATE {totals} SET bytes = ? WHERE agency_id = ?", (kept, agency_id))

    def memo_clear(self) -> None:
        with self.transaction() as cur:
            cur.execute(f"DELETE FROM {self.table('rm_answers')}")
            cur.execute(f"DELETE FROM {self.table('rm_memo_sets')}")
            cur.execute(f"DELETE FROM {self.table('rm_memo_totals')}")

    # -- history checkpoints ---------------------------------------------------------------

    def histories_get(self, heads: dict[UUID, int], code: str) -> dict[UUID, str]:
        """Checkpoints of people's folded histories at exactly the given stream heads.

        A checkpoint is a pure function of the events up to its head and of the fold code
        (``code``, see ``history_codec.fold_key``), so a matching one is never stale;
        others are ignored."""
        return dict(self._checkpoints_at(heads, code, "body"))

    def histories_current(self, heads: dict[UUID, int], code: str) -> set[UUID]:
        """The people whose checkpoint is at exactly the given head, of this fold code
        (writing theirs again would write the same text)."""
        return {person for person, _ in self._checkpoints_at(heads, code, "NULL")}

    def _checkpoints_at(
        self, heads: dict[UUID, int], code: str, column: str
    ) -> Iterator[tuple[UUID, Any]]:
        """(person, ``column``) of each checkpoint at exactly the person's given head."""
        if not heads:
            return
        wanted = _by_text(heads)
        ids = list(wanted)
        with self.reading() as cur:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cur.execute(
                    f"SELECT person_id, version, {column} FROM {self.table('rm_history')} "
                    f"WHERE fold_key = ? AND person_id IN ({', '.join('?' * len(chunk))})",
                    (code, *chunk),
                )
                for person_id, version, value in cur.fetchall():
                    key, head = wanted[person_id]
                    if head == version:
                        yield key, value

    def histories_clear(self) -> None:
        with self.transaction() as cur:
            cur.execute(f"DELETE FROM {self.table('rm_history')}")

    def histories_put(
        self, rows: Sequence[tuple[UUID, int, str]], code: str, cur: _Cursor | None = None
    ) -> None:
        """Keep each person's latest checkpoint: an older head never replaces a newer one
        of the same fold code."""
        if not rows:
            return
        if cur is None:
            with self.transaction() as writer:
                self.histories_put(rows, code, writer)
            return
        table = self.table("rm_history")
        statement = (
            f"INSERT INTO {table} AS old VALUES (?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE "
            "SET version = excluded.version, fold_key = excluded.fold_key, body = excluded.body "
            "WHERE excluded.version > old.version OR excluded.fold_key <> old.fold_key"
        )
        cur.executemany(statement, [(str(p), version, code, body) for p, version, body in rows])

    # -- queries --------------------------------------------------------------------------

    def people(self, agency_id: UUID) -> list[PersonRow]:
        generation = self.live_generation()
        if generation is None:
            return []
        person, _ = self._names(generation)
        with self.reading() as cur:
            cur.execute(
                f"SELECT {_PERSON_COLUMNS} FROM {self.table(person)} WHERE agency_id = ? "
                "ORDER BY employee_id",
                (str(agency_id),),
            )
            return [PersonRow(*row) for row in cur.fetchall()]

    def person(self, person_id: UUID) -> PersonRow | None:
        generation = self.live_generation()
        if generation is None:
            return None
        person, _ = self._names(generation)
        with self.reading() as cur:
            cur.execute(
                f"SELECT {_PERSON_COLUMNS} FROM {self.table(person)} WHERE person_id = ?",
                (str(person_id),),
            )
            rows = cur.fetchall()
        return PersonRow(*rows[0]) if rows else None

    def counts_by_status(self, agency_id: UUID) -> dict[str, int]:
        rows = self._counted_by(agency_id, "person", "status")
        return {str(status): int(n) for status, n in rows}

    def counts_by_requirement(self, agency_id: UUID) -> dict[tuple[str, str], int]:
        rows = self._counted_by(agency_id, "requirement", "requirement_id, status")
        return {(str(r), str(s)): int(n) for r, s, n in rows}

    def _counted_by(self, agency_id: UUID, which: str, columns: str) -> list[Any]:
        """Rows of (columns..., count) of one agency in the live generation's person or
        requirement table, ordered by the columns."""
        generation = self.live_generation()
        if generation is None:
            return []
        person, requirement = self._names(generation)
        table = person if which == "person" else requirement
        with self.reading() as cur:
            cur.execute(
                f"SELECT {columns}, count(*) FROM {self.table(table)} WHERE agency_id = ? "
                f"GROUP BY {columns} ORDER BY {columns}",
                (str(agency_id),),
            )
            return cur.fetchall()

    def upcoming_deadlines(self, agency_id: UUID, limit: int = 50) -> list[RequirementRow]:
        generation = self.live_generation()
        if generation is None:
            return []
        _, requirement = self._names(generation)
        with self.reading() as cur:
            cur.execute(
                f"SELECT {_REQUIREMENT_COLUMNS} FROM {self.table(requirement)} "
                "WHERE agency_id = ? AND status IN ('due_soon', 'on_track') "
                "AND deadline IS NOT NULL ORDER BY deadline, person_id LIMIT ?",
                (str(agency_id), limit),
            )
            return [RequirementRow(*row) for row in cur.fetchall()]

    def dump(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every row of the live generation, sorted: for rebuilt == incremental checks."""
        generation = self.live_generation()
        assert generation is not None
        person, requirement = self._names(generation)
        with self.reading() as cur:
            cur.execute(f"SELECT {_PERSON_COLUMNS} FROM {self.table(person)} ORDER BY person_id")
            people = [tuple(row) for row in cur.fetchall()]
            cur.execute(
                f"SELECT {_REQUIREMENT_COLUMNS} FROM {self.table(requirement)} "
                "ORDER BY person_id, requirement_key"
            )
            requirements = [tuple(row) for row in cur.fetchall()]
        return people, requirements


def _by_text(heads: dict[UUID, int]) -> dict[str, tuple[UUID, int]]:
    """Stream heads by the text form of the person id, as the tables store it (parsing
    thousands of ids back into UUIDs cost more than the rest of a memo read)."""
    return {str(person_id): (person_id, head) for person_id, head in heads.items()}


# Column values in column order (``astuple`` deep-copies every field: a rebuild writes
# tens of thousands of rows).
_person_values = attrgetter(*(c.strip() for c in _PERSON_COLUMNS.split(",")))
_requirement_values = attrgetter(*(c.strip() for c in _REQUIREMENT_COLUMNS.split(",")))


def _rowcount(cur: Any) -> int:
    # eventsourcing wraps sqlite3 cursors without exposing rowcount.
    return int(getattr(cur, "sqlite_cursor", cur).rowcount)


class _QmarkCursor:
    """psycopg cursor that accepts sqlite-style ``?`` placeholders."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.cursor.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any:
        return self.cursor.executemany(sql.replace("?", "%s"), params)

    def fetchall(self) -> list[Any]:
        return [
            tuple(row.values()) if isinstance(row, dict) else row for row in self.cursor.fetchall()
        ]

    @property
    def rowcount(self) -> int:
        return int(self.cursor.rowcount)
