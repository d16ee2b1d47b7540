"""Issue 13 §3 benchmark: peak memory of importing a large training CSV (target ≤ 500 MB).

Into a fresh store: register an MN agency, import a deterministic roster, then import a
deterministic ``--rows``-row training CSV (the same generator as ``import_bench.py``) with
the real ``muster`` console script, each step its own child process; the peak resident set
of each child is read from ``os.wait4``'s ``ru_maxrss``. Then the same number of rows, every
one invalid in three columns, as a ``--dry-run``: its report must stay short (the first
errors per column and a count), and its peak memory is measured the same way.

    nice -n 10 .venv/bin/python benchmarks/import_memory_bench.py --rows 200000 --people 5000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from import_bench import training_rows  # type: ignore[import-not-found]

from api.importing.columns import PEOPLE_COLUMNS
from api.importing.writing import write_csv

MUSTER = str(Path(sys.executable).with_name("muster"))
PG = "postgresql://postgres@127.0.0.1:5432/test"


def roster(people: int) -> bytes:
    """``import_bench``'s roster, with hire dates kept in the past for thousands of people
    (200,000 completions need at least 3,334 people: 60 per person at most)."""
    header = [c.name for c in PEOPLE_COLUMNS]
    rows = []
    for i in range(people):
        sworn = i % 10 != 0
        values = {
            "employee_id": f"B{i:05d}",
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "kind": "sworn" if sworn else "civilian",
            "hired_on": (date(2000, 1, 3) + timedelta(days=(11 * i) % 5_000)).isoformat(),
            "license_number": f"{700000 + i}" if sworn else "",
            "license_expires_on": "2026-06-30" if sworn else "",
            "rank": "Officer",
            "unit": "Patrol",
        }
        rows.append([values.get(name, "") for name in header])
    return write_csv(header, rows)


def measured(url: str, *args: str) -> tuple[float, float, str]:
    """(peak RSS in MB, seconds, stdout) of one ``muster`` child process."""
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_LOG_FORMAT": "json"}
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([MUSTER, *args], stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        out.seek(0)
        stdout = out.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"muster {' '.join(args)} exited {code}")
    return usage.ru_maxrss / 1024, seconds, stdout  # ru_maxrss is in KiB on Linux


def _drop(url: str) -> None:
    import psycopg

    from ledger.database import parse_database_url
    from projections.read_store.schema import read_schema

    database = parse_database_url(url)
    with psycopg.connect(database.postgres_conninfo, autocommit=True) as conn:
        for schema in (database.postgres_schema, read_schema(database.postgres_schema)):
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        if options.backend == "sqlite":
            url = f"sqlite:///{work}/memory.db"
        else:
            url = f"{PG}?schema=bench_memory_{uuid.uuid4().hex[:8]}"
        header, body = training_rows(options.rows, options.people)
        history = work / "history.csv"
        history.write_bytes(write_csv(header, body))
        size = history.stat().st_size
        invalid = [
            [
                {"completed_on": "31/12/2024", "hours": "1e1", "delivery": "pigeon"}.get(n, v)
                for n, v in zip(header, row, strict=True)
            ]
            for row in body
        ]
        del body
        broken = work / "invalid.csv"
        broken.write_bytes(write_csv(header, invalid))
        del invalid
        people = work / "roster.csv"
        people.write_bytes(roster(options.people))

        if options.backend == "postgres":
            measured(url, "db", "init")  # as the owner: ordinary commands run no DDL
        measured(url, "agency", "add", "bench-pd", "--name", "Bench PD", "--state", "MN")
        roster_mb, roster_s, out = measured(
            url, "import", "people", str(people), "--agency", "bench-pd", "--json"
        )
        assert json.loads(out)["status"] == "imported", json.loads(out)["issues"][:3]
        import_mb, import_s, out = measured(
            url, "import", "training", str(history), "--agency", "bench-pd", "--json"
        )
        report = json.loads(out)
        assert report["status"] == "imported", report["issues"][:3]
        assert report["records_appended"] == options.rows
        invalid_mb, invalid_s, out = measured(
            url, "import", "training", str(broken), "--agency", "bench-pd", "--json", "--dry-run"
        )
        bad = json.loads(out)
        assert bad["status"] == "invalid"
        assert bad["errors"] == 3 * options.rows, bad["errors"]
        if options.backend == "postgres":
            _drop(url)

    print(
        f"Python {platform.python_version()}, {options.backend}, {options.rows:,} training rows "
        f"({size / 1e6:.1f} MB CSV), {options.people:,} people"
    )
    print("| step | peak RSS (MB) | seconds |")
    print("|---|---|---|")
    print(f"| roster import ({options.people:,} people) | {roster_mb:,.0f} | {roster_s:.1f} |")
    print(f"| training import ({options.rows:,} rows) | {import_mb:,.0f} | {import_s:.1f} |")
    print(
        f"| all-invalid dry run ({options.rows:,} rows, {bad['errors']:,} errors, "
        f"{len(bad['issues'])} listed) | {invalid_mb:,.0f} | {invalid_s:.1f} |"
    )


if __name__ == "__main__":
    main()
