"""CPU time of the read side's pure parts at M, on the benchmark's stored log, with a digest
of every answer computed, so a speed change can be shown to change no answer.

    .venv/bin/python benchmarks/evaluation_cpu.py [--size M] [--profile rebuild|status]

Uses the SQLite store ``readside_bench.py`` generated (``benchmarks/out/bench_<size>.db``)
and writes nothing to it. Times are ``time.process_time`` (CPU of this process), so they
mean the same on a shared machine, and each phase runs in this one process:

- *rebuild*: what a rebuild computes for every person (the log read and folded, each
  person evaluated on the tracked model's day and their two documents built), without
  writing it;
- *status*: the benchmark's 300 (person, as-of day) pairs answered cold, as a cold status
  answer computes them (the person's history checkpoint decoded, evaluated, the answer's
  document built), without the database round trips.

The digest is over every document built, in order; the same store gives the same digest
for any code that gives the same answers.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from ledger.application import Ledger
from ledger.gc_pause import paused_gc
from projections.answers import answer_document, documents, person_answer, roster_document
from projections.evaluate import evaluate
from projections.history_codec import Identity, decode_history, encode_history
from replay.read_side import read_side
from replay.stored_streams import fold_streams

OUT = Path(__file__).parent / "out"
UNTIL = date(2026, 11, 1)  # the generated history's end: the tracked model's day
CALLEES: list[str] = []  # --callees: functions whose callees a profile lists


def _timed(label: str, work: object, profile: str | None, name: str, repeat: int = 1) -> object:
    began = time.process_time()
    if profile is None and repeat > 1:  # the least of several runs: the others were slowed
        seconds = []
        for _ in range(repeat):
            began = time.process_time()
            result = work()  # type: ignore[operator]
            seconds.append(time.process_time() - began)
        print(f"{label}: {min(seconds):.3f} s CPU (least of {repeat})", flush=True)
        return result
    if profile == name:
        profiler = cProfile.Profile()
        result = profiler.runcall(work)  # type: ignore[arg-type]
        seconds = time.process_time() - began
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)
        if CALLEES:
            stats.print_callees(*CALLEES)
    else:
        result = work()  # type: ignore[operator]
        seconds = time.process_time() - began
    print(f"{label}: {seconds:.3f} s CPU", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--profile", choices=["fold", "rebuild", "evaluate", "status"])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--callees", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each part timed")
    args = parser.parse_args()
    CALLEES.extend(args.callees)
    ledger = Ledger(f"sqlite:///{OUT / f'bench_{args.size}.db'}")
    knowledge = read_side(ledger).knowledge
    agency = knowledge.agency_at("bench-pd", None)
    people = ledger.people_ids("bench-pd")
    head = ledger.recorder.max_notification_id() or 0
    digest = hashlib.sha256()

    with paused_gc():
        stored = ledger.store.select_streams_until(people, head)
    streams = _timed(
        "read and fold (every person)",
        lambda: fold_streams(ledger.mapper, stored),
        args.profile,
        "fold",
    )
    assert isinstance(streams, list)
    tracked = knowledge.rule_versions_for(agency, None, as_of=UNTIL)

    def rebuild_part() -> int:
        with paused_gc():
            for stream in streams:
                identity = Identity.of(stream.enrolled)
                answer = person_answer(identity, stream.history, tracked, UNTIL)
                body, roster = documents(answer)  # as the tracked model's rows store them
                assert body == answer_document(answer)
                assert roster == roster_document(answer)
                digest.update(body)
                digest.update(roster)
        return len(streams)

    _timed("rebuild's evaluation and documents", rebuild_part, args.profile, "rebuild")

    def evaluate_only() -> int:
        with paused_gc():
            for stream in streams:
                evaluate(tracked, stream.history, UNTIL)
        return len(streams)

    _timed("evaluate alone (every person)", evaluate_only, args.profile, "evaluate", args.repeat)

    by_id = {s.enrolled.originator_id: s for s in streams}
    checkpoints = {p: encode_history(Identity.of(s.enrolled), s.history) for p, s in by_id.items()}
    rng = random.Random(3)
    # The benchmark's pairs: ``bench_status`` draws employees in this order, with this seed.
    pairs = [
        (rng.choice(people), UNTIL - timedelta(days=rng.randrange(0, 3650)))
        for _ in range(args.samples)
    ]
    days = {as_of for _, as_of in pairs}
    versions = {day: knowledge.rule_versions_for(agency, None, as_of=day) for day in days}

    def status_part() -> int:
        with paused_gc():
            for person_id, as_of in pairs:
                identity, history = decode_history(checkpoints[person_id])
                answer = person_answer(identity, history, versions[as_of], as_of)
                digest.update(answer_document(answer))
        return len(pairs)

    _timed(f"cold status, {args.samples} answers", status_part, args.profile, "status", 1)
    print(f"answers digest: {digest.hexdigest()}")
    ledger.close()


if __name__ == "__main__":
    main()
