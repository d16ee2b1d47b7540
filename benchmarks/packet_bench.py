"""Issue 19 benchmark: the agency audit packet at M (1,000 officers x 10 years) against a
full read-model rebuild of the same store, in the same run (goal: packet <= 5x rebuild).

    .venv/bin/python benchmarks/packet_bench.py [--as-of 2026-03-17]

The store is the read-side benchmark's M store (``readside_bench.py``); copy it, with its
``complete_sqlite_M`` marker, into benchmarks/out/ rather than generating it again. The
rebuild is ``readside_bench.py``'s (a child process, one worker per CPU, as ``muster
replay`` runs). The packet is timed twice: for an ``as_of`` no answer was memoised for
(every person evaluated, the cold case), and again for the same query (answers memoised);
then its offline check. Each step's CPU seconds (this process and the worker processes
it waited for) are printed beside its wall time: on a shared machine, niced, the wall time
is mostly the wait for a core, and the CPU time is what the step costs.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from datetime import date
from pathlib import Path

from readside_bench import bench_rebuild  # benchmarks/ is the script's own folder

from ledger.application import Ledger
from replay.packet import agency_packet
from replay.packet_verifier import verify_packet

OUT = Path(__file__).parent / "out"
SLUG = "bench-pd"


def cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (rebuild, workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="2026-03-17", help="a day no answer is memoised for")
    args = parser.parse_args()
    if not (OUT / "complete_sqlite_M").exists():
        raise SystemExit(f"{OUT}: no bench_M.db with its complete_sqlite_M marker; copy both")
    url = f"sqlite:///{(OUT / 'bench_M.db').resolve()}"
    workers = os.cpu_count() or 1
    ledger = Ledger(url)
    events = ledger.store.count_events()
    known_at = ledger.store.last_recorded()
    print(
        f"# packet bench: {events:,} events; {platform.machine()}, python "
        f"{platform.python_version()}, {workers} CPUs; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    cpu = cpu_seconds()
    rebuild = bench_rebuild("sqlite", "M", ledger)  # readside_bench.py's, as it measures it
    rebuilt = rebuild["events"] / rebuild["rebuild_eps"]
    # The child's CPU includes its start and the raw-read baseline's fold is this process's.
    rebuild_cpu = cpu_seconds() - cpu
    print(
        f"rebuild (read models, {workers} workers): {rebuilt:.1f} s; cpu {rebuild_cpu:.1f} s "
        "(with the child's start-up and the raw-read baseline)",
        flush=True,
    )
    as_of = date.fromisoformat(args.as_of)
    timings = []
    for label in ("cold (no memoised answers)", "warm (answers memoised)"):
        began, cpu = time.perf_counter(), cpu_seconds()
        data = agency_packet(ledger, SLUG, as_of, known_at, workers=workers)
        timings.append(time.perf_counter() - began)
        print(
            f"agency packet, {label}: {timings[-1]:.1f} s, {len(data) / 1e6:.1f} MB "
            f"-> {timings[-1] / rebuilt:.2f}x the rebuild; cpu {cpu_seconds() - cpu:.1f} s",
            flush=True,
        )
    began, cpu = time.perf_counter(), cpu_seconds()
    problems = verify_packet(data)
    print(
        f"verify-packet (offline): {time.perf_counter() - began:.1f} s, cpu "
        f"{cpu_seconds() - cpu:.1f} s, {'verified' if not problems else problems[0]}; "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    ledger.close()


if __name__ == "__main__":
    main()
