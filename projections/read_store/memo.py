"""The answer memo: answers to questions the tracked model is not at (another day, an
earlier ``known_at``), keyed by what they are a pure function of, bounded per agency."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from projections.read_store.checkpoints import Checkpoints, current_fold_key
from projections.read_store.database import Cursor, ReadDatabase
from projections.read_store.rows import AnswerRow, matching

__all__ = ["MEMO_BYTES", "MEMO_ROW_BYTES", "AnswerMemo"]

# What an agency's memoised answers may take at most: a statewide roster is ~230 MB, an
# agency of a thousand's ~16 MB, a status-only answer (for trends) ~200 bytes.
MEMO_BYTES = 2 * 1024**3
# Counted per stored answer besides its body: the key columns and the row's overhead.
MEMO_ROW_BYTES = 200


class AnswerMemo:
    """``rm_answers`` and its byte counts (``rm_memo_sets``, ``rm_memo_totals``)."""

    def __init__(self, db: ReadDatabase, checkpoints: Checkpoints, limit: int = MEMO_BYTES) -> None:
        self._db = db
        self._checkpoints = checkpoints
        # How much an agency's memoised answers may take at most.
        self.limit = limit

    def get(
        self, agency_id: UUID, rules_key: str, as_of: str, heads: dict[UUID, int]
    ) -> dict[UUID, AnswerRow]:
        """Stored answers for people whose stream head (at the asked instant) matches.

        An answer is a pure function of (the person's events up to that head, the rule
        versions, the day, the evaluation code), all of which the key pins down; stored
        events never change, so an entry is never stale."""
        # Bodies stay bytes end to end: a roster is put together from them without decoding.
        with self._db.reading(binary=True) as cur:
            cur.execute(
                "SELECT person_id, version, employee_id, status, kind, person_status, body "
                f"FROM {self._db.table('rm_answers')} "
                "WHERE agency_id = %s AND rules_key = %s AND as_of = %s",
                (str(agency_id), rules_key, as_of),
            )
            return matching(cur.fetchall(), heads)

    def put(
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
        sqlite = self._db.backend == "sqlite"
        conflict, suffix = ("OR IGNORE ", "") if sqlite else ("", " ON CONFLICT DO NOTHING")
        with self._db.transaction_unless_busy() as cur:
            if cur is None:  # an event write holds SQLite's lock: answer without memoising
                return
            if not sqlite:
                # A memo entry can always be recomputed, so its commit need not wait for the
                # WAL flush (about half of a cold answer). Atomicity is unchanged, and the
                # setting is local to this transaction: event writes keep theirs.
                cur.execute("SET LOCAL synchronous_commit TO OFF")
            if rows:
                cur.executemany(
                    f"INSERT {conflict}INTO {self._db.table('rm_answers')} "
                    f"VALUES ({', '.join(['%s'] * 10)}){suffix}",
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
                size = sum(len(row.body) + MEMO_ROW_BYTES for _, _, row in rows)
                self._count_and_evict(cur, str(agency_id), rules_key, as_of, size)
            if histories:  # the fold's code is fingerprinted only when there are some
                self._checkpoints.put(histories, current_fold_key(), cur)

    def _count_and_evict(
        self, cur: Cursor, agency_id: str, rules_key: str, as_of: str, added: int
    ) -> None:
        """Count the bytes added; past the agency's limit, drop whole answer sets, first
        stored first, never the one being written. (A roster row is about 10 KB: unbounded,
        a dashboard stepping through days would fill the disk.)"""
        sets, totals = self._db.table("rm_memo_sets"), self._db.table("rm_memo_totals")
        cur.execute(
            f"INSERT INTO {sets} AS old VALUES (%s, %s, %s, %s, "
            f"(SELECT coalesce(max(stored), 0) + 1 FROM {sets})) "
            "ON CONFLICT (agency_id, rules_key, as_of) DO UPDATE "
            "SET bytes = old.bytes + excluded.bytes",
            (agency_id, rules_key, as_of, added),
        )
        cur.execute(
            f"INSERT INTO {totals} AS old VALUES (%s, %s) ON CONFLICT (agency_id) DO UPDATE "
            "SET bytes = old.bytes + excluded.bytes RETURNING bytes",
            (agency_id, added),
        )
        if int(cur.fetchall()[0][0]) <= self.limit:
            return
        cur.execute(
            f"SELECT rules_key, as_of, bytes FROM {sets} WHERE agency_id = %s ORDER BY stored DESC",
            (agency_id,),
        )
        kept, full = 0, False
        for key, day, size in cur.fetchall():
            full = full or kept + int(size) > self.limit
            if not full or (key, day) == (rules_key, as_of):
                kept += int(size)
                continue
            for table in ("rm_answers", "rm_memo_sets"):
                cur.execute(
                    f"DELETE FROM {self._db.table(table)} "
                    "WHERE agency_id = %s AND rules_key = %s AND as_of = %s",
                    (agency_id, key, day),
                )
        cur.execute(f"UPDATE {totals} SET bytes = %s WHERE agency_id = %s", (kept, agency_id))

    def clear(self) -> None:
        with self._db.transaction() as cur:
            for table in ("rm_answers", "rm_memo_sets", "rm_memo_totals"):
                cur.execute(f"DELETE FROM {self._db.table(table)}")
