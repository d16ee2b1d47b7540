"""Running an import: read, validate every row, then append all of it or nothing.

The same function serves the CLI now and the API and dashboard later. It never prints;
it returns an ``ImportReport``. A real run appends every new fact of the file and one
``ImportCompleted`` marker in a single ``uow.save()`` (one transaction), and only when the
file has no error at all; a dry run does everything except that save.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import PurePath
from time import perf_counter

from api.importing.columns import columns_for
from api.importing.files import MalformedFileError, read_sheet
from api.importing.limits import ImportLimits, LimitExceededError
from api.importing.people import import_people
from api.importing.report import ImportReport, ImportStatus, Severity
from api.importing.rows import Progress, Row, data_rows
from api.importing.sync import sync_people
from api.importing.topics import NoRulePackError, agency_topics
from api.importing.training import import_training
from ledger.application import Ledger
from ledger.imports import find_import, record_import

__all__ = ["TopicSource", "file_sha256", "run_import"]

# (ledger, agency slug) -> topic ids; tests and other edges may pass their own.
TopicSource = Callable[[Ledger, str], frozenset[str]]


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_import(
    ledger: Ledger,
    kind: str,
    agency: str,
    data: bytes,
    *,
    file_name: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    topics: TopicSource = agency_topics,
    limits: ImportLimits | None = None,
    sync: bool = False,
    separate_missing: bool = False,
) -> ImportReport:
    """Import ``data`` (the file's bytes) as ``kind`` ("people" or "training") into
    ``agency``. Raises ``AgencyNotFoundError`` for an unknown agency and
    ``ConcurrentWriteError`` if another writer appended to the same streams meanwhile.
    A file beyond ``limits`` (default: ``ImportLimits()``) is refused before it is read.
    ``sync`` (people only): turn the file's differences from the ledger into events
    (``api.importing.sync``); ``separate_missing`` also separates the people it lacks."""
    if (sync or separate_missing) and kind != "people":
        msg = "--sync and --separate-missing apply to people files only"
        raise ValueError(msg)
    started = perf_counter()
    limits = limits or ImportLimits()
    columns = columns_for(kind)
    digest = file_sha256(data)
    report = ImportReport(
        kind,
        agency,
        PurePath(file_name).name,
        digest,
        dry_run,
        max_per_column=limits.max_issues_per_column,
    )
    ledger.get_agency(agency)  # an unknown agency raises before anything is read
    earlier = find_import(ledger, agency, digest)
    if earlier is not None:
        report.status = ImportStatus.ALREADY_IMPORTED
        report.notes.append(
            f"already imported: these exact file bytes were imported on "
            f"{earlier.recorded_at:%Y-%m-%d %H:%M} UTC as {earlier.file_name} "
            f"({earlier.people} people, {earlier.records} records); nothing appended"
        )
        return _finish(report, started)
    try:
        sheet = read_sheet(data, [c.name for c in columns], limits)
    except MalformedFileError as error:
        report.add(None, None, f"malformed file: {error}")
        return _finish(report, started)
    except LimitExceededError as error:
        report.add(None, None, f"file too large: {error}")
        return _finish(report, started)
    report.file_format = sheet.format
    report.notes.extend(sheet.notes)
    rows = data_rows(sheet, columns, report)
    del sheet  # the rows hold what is needed: free the file's own cells before staging
    if rows is None:
        return _finish(report, started)
    report.rows_read = len(rows)
    if not rows:
        report.add(None, None, "the file has a header but no data rows")
        return _finish(report, started)
    uow = ledger.unit_of_work()
    actor = report.actor
    numbers = [row.number for row in rows]  # import_people/_training consume ``rows``
    if sync:
        people, records = sync_people(
            ledger,
            uow,
            agency,
            rows,
            report,
            actor=actor,
            separate_missing=separate_missing,
            progress=progress,
        )
    elif kind == "people":
        people, records = import_people(
            ledger, uow, agency, rows, report, actor=actor, progress=progress
        )
    else:
        topic_set = _topics(topics, ledger, agency, rows, report)
        people, records = import_training(
            ledger, uow, agency, rows, report, actor=actor, topics=topic_set, progress=progress
        )
    report.rows_valid = sum(1 for number in numbers if number not in report.error_rows)
    report.people_appended, report.records_appended = people, records
    pending = uow.pending_count()
    if report.error_count:
        # All or nothing: the staged events of the valid rows are simply never saved.
        report.people_appended = report.records_appended = 0
        report.status = ImportStatus.INVALID
    elif pending == 0:
        report.status = ImportStatus.NOTHING_NEW
    elif dry_run:
        report.status = ImportStatus.VALID
        report.events_appended = pending + 1  # what a real run would append
    else:
        record_import(
            ledger,
            uow,
            agency,
            file_sha256=digest,
            kind=kind,
            file_name=report.file_name,
            rows=report.rows_read,
            people=people,
            records=records,
            actor=actor,
        )
        events = uow.pending_count()
        if progress is not None:
            progress("saving", 0, 1)
        uow.save()
        if progress is not None:
            progress("saving", 1, 1)
        report.events_appended = events
        report.status = ImportStatus.IMPORTED
    return _finish(report, started)


def _topics(
    topics: TopicSource, ledger: Ledger, agency: str, rows: list[Row], report: ImportReport
) -> frozenset[str] | None:
    try:
        return topics(ledger, agency)
    except NoRulePackError as error:
        # Without a pack, topic ids cannot be checked; rows without topics still import.
        if any(row["topics"] for row in rows):
            report.add(None, "topics", f"{error}: topics cannot be checked against it")
        return None


def _finish(report: ImportReport, started: float) -> ImportReport:
    report.seconds = perf_counter() - started
    if report.skipped_count and report.status is not ImportStatus.INVALID:
        report.notes.append(f"{report.skipped_count} row(s) already in the ledger were skipped")
    for severity, column, count in report.omitted():
        report.notes.append(
            f"{count:,} more {severity.value} issue(s) in column {column} are not listed "
            f"(the first {report.max_per_column} are)"
        )
    if any(severity is Severity.WARNING for severity, _ in report.counts):
        report.notes.append("warnings do not stop the import; see the report")
    return report
