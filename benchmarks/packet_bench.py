"""Issue 19 benchmark: the agency audit packet at M (1,000 officers x 10 years) against a
full read-model rebuild of the same store, in the same run (goal: packet <= 5x rebuild).

    .venv/bin/python benchmarks/packet_bench.py [--store benchmarks/out/bench_M.db]

The store is the read-side benchmark's M store (``readside_bench.py``); copy it, with its
``complete_sqlite_M`` marker, into benchmarks/out/ rather than generating it again. The
rebuild runs in a child process as ``muster replay`` does (one worker per CPU). The packet
is timed twice: for an ``as_of`` no answer was memoised for (every person evaluated, the
cold case), and again for the same query (answers memoised); then its offline check.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from ledger.application import Ledger
from replay.packet import agency_packet
from replay.packet_verifier import verify_packet

OUT = Path(__file__).parent / "out"
SLUG = "bench-pd"
REBUILD_DAY = date(2026, 11, 1)  # the M store's last day, as readside_bench.py rebuilds


def rebuild_seconds(url: str) -> float:
    script = (
        "import sys, time\n"
        "from datetime import date\n"
        "from ledger.application import Ledger\n"
        "from replay.read_models import rebuild\n"
        "from replay.read_side import open_read_store\n"
        "ledger = Ledger(sys.argv[1])\n"
        "began = time.perf_counter()\n"
        "rebuild(ledger, open_read_store(ledger), date.fromisoformat(sys.argv[2]), "
        "workers=int(sys.argv[3]))\n"
        "print(time.perf_counter() - began)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, url, REBUILD_DAY.isoformat(), str(os.cpu_count() or 1)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, default=OUT / "bench_M.db")
    parser.add_argument("--as-of", default="2026-03-17", help="a day no answer is memoised for")
    args = parser.parse_args()
    if not (args.store.parent / "complete_sqlite_M").exists():
        raise SystemExit(f"{args.store}: no complete_sqlite_M marker beside it; copy both")
    url = f"sqlite:///{args.store.resolve()}"
    workers = os.cpu_count() or 1
    ledger = Ledger(url)
    events = ledger.store.count_events()
    known_at = ledger.store.last_recorded()
    print(
        f"# packet bench: {events:,} events; {platform.machine()}, python "
        f"{platform.python_version()}, {workers} CPUs; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    rebuilt = rebuild_seconds(url)
    print(f"rebuild (read models, {workers} workers): {rebuilt:.1f} s", flush=True)
    as_of = date.fromisoformat(args.as_of)
    timings = []
    for label in ("cold (no memoised answers)", "warm (answers memoised)"):
        began = time.perf_counter()
        data = agency_packet(ledger, SLUG, as_of, known_at, workers=workers)
        timings.append(time.perf_counter() - began)
        print(
            f"agency packet, {label}: {timings[-1]:.1f} s, {len(data) / 1e6:.1f} MB "
            f"-> {timings[-1] / rebuilt:.2f}x the rebuild",
            flush=True,
        )
    began = time.perf_counter()
    problems = verify_packet(data)
    print(
        f"verify-packet (offline): {time.perf_counter() - began:.1f} s, "
        f"{'verified' if not problems else problems[0]}; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    ledger.close()


if __name__ == "__main__":
    main()
