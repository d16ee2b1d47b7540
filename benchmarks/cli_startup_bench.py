"""Issue 14 §6 benchmark: what starting the ``muster`` command costs, beside the interpreter
importing typer and rich alone (the floor any typer + rich CLI pays).

Each command is run ``--runs`` times as a fresh process, interleaved with the baseline
(so a busy moment of the machine hits both alike); the median wall time of each is
reported with its ratio to the baseline's median. The read command asks a tiny SQLite
store (one agency, one person) for ``agency list`` and for one person's ``status``; the
store is built once beforehand and not timed.

    .venv/bin/python benchmarks/cli_startup_bench.py --runs 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BIN = Path(sys.executable).parent
MUSTER = str(BIN / "muster")


def _timed(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()[-400:]}")
    return elapsed


def _store(folder: Path) -> str:
    from ledger.application import Ledger

    url = f"sqlite:///{folder}/bench.db"
    ledger = Ledger(url)
    ledger.register_agency("bench-pd", "Bench PD", "MN", actor="user:bench")
    ledger.enrol_person(
        "bench-pd",
        "E1",
        first_name="Pat",
        last_name="Bench",
        kind="sworn",
        hired_on=date(2020, 1, 6),
        actor="user:bench",
    )
    ledger.close()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "MUSTER_DATABASE_URL": _store(Path(folder)),
            "MUSTER_LOG_FORMAT": "json",
            "MUSTER_LOG_LEVEL": "warning",
        }
        commands = {
            "python -c 'import typer, rich'": [sys.executable, "-c", "import typer, rich"],
            "muster --help": [MUSTER, "--help"],
            "muster status --help": [MUSTER, "status", "--help"],
            "muster agency list": [MUSTER, "agency", "list"],
            "muster status E1 --agency bench-pd": [MUSTER, "status", "E1", "--agency", "bench-pd"],
        }
        for command in commands.values():  # warm the file cache and the bytecode
            _timed(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(_timed(command, env))
    baseline = statistics.median(times["python -c 'import typer, rich'"])
    print(f"{args.runs} runs each, interleaved; median wall time, ratio to the baseline")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(
            f"{name:40} {median * 1000:7.0f} ms  x{median / baseline:4.2f}"
            f"  (min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})"
        )


if __name__ == "__main__":
    main()
