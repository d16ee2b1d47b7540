"""Eight writer processes at once on PostgreSQL (issue 13 §6): no acknowledged event is
lost, none is stored twice, and the log verifies, seals included. The normal suite runs
a short burst; ``pytest -m slow`` (``make test-slow``) runs the full 20 seconds."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.errors import StoreBusyError
from ledger.person import TrainingCompleted
from replay.verify import verify_store
from tests.conftest import TEST_SEAL_KEYS
from tests.factories import ACTOR, agency, officer

WRITERS = 8


def _write(url: str, employee_id: str, seconds: float, acknowledged: str) -> None:
    """One writer: record trainings until time is up, writing each record id to the file
    only once its unit is committed (acknowledged)."""
    ledger = Ledger(url, seal_keys=TEST_SEAL_KEYS)
    deadline = time.monotonic() + seconds
    with Path(acknowledged).open("a", encoding="utf-8") as out:
        while time.monotonic() < deadline:
            record = uuid.uuid4()
            try:
                ledger.record_training(
                    "test-pd",
                    employee_id,
                    completed_on=date(2024, 5, 1),
                    course_title="Burst",
                    hours=1,
                    actor=ACTOR,
                    record_id=record,
                )
            except StoreBusyError:
                continue  # not acknowledged: nothing was written
            out.write(f"{record}\n")
            out.flush()
    ledger.close()


def _run(url: str, tmp_path: Path, seconds: float) -> None:
    setup = Ledger(url, seal_keys=TEST_SEAL_KEYS)
    slug = agency(setup)
    for number in range(WRITERS):
        officer(setup, slug, f"W{number}", licensed=False)
    spawn = multiprocessing.get_context("spawn")
    files = [tmp_path / f"acknowledged-{number}" for number in range(WRITERS)]
    writers = [
        spawn.Process(target=_write, args=(url, f"W{number}", seconds, str(files[number])))
        for number in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=seconds + 120)
        assert writer.exitcode == 0
    acknowledged = [line for f in files for line in f.read_text().splitlines()]
    stored = [
        str(event.record_id)
        for number in range(WRITERS)
        for event in setup.stream(setup.get_person(slug, f"W{number}").id)
        if isinstance(event, TrainingCompleted)
    ]
    try:
        assert len(acknowledged) > WRITERS  # every writer got through several times
        assert sorted(Counter(stored).values())[-1] == 1, "a record stored twice"
        assert set(acknowledged) <= set(stored), "an acknowledged record was lost"
        assert sorted(stored) == sorted(acknowledged)  # and nothing unacknowledged
        report = verify_store(setup.store, keys=TEST_SEAL_KEYS)
        assert report.ok, report.breaks[:5]
        assert report.log.events_unsealed == 0
        print(
            f"{WRITERS} writers, {seconds:.0f} s: {len(acknowledged)} acknowledged, all stored once"
        )
    finally:
        setup.close()


def test_eight_concurrent_writers_short(postgres_ledger: Ledger, tmp_path: Path) -> None:
    """Eight writers for 4 seconds."""
    _run(postgres_ledger.database_url, tmp_path, 4.0)


@pytest.mark.slow
def test_eight_concurrent_writers_for_twenty_seconds(
    postgres_ledger: Ledger, tmp_path: Path
) -> None:
    """Eight writers for 20 seconds."""
    _run(postgres_ledger.database_url, tmp_path, 20.0)
