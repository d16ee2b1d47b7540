"""The columns each import kind reads, and matching a spreadsheet's header to them.

Header names are matched case-insensitively, ignoring surrounding spaces and treating
spaces and hyphens as underscores ("Employee ID" is ``employee_id``). Columns the import does
not know are reported as warnings, never silently dropped; a missing required column is an
error for the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from api.importing.report import ImportReport, Severity

__all__ = [
    "PEOPLE_COLUMNS",
    "TRAINING_COLUMNS",
    "Column",
    "columns_for",
    "map_header",
    "normalise_header",
]


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: str
    # Other headers that mean this column (normalised like the header: "Expiration Date"
    # is expiration_date).
    aliases: tuple[str, ...] = ()


# What HR and training systems call the employee id, in either kind of file.
_EMPLOYEE_ID_ALIASES = (
    "employee",
    "emp_id",
    "employee_number",
    "employee_no",
    "badge_number",
    "officer_id",
    "personnel_id",
)

PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_id",
        True,
        "the agency's own id for the person (unique in the agency)",
        aliases=_EMPLOYEE_ID_ALIASES,
    ),
    Column("first_name", True, "given name", aliases=("first", "given_name", "fname")),
    Column("last_name", True, "family name", aliases=("last", "surname", "family_name", "lname")),
    Column("kind", True, "sworn or civilian", aliases=("personnel_type", "sworn_civilian")),
    Column(
        "hired_on",
        True,
        "hire date (YYYY-MM-DD or M/D/YYYY)",
        aliases=("hire_date", "date_hired", "hired", "date_of_hire"),
    ),
    Column(
        "status",
        False,
        "active (default), inactive or separated",
        aliases=("employee_status",),
    ),
    Column(
        "status_on",
        False,
        "date the status took effect (default: the import day); back-dates a separation",
        aliases=("status_date", "status_effective", "separated_on", "separation_date"),
    ),
    Column(
        "license_number",
        False,
        "peace-officer licence number (sworn only)",
        aliases=("licence_number", "license_no", "license", "post_license_number"),
    ),
    Column(
        "license_expires_on",
        False,
        "end of the current licence period",
        aliases=(
            "license_expiration",
            "license_expiration_date",
            "license_expires",
            "licence_expires_on",
            "license_period_end",
        ),
    ),
    Column(
        "license_issued_on",
        False,
        "date the licence was first issued (periods and new-licensee rules key on it)",
        aliases=("license_issue_date", "licensed_on", "license_issued", "licence_issued_on"),
    ),
    Column("certified_on", False, "certification date, where the state's cycle derives from it"),
    Column(
        "basic_completed_on",
        False,
        "basic training (academy) completion date, where the state exempts that year (OH)",
        aliases=(
            "basic_training_completed_on",
            "basic_training_completed",
            "basic_completed",
            "academy_graduation_date",
            "academy_completed_on",
        ),
    ),
    Column(
        "certificates",
        False,
        "';'-separated certificates or proficiency levels held (e.g. intermediate_peace_officer)",
        aliases=("certifications", "certificate", "proficiency", "proficiency_certificates"),
    ),
    Column(
        "employment",
        False,
        "full_time (default), part_time, reserve or reserve_level_iii",
        aliases=("employment_basis", "employment_type", "appointment_type"),
    ),
    Column("rank", False, "rank, e.g. Officer, Sergeant", aliases=("title_rank",)),
    Column("unit", False, "unit or division, e.g. Patrol", aliases=("division", "bureau")),
    Column(
        "assignments",
        False,
        "';'-separated assignments, e.g. sro;patrol",
        aliases=("assignment", "duty_assignment"),
    ),
    Column("email", False, "work email", aliases=("email_address", "work_email")),
)

TRAINING_COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_id",
        True,
        "the person's employee id (must already be in the ledger)",
        aliases=_EMPLOYEE_ID_ALIASES,
    ),
    Column(
        "completed_on",
        True,
        "completion date (YYYY-MM-DD or M/D/YYYY)",
        aliases=(
            "date",
            "completion_date",
            "completed",
            "date_completed",
            "training_date",
            "course_date",
        ),
    ),
    Column(
        "course_title",
        True,
        "course title",
        aliases=("course", "course_name", "title", "class", "class_name", "training_title"),
    ),
    Column(
        "hours",
        True,
        "credit hours, more than 0 and at most 24 per person per day",
        aliases=("credit_hours", "training_hours", "hrs", "total_hours", "contact_hours"),
    ),
    Column(
        "topics",
        False,
        "';'-separated topic_id=hours; a single topic id takes all hours",
        aliases=("topic", "subjects", "subject"),
    ),
    Column(
        "post_course_number",
        False,
        "the state POST board's course number",
        aliases=(
            "course_number",
            "post_course",
            "post_number",
            "post_course_no",
            "course_no",
            "post_course_id",
        ),
    ),
    Column(
        "provider",
        False,
        "who delivered the course",
        aliases=("training_provider", "vendor", "presenter"),
    ),
    Column(
        "delivery",
        False,
        "in_person (default), online, hybrid or self_study",
        aliases=("delivery_mode", "delivery_method", "format"),
    ),
    Column(
        "record_id",
        False,
        "the source system's own record id (unique in the agency)",
        aliases=("source_record_id", "training_record_id", "record_number"),
    ),
    Column(
        "tags",
        False,
        "';'-separated training tags a rule may name (e.g. alerrt_level_1)",
        aliases=("tag", "labels"),
    ),
    Column(
        "valid_until",
        False,
        "the credential's expiry date, for a card or certificate that expires "
        "(First Aid/CPR): rules that require it current at all times need it",
        aliases=(
            "expires_on",
            "expiry",
            "expiry_date",
            "expiration",
            "expiration_date",
            "expires",
            "valid_through",
            "valid_to",
        ),
    ),
)


def columns_for(kind: str) -> tuple[Column, ...]:
    if kind == "people":
        return PEOPLE_COLUMNS
    if kind == "training":
        return TRAINING_COLUMNS
    msg = f"unknown import kind {kind!r}: people or training"
    raise ValueError(msg)


_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_header(text: str) -> str:
    return _SEPARATORS.sub("_", text.strip().casefold()).strip("_")


def map_header(
    cells: Sequence[str], columns: Sequence[Column], row: int, report: ImportReport
) -> dict[str, int] | None:
    """Column name → cell index; ``None`` (with errors in ``report``) if unusable."""
    known = {column.name for column in columns}
    aliases = {alias: column.name for column in columns for alias in column.aliases}
    positions: dict[str, int] = {}
    usable = True
    for index, cell in enumerate(cells):
        name = normalise_header(cell)
        name = aliases.get(name, name)
        if not name:
            continue  # trailing empty header cells are common; data under them is checked
        if name in positions:
            report.add(row, cell.strip(), f"column {name!r} appears twice in the header")
            usable = False
        elif name in known:
            positions[name] = index
        else:
            report.add(
                row,
                cell.strip(),
                f"unknown column {cell.strip()!r} is ignored; expected: {', '.join(sorted(known))}",
                severity=Severity.WARNING,
            )
    for column in columns:
        if column.required and column.name not in positions:
            report.add(row, column.name, f"required column {column.name!r} is missing")
            usable = False
    return positions if usable else None
