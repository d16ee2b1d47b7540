"""``muster import people FILE --sync``: an HR export compared with the ledger, and its
differences turned into events.

For each person in the file:

- not in the ledger: a new hire, enrolled as the plain roster import does;
- status (active, inactive, separated) differs: ``StatusChanged`` from ``status_on`` when
  the file gives it (a back-dated separation), else the sync day. A person on leave in the
  ledger whom the file calls active is only reported (an HR export has no word for leave);
- rank, unit or assignments differ: ``AssignmentChanged`` (a blank cell keeps the ledger's);
- licence: recorded when the ledger has none, renewed when the file's period end is later;
  an earlier end is reported, never applied (a licence period is not shortened by a file);
- certification facts given and different: ``CertificationRecorded``, the file's values
  over the ledger's (a restatement, as that event always is);
- name, email, kind or hire date differ: reported (no event changes them).

Nothing is ever deleted. People in the ledger but not in the file are reported; they are
separated (from the sync day) only with ``separate_missing``. A second sync of the same data
appends nothing. Every change is listed in ``report.changes``, in a dry run too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from api.importing.people import PersonRow, parse_people, person_value, stage_person
from api.importing.report import ImportReport, Severity
from api.importing.rows import Progress, Row
from api.importing.translate import column_for
from ledger.application import Ledger
from ledger.errors import LedgerError, PersonNotFoundError
from ledger.person import Person, person_id_for
from ledger.unit_of_work import UnitOfWork
from ledger.vocabulary import PersonStatus, assignment_id

__all__ = ["sync_people"]

_COLUMNS = {
    "status", "status_on", "rank", "unit", "assignments", "license_number",
    "license_expires_on", "license_issued_on", "certified_on", "basic_completed_on",
    "certificates", "employment", "employee_id",
}  # fmt: skip


def sync_people(
    ledger: Ledger,
    uow: UnitOfWork,
    agency: str,
    rows: list[Row],
    report: ImportReport,
    *,
    actor: str,
    separate_missing: bool = False,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Stage the file's differences from the ledger in ``uow``; returns (new hires, 0)."""
    sync = _Sync(ledger, uow, agency, actor, ledger.clock().date(), report)
    people = parse_people(rows, sync.today, report)
    agency_id = ledger.get_agency(agency).id
    seen: set[UUID] = set()
    hires = 0
    for done, person in enumerate(people, start=1):
        if progress is not None and done % 100 == 0:
            progress("comparing", done, len(people))
        seen.add(person_id_for(agency_id, person.employee_id))
        try:
            existing = uow.person(agency, person.employee_id)
        except PersonNotFoundError:
            existing = None
        try:
            if existing is None:
                stage_person(ledger, uow, agency, person, actor, sync.today)
                hires += 1
                sync.change(person, f"new hire, enrolled from {person.hired_on}")
            else:
                sync.person(existing, person)
        except LedgerError as error:
            column = column_for(error, _COLUMNS, "employee_id")
            report.add(person.number, column, str(error), person_value(person, column))
    sync.missing(seen, separate_missing)
    return hires, 0


@dataclass(frozen=True)
class _Sync:
    """One sync's context: where its events are staged, by whom, on which day."""

    ledger: Ledger
    uow: UnitOfWork
    agency: str
    actor: str
    today: date
    report: ImportReport

    def change(self, person: PersonRow, what: str) -> None:
        self.report.changes.append(f"row {person.number} {person.employee_id}: {what}")

    def person(self, existing: Person, row: PersonRow) -> None:
        employee = row.employee_id
        self._unchangeable(existing, row)
        if row.status != existing.status:
            if existing.status == PersonStatus.LEAVE and row.status == PersonStatus.ACTIVE:
                self.report.add(
                    row.number,
                    "status",
                    f"{employee} is on leave in the ledger and active in the file: not changed "
                    "(record the return with `muster person return`)",
                    row.status,
                    Severity.WARNING,
                )
            else:
                effective_on, held_status = row.status_on or self.today, existing.status
                self.ledger.change_status(
                    self.agency,
                    employee,
                    status=row.status,
                    effective_on=effective_on,
                    reason=f"HR export {self.report.file_name}",
                    actor=self.actor,
                    uow=self.uow,
                )
                self.change(row, f"status {held_status} -> {row.status} from {effective_on}")
        rank, unit = row.rank or existing.rank, row.unit or existing.unit
        held = sorted({assignment_id(a) for a in existing.assignments})
        assignments = row.assignments or held
        if (rank, unit, assignments) != (existing.rank, existing.unit, held):
            before = f"{existing.rank or '-'}/{existing.unit or '-'}/{';'.join(held) or '-'}"
            self.ledger.change_assignment(
                self.agency,
                employee,
                effective_on=self.today,
                rank=rank,
                unit_name=unit,
                assignments=assignments,
                actor=self.actor,
                uow=self.uow,
            )
            after = f"{rank or '-'}/{unit or '-'}/{';'.join(assignments) or '-'}"
            self.change(row, f"rank/unit/assignments {before} -> {after}")
        self._licence(existing, row)
        self._certification(existing, row)

    def _licence(self, existing: Person, row: PersonRow) -> None:
        ends = row.license_expires_on
        if ends is None or ends == existing.license_period_end:
            return
        held = existing.license_period_end
        if held is None:
            self.ledger.record_license(
                self.agency,
                row.employee_id,
                license_number=row.license_number,
                issued_on=row.license_issued_on,
                period_end=ends,
                actor=self.actor,
                uow=self.uow,
            )
            self.change(row, f"licence {row.license_number} recorded, period end {ends}")
        elif ends > held:
            self.ledger.renew_license(
                self.agency,
                row.employee_id,
                renewed_on=self.today,
                period_end=ends,
                license_number=row.license_number,
                actor=self.actor,
                uow=self.uow,
            )
            self.change(row, f"licence renewed: period end {held} -> {ends}")
        else:
            self.report.add(
                row.number,
                "license_expires_on",
                f"licence period end {ends} is before the ledger's {held}: not applied "
                "(a file never shortens a licence period)",
                ends.isoformat(),
                Severity.WARNING,
            )

    def _certification(self, existing: Person, row: PersonRow) -> None:
        if not row.has_certification:
            return
        held = (
            existing.certified_on,
            existing.basic_completed_on,
            sorted(existing.certificates),
            existing.employment,
        )
        merged = (
            row.certified_on or existing.certified_on,
            row.basic_completed_on or existing.basic_completed_on,
            sorted(row.certificates) if row.certificates else held[2],
            row.employment or existing.employment,
        )
        if merged == held:
            return
        self.ledger.record_certification(
            self.agency,
            row.employee_id,
            effective_on=self.today,
            certified_on=merged[0],
            basic_completed_on=merged[1],
            certificates=merged[2],
            employment=merged[3],
            actor=self.actor,
            uow=self.uow,
        )
        names = ("certified_on", "basic_completed_on", "certificates", "employment")
        changed = [name for name, old, new in zip(names, held, merged, strict=True) if old != new]
        self.change(row, f"certification facts restated: {', '.join(changed)}")

    def _unchangeable(self, existing: Person, row: PersonRow) -> None:
        theirs = {
            "first_name": existing.first_name,
            "last_name": existing.last_name,
            "kind": existing.kind,
            "hired_on": existing.hired_on,
            "email": existing.email,
        }
        differ = [
            name
            for name, value in theirs.items()
            if getattr(row, name) not in ("", None) and getattr(row, name) != value
        ]
        if differ:
            self.report.add(
                row.number,
                differ[0],
                f"differs from the ledger in {', '.join(differ)}: no event changes these, "
                "not applied",
                severity=Severity.WARNING,
            )

    def missing(self, seen: set[UUID], separate_missing: bool) -> None:
        for person_id in self.ledger.people_ids(self.agency):
            if person_id in seen:
                continue
            person = self.ledger.get_person_by_id(person_id)
            if person.status == PersonStatus.SEPARATED:
                continue
            if not separate_missing:
                self.report.add(
                    None,
                    "employee_id",
                    f"{person.employee_id} is in the ledger but not in the file: not separated "
                    "(--separate-missing separates them)",
                    person.employee_id,
                    Severity.WARNING,
                )
                continue
            self.ledger.change_status(
                self.agency,
                person.employee_id,
                status=PersonStatus.SEPARATED,
                effective_on=self.today,
                reason=f"not in HR export {self.report.file_name}",
                actor=self.actor,
                uow=self.uow,
            )
            self.report.changes.append(
                f"{person.employee_id}: not in the file, separated from {self.today}"
            )
