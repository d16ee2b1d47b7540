"""Training-history import: parse each row, check the file as a whole (duplicates, hours per
day), then let the ledger's ``record_training`` validate and stage every new row in one unit.

Record ids are deterministic (uuid5 of the agency and the source's ``record_id``, or of the
row key when there is none), so the same data imported from CSV or from XLSX produces the
same ledger contents, and a row seen again is recognised as already present.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, project_aggregate

from api.importing.report import ImportReport, Severity
from api.importing.rows import Progress, Row
from api.importing.translate import column_for
from api.importing.values import (
    CellError,
    normalise_token,
    parse_date,
    parse_hours,
    parse_list,
    parse_topics,
)
from api.importing.values import row_key_text as key_text
from ledger.application import Ledger
from ledger.errors import LedgerError
from ledger.person import Person, TrainingCompleted, person_id_for
from ledger.unit_of_work import UnitOfWork
from ledger.vocabulary import DeliveryMode

__all__ = ["MAX_HOURS_PER_DAY", "TrainingRow", "import_training", "parse_training", "record_id_for"]

MAX_HOURS_PER_DAY = Decimal(24)
_COLUMNS = {
    "employee_id", "completed_on", "course_title", "hours", "topics", "post_course_number",
    "provider", "delivery", "record_id", "valid_until", "tags",
}  # fmt: skip
_DELIVERIES = {mode.value for mode in DeliveryMode}


@dataclass(frozen=True, slots=True)
class TrainingRow:
    number: int
    employee_id: str
    completed_on: date
    course_title: str
    hours: Decimal
    topic_hours: dict[str, Decimal]
    post_course_number: str
    provider: str
    delivery: str
    source_record_id: str
    valid_until: date | None = None
    tags: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, date, str, Decimal]:
        """The duplicate key: same person, day, course and hours is the same completion."""
        title = key_text(self.course_title)
        return (self.employee_id.casefold(), self.completed_on, title, self.hours.normalize())


def record_id_for(agency_id: UUID, row: TrainingRow) -> UUID:
    if row.source_record_id:
        return uuid5(NAMESPACE_URL, f"muster:training:{agency_id}:source:{row.source_record_id}")
    employee, completed_on, title, hours = row.key
    return uuid5(
        NAMESPACE_URL,
        f"muster:training:{agency_id}:row:{employee}|{completed_on}|{title}|{hours:f}",
    )


def parse_training(
    row: Row, today: date, topics: frozenset[str] | None, report: ImportReport
) -> TrainingRow | None:
    """The row's values, or ``None`` after reporting every problem found in it."""
    problems = report.issue_count

    def fail(column: str, reason: str) -> None:
        report.add(row.number, column, reason, row[column])

    for column in ("employee_id", "completed_on", "course_title", "hours"):
        if not row[column]:
            fail(column, f"{column} is required")
    completed_on: date | None = None
    if row["completed_on"]:
        try:
            completed_on = parse_date(row["completed_on"])
        except CellError as error:
            fail("completed_on", str(error))
        else:
            if completed_on > today:
                fail("completed_on", f"{completed_on.isoformat()} is in the future")
    hours: Decimal | None = None
    if row["hours"]:
        try:
            hours = parse_hours(row["hours"])
        except CellError as error:
            fail("hours", str(error))
        else:
            if hours > MAX_HOURS_PER_DAY:
                # Reported here as well as by the per-day sum, so a row that fails for
                # another reason still shows this problem.
                fail("hours", f"{hours} hours in one day; at most {MAX_HOURS_PER_DAY} per day")
    topic_hours: dict[str, Decimal] = {}
    try:
        topic_hours = parse_topics(row["topics"], hours, topics)
    except CellError as error:
        fail("topics", str(error))
    valid_until: date | None = None
    if row["valid_until"]:
        try:
            valid_until = parse_date(row["valid_until"])
        except CellError as error:
            fail("valid_until", str(error))
    delivery = normalise_token(row["delivery"]) or DeliveryMode.IN_PERSON.value
    if delivery not in _DELIVERIES:
        fail("delivery", f"delivery must be one of {', '.join(sorted(_DELIVERIES))}")
    failed = report.issue_count > problems or row.number in report.error_rows
    if failed or completed_on is None or hours is None:
        return None
    return TrainingRow(
        number=row.number,
        employee_id=row["employee_id"],
        completed_on=completed_on,
        course_title=row["course_title"],
        hours=hours,
        topic_hours=topic_hours,
        post_course_number=row["post_course_number"],
        provider=row["provider"],
        delivery=delivery,
        source_record_id=row["record_id"],
        valid_until=valid_until,
        tags=tuple(parse_list(row["tags"])),
    )


def _file_checks(rows: list[TrainingRow], report: ImportReport) -> list[TrainingRow]:
    """Duplicates within the file and hours per person per day; returns the rows that pass."""
    by_key: dict[tuple[str, date, str, Decimal], int] = {}
    by_source: dict[str, int] = {}
    unique: list[TrainingRow] = []
    for row in rows:
        if row.source_record_id and row.source_record_id in by_source:
            report.add(
                row.number,
                "record_id",
                f"record_id is already used on row {by_source[row.source_record_id]}",
                row.source_record_id,
            )
            continue
        if row.key in by_key:
            report.add(
                row.number,
                "course_title",
                f"duplicate of row {by_key[row.key]} (same employee, date, course and hours)",
                row.course_title,
            )
            continue
        by_key[row.key] = row.number
        if row.source_record_id:
            by_source[row.source_record_id] = row.number
        unique.append(row)
    # The sheet has no start date, so a completion's hours all fall on its completion day.
    days: dict[tuple[str, date], list[TrainingRow]] = defaultdict(list)
    for row in unique:
        days[(row.employee_id.casefold(), row.completed_on)].append(row)
    too_long = set()
    for (_, day), same_day in days.items():
        total = sum((r.hours for r in same_day), Decimal(0))
        if total <= MAX_HOURS_PER_DAY:
            continue
        numbers = ", ".join(str(r.number) for r in same_day)
        where = f"rows {numbers}" if len(same_day) > 1 else "this row"
        for r in same_day:
            too_long.add(r.number)
            report.add(
                r.number,
                "hours",
                f"{total} hours for {r.employee_id} on {day.isoformat()} ({where}); "
                f"at most {MAX_HOURS_PER_DAY} per day",
                f"{r.hours}",
            )
    return [row for row in unique if row.number not in too_long]


@dataclass
class _Known:
    """A person's records as the ledger holds them, to recognise rows already present."""

    person: Person
    live_keys: dict[tuple[date, str, Decimal], UUID] = field(default_factory=dict)
    live_sources: dict[str, UUID] = field(default_factory=dict)


def _load(ledger: Ledger, uow: UnitOfWork, agency_id: UUID, employee_id: str) -> _Known | None:
    person_id = person_id_for(agency_id, employee_id)
    sources: dict[UUID, str] = {}

    def watch(events: Iterable[Any]) -> Iterator[Any]:
        # Source ids are not part of the folded record state; collect them as the
        # stream is read, so the person's events are fetched only once.
        for event in events:
            if isinstance(event, TrainingCompleted) and event.source_record_id:
                sources[event.record_id] = event.source_record_id
            yield event

    def project(aggregate: Any, events: Iterable[Any]) -> Any:
        return project_aggregate(aggregate, watch(events))

    if person_id in uow.people:
        person = uow.people[person_id]
    else:
        try:
            person = cast(Person, ledger.repository.get(person_id, projector_func=project))
        except AggregateNotFoundError:
            return None
        # The unit of work reuses this aggregate, so record_training does not read the stream again.
        uow.people[person_id] = person
    known = _Known(person)
    for record_id, record in person.records.items():
        if record.voided:
            continue
        key = (record.completed_on, key_text(record.course_title), record.hours.normalize())
        known.live_keys.setdefault(key, record_id)
        if record_id in sources:
            known.live_sources.setdefault(sources[record_id], record_id)
    return known


def import_training(
    ledger: Ledger,
    uow: UnitOfWork,
    agency: str,
    rows: list[Row],
    report: ImportReport,
    *,
    actor: str,
    topics: frozenset[str] | None,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Stage every valid new record in ``uow``; returns (people, records) staged.
    ``rows`` is consumed (emptied once parsed), so a large file's text is not held while
    its events are staged."""
    today = ledger.clock().date()
    agency_id = ledger.get_agency(agency).id
    parsed: list[TrainingRow] = []
    rows.reverse()
    while rows:  # each row's text is let go once parsed
        found = parse_training(rows.pop(), today, topics, report)
        if found is not None:
            parsed.append(found)
    checked = _file_checks(parsed, report)
    del parsed
    people: dict[str, _Known | None] = {}
    staged = 0
    total = len(checked)
    # Each row is let go once staged: the rows shrink as the unit's events grow.
    checked.reverse()
    for done in range(1, total + 1):
        row = checked.pop()
        if progress is not None and done % 250 == 0:
            progress("checking", done, total)
        employee = row.employee_id.casefold()
        if employee not in people:
            people[employee] = _load(ledger, uow, agency_id, row.employee_id)
        known = people[employee]
        if known is None:
            report.add(
                row.number,
                "employee_id",
                f"no person with employee id {row.employee_id} in {agency} "
                "(import the roster first)",
                row.employee_id,
            )
            continue
        record_id = record_id_for(agency_id, row)
        present = _already_present(known, row, record_id)
        if present:
            column = "record_id" if row.source_record_id else "course_title"
            report.add(row.number, column, present, _value(row, column), Severity.SKIPPED)
            _expiry_differs(known, row, record_id, report)
            continue
        try:
            ledger.record_training(
                agency,
                row.employee_id,
                completed_on=row.completed_on,
                course_title=row.course_title,
                hours=row.hours,
                topic_hours=dict(row.topic_hours),
                provider=row.provider,
                post_course_number=row.post_course_number,
                delivery=row.delivery,
                source_record_id=row.source_record_id,
                valid_until=row.valid_until,
                tags=row.tags,
                record_id=record_id,
                actor=actor,
                uow=uow,
            )
        except LedgerError as error:
            column = column_for(error, _COLUMNS, "course_title")
            report.add(row.number, column, str(error), _value(row, column))
            continue
        staged += 1
    if progress is not None:
        progress("checking", total, total)
    if topics is not None and any("rule pack" in i.reason for i in report.errors):
        report.notes.append(f"topic ids of this agency's rule pack: {', '.join(sorted(topics))}")
    return 0, staged


def _already_present(known: _Known, row: TrainingRow, record_id: UUID) -> str:
    record = known.person.records.get(record_id)
    if record is not None:
        if record.voided:
            return "imported before and since voided in the ledger; not imported again"
        return "already in the ledger (imported before)"
    key = (row.completed_on, key_text(row.course_title), row.hours.normalize())
    if key in known.live_keys:
        return f"already in the ledger as record {known.live_keys[key]} (same date, course, hours)"
    if row.source_record_id and row.source_record_id in known.live_sources:
        return (
            f"record_id already in the ledger as record {known.live_sources[row.source_record_id]}"
        )
    return ""


def _expiry_differs(known: _Known, row: TrainingRow, record_id: UUID, report: ImportReport) -> None:
    """A skipped row whose valid_until differs from the record in the ledger (typically an
    expiry column added after a first import) is not applied silently: a warning says so."""
    key = (row.completed_on, key_text(row.course_title), row.hours.normalize())
    found = (
        record_id
        if record_id in known.person.records
        else known.live_keys.get(key) or known.live_sources.get(row.source_record_id)
    )
    record = known.person.records.get(found) if found is not None else None
    if record is None or row.valid_until is None or record.valid_until == row.valid_until:
        return
    held = record.valid_until.isoformat() if record.valid_until else "none"
    report.add(
        row.number,
        "valid_until",
        f"the ledger's record {found} has expiry {held}; this row's "
        f"{row.valid_until.isoformat()} is not applied (an import never changes a record): "
        "record it as a correction of that record",
        row.valid_until.isoformat(),
        Severity.WARNING,
    )


def _value(row: TrainingRow, column: str) -> str:
    if column == "record_id":
        return row.source_record_id
    if column == "topics":
        return ";".join(f"{t}={h}" for t, h in row.topic_hours.items())
    value = getattr(row, column, "")
    return str(value)
