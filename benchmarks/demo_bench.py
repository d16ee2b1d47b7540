"""Issue 2 benchmark: `muster demo --officers N --years Y` on SQLite and PostgreSQL.

For each backend: generate the synthetic agency into a fresh store (timed), then, as a
baseline in the same run, append the very same stored events with the library's *plain*
recorder (no hash chain, no recorded-time index) in the same batch size. The ratio shows what
the ledger's validation, event construction and tamper evidence cost on top of raw appends.

    .venv/bin/python benchmarks/demo_bench.py --officers 1000 --years 10
"""

from __future__ import annotations

import argparse
import platform
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from api.synthetic import generate_agency
from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.verify import verify_store

PG = "postgresql://postgres@127.0.0.1:5432/test"
BATCH = 2000


def _stored_in_log_order(ledger: Ledger) -> list[StoredEvent]:
    notifications = []
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start, 5000)
        if not page:
            break
        notifications += page
        start = page[-1].id + 1
    return [
        StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
    ]


def _plain_append(
    recorder: SQLiteApplicationRecorder | PostgresApplicationRecorder, events: list[StoredEvent]
) -> float:
    began = time.perf_counter()
    for i in range(0, len(events), BATCH):
        recorder.insert_events(events[i : i + BATCH])
    return time.perf_counter() - began


def run(backend: str, officers: int, years: int, workdir: Path) -> dict[str, float]:
    schema = f"bench_demo_{backend}"
    if backend == "sqlite":
        url = f"sqlite:///{workdir}/demo.db"
    else:
        with psycopg.connect("host=127.0.0.1 dbname=test user=postgres", autocommit=True) as c:
            c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            c.execute(f"DROP SCHEMA IF EXISTS {schema}_read CASCADE")  # its read side
            c.execute(f"DROP SCHEMA IF EXISTS {schema}_plain CASCADE")
            c.execute(f"CREATE SCHEMA {schema}_plain")
        url = f"{PG}?schema={schema}"
    clock = SettableClock(datetime(2000, 1, 1, tzinfo=UTC))
    ledger = Ledger(url, clock=clock, env={"CREATE_TABLE": "true"})  # as its owner
    summary = generate_agency(
        ledger,
        clock,
        slug="demo-pd",
        name="Demo PD",
        state="MN",
        officers=officers,
        years=years,
        seed=7,
        until=date(2026, 11, 1),
        batch_size=BATCH,
    )
    began = time.perf_counter()
    report = verify_store(ledger.store)
    verify_seconds = time.perf_counter() - began
    assert report.ok
    events = _stored_in_log_order(ledger)
    ledger.close()
    if backend == "sqlite":
        plain: SQLiteApplicationRecorder | PostgresApplicationRecorder = SQLiteApplicationRecorder(
            SQLiteDatastore(str(workdir / "plain.db"))
        )
    else:
        plain = PostgresApplicationRecorder(
            PostgresDatastore(
                "test", "127.0.0.1", "5432", "postgres", "", schema=f"{schema}_plain"
            ),
            events_table_name="plain_events",
        )
    plain.create_table()
    plain_seconds = _plain_append(plain, events)
    return {
        "events": summary.events,
        "people": summary.people,
        "seconds": summary.seconds,
        "events_per_s": summary.events_per_second,
        "plain_seconds": plain_seconds,
        "plain_events_per_s": len(events) / plain_seconds,
        "verify_seconds": verify_seconds,
        "verify_events_per_s": report.events / verify_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--officers", type=int, default=1000)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} python "
        f"{platform.python_version()}; officers={args.officers} years={args.years}"
    )
    print(
        "| backend | events | people | demo s | demo ev/s | plain append ev/s | ratio | "
        "verify ev/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgres"):
        workdir = Path(tempfile.mkdtemp(prefix="muster-bench-"))
        r = run(backend, args.officers, args.years, workdir)
        print(
            f"| {backend} | {r['events']:,.0f} | {r['people']:,.0f} | {r['seconds']:.1f} | "
            f"{r['events_per_s']:,.0f} | {r['plain_events_per_s']:,.0f} | "
            f"{r['events_per_s'] / r['plain_events_per_s']:.2f} | "
            f"{r['verify_events_per_s']:,.0f} |",
            flush=True,
        )
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
