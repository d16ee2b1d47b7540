"""Issue 4 benchmarks: ingest, rebuild, person status, roster — each against a baseline
measured in the same run, on SQLite and PostgreSQL, at sizes M and L.

    .venv/bin/python benchmarks/readside_bench.py --size M      # 1,000 officers x 10 years
    .venv/bin/python benchmarks/readside_bench.py --size L      # 15,000 officers x 10 years

Stores are generated once into benchmarks/out/ (SQLite) or schema bench_<size> (PostgreSQL)
with the synthetic generator and reused by later runs.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psycopg
from psycopg import sql

from api.rulebook import publish_shipped_packs
from api.synthetic import generate_agency
from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.asof import roster, status
from replay.export import to_json
from replay.read_side import open_read_store

OUT = Path(__file__).parent / "out"
PG = "postgresql://postgres@127.0.0.1:5432/test"
PG_CONNINFO = "host=127.0.0.1 port=5432 dbname=test user=postgres"
SIZES = {"S": 100, "M": 1000, "L": 15000}
UNTIL = date(2026, 11, 1)
AS_OF = date(2026, 6, 1)
# The tracked model is rebuilt for the store's last day, its present: the questions timed
# at the three temperatures (as of AS_OF and earlier days) are answered from the memo or
# evaluated, as before the present was read from the tracked model; ``present`` times that.
TRACKED_DAY = UNTIL


def url_for(backend: str, size: str) -> str:
    if backend == "sqlite":
        OUT.mkdir(exist_ok=True)
        return f"sqlite:///{OUT / f'bench_{size}.db'}"
    return f"{PG}?schema=bench_{size.lower()}"


def ensure_store(backend: str, size: str) -> tuple[Ledger, float | None]:
    """Open (or generate) the store; returns the ledger and the generation time if new."""
    clock = SettableClock(datetime(UNTIL.year - 11, 1, 1, tzinfo=UTC))
    ledger = Ledger(url_for(backend, size), clock=clock, env={"CREATE_TABLE": "true"})
    marker = OUT / f"complete_{backend}_{size}"
    if ledger.store.count_events():
        if marker.exists():
            return ledger, None
        msg = f"{url_for(backend, size)} holds a partial store: remove it and rerun"
        raise SystemExit(msg)
    publish_shipped_packs(ledger, "system:bench")
    began = time.perf_counter()
    generate_agency(
        ledger,
        clock,
        slug="bench-pd",
        name="Bench PD",
        state="MN",
        officers=SIZES[size],
        years=10,
        seed=7,
        until=UNTIL,
        batch_size=5000,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    marker.touch()  # the store is whole: later runs reuse it
    return ledger, time.perf_counter() - began


def all_notifications(ledger: Ledger) -> list[Any]:
    rows, start = [], 1
    while True:
        page = ledger.recorder.select_notifications(start, 10000)
        if not page:
            return rows
        rows += page
        start = page[-1].id + 1


def bench_ingest(ledger: Ledger, backend: str, size: str) -> dict[str, float]:
    """The ledger's append path for already-built events (mapper, hash chain, recorded-time
    index, insert) vs raw COPY (PostgreSQL) / executemany (SQLite) of the same stored rows.

    Timed through ``Ledger.append``, the path every write of muster takes (a command's or
    an import's ``UnitOfWork.save``), in 5,000-event units; ``Ledger.save`` (the library's
    signature, which also builds a ``Recording`` per event for its caller) is timed too."""
    notifications = all_notifications(ledger)
    events = [ledger.mapper.to_domain_event(n) for n in notifications]
    timed: dict[str, float] = {}
    for how in ("append", "save"):
        target = Ledger(_scratch_url(backend, size, "ingest"), env={"CREATE_TABLE": "true"})
        write = target.append if how == "append" else target.save
        began = time.perf_counter()
        for i in range(0, len(events), 5000):
            write(*events[i : i + 5000])
        timed[how] = time.perf_counter() - began
        assert target.store.count_events() == len(events)
        target.close()
    rows = [(n.originator_id, n.originator_version, n.topic, n.state) for n in notifications]
    raw_seconds = _raw_copy(backend, size, rows)
    return {
        "events": len(events),
        "ledger_eps": len(events) / timed["append"],
        "save_eps": len(events) / timed["save"],
        "raw_eps": len(rows) / raw_seconds,
    }


def _scratch_url(backend: str, size: str, what: str) -> str:
    if backend == "sqlite":
        path = OUT / f"scratch_{what}_{size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    schema = f"scratch_{what}_{size.lower()}"
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"DROP SCHEMA IF EXISTS {schema}_read CASCADE")
    return f"{PG}?schema={schema}"


def _raw_copy(backend: str, size: str, rows: list[tuple[Any, ...]]) -> float:
    if backend == "sqlite":
        import sqlite3

        path = OUT / f"scratch_raw_{size}.db"
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE raw (originator_id TEXT, originator_version INTEGER, "
            "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
        )
        began = time.perf_counter()
        with conn:
            conn.executemany(
                "INSERT INTO raw VALUES (?,?,?,?)", [(str(a), b, c, d) for a, b, c, d in rows]
            )
        seconds = time.perf_counter() - began
        conn.close()
        return seconds
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS public.bench_raw")
        conn.execute(
            "CREATE TABLE public.bench_raw (originator_id uuid, originator_version "
            "bigint, topic text, state bytea, notification_id bigserial, "
            "PRIMARY KEY (originator_id, originator_version))"
        )
        conn.execute("CREATE UNIQUE INDEX ON public.bench_raw (notification_id)")
        began = time.perf_counter()
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy(
                "COPY public.bench_raw (originator_id, originator_version, topic, state) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - began
        conn.execute("DROP TABLE public.bench_raw")
        return seconds


def bench_rebuild(backend: str, size: str, ledger: Ledger) -> dict[str, float]:
    """``muster replay`` (in a child process, to measure its peak RSS) vs a raw read of the
    same log + orjson decode + a trivial fold (events per stream)."""
    events = ledger.store.count_events()
    script = (
        "import resource, sys, time\n"
        "from datetime import date\n"
        "from ledger.application import Ledger\n"
        "from replay.read_models import rebuild\n"
        "from replay.read_side import open_read_store\n"
        "ledger = Ledger(sys.argv[1])\n"
        "began = time.perf_counter()\n"
        "rebuild(ledger, open_read_store(ledger), date.fromisoformat(sys.argv[2]), "
        "workers=int(sys.argv[3]))\n"
        # VmHWM, not ru_maxrss: Linux carries the peak RSS of the image a process replaces
        # at exec into its ru_maxrss, so a child started by subprocess reported at least
        # this benchmark's own peak (1.97 GB at L after generating the store here).
        "hwm = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "print(time.perf_counter() - began, hwm, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    # As `muster replay` runs by default: one worker process per CPU.
    workers = os.cpu_count() or 1
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            url_for(backend, size),
            TRACKED_DAY.isoformat(),
            str(workers),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, rss_kb, worker_rss_kb = out.stdout.split()
    began = time.perf_counter()
    folded: Counter[Any] = Counter()
    for notification in all_notifications(ledger):
        orjson.loads(notification.state)
        folded[notification.originator_id] += 1
    raw_seconds = time.perf_counter() - began
    return {
        "events": events,
        "rebuild_eps": events / float(seconds),
        "raw_eps": events / raw_seconds,
        # Peak of the writing process plus the largest worker's peak times the workers: an
        # upper bound on what the rebuild held at once (a worker's ru_maxrss includes the
        # writing process's RSS when it was spawned, see above).
        "rss_mb": (int(rss_kb) + workers * int(worker_rss_kb)) / 1024,
        "workers": workers,
    }


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.99) - 1)]


# Three temperatures, measured in this order on the same questions:
# - coldest: no memoised answer and no history checkpoint: every answer reads, decodes and
#   folds the person's events, evaluates, and stores the answer and the checkpoint;
# - cold: no memoised answer, checkpoints present (as the read models keep them: rebuild
#   and catch-up write one per person at their stream head): every answer is evaluated;
# - warm: the same questions again, served from the memo.
TEMPERATURES = ("coldest", "cold", "warm")


def _prepare(ledger: Ledger, label: str) -> None:
    store = open_read_store(ledger)
    if label in {"coldest", "cold"}:
        store.memo.clear()
    if label == "coldest":
        store.checkpoints.clear()


def bench_status(ledger: Ledger, samples: int = 300) -> dict[str, float]:
    """Random (person, as-of day) pairs, known now, at each temperature."""
    rng = random.Random(3)
    people = [ledger.get_person_by_id(p).employee_id for p in ledger.people_ids("bench-pd")]
    now = datetime.now(UTC)
    pairs = [
        (rng.choice(people), UNTIL - timedelta(days=rng.randrange(0, 3650))) for _ in range(samples)
    ]
    result: dict[str, float] = {}
    for label in TEMPERATURES:
        _prepare(ledger, label)
        timings = []
        for employee_id, as_of in pairs:
            began = time.perf_counter()
            status(ledger, "bench-pd", employee_id, as_of, now)
            timings.append((time.perf_counter() - began) * 1000)
        result[f"{label}_p50_ms"], result[f"{label}_p99_ms"] = _percentiles(timings)
    timings = []
    for employee_id, _ in pairs:
        began = time.perf_counter()
        status(ledger, "bench-pd", employee_id, TRACKED_DAY, now)
        timings.append((time.perf_counter() - began) * 1000)
    result["present_p50_ms"], result["present_p99_ms"] = _percentiles(timings)
    return result


def bench_roster(ledger: Ledger, backend: str, size: str) -> dict[str, float]:
    """Roster as of a day, known now, as its JSON export, at each temperature."""
    known_at = datetime.now(UTC)
    timings = {}
    for label in TEMPERATURES:
        _prepare(ledger, label)
        began = time.perf_counter()
        # As `muster roster --format json` runs: people not answered before evaluated in
        # one worker process per CPU; the answer is its JSON bytes.
        answer = roster(ledger, "bench-pd", AS_OF, known_at, workers=os.cpu_count() or 1)
        exported = to_json(answer)
        timings[label] = (time.perf_counter() - began) * 1000
    assert (
        exported
        == orjson.dumps(dict(answer), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    )
    began = time.perf_counter()
    to_json(roster(ledger, "bench-pd", TRACKED_DAY, known_at, workers=os.cpu_count() or 1))
    timings["present"] = (time.perf_counter() - began) * 1000
    sql_seconds = _flat_sql_baseline(ledger, backend, size, known_at)
    return {
        "people": len(answer["people"]),
        "bytes": len(exported),
        **{f"{label}_ms": timings[label] for label in (*TEMPERATURES, "present")},
        "sql_ms": sql_seconds * 1000,
    }


def _flat_sql_baseline(ledger: Ledger, backend: str, size: str, known_at: datetime) -> float:
    """A hand-written SQL answer over a flat, indexed table of the same training facts:
    hours per person and topic in the current three-year window, as known at T. It is what
    a spreadsheet-era report would compute: no rule versions, no corrections logic."""
    facts = []
    for n in all_notifications(ledger):
        if n.topic.endswith(":TrainingCompleted"):
            state = orjson.loads(n.state)
            facts.append(
                (
                    str(n.originator_id),
                    state["effective_on"]["_data_"],
                    state["timestamp"]["_data_"],
                    state["hours"]["_data_"],
                    orjson.dumps(state["topic_hours"]).decode(),
                )
            )
    window_start = (AS_OF - timedelta(days=3 * 365)).isoformat()
    query = (
        "SELECT person_id, sum(hours) FROM flat WHERE effective_on > ? AND "
        "effective_on <= ? AND recorded_at <= ? GROUP BY person_id"
    )
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(":memory:")
        conn.execute(
            "CREATE TABLE flat (person_id TEXT, effective_on TEXT, recorded_at TEXT, "
            "hours REAL, topics TEXT)"
        )
        conn.executemany("INSERT INTO flat VALUES (?,?,?,?,?)", facts)
        conn.execute("CREATE INDEX flat_idx ON flat (effective_on, recorded_at, person_id)")
        began = time.perf_counter()
        conn.execute(query, (window_start, AS_OF.isoformat(), known_at.isoformat())).fetchall()
        return time.perf_counter() - began
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS public.bench_flat")
        conn.execute(
            "CREATE TABLE public.bench_flat (person_id uuid, effective_on date, "
            "recorded_at timestamptz, hours numeric, topics jsonb)"
        )
        with conn.cursor() as cur, cur.copy("COPY public.bench_flat FROM STDIN") as copy:
            for row in facts:
                copy.write_row(row)
        conn.execute("CREATE INDEX ON public.bench_flat (effective_on, recorded_at, person_id)")
        conn.execute("ANALYZE public.bench_flat")
        began = time.perf_counter()
        conn.execute(
            query.replace("flat", "public.bench_flat").replace("?", "%s"),
            (window_start, AS_OF, known_at),
        ).fetchall()
        seconds = time.perf_counter() - began
        conn.execute("DROP TABLE public.bench_flat")
        return seconds


def _analyze(backend: str, size: str) -> None:
    """Planner statistics for the store's tables on PostgreSQL, as autovacuum (on by
    default) gathers them after a bulk load. The server these figures come from runs with
    autovacuum off: tables never analysed got row estimates high enough for the planner to
    JIT-compile short key reads (~40 ms each), and a rebuild at L took 41 s instead of 26."""
    if backend != "postgres":
        return
    schema = f"bench_{size.lower()}"
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchall()
        for (table,) in tables:
            conn.execute(
                sql.SQL("ANALYZE {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--only", choices=["ingest"], help="run only this benchmark")
    args = parser.parse_args()
    print(
        f"# size {args.size}: {SIZES[args.size]} officers x 10 years; {platform.machine()}, "
        f"python {platform.python_version()}, {io.DEFAULT_BUFFER_SIZE}",
        flush=True,
    )
    for backend in args.backends.split(","):
        ledger, generated = ensure_store(backend, args.size)
        events = ledger.store.count_events()
        _analyze(backend, args.size)
        print(
            f"## {backend}: {events:,} events"
            + (f", generated in {generated:.0f} s" if generated else ""),
            flush=True,
        )
        if not args.skip_ingest:
            r = bench_ingest(ledger, backend, args.size)
            print(
                f"ingest: ledger {r['ledger_eps']:,.0f} ev/s vs raw {r['raw_eps']:,.0f} ev/s"
                f" -> ratio {r['ledger_eps'] / r['raw_eps']:.3f} (Ledger.append; "
                f"Ledger.save {r['save_eps']:,.0f} ev/s -> {r['save_eps'] / r['raw_eps']:.3f})",
                flush=True,
            )
        if args.only == "ingest":
            ledger.close()
            continue
        if not args.skip_rebuild:
            r = bench_rebuild(backend, args.size, ledger)
            print(
                f"rebuild: {r['rebuild_eps']:,.0f} ev/s vs raw read+decode+fold "
                f"{r['raw_eps']:,.0f} ev/s -> ratio {r['rebuild_eps'] / r['raw_eps']:.3f}; "
                f"peak RSS {r['rss_mb']:,.0f} MB ({r['workers']} workers)",
                flush=True,
            )
        _analyze(backend, args.size)  # the generation the rebuild made
        r = bench_status(ledger)
        print(
            "person status as-of: "
            + "; ".join(
                f"{t} p50 {r[f'{t}_p50_ms']:.2f} ms, p99 {r[f'{t}_p99_ms']:.2f} ms"
                for t in (*TEMPERATURES, "present")
            ),
            flush=True,
        )
        r = bench_roster(ledger, backend, args.size)
        print(
            f"roster as-of as JSON ({r['people']:,} people, {r['bytes'] / 1e6:,.1f} MB): "
            + ", ".join(f"{t} {r[f'{t}_ms']:,.0f} ms" for t in TEMPERATURES)
            + f", present (tracked model) {r['present_ms']:,.0f} ms"
            + f" vs flat SQL {r['sql_ms']:,.1f} ms -> ratios "
            + " / ".join(f"{r[f'{t}_ms'] / r['sql_ms']:.1f}" for t in TEMPERATURES),
            flush=True,
        )
        ledger.close()
    print(
        f"peak RSS of the benchmark process: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
    )


if __name__ == "__main__":
    main()
