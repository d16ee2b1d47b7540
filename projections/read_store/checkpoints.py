"""History checkpoints: each person's folded history at their stream head, part of the
tracked model (written with its rows) and read by answers that would otherwise fold."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from projections.read_store.database import Cursor, ReadDatabase
from projections.read_store.rows import by_text

__all__ = ["Checkpoints", "current_fold_key"]


def current_fold_key() -> str:
    """``history_codec.fold_key``, the fold code checkpoints are written under: imported
    when one is written, so a read that writes none imports neither the codec nor the
    fold (issue 14 §6)."""
    from projections.history_codec import fold_key

    return fold_key()


class Checkpoints:
    """``rm_history``: one row per person, valid for one stream head and one fold code.

    A checkpoint is a pure function of the events up to its head and of the fold code
    (``history_codec.fold_key``), so a matching one is never stale; others are ignored."""

    def __init__(self, db: ReadDatabase) -> None:
        self._db = db

    def get(self, heads: dict[UUID, int], code: str) -> dict[UUID, str]:
        """Checkpoints of people's folded histories at exactly the given stream heads."""
        return dict(self._at(heads, code, "body"))

    def current(self, heads: dict[UUID, int], code: str) -> set[UUID]:
        """The people whose checkpoint is at exactly the given head, of this fold code
        (writing theirs again would write the same text)."""
        return {person for person, _ in self._at(heads, code, "NULL")}

    def _at(self, heads: dict[UUID, int], code: str, column: str) -> Iterator[tuple[UUID, Any]]:
        """(person, ``column``) of each checkpoint at exactly the person's given head."""
        if not heads:
            return
        wanted = by_text(heads)
        ids = list(wanted)
        with self._db.reading() as cur:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cur.execute(
                    f"SELECT person_id, version, {column} FROM {self._db.table('rm_history')} "
                    f"WHERE fold_key = %s AND person_id IN ({', '.join(['%s'] * len(chunk))})",
                    (code, *chunk),
                )
                for person_id, version, value in cur.fetchall():
                    key, head = wanted[person_id]
                    if head == version:
                        yield key, value

    def clear(self) -> None:
        with self._db.transaction() as cur:
            cur.execute(f"DELETE FROM {self._db.table('rm_history')}")

    def put(
        self, rows: Sequence[tuple[UUID, int, str]], code: str, cur: Cursor | None = None
    ) -> None:
        """Keep each person's latest checkpoint (in ``cur``'s transaction if given): an older
        head never replaces a newer one of the same fold code."""
        if not rows:
            return
        if cur is None:
            with self._db.transaction() as writer:
                self.put(rows, code, writer)
            return
        cur.executemany(
            f"INSERT INTO {self._db.table('rm_history')} AS old VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, "
            "fold_key = excluded.fold_key, body = excluded.body "
            "WHERE excluded.version > old.version OR excluded.fold_key <> old.fold_key",
            [(str(p), version, code, body) for p, version, body in rows],
        )
