"""Issue 5 benchmark: import a 10,000-row training file on SQLite and PostgreSQL.

For each backend, into a fresh store: register an MN agency, import a deterministic roster
(500 people), then time the training import of a deterministic 10,000-row CSV (20 dated
completions per person, MN topic ids) three ways in the same run:

- parse:  read + header + row parsing only, no ledger (the floor for any importer);
- dry:    ``--dry-run``: everything a real run does except the save;
- import: the real run, one ``uow.save()`` of every event;
- raw:    baseline: the same records appended with ``Ledger.record_training`` in one unit
          and one save, with no import machinery (fresh store with the same roster).

The same file is also imported as XLSX into another fresh store, for the reading cost.

    .venv/bin/python benchmarks/import_bench.py --rows 10000 --people 500
"""

from __future__ import annotations

import argparse
import platform
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from api.importing import ImportStatus, run_import
from api.importing.columns import PEOPLE_COLUMNS, TRAINING_COLUMNS
from api.importing.files import read_sheet
from api.importing.report import ImportReport
from api.importing.rows import data_rows
from api.importing.topics import known_topics
from api.importing.training import parse_training
from api.importing.writing import write_csv, write_xlsx
from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.verify import verify_store

PG = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA = "bench_import"
COURSES = [
    ("Use of Force Annual Update", "4", "use_of_force=4"),
    ("Crisis Intervention Team Refresher", "8", "crisis_intervention_mental_illness=8"),
    ("Autism Awareness", "4", "autism"),
    ("Conflict Management and Mediation", "2", "conflict_management_mediation=2"),
    ("Implicit Bias in Policing", "3", "diversity_implicit_bias=3"),
    ("De-escalation Scenarios", "4", "conflict_management_mediation=2;use_of_force=2"),
    ("Officer Wellness", "2", "officer_wellness=2"),
    ("Emergency Vehicle Operations", "8", "emergency_vehicle_operations=8"),
    ("Report Writing", "2.5", ""),
]


def roster(people: int) -> bytes:
    header = [c.name for c in PEOPLE_COLUMNS]
    rows = []
    for i in range(people):
        sworn = i % 10 != 0
        values = {
            "employee_id": f"B{i:05d}",
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "kind": "sworn" if sworn else "civilian",
            "hired_on": (date(2000, 1, 3) + timedelta(days=11 * i)).isoformat(),
            "license_number": f"{700000 + i}" if sworn else "",
            "license_expires_on": "2026-06-30" if sworn else "",
            "rank": "Officer",
            "unit": "Patrol",
        }
        rows.append([values.get(name, "") for name in header])
    return write_csv(header, rows)


def training_rows(rows: int, people: int, seed: int = 5) -> tuple[list[str], list[list[str]]]:
    """``rows`` completions spread over ``people``, each on its own (person, day)."""
    rng = random.Random(seed)
    header = [c.name for c in TRAINING_COLUMNS]
    per_person = -(-rows // people)
    result = []
    for n in range(rows):
        person, slot = n % people, n // people
        # Distinct days per person: slot k falls in the k-th 60-day block since 2015.
        day = date(2015, 1, 5) + timedelta(days=60 * slot + rng.randrange(0, 55))
        title, hours, topics = rng.choice(COURSES)
        values = {
            "employee_id": f"B{person:05d}",
            "completed_on": day.isoformat() if n % 3 else f"{day.month}/{day.day}/{day.year}",
            "course_title": title,
            "hours": hours,
            "topics": topics,
            "provider": "Regional Academy",
            "delivery": "in_person",
            "record_id": f"LMS-{n:06d}",
        }
        result.append([values.get(name, "") for name in header])
    assert per_person * 60 < 365 * 10, "keep completions before the clock's today"
    return header, result


def fresh(backend: str, name: str, workdir: Path, clock: SettableClock) -> Ledger:
    if backend == "sqlite":
        return Ledger(f"sqlite:///{workdir}/{name}.db", clock=clock)
    schema = SCHEMA if name == "import" else f"{SCHEMA}_{name}"
    with psycopg.connect(
        "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
    ) as c:
        for name in (schema, f"{schema}_read"):  # the store and its read side
            c.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
    return Ledger(f"{PG}?schema={schema}", clock=clock, env={"CREATE_TABLE": "true"})


def staffed(backend: str, name: str, workdir: Path, people: bytes) -> Ledger:
    clock = SettableClock(datetime(2025, 3, 1, 12, tzinfo=UTC))
    ledger = fresh(backend, name, workdir, clock)
    ledger.register_agency("bench-pd", "Bench Police Department", "MN", actor="user:bench")
    report = run_import(ledger, "people", "bench-pd", people, file_name="roster.csv")
    assert report.status is ImportStatus.IMPORTED, report.errors[:3]
    return ledger


def timed_import(ledger: Ledger, data: bytes, name: str, dry_run: bool) -> ImportReport:
    report = run_import(ledger, "training", "bench-pd", data, file_name=name, dry_run=dry_run)
    expected = ImportStatus.VALID if dry_run else ImportStatus.IMPORTED
    assert report.status is expected, report.errors[:3]
    return report


def parse_only(data: bytes) -> float:
    known_topics("US-MN")  # the shipped packs are read once per process; not part of parsing
    began = time.perf_counter()
    report = ImportReport("training", "bench-pd", "x", "", dry_run=True)
    sheet = read_sheet(data, [c.name for c in TRAINING_COLUMNS])
    rows = data_rows(sheet, TRAINING_COLUMNS, report)
    assert rows is not None
    topics = known_topics("US-MN")
    parsed = [parse_training(row, date(2025, 3, 1), topics, report) for row in rows]
    assert all(parsed)
    assert not report.errors
    return time.perf_counter() - began


def raw_append(ledger: Ledger, header: list[str], rows: list[list[str]]) -> float:
    """The same records through the ledger's own use case, one unit, one save."""
    from decimal import Decimal

    from api.importing.values import parse_date

    index = {name: i for i, name in enumerate(header)}
    began = time.perf_counter()
    uow = ledger.unit_of_work()
    for row in rows:
        topics: dict[str, Decimal | str | int] = {}
        for part in filter(None, row[index["topics"]].split(";")):
            name, _, hours = part.partition("=")
            topics[name] = hours or row[index["hours"]]
        ledger.record_training(
            "bench-pd",
            row[index["employee_id"]],
            completed_on=parse_date(row[index["completed_on"]]),
            course_title=row[index["course_title"]],
            hours=row[index["hours"]],
            topic_hours=topics,
            provider=row[index["provider"]],
            source_record_id=row[index["record_id"]],
            actor="user:bench",
            uow=uow,
        )
    uow.save()
    return time.perf_counter() - began


def bench(backend: str, rows: int, people: int, workdir: Path) -> dict[str, float]:
    roster_bytes = roster(people)
    header, body = training_rows(rows, people)
    csv_bytes, xlsx_bytes = write_csv(header, body), write_xlsx(header, body)
    result: dict[str, float] = {"parse": parse_only(csv_bytes)}

    ledger = staffed(backend, "import", workdir, roster_bytes)
    before = ledger.store.count_events()
    result["dry"] = timed_import(ledger, csv_bytes, "history.csv", dry_run=True).seconds
    report = timed_import(ledger, csv_bytes, "history.csv", dry_run=False)
    result["import"] = report.seconds
    result["events"] = ledger.store.count_events() - before
    assert result["events"] == report.events_appended == rows + 1
    began = time.perf_counter()
    again = run_import(ledger, "training", "bench-pd", csv_bytes, file_name="history.csv")
    result["reimport"] = time.perf_counter() - began
    assert again.status is ImportStatus.ALREADY_IMPORTED
    assert verify_store(ledger.store).ok
    ledger.close()

    ledger = staffed(backend, "xlsx", workdir, roster_bytes)
    result["xlsx"] = timed_import(ledger, xlsx_bytes, "history.xlsx", dry_run=False).seconds
    ledger.close()

    ledger = staffed(backend, "raw", workdir, roster_bytes)
    result["raw"] = raw_append(ledger, header, body)
    ledger.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(f"python {platform.python_version()} on {platform.platform()}")
    print(f"{args.rows:,} training rows for {args.people} people (CSV {args.rows} rows + header)")
    print("| backend | parse only | dry run | import (CSV) | import (XLSX) | raw append "
          "| import / raw | import / dry | rows/s | re-import |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            r = bench(backend, args.rows, args.people, Path(tmp))
            print(
                f"| {backend} | {r['parse']:.2f} s | {r['dry']:.2f} s | {r['import']:.2f} s "
                f"| {r['xlsx']:.2f} s | {r['raw']:.2f} s | {r['import'] / r['raw']:.2f}× "
                f"| {r['import'] / r['dry']:.2f}× | {args.rows / r['import']:,.0f} "
                f"| {r['reimport'] * 1000:.0f} ms |"
            )


if __name__ == "__main__":
    main()
