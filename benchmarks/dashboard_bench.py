"""Issue 16 §4: the agency overview page against a same-run baseline, at size M (1,000
officers, 10 years; SQLite, or PostgreSQL with ``--backend postgres``).

    .venv/bin/python benchmarks/dashboard_bench.py [--size M] [--backend sqlite] [--repeat 5]

The baseline is a hand-written SQL count of people by status over a flat, indexed table
of the same facts (each person's status on the day, as the overview counts them),
in a SQLite file of its own. The overview is the whole page through the app in-process
(session cookie, policy, read-audit entry, roster, trend, chart, template): today's
picture (the second request: the first fills the memo), and a past day never asked
before, first and second, with its 10-year monthly chart (``?years=10``). The store is
the one ``benchmarks/readside_bench.py`` generates into benchmarks/out/ (reused).
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.passwords import hash_password
from api.http.services import Services
from api.settings import Settings
from benchmarks.readside_bench import OUT, ensure_store, url_for
from ledger.accounts import AccountNotFoundError, get_account, grant_role, open_account
from replay.asof import local_day, roster
from replay.read_models import rebuild
from replay.read_side import read_side
from replay.trend import CHART_YEARS, fill_status_grid

AGENCY = "bench-pd"
USER = "bench-coordinator"
PASSWORD = "bench password, not secret"


def _median(run: Callable[[], object], repeat: int) -> float:
    return _medians(run, repeat)[0]


def _medians(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The median wall time and the median CPU time of the process (every thread: the
    test client runs the app in one of its own), which a busy box disturbs far less."""
    walls, cpus = [], []
    for _ in range(repeat):
        began, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _baseline(people: list[dict[str, object]], as_of: str, repeat: int) -> float:
    path = OUT / "dashboard_baseline.db"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE facts (person_id TEXT, as_of TEXT, status TEXT)")
    db.execute("CREATE INDEX facts_day_status ON facts (as_of, status)")
    rows = [
        (p["employee_id"], as_of, p["compliance"]["status"])  # type: ignore[index]
        for p in people
        if p["person_status"] != "not_hired"
    ]
    db.executemany("INSERT INTO facts VALUES (?, ?, ?)", rows)
    db.commit()
    query = "SELECT status, count(*) FROM facts WHERE as_of = ? GROUP BY status"
    seconds = _median(lambda: db.execute(query, (as_of,)).fetchall(), repeat * 20)
    db.close()
    return seconds


def _login(client: TestClient) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    done = client.post(
        "/login",
        data={"username": USER, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--past", default="2021-03-17", help="days not asked before, comma-separated, in order"
    )
    parser.add_argument(
        "--fresh-grid",
        action="store_true",
        help="empty the status grid first, then fill it as `muster replay` does, timed",
    )
    parser.add_argument(
        "--no-fill",
        action="store_true",
        help="leave the status grid as it is (no `muster replay` fill): readers pay for it",
    )
    parser.add_argument(
        "--chart-years",
        type=int,
        default=CHART_YEARS,
        help="as `muster replay --chart-years N`: fill the months of the last 2N years",
    )
    parser.add_argument(
        "--years", type=int, default=10, help="the past days' monthly charts: this many years"
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the tracked model first, timed (else only when it is not at today)",
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the start")
    ledger, generated = ensure_store(args.backend, args.size)
    if generated is not None:
        print(f"generated the {args.size} store in {generated:.0f} s")
    if args.backend == "postgres":  # the side tables, as `muster db init` makes them
        import psycopg

        from benchmarks.readside_bench import PG_CONNINFO
        from ledger.side_database import create_statements

        with psycopg.connect(PG_CONNINFO, autocommit=True) as pg:
            for statement in create_statements("postgres", f"bench_{args.size.lower()}"):
                pg.execute(statement)  # type: ignore[arg-type]
    # PostgreSQL asks for a key file (TOTP seeds), made once beside the stores.
    keys = OUT / "bench_postgres.secret-keys"
    if args.backend == "postgres" and not keys.exists():
        from ledger.secret_keys import new_secret_key_line

        descriptor = os.open(keys, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(new_secret_key_line("bench"))
    settings = Settings(
        database_url=url_for(args.backend, args.size),
        totp_required_roles="",
        secret_key_file=keys if args.backend == "postgres" else None,
    )
    services = Services.for_ledger(ledger, settings)
    try:
        account = get_account(ledger, USER)
    except AccountNotFoundError:
        account = open_account(ledger, USER, "Bench Coordinator", actor="system:bench")
        grant_role(ledger, USER, "coordinator", actor="system:bench", agency=AGENCY,
                   starts_on=date(2000, 1, 1))  # fmt: skip
    services.accounts.set_password(account.id, hash_password(PASSWORD), ledger.clock())
    # The tracked model for the store's today, as `muster replay` keeps it (the status
    # grid is not part of it: trends fill it as they are asked).
    store = read_side(ledger).store
    live = store.tracked.live()
    day = local_day(read_side(ledger).knowledge.agency_at(AGENCY, None), ledger.stable_horizon())
    if args.rebuild or live is None or live.as_of != day.isoformat():
        began = time.perf_counter()
        rebuild(ledger, store, day, workers=2)
        print(f"rebuilt the read models for {day} in {time.perf_counter() - began:.1f} s")
    if args.fresh_grid:
        store.grid.clear()
    if not args.no_fill:  # as `muster replay` fills it, ahead of the readers
        began = time.perf_counter()
        years = args.chart_years  # as `muster replay --chart-years N` fills it
        filled = fill_status_grid(ledger, AGENCY, years, before=years, workers=2)
        print(f"filled the status grid for {filled} people in {time.perf_counter() - began:.1f} s")
    answer = roster(ledger, AGENCY, None)
    people = answer["people"]
    baseline = _baseline(people, answer["as_of"], args.repeat)
    with TestClient(create_app(services), base_url="https://bench") as client:
        _login(client)
        page = f"/agencies/{AGENCY}"

        def get(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, response.text[:500]

        def said(name: str, seconds: tuple[float, float]) -> None:  # a run may be long
            load = os.getloadavg()[0]
            wall, cpu = seconds
            print(f"  {name}: {wall * 1000:.0f} ms, CPU {cpu * 1000:.0f} ms (load {load:.2f})",
                  flush=True)  # fmt: skip

        print(f"baseline {baseline * 1000:.3f} ms", flush=True)
        today_first = _medians(lambda: get(page), 1)
        said("today, first", today_first)
        today = _medians(lambda: get(page), args.repeat)
        said("today, median", today)
        pasts = []
        for asked in args.past.split(","):
            past = f"{page}?as_of={asked}&years={args.years}&every=month"
            first = _medians(lambda: get(past), 1)  # noqa: B023
            said(f"{asked}, first", first)
            pasts.append((asked, first, _medians(lambda: get(past), args.repeat)))  # noqa: B023
            said(f"{asked}, median", pasts[-1][2])
    services.side.close()
    ledger.close()
    print(f"size {args.size}: {len(people)} people; baseline {baseline * 1000:.3f} ms")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the end")
    rows: list[tuple[str, tuple[float, float]]] = [
        ("overview today, first request", today_first),
        ("overview today (median)", today),
    ]
    for day, first, again in pasts:
        rows.append((f"overview as of {day} with {args.years}-year monthly chart, first", first))
        rows.append(
            (f"overview as of {day} with {args.years}-year monthly chart, again (median)", again)
        )
    print("| page | time | ratio to baseline | ratio to today's page | CPU | CPU ratio |")
    print("|---|---|---|---|---|---|")
    for name, (wall, cpu) in rows:
        print(
            f"| {name} | {wall * 1000:.0f} ms | {wall / baseline:,.0f}x "
            f"| {wall / today[0]:.2f}x | {cpu * 1000:.0f} ms | {cpu / today[1]:.2f}x |"
        )


if __name__ == "__main__":
    main()
