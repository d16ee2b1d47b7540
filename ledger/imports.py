"""Imports as ledger facts: which spreadsheet files an agency has imported, and when, and
whether a synthetic (demo) history was appended whole.

An import appends its rows and one ``ImportCompleted`` on the agency's stream in the same
unit, so "this file was imported" is true exactly when its rows are in the ledger: a crash
can never leave the rows without the marker or the marker without the rows. The marker also
serialises imports per agency, because two concurrent imports both append to the agency
stream and the second one fails with ``ConcurrentWriteError`` instead of interleaving.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from ledger.streams import AgencyEvent
from ledger.time_zones import local_date

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.unit_of_work import UnitOfWork

__all__ = [
    "ImportCompleted",
    "ImportView",
    "SimulationCompleted",
    "find_import",
    "list_imports",
    "record_import",
    "record_simulation",
    "simulation_completed",
]


class ImportCompleted(AgencyEvent):
    """The rows of one spreadsheet file (identified by its SHA-256) were appended.

    ``effective_on`` is the import day: the facts in the file carry their own dates.
    """

    file_sha256: str
    kind: str
    file_name: str
    rows: int
    people: int
    records: int


class SimulationCompleted(AgencyEvent):
    """The synthetic history of a demo agency was appended whole (the marker goes into the
    last unit of the history, so an interrupted demo has none). ``effective_on`` is the
    last simulated day."""

    seed: int
    officers: int
    years: int


@dataclass(frozen=True)
class ImportView:
    file_sha256: str
    kind: str
    file_name: str
    recorded_at: datetime
    actor: str
    rows: int
    people: int
    records: int


def record_import(
    ledger: Ledger,
    uow: UnitOfWork,
    agency: str,
    *,
    file_sha256: str,
    kind: str,
    file_name: str,
    rows: int,
    people: int,
    records: int,
    actor: str,
) -> None:
    """Add the marker to ``uow``; the caller saves it together with the imported rows."""
    now = ledger.clock()
    owner = uow.agency(agency)
    owner.record(
        ImportCompleted(
            **owner.envelope(now, actor),
            # The agency's day, not UTC's: an evening import in Chicago is that day's.
            effective_on=local_date(now, ledger.get_agency(agency).time_zone),
            file_sha256=file_sha256,
            kind=kind,
            file_name=file_name,
            rows=rows,
            people=people,
            records=records,
        )
    )


def list_imports(ledger: Ledger, agency: str) -> list[ImportView]:
    """Every import recorded for the agency, oldest first."""
    agency_id = ledger.get_agency(agency).id  # raises AgencyNotFoundError for an unknown slug
    return [
        ImportView(
            file_sha256=event.file_sha256,
            kind=event.kind,
            file_name=event.file_name,
            recorded_at=event.timestamp,
            actor=event.actor,
            rows=event.rows,
            people=event.people,
            records=event.records,
        )
        for event in ledger.stream(agency_id)
        if isinstance(event, ImportCompleted)
    ]


def find_import(ledger: Ledger, agency: str, file_sha256: str) -> ImportView | None:
    """The earlier import of exactly these file bytes, if there was one."""
    for view in list_imports(ledger, agency):
        if view.file_sha256 == file_sha256:
            return view
    return None


def record_simulation(
    ledger: Ledger,
    uow: UnitOfWork,
    agency: str,
    *,
    until: date,
    seed: int,
    officers: int,
    years: int,
    actor: str,
) -> None:
    """Add the marker to ``uow``; the caller saves it with the history's last events."""
    owner = uow.agency(agency)
    owner.record(
        SimulationCompleted(
            **owner.envelope(ledger.clock(), actor),
            effective_on=until,
            seed=seed,
            officers=officers,
            years=years,
        )
    )


def simulation_completed(ledger: Ledger, agency_id: UUID) -> bool:
    """Whether the agency's stream holds a synthetic history's completion marker."""
    return any(isinstance(e, SimulationCompleted) for e in ledger.stream(agency_id))
