"""People (roster) import: parse each row, check the file as a whole, then let the ledger's
own use cases validate and stage every row in one unit.

What a row becomes in the ledger:

- ``PersonEnrolled`` (effective on ``hired_on``) with name, kind, rank, unit, assignments,
  email;
- ``LicenseRecorded`` when a licence is given: ``license_expires_on`` as the current period
  end, with ``license_issued_on`` as the issue date when the sheet gives it; without it the
  issue date is recorded as not given (the engine derives the earlier periods, and says so);
- ``CertificationRecorded`` (effective on ``certified_on``, else ``basic_completed_on``,
  else the hire date) when a certification or basic-training completion date,
  certificates or an employment basis is given (without ``employment``, full time);
- ``StatusChanged`` when status is not ``active``, effective on ``status_on`` when the
  sheet gives it, else on the import day (the ledger never back-dates what the file does
  not say).

A person already enrolled is skipped (the roster import does not change existing people);
if the row differs from the ledger, a warning names the fields. ``--sync``
(``api.importing.sync``) turns those differences into events instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.importing.report import ImportReport, Severity
from api.importing.rows import Progress, Row
from api.importing.translate import column_for
from api.importing.values import CellError, normalise_token, parse_date, parse_list
from ledger.application import Ledger
from ledger.errors import LedgerError, PersonNotFoundError
from ledger.unit_of_work import UnitOfWork
from ledger.vocabulary import (
    ASSIGNMENT_ALIASES,
    Assignment,
    Employment,
    PersonKind,
    PersonStatus,
    assignment_id,
)

__all__ = [
    "CERTIFIED_ON_STORED",
    "PersonRow",
    "import_people",
    "parse_people",
    "parse_person",
    "person_value",
    "stage_person",
]

# certified_on is stored through Ledger.record_certification (CertificationRecorded).
CERTIFIED_ON_STORED = True
_STATUSES = (PersonStatus.ACTIVE, PersonStatus.INACTIVE, PersonStatus.SEPARATED)
_COLUMNS = {
    "employee_id", "first_name", "last_name", "kind", "hired_on", "status", "license_number",
    "license_expires_on", "license_issued_on", "certified_on", "basic_completed_on", "rank",
    "unit", "assignments", "email", "certificates", "employment", "status_on",
}  # fmt: skip
_EMPLOYMENT = {basis.value for basis in Employment}


@dataclass(frozen=True, slots=True)
class PersonRow:
    number: int
    employee_id: str
    first_name: str
    last_name: str
    kind: str
    hired_on: date
    status: str
    license_number: str
    license_expires_on: date | None
    certified_on: date | None
    rank: str
    unit: str
    assignments: list[str]
    email: str
    basic_completed_on: date | None = None
    license_issued_on: date | None = None
    certificates: tuple[str, ...] = ()
    employment: str = ""  # "" when the sheet does not say
    status_on: date | None = None

    @property
    def has_certification(self) -> bool:
        facts = (self.certified_on, self.basic_completed_on, self.employment or None)
        return bool(self.certificates) or any(fact is not None for fact in facts)


def parse_person(row: Row, today: date, report: ImportReport) -> PersonRow | None:
    """The row's values, or ``None`` after reporting every problem found in it."""
    problems = report.issue_count

    def fail(column: str, reason: str) -> None:
        report.add(row.number, column, reason, row[column])

    for column in ("employee_id", "first_name", "last_name", "kind", "hired_on"):
        if not row[column]:
            fail(column, f"{column} is required")
    kind = row["kind"].casefold()
    if kind and kind not in {k.value for k in PersonKind}:
        fail("kind", "kind must be sworn or civilian")
    status = row["status"].casefold() or PersonStatus.ACTIVE.value
    if status not in {s.value for s in _STATUSES}:
        fail("status", "status must be active, inactive or separated")
    hired_on = _date(row, "hired_on", today, report, not_after_today=True)
    expires = _date(row, "license_expires_on", today, report, not_after_today=False)
    certified = _date(row, "certified_on", today, report, not_after_today=True)
    basic = _date(row, "basic_completed_on", today, report, not_after_today=True)
    issued = _date(row, "license_issued_on", today, report, not_after_today=True)
    if row["license_issued_on"] and not row["license_expires_on"]:
        fail("license_expires_on", "a licence issue date needs the current period end")
    if row["license_number"] and not row["license_expires_on"]:
        fail("license_expires_on", "give the end of the current licence period with the number")
    if row["license_expires_on"] and not row["license_number"]:
        fail("license_number", "a licence period end needs the licence number")
    employment = normalise_token(row["employment"])
    if employment and employment not in _EMPLOYMENT:
        fail("employment", f"employment must be one of {', '.join(sorted(_EMPLOYMENT))}")
    status_on = _date(row, "status_on", today, report, not_after_today=True)
    if report.issue_count > problems or row.number in report.error_rows or hired_on is None:
        return None
    return PersonRow(
        number=row.number,
        employee_id=row["employee_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        kind=kind,
        hired_on=hired_on,
        status=status,
        license_number=row["license_number"],
        license_expires_on=expires,
        certified_on=certified,
        rank=row["rank"],
        unit=row["unit"],
        assignments=sorted({assignment_id(a) for a in parse_list(row["assignments"])}),
        email=row["email"],
        basic_completed_on=basic,
        license_issued_on=issued,
        certificates=tuple(parse_list(row["certificates"])),
        employment=employment,
        status_on=status_on,
    )


def _date(
    row: Row, column: str, today: date, report: ImportReport, *, not_after_today: bool
) -> date | None:
    if not row[column]:
        return None
    try:
        value = parse_date(row[column])
    except CellError as error:
        report.add(row.number, column, str(error), row[column])
        return None
    if not_after_today and value > today:
        report.add(row.number, column, f"{value.isoformat()} is in the future", row[column])
        return None
    return value


def import_people(
    ledger: Ledger,
    uow: UnitOfWork,
    agency: str,
    rows: list[Row],
    report: ImportReport,
    *,
    actor: str,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Stage every valid new person in ``uow``; returns (people, records) staged.
    ``rows`` is consumed (emptied once parsed)."""
    today = ledger.clock().date()
    unique = parse_people(rows, today, report)
    enrolled = 0
    for done, person in enumerate(unique, start=1):
        if progress is not None and done % 100 == 0:
            progress("checking", done, len(unique))
        if _already_enrolled(ledger, uow, agency, person, report):
            continue
        try:
            stage_person(ledger, uow, agency, person, actor, today)
        except LedgerError as error:
            column = column_for(error, _COLUMNS, "employee_id")
            report.add(person.number, column, str(error), person_value(person, column))
            continue
        enrolled += 1
    if progress is not None:
        progress("checking", len(unique), len(unique))
    certified = sum(1 for p in unique if p.certified_on is not None)
    if certified and not CERTIFIED_ON_STORED:  # kept for ledgers without the event
        report.notes.append(f"certified_on: {certified} value(s) checked but not stored")
    return enrolled, 0


def parse_people(rows: list[Row], today: date, report: ImportReport) -> list[PersonRow]:
    """The valid rows, each employee once (a repeat is an error naming the first row);
    ``rows`` is consumed (emptied once parsed)."""
    parsed = [p for p in (parse_person(row, today, report) for row in rows) if p is not None]
    rows.clear()
    _warn_unknown_assignments(parsed, report)
    first_seen: dict[str, int] = {}
    unique: list[PersonRow] = []
    for person in parsed:
        key = person.employee_id.casefold()
        if key in first_seen:
            report.add(
                person.number,
                "employee_id",
                f"employee {person.employee_id} is already on row {first_seen[key]}",
                person.employee_id,
            )
            continue
        first_seen[key] = person.number
        unique.append(person)
    return unique


def _warn_unknown_assignments(people: list[PersonRow], report: ImportReport) -> None:
    """One warning per assignment name the vocabulary does not know, at its first row: it
    is imported as given, but no rule pack binds it, so a requirement for an assignment
    (MN school resource officers, CA dispatchers) would not see the person under it."""
    known = {a.value for a in Assignment}
    rows: dict[str, list[int]] = {}
    for person in people:
        for name in person.assignments:
            if name not in known:
                rows.setdefault(name, []).append(person.number)
    if not rows:
        return
    names = ", ".join(sorted(known))
    aliases = ", ".join(f"{k} = {v.value}" for k, v in sorted(ASSIGNMENT_ALIASES.items()))
    for name, numbers in sorted(rows.items(), key=lambda item: item[1][0]):
        more = f" (on {len(numbers)} rows)" if len(numbers) > 1 else ""
        report.add(
            numbers[0],
            "assignments",
            f"assignment {name!r}{more} is not one the rule packs know, so no requirement "
            f"binds it; imported as given. Known assignments: {names}; aliases: {aliases}",
            name,
            Severity.WARNING,
        )


def stage_person(
    ledger: Ledger, uow: UnitOfWork, agency: str, person: PersonRow, actor: str, today: date
) -> None:
    ledger.enrol_person(
        agency,
        person.employee_id,
        first_name=person.first_name,
        last_name=person.last_name,
        kind=person.kind,
        hired_on=person.hired_on,
        rank=person.rank,
        unit_name=person.unit,
        assignments=person.assignments,
        email=person.email,
        actor=actor,
        uow=uow,
    )
    if person.license_expires_on is not None:
        ledger.record_license(
            agency,
            person.employee_id,
            license_number=person.license_number,
            issued_on=person.license_issued_on,
            period_end=person.license_expires_on,
            actor=actor,
            uow=uow,
        )
    if person.has_certification:
        ledger.record_certification(
            agency,
            person.employee_id,
            effective_on=person.certified_on or person.basic_completed_on or person.hired_on,
            certified_on=person.certified_on,
            basic_completed_on=person.basic_completed_on,
            certificates=person.certificates,
            employment=person.employment or Employment.FULL_TIME,
            actor=actor,
            uow=uow,
        )
    if person.status != PersonStatus.ACTIVE:
        ledger.change_status(
            agency,
            person.employee_id,
            status=person.status,
            effective_on=person.status_on or today,
            reason="status as given in the imported roster",
            actor=actor,
            uow=uow,
        )


def _already_enrolled(
    ledger: Ledger, uow: UnitOfWork, agency: str, person: PersonRow, report: ImportReport
) -> bool:
    try:
        existing = uow.person(agency, person.employee_id)
    except PersonNotFoundError:
        return False
    if existing.pending_events:
        # Enrolled earlier in this same file under a differently cased id: a duplicate
        # the casefolded check above already reported, so this cannot normally happen.
        return True
    report.add(
        person.number,
        "employee_id",
        f"employee {person.employee_id} is already in the ledger; row not applied",
        person.employee_id,
        Severity.SKIPPED,
    )
    theirs = {
        "first_name": existing.first_name,
        "last_name": existing.last_name,
        "kind": existing.kind,
        "hired_on": existing.hired_on,
        "status": existing.status,
        "license_number": existing.license_number,
        "license_expires_on": existing.license_period_end,
        "rank": existing.rank,
        "unit": existing.unit,
        "assignments": sorted({assignment_id(a) for a in existing.assignments}),
        "email": existing.email,
        "certified_on": getattr(existing, "certified_on", None),
    }
    ours = {name: getattr(person, name) for name in theirs}
    # A blank optional cell says nothing, so it does not count as a difference.
    differ = sorted(
        name for name in theirs if ours[name] not in ("", None, []) and ours[name] != theirs[name]
    )
    if differ:
        report.add(
            person.number,
            differ[0],
            f"differs from the ledger in {', '.join(differ)}; record changes as status, "
            "licence or assignment changes, not by re-importing",
            severity=Severity.WARNING,
        )
    return True


def person_value(person: PersonRow, column: str) -> str:
    value = getattr(person, column, "")
    if isinstance(value, list):
        return ";".join(value)
    return "" if value is None else str(value)
