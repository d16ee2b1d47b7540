"""Example files for ``muster import template``: every column, a few valid rows.

The rows use dates in the past, both date formats and both topic forms, and topic ids of
the agency's rule pack (Minnesota's unless topics are given), so a coordinator can import the
people template and then the training template into a fresh agency and see them accepted.
"""

from __future__ import annotations

from collections.abc import Collection

from api.importing.columns import columns_for
from api.importing.writing import write_sheet

__all__ = ["template_bytes", "template_rows"]

# The example rows' cells, in this order; the file's header is every column (columns.py),
# so a column added there is written empty until an example value is given here.
_PEOPLE_CELLS = (
    "employee_id", "first_name", "last_name", "kind", "hired_on", "status", "license_number",
    "license_expires_on", "license_issued_on", "certified_on", "basic_completed_on", "rank",
    "unit", "assignments", "email",
)  # fmt: skip
_TRAINING_CELLS = (
    "employee_id", "completed_on", "course_title", "hours", "topics", "post_course_number",
    "provider", "delivery", "record_id", "valid_until",
)  # fmt: skip
_PEOPLE = [
    ["T1001", "Alex", "Olson", "sworn", "2015-08-03", "active", "482113", "2026-06-30",
     "2011-06-01", "2015-07-15", "2015-05-29", "Sergeant", "Patrol", "patrol;sro",
     "alex.olson@example.org"],
    ["T1002", "Maria", "Garcia", "sworn", "3/14/2019", "", "519027", "6/30/2025",
     "", "", "", "Officer", "Patrol", "patrol", "maria.garcia@example.org"],
    ["T1003", "Sam", "Nguyen", "civilian", "2021-01-11", "active", "", "",
     "", "", "", "Records Specialist", "Records", "", "sam.nguyen@example.org"],
]  # fmt: skip
_TRAINING = [
    ["T1001", "2024-03-05", "Use of Force Annual Update", "4", "{a}=4",
     "UOF-101", "Agency Training Unit", "in_person", "LMS-2024-0001", ""],
    ["T1001", "2024-05-20", "Crisis Intervention and Autism Awareness", "8",
     "{b}=6;{c}=2", "CIT-8", "State CIT Partnership", "in_person", "LMS-2024-0002", ""],
    ["T1002", "9/12/2024", "Scenario-Based Refresher", "3", "{a}",
     "SBR-3", "Agency Training Unit", "in_person", "", ""],
    ["T1003", "2024-10-01", "First Aid and Adult/Child CPR", "2", "",
     "", "Regional Academy", "in_person", "", "2026-10-31"],
]  # fmt: skip


# Minnesota's mandated learning objectives: the demo agency's state.
_DEFAULT_TOPICS = ("use_of_force", "crisis_intervention_mental_illness", "autism")


def template_rows(
    kind: str, topics: Collection[str] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and example rows; ``topics`` (the agency's pack) picks the topic ids used."""
    header = [column.name for column in columns_for(kind)]
    if kind == "people":
        return header, [_in_order(header, _PEOPLE_CELLS, row) for row in _PEOPLE]
    a, b, c = _pick(topics)
    rows = [[cell.format(a=a, b=b, c=c) for cell in row] for row in _TRAINING]
    if b == c:  # a one-topic pack: row 2 cannot split its hours between two topics
        rows[1][4] = f"{b}=8"
    return header, [_in_order(header, _TRAINING_CELLS, row) for row in rows]


def _in_order(header: list[str], names: tuple[str, ...], row: list[str]) -> list[str]:
    cells = dict(zip(names, row, strict=True))
    return [cells.get(name, "") for name in header]


def template_bytes(kind: str, file_format: str, topics: Collection[str] | None = None) -> bytes:
    header, rows = template_rows(kind, topics)
    return write_sheet(header, rows, file_format, title=kind, spreadsheet_safe=True)


def _pick(topics: Collection[str] | None) -> tuple[str, str, str]:
    if not topics:
        return _DEFAULT_TOPICS
    # Prefer the defaults the pack has, then its other ids in order.
    ordered = [t for t in _DEFAULT_TOPICS if t in topics]
    ordered += sorted(t for t in topics if t not in ordered)
    ordered += [ordered[0]] * (3 - len(ordered))
    return ordered[0], ordered[1], ordered[2] if ordered[2] != ordered[1] else ordered[0]
