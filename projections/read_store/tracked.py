"""The tracked model's writes: generations built by a rebuild and swapped in at once, and
catch-up batches committed with the tracking position and the people's checkpoints.

Each full rebuild writes a new *generation* of tables (``rm_person_g7``...) while readers
keep using the live one; the swap is one row update of ``rm_meta``, so readers never see a
half-built model. Every change to a generation commits together with that generation's
tracking position (``rm_tracking``), which only moves forward: a crash never skips or
double-applies an event, and two runners cannot both apply the same batch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from projections.read_store.checkpoints import Checkpoints, current_fold_key
from projections.read_store.database import Cursor, ReadDatabase
from projections.read_store.rows import (
    PERSON_COLUMNS,
    REQUIREMENT_COLUMNS,
    PersonRow,
    RequirementRow,
    Tracking,
    person_values,
    requirement_values,
)
from projections.read_store.schema import (
    PERSON_TYPES,
    REQUIREMENT_TYPES,
    create_generation,
    generation_tables,
)

__all__ = ["LIVE_MAX_AGE_SECONDS", "Rows", "TrackedModel"]

# How long an answer may rely on this process's last reading of which generation is live.
# A generation's day and tables never change while it is live, and its rows say their own
# head, day and rules, so a stale reading can only cost speed (an answer computed that the
# new generation held), never give a wrong answer; a dropped generation's tables fail the
# read, and the caller reads the live one again.
LIVE_MAX_AGE_SECONDS = 1.0

Rows = Sequence[tuple[PersonRow, Sequence[RequirementRow]]]


class TrackedModel:
    """Generations of ``rm_person_gN``/``rm_requirement_gN`` and their ``rm_tracking``."""

    def __init__(self, db: ReadDatabase, checkpoints: Checkpoints) -> None:
        self._db = db
        self._checkpoints = checkpoints
        self._recent: tuple[float, Tracking | None] | None = None

    def live_generation(self, cur: Cursor | None = None) -> int | None:
        if cur is None:
            with self._db.reading() as reader:
                return self.live_generation(reader)
        cur.execute(f"SELECT value FROM {self._db.table('rm_meta')} WHERE key = 'live'")
        rows = cur.fetchall()
        return int(rows[0][0]) if rows else None

    def live(self) -> Tracking | None:
        """The live generation's tracking, in one read (answers ask it for every question)."""
        with self._db.reading() as cur:
            cur.execute(
                "SELECT t.generation, t.notification_id, t.as_of, t.building, t.head, "
                f"t.resume_after FROM {self._db.table('rm_tracking')} t "
                f"JOIN {self._db.table('rm_meta')} m ON m.key = 'live' "
                "AND t.generation = CAST(m.value AS INTEGER)"
            )
            rows = cur.fetchall()
        return _tracking(rows[0]) if rows else None

    def recently_live(self, *, fresh: bool = False) -> Tracking | None:
        """The live generation as read at most ``LIVE_MAX_AGE_SECONDS`` ago (``fresh``:
        read now): for answers, which every question asks for, and which must not pay a
        read of it each time. Its ``notification_id`` may be behind; use ``live()`` for
        anything that writes or reports the position."""
        now = time.monotonic()
        if fresh or self._recent is None or now - self._recent[0] > LIVE_MAX_AGE_SECONDS:
            self._recent = (now, self.live())
        return self._recent[1]

    def tracking(self, generation: int) -> Tracking | None:
        with self._db.reading() as cur:
            cur.execute(
                "SELECT generation, notification_id, as_of, building, head, resume_after "
                f"FROM {self._db.table('rm_tracking')} WHERE generation = %s",
                (generation,),
            )
            rows = cur.fetchall()
        return _tracking(rows[0]) if rows else None

    def building_generation(self) -> Tracking | None:
        """An unfinished rebuild, if one was interrupted."""
        with self._db.reading() as cur:
            cur.execute(
                f"SELECT generation FROM {self._db.table('rm_tracking')} WHERE building = 1 "
                "ORDER BY generation DESC"
            )
            rows = cur.fetchall()
        return self.tracking(int(rows[0][0])) if rows else None

    def start_generation(self, head: int, as_of: str) -> Tracking:
        with self._db.transaction() as cur:
            cur.execute(f"SELECT max(generation) FROM {self._db.table('rm_tracking')}")
            latest = cur.fetchall()[0][0]
            generation = int(latest or 0) + 1
            create_generation(self._db, cur, generation)
            cur.execute(
                f"INSERT INTO {self._db.table('rm_tracking')} VALUES (%s, 0, %s, 1, %s, '')",
                (generation, as_of, head),
            )
        tracking = self.tracking(generation)
        assert tracking is not None
        return tracking

    def write_rebuild_rows(
        self, generation: int, rows: Rows, histories: Sequence[tuple[UUID, int, str]] = ()
    ) -> None:
        """Rows (and history checkpoints) for some people of a rebuild, in one transaction.
        They replace any rows of those people, so a chunk written again after an
        interruption (its rows committed, the resume point not yet moved) is harmless;
        so is one lost to a power cut, so the commit does not wait for the disk."""
        with self._db.transaction_recomputable() as cur:
            self._upsert(cur, generation, rows)
            self._checkpoints.put(histories, current_fold_key(), cur)

    def rebuilt_up_to(self, generation: int, resume_after: str) -> None:
        """Every person up to ``resume_after`` (in id order) has their rows in the
        generation: where an interrupted rebuild resumes."""
        with self._db.transaction_recomputable() as cur:
            cur.execute(
                f"UPDATE {self._db.table('rm_tracking')} SET resume_after = %s "
                "WHERE generation = %s AND building = 1",
                (resume_after, generation),
            )

    def finish_generation(self, generation: int) -> None:
        """Make a rebuilt generation live in one transaction, then drop older ones.

        Like every write of a rebuild, neither waits for the disk: a power cut can lose
        them (commits reach the log in order), and the next ``catch_up`` finds the
        generation still building and resumes it."""
        self._recent = None
        meta = self._db.table("rm_meta")
        with self._db.transaction_recomputable() as cur:
            cur.execute(
                f"UPDATE {self._db.table('rm_tracking')} SET building = 0, "
                "notification_id = head WHERE generation = %s",
                (generation,),
            )
            cur.execute(f"DELETE FROM {meta} WHERE key = 'live'")
            cur.execute(f"INSERT INTO {meta} VALUES ('live', %s)", (str(generation),))
        with self._db.transaction_recomputable(discarding=True) as cur:
            tracking = self._db.table("rm_tracking")
            cur.execute(f"SELECT generation FROM {tracking} WHERE generation < %s", (generation,))
            for (old,) in cur.fetchall():
                for name in generation_tables(int(old)):
                    cur.execute(f"DROP TABLE IF EXISTS {self._db.table(name)}")
                cur.execute(f"DELETE FROM {tracking} WHERE generation = %s", (old,))

    def apply_batch(
        self,
        generation: int,
        *,
        from_position: int,
        to_position: int,
        as_of: str,
        rows: Rows,
        histories: Sequence[tuple[UUID, int, str]] = (),
    ) -> bool:
        """Write the rows and move tracking from ``from_position`` to ``to_position`` in one
        transaction. Returns False (writing nothing) if another runner moved it first."""
        with self._db.transaction() as cur:
            cur.execute(
                f"UPDATE {self._db.table('rm_tracking')} SET notification_id = %s, as_of = %s "
                "WHERE generation = %s AND notification_id = %s AND building = 0",
                (to_position, as_of, generation, from_position),
            )
            if cur.rowcount != 1:
                return False
            self._upsert(cur, generation, rows)
            self._checkpoints.put(histories, current_fold_key(), cur)
        return True

    def _upsert(self, cur: Cursor, generation: int, rows: Rows) -> None:
        person, requirement = (self._db.table(name) for name in generation_tables(generation))
        ids = [person_row.person_id for person_row, _ in rows]
        cur.delete_keys(requirement, "person_id", ids)
        cur.delete_keys(person, "person_id", ids)
        cur.insert_rows(
            person, _PERSON, PERSON_TYPES, [person_values(person_row) for person_row, _ in rows]
        )
        cur.insert_rows(
            requirement,
            _REQUIREMENT,
            REQUIREMENT_TYPES,
            [requirement_values(row) for _, requirement_rows in rows for row in requirement_rows],
        )


_PERSON = [c.strip() for c in PERSON_COLUMNS.split(",")]
_REQUIREMENT = [c.strip() for c in REQUIREMENT_COLUMNS.split(",")]


def _tracking(row: Sequence[Any]) -> Tracking:
    g, n, as_of, building, head, resume_after = row
    return Tracking(int(g), int(n), str(as_of), bool(building), int(head), str(resume_after))
