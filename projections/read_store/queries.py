"""Reads of the tracked model's live generation: an agency's people and counts, upcoming
deadlines, and the stored answers of people it holds at the asked head and day."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.read_store.database import ReadDatabase
from projections.read_store.rows import (
    PERSON_COLUMNS,
    REQUIREMENT_COLUMNS,
    AnswerRow,
    PersonRow,
    RequirementRow,
    Tracking,
    matching,
)
from projections.read_store.schema import generation_tables
from projections.read_store.tracked import TrackedModel

__all__ = ["TrackedQueries"]


class TrackedQueries:
    """Queries answered from the live generation (empty while there is none)."""

    def __init__(self, db: ReadDatabase, model: TrackedModel) -> None:
        self._db = db
        self._model = model

    def _tables(self) -> tuple[str, str] | None:
        generation = self._model.live_generation()
        if generation is None:
            return None
        person, requirement = generation_tables(generation)
        return self._db.table(person), self._db.table(requirement)

    def answers(
        self,
        live: Tracking,
        agency_id: UUID,
        rules_key: str,
        heads: dict[UUID, int],
        *,
        roster: bool = False,
    ) -> dict[UUID, AnswerRow]:
        """The stored answers (status documents, or ``roster`` rows) of the people whose
        row is at their given stream head under the rules ``rules_key`` names, on the live
        generation's day; a row at another head or under other rules is left out."""
        person, _ = generation_tables(live.generation)
        statement = (
            "SELECT person_id, version, employee_id, status, kind, person_status, "
            f"{'roster' if roster else 'body'} FROM {self._db.table(person)} "
            "WHERE agency_id = %s AND rules_key = %s AND as_of = %s"
        )
        params: tuple[str, ...] = (str(agency_id), rules_key, live.as_of)
        if len(heads) == 1:
            statement += " AND person_id = %s"
            params += (str(next(iter(heads))),)
        with self._db.reading(binary=True) as cur:
            cur.execute(statement, params)
            return matching(cur.fetchall(), heads)

    def people(self, agency_id: UUID) -> list[PersonRow]:
        tables = self._tables()
        if tables is None:
            return []
        with self._db.reading() as cur:
            cur.execute(
                f"SELECT {PERSON_COLUMNS} FROM {tables[0]} WHERE agency_id = %s "
                "ORDER BY employee_id",
                (str(agency_id),),
            )
            return [PersonRow(*row) for row in cur.fetchall()]

    def person(self, person_id: UUID) -> PersonRow | None:
        tables = self._tables()
        if tables is None:
            return None
        with self._db.reading() as cur:
            cur.execute(
                f"SELECT {PERSON_COLUMNS} FROM {tables[0]} WHERE person_id = %s",
                (str(person_id),),
            )
            rows = cur.fetchall()
        return PersonRow(*rows[0]) if rows else None

    def counts_by_status(self, agency_id: UUID) -> dict[str, int]:
        """People by status, leaving out those not yet hired on the model's day (as a
        roster's and a trend's counts do)."""
        rows = self._counted_by(agency_id, "person", "status", "person_status <> 'not_hired'")
        return {str(status): int(n) for status, n in rows}

    def counts_by_requirement(self, agency_id: UUID) -> dict[tuple[str, str], int]:
        rows = self._counted_by(agency_id, "requirement", "requirement_id, status")
        return {(str(r), str(s)): int(n) for r, s, n in rows}

    def _counted_by(
        self, agency_id: UUID, which: str, columns: str, where: str = "TRUE"
    ) -> list[Any]:
        """Rows of (columns..., count) of one agency in the live generation's person or
        requirement table, ordered by the columns."""
        tables = self._tables()
        if tables is None:
            return []
        table = tables[0] if which == "person" else tables[1]
        with self._db.reading() as cur:
            cur.execute(
                f"SELECT {columns}, count(*) FROM {table} WHERE agency_id = %s AND {where} "
                f"GROUP BY {columns} ORDER BY {columns}",
                (str(agency_id),),
            )
            return cur.fetchall()

    def upcoming_deadlines(self, agency_id: UUID, limit: int = 50) -> list[RequirementRow]:
        tables = self._tables()
        if tables is None:
            return []
        with self._db.reading() as cur:
            cur.execute(
                f"SELECT {REQUIREMENT_COLUMNS} FROM {tables[1]} "
                "WHERE agency_id = %s AND status IN ('due_soon', 'on_track') "
                "AND deadline IS NOT NULL ORDER BY deadline, person_id LIMIT %s",
                (str(agency_id), limit),
            )
            return [RequirementRow(*row) for row in cur.fetchall()]

    def dump(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Every row of the live generation, sorted: for rebuilt == incremental checks."""
        tables = self._tables()
        assert tables is not None
        with self._db.reading() as cur:
            cur.execute(f"SELECT {PERSON_COLUMNS} FROM {tables[0]} ORDER BY person_id")
            people = [tuple(row) for row in cur.fetchall()]
            cur.execute(
                f"SELECT {REQUIREMENT_COLUMNS} FROM {tables[1]} ORDER BY person_id, requirement_key"
            )
            requirements = [tuple(row) for row in cur.fetchall()]
        return people, requirements
