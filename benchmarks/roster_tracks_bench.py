"""Issue 17 §3: the roster (and with ``--trend`` the trend) across the three tracks against
the state roster (trend) from the memo, in the same run, at size M (1,000 officers, 10
years; SQLite).

    nice -n 10 .venv/bin/python benchmarks/roster_tracks_bench.py --size M --repeat 5 --trend

The generated store (``readside_bench``'s, reused) is copied to a scratch file and given
``notify_bench``'s programme (a per-weapon firearms qualification held by everyone, a
weapon and a qualification per person, a policy assigned to everyone, acknowledged by 3 in
5). Then, on the store's last day, known at the horizon:

- **state, memo**: ``replay.asof.roster`` to its JSON export, after one call that fills
  the memo (the baseline: median of ``--repeat``);
- **across, first**: ``replay.track_answers.roster_across`` (all three tracks) the first
  time: the state rows from the memo, the credential and policy items judged from one read
  of everyone's stream without its training events, and memoised;
- **across, again**: the same question asked again (median of ``--repeat``): the items
  read back from the memo.

``--trend`` times the same for a 12-month monthly trend ending on that day (``trend`` vs
``trend_across``). ``--hours`` also defines a credential type earned by training hours
(8 hours in use_of_force or firearms within 24 months, held by every sworn officer), so
the own tracks need everyone's training records too: since issue 17's follow-up they take
them from the history checkpoints the state roster left (``replay.track_answers``),
falling back to reading the training events for a person without one. Each row gives
wall-clock and CPU seconds, each with its ratio to its baseline in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from notify_bench import add_own_tracks
from readside_bench import OUT, TRACKED_DAY, ensure_store, url_for

from ledger.application import Ledger
from replay.asof import roster
from replay.export import to_json
from replay.track_answers import roster_across, trend_across
from replay.trend import trend

SLUG = "bench-pd"


def _time(run: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process's: on a busy box the CPU time is the
    steadier figure)."""
    began, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - began, time.process_time() - cpu


def _median(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    taken = [_time(run) for _ in range(repeat)]
    return statistics.median(t[0] for t in taken), statistics.median(t[1] for t in taken)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--trend", action="store_true")
    parser.add_argument("--hours", action="store_true")
    args = parser.parse_args()
    source, _ = ensure_store("sqlite", args.size)
    source.close()
    original = Path(url_for("sqlite", args.size).removeprefix("sqlite:///"))
    scratch = OUT / f"scratch_tracks_{args.size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(original, scratch)
    url = f"sqlite:///{scratch}"
    people, seconds = add_own_tracks(url, TRACKED_DAY)
    print(f"# size {args.size}: {people} people given the programme in {seconds:.1f} s")
    print(f"# load average at start: {os.getloadavg()[0]:.1f}")
    ledger = Ledger(url)
    if args.hours:
        ledger.define_credential_type(
            SLUG,
            "uof-hours",
            effective_on=date(2015, 1, 1),
            actor="system:bench",
            name="Use of force hours",
            holders=["kind:sworn"],
            earned_by="training_hours",
            topics=["use_of_force", "firearms"],
            hours_required=8,
            hours_window_months=24,
            validity="months",
            validity_months=12,
        )
        print("# with a credential type earned by training hours")
    day = TRACKED_DAY
    rows: list[tuple[str, tuple[float, float]]] = []

    def state_roster() -> bytes:
        return to_json(roster(ledger, SLUG, day))

    def across_roster() -> bytes:
        return to_json(roster_across(ledger, SLUG, day))

    state_roster()  # fills the memo
    base = _median(state_roster, args.repeat)
    rows.append(("roster: state, memo (baseline)", base))
    rows.append(("roster: across the tracks, first", _time(across_roster)))
    rows.append(("roster: across the tracks, again", _median(across_roster, args.repeat)))
    answer = roster_across(ledger, SLUG, day)
    print(f"# roster counts_by_track: {answer['counts_by_track']}")
    trend_base: tuple[float, float] | None = None
    if args.trend:
        start = date(day.year - 1, day.month, day.day)

        def state_trend() -> bytes:
            return to_json(trend(ledger, SLUG, start, day, "month"))

        def across_trend() -> bytes:
            return to_json(trend_across(ledger, SLUG, start, day, "month"))

        state_trend()
        trend_base = _median(state_trend, args.repeat)
        rows.append(("trend (13 points): state, memo (baseline)", trend_base))
        rows.append(("trend: across the tracks, first", _time(across_trend)))
        rows.append(("trend: across the tracks, again", _median(across_trend, args.repeat)))
    ledger.close()
    print("| what | seconds | ÷ its baseline | CPU seconds | ÷ its baseline (CPU) |")
    print("|---|---|---|---|---|")
    for what, (taken, cpu) in rows:
        baseline = trend_base if what.startswith("trend") else base
        assert baseline is not None
        ratio = taken / baseline[0] if baseline[0] else float("nan")
        cpu_ratio = cpu / baseline[1] if baseline[1] else float("nan")
        print(f"| {what} | {taken:.3f} | {ratio:.1f} | {cpu:.3f} | {cpu_ratio:.1f} |")
    print(f"# load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
