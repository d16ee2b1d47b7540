"""Issue 14 §6 benchmark: what starting the ``muster`` command costs, beside the interpreter
importing typer and rich alone (the floor any typer + rich CLI pays).

Each command is run ``--runs`` times as a fresh process, interleaved with the baseline
(so a busy moment of the machine hits both alike); the median wall time of each is
reported with its ratio to the baseline's median, and the median CPU time (user + system)
with its ratio: on a shared machine the CPU time is the steadier of the two. The read
commands ask a tiny SQLite store (one agency, one person) for ``agency list`` and for one
person's ``status``, and a small demo store (``muster demo``, 30 officers, 3 years) for one
person's ``status`` and the ``roster``; the stores are built once beforehand and not timed.
``--compare BIN`` times another checkout's ``muster`` (e.g. ``main``'s venv) in the same
interleaved run, each on its own copy of the stores.

Every process reads its bytecode from a cache made in the warm-up run (``PYTHONPYCACHEPREFIX``
in the run's temporary folder, ``PYTHONDONTWRITEBYTECODE`` removed), as an installed
``muster`` does, whatever the environment says; neither checkout's tree is written to.
``--no-bytecode`` keeps the environment as it is: where it sets ``PYTHONDONTWRITEBYTECODE``
(the shells on this project's machines do) and a checkout has no ``__pycache__``, every start
compiles muster's own modules from source (typer's and rich's were compiled at install).

    .venv/bin/python benchmarks/cli_startup_bench.py --runs 15 [--compare ../main/.venv/bin]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BIN = Path(sys.executable).parent
MUSTER = str(BIN / "muster")


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The wall time and the CPU time (user + system, of the process and its children)
    of one run of ``command``."""
    began, cpu = time.perf_counter(), _cpu()
    result = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed, used = time.perf_counter() - began, _cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()[-400:]}")
    return elapsed, used


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


def _demo_store(folder: Path, env: dict[str, str]) -> tuple[str, str]:
    """A small demo agency (30 officers, 3 years, seeded, a fixed last day) built by this
    checkout's ``muster demo``; returns its URL and one employee id in it."""
    url = f"sqlite:///{folder}/demo.db"
    demo = [MUSTER, "demo", "--officers", "30", "--years", "3", "--until", "2026-06-30"]
    _timed(demo, {**env, "MUSTER_DATABASE_URL": url})
    ledger_env = {**env, "MUSTER_DATABASE_URL": url}
    listing = subprocess.run(
        [MUSTER, "roster", "--agency", "demo-pd", "--format", "csv"],
        env=ledger_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    header = listing[0].split(",")
    employee = listing[1].split(",")[header.index("employee_id")]
    return url, employee


def _copy_store(url: str, folder: Path) -> str:
    """The SQLite store at ``url`` copied into ``folder`` (its WAL files too): another
    checkout's code keeps its own read-model rows and memo, not this one's."""
    source = Path(url.removeprefix("sqlite:///"))
    folder.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", folder / f"{source.name}{suffix}")
    return f"sqlite:///{folder / source.name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--compare",
        type=Path,
        help="the bin folder of another checkout's venv: its muster is timed in the same run",
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE and the bytecode caches as the environment has them",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base_env = {**os.environ, "MUSTER_LOG_FORMAT": "json", "MUSTER_LOG_LEVEL": "warning"}
        if not args.no_bytecode:
            base_env.pop("PYTHONDONTWRITEBYTECODE", None)
            base_env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        tiny = _store(Path(folder))
        demo, employee = _demo_store(Path(folder), base_env)
        stores = {"": (tiny, demo)}
        if args.compare is not None:
            other = Path(folder) / "other"
            stores[str(args.compare / "muster")] = (
                _copy_store(tiny, other),
                _copy_store(demo, other),
            )
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c 'import typer, rich'": (
                [sys.executable, "-c", "import typer, rich"],
                base_env,
            ),
        }
        for muster, (tiny_url, demo_url) in stores.items():
            tag = " [compare]" if muster else ""
            binary = muster or MUSTER
            on_tiny = {**base_env, "MUSTER_DATABASE_URL": tiny_url}
            on_demo = {**base_env, "MUSTER_DATABASE_URL": demo_url}
            commands |= {
                f"muster --help{tag}": ([binary, "--help"], on_tiny),
                f"muster status --help{tag}": ([binary, "status", "--help"], on_tiny),
                f"muster agency list{tag}": ([binary, "agency", "list"], on_tiny),
                f"muster status E1 --agency bench-pd{tag}": (
                    [binary, "status", "E1", "--agency", "bench-pd"],
                    on_tiny,
                ),
                f"muster status {employee} --agency demo-pd (demo){tag}": (
                    [binary, "status", employee, "--agency", "demo-pd"],
                    on_demo,
                ),
                f"muster roster --agency demo-pd (demo){tag}": (
                    [binary, "roster", "--agency", "demo-pd"],
                    on_demo,
                ),
            }
        for command, env in commands.values():  # warm the file cache, bytecode, read model
            _timed(command, env)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (command, env) in commands.items():
                times[name].append(_timed(command, env))
    base_wall = statistics.median(t[0] for t in times["python -c 'import typer, rich'"])
    base_cpu = statistics.median(t[1] for t in times["python -c 'import typer, rich'"])
    bytecode = "as the environment has it" if args.no_bytecode else "from a warm cache"
    print(
        f"{args.runs} runs each, interleaved, bytecode {bytecode}; median wall time and median"
        " CPU time (user + system), each with its ratio to the baseline's"
    )
    for name, samples in times.items():
        wall = statistics.median(t[0] for t in samples)
        cpu = statistics.median(t[1] for t in samples)
        print(
            f"{name:56} wall {wall * 1000:6.0f} ms x{wall / base_wall:5.2f}"
            f"  cpu {cpu * 1000:6.0f} ms x{cpu / base_cpu:5.2f}"
        )


if __name__ == "__main__":
    main()
