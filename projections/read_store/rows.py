"""The rows the read side's tables hold, as frozen records, with their column lists, and
the picking of stored answers at given stream heads."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from uuid import UUID

__all__ = [
    "PERSON_COLUMNS",
    "REQUIREMENT_COLUMNS",
    "AnswerRow",
    "PersonRow",
    "RequirementRow",
    "Tracking",
    "by_text",
    "matching",
    "person_values",
    "requirement_values",
]


@dataclass(frozen=True)
class Tracking:
    """A generation of the tracked model: its position in the log, its day, whether it is
    still being built, the head it is built to and where an interrupted build resumes."""

    generation: int
    notification_id: int
    as_of: str
    building: bool
    head: int
    resume_after: str


@dataclass(frozen=True)
class AnswerRow:
    """A stored answer: its JSON body and what a roster filters and counts on."""

    employee_id: str
    status: str
    kind: str
    person_status: str
    body: bytes


@dataclass(frozen=True)
class PersonRow:
    """One person in the tracked model: their answer on the model's day from their stream
    up to ``version`` under the rules ``rules_key`` names, as a status answer (``body``)
    and as a roster row (``roster``)."""

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
    rules_key: str
    body: bytes
    roster: bytes


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


PERSON_COLUMNS = (
    "person_id, agency_id, employee_id, name, kind, person_status, status, next_deadline, "
    "as_of, version, rules_key, body, roster"
)
REQUIREMENT_COLUMNS = (
    "person_id, agency_id, requirement_key, pack_id, requirement_id, version_id, status, "
    "deadline, required, counted, remaining"
)

# Column values in column order (``astuple`` deep-copies every field: a rebuild writes
# tens of thousands of rows).
person_values = attrgetter(*(c.strip() for c in PERSON_COLUMNS.split(",")))
requirement_values = attrgetter(*(c.strip() for c in REQUIREMENT_COLUMNS.split(",")))


def by_text(heads: dict[UUID, int]) -> dict[str, tuple[UUID, int]]:
    """Stream heads by the text form of the person id, as the tables store it (parsing
    thousands of ids back into UUIDs cost more than the rest of a memo read)."""
    return {str(person_id): (person_id, head) for person_id, head in heads.items()}


def matching(rows: list[tuple[object, ...]], heads: dict[UUID, int]) -> dict[UUID, AnswerRow]:
    """Of rows (person id, version, answer facets and body), the answers at the person's
    given head; rows at another head are left out."""
    wanted = by_text(heads)
    found: dict[UUID, AnswerRow] = {}
    for person_id, version, *facets in rows:
        key, head = wanted.get(str(person_id), (None, None))
        if key is not None and head == version:
            found[key] = AnswerRow(*facets)  # type: ignore[arg-type]
    return found
