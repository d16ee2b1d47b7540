"""``rm_status_grid``: each person's overall status code on firsts of a month, kept at one
stream head under one rules key, filled lazily by the trend (``replay.trend``) for the
months it is asked about, never by a rebuild or a catch-up.

A row is a pure function of the person's events up to its head, the rules key (rule
versions, form, evaluation code) and the months it holds, so a row at another head is
never served: a write makes the next trend recompute only the people it touched (their
head moved), and an answer at an earlier ``known_at`` finds the row of the head it asks
about, or computes it. Storing a person's row drops their rows at heads older than the
newest one below it (``prune_older_heads``): the row just stored and the one before it
(an answer at an earlier ``known_at``, asked again) stay, and the table holds a bounded
number of rows per person and rules key instead of one per write ever made.

A row's codes run from its first month (``lo``, a first of a month) on, one per month,
as runs (``code*count``, comma-separated); a month nobody asked about yet is ``?``, so a
row may have holes and is filled in as months are asked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from projections.read_store.checkpoints import Checkpoints
from projections.read_store.database import ReadDatabase, prune_older_heads
from projections.read_store.rows import by_text

__all__ = [
    "FIRST_MONTH",
    "UNKNOWN",
    "GridRow",
    "StatusGrid",
    "decode_codes",
    "encode_codes",
    "month",
    "month_day",
]

UNKNOWN = "?"  # a month not evaluated yet

# (first month's index, its codes month by month, UNKNOWN where not evaluated)
GridRow = tuple[int, list[str]]


def month(day: date) -> int:
    """A first of a month as a count of months."""
    return day.year * 12 + day.month - 1


# The first month a date can hold (January of year 1): nothing is asked about before it.
FIRST_MONTH = date.min.year * 12


def month_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def encode_codes(codes: Sequence[str]) -> str:
    runs: list[list[object]] = []
    for code in codes:
        if runs and runs[-1][0] == code:
            runs[-1][1] = int(runs[-1][1]) + 1  # type: ignore[call-overload]
        else:
            runs.append([code, 1])
    return ",".join(f"{code}*{count}" for code, count in runs)


def decode_codes(text: str) -> list[str]:
    codes: list[str] = []
    for run in text.split(",") if text else ():
        code, _, count = run.rpartition("*")
        codes.extend([code] * int(count))
    return codes


class StatusGrid:
    def __init__(self, db: ReadDatabase, checkpoints: Checkpoints) -> None:
        self._db = db
        self._checkpoints = checkpoints

    def get(self, agency_id: UUID, rules_key: str, heads: dict[UUID, int]) -> dict[UUID, GridRow]:
        """The rows of these people at exactly these heads, under ``rules_key``."""
        wanted = by_text(heads)
        found: dict[UUID, GridRow] = {}
        with self._db.reading() as cur:
            cur.execute(
                f"SELECT person_id, version, lo, codes FROM {self._db.table('rm_status_grid')} "
                "WHERE agency_id = %s AND rules_key = %s",
                (str(agency_id), rules_key),
            )
            for person_id, version, lo, codes in cur.fetchall():
                person, head = wanted.get(person_id, (None, None))
                if person is not None and head == version:
                    found[person] = (month(date.fromisoformat(lo)), decode_codes(codes))
        return found

    def put(
        self,
        agency_id: UUID,
        rules_key: str,
        rows: Sequence[tuple[UUID, int, GridRow]],
        histories: Sequence[tuple[UUID, int, str]] = (),
    ) -> None:
        """Store rows (replacing the same person's row at the same head: the new one holds
        every month the old one did), and the history checkpoints folded to compute them.
        Skipped, like the memo, while an event write holds SQLite's lock: a row can always
        be computed again."""
        if not rows and not histories:
            return
        with self._db.transaction_unless_busy() as cur:
            if cur is None:
                return
            # Imported here: it imports the fold (``projections.history``), which a read
            # the memo or the grid already answers never needs (``tests/api/test_startup.py``).
            from projections.history_codec import fold_key

            if self._db.backend == "postgres":
                cur.execute("SET LOCAL synchronous_commit TO OFF")
            cur.executemany(
                f"INSERT INTO {self._db.table('rm_status_grid')} VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (agency_id, rules_key, person_id, version) DO UPDATE "
                "SET lo = excluded.lo, codes = excluded.codes",
                [
                    (
                        str(agency_id),
                        rules_key,
                        str(person),
                        head,
                        month_day(lo).isoformat(),
                        encode_codes(codes),
                    )
                    for person, head, (lo, codes) in rows
                ],
            )
            prune_older_heads(
                cur,
                self._db.table("rm_status_grid"),
                "agency_id = %s AND rules_key = %s AND person_id = %s",
                [((str(agency_id), rules_key, str(person)), head) for person, head, _ in rows],
            )
            self._checkpoints.put(histories, fold_key(), cur)

    def clear(self) -> None:
        with self._db.transaction() as cur:
            cur.execute(f"DELETE FROM {self._db.table('rm_status_grid')}")
