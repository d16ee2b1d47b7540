"""A catch-up process killed with SIGKILL mid-batch resumes to exactly a full rebuild."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

from ledger.application import Ledger
from ledger.clock import SettableClock
from projections.read_store import ReadStore
from replay.read_models import catch_up, rebuild
from replay.read_side import open_read_store
from tests.replay.helpers import synthetic_agency
from tests.replay.test_asof import _url

AS_OF = date(2025, 2, 28)
RUNNER = """
import sys
from datetime import date
from ledger.application import Ledger
from projections.read_store import ReadStore
from replay.read_models import catch_up
from replay.read_side import open_read_store
ledger = Ledger(sys.argv[1])
print("started", flush=True)
catch_up(ledger, open_read_store(ledger), date.fromisoformat(sys.argv[2]), batch=7)
print("finished", flush=True)
"""


def test_sigkill_mid_catch_up_then_restart_equals_rebuild(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Kill the runner part-way through its batches; the position it left is consistent
    with its rows, and a restart converges to what a rebuild from zero produces."""
    store = open_read_store(ledger)
    generation = rebuild(ledger, store, AS_OF)
    synthetic_agency(ledger, clock, officers=20)
    head = ledger.recorder.max_notification_id()
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER, _url(ledger), AS_OF.isoformat()],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert runner.stdout is not None
    assert runner.stdout.readline().strip() == "started"
    position = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until it has committed some batches
        tracking = store.tracked.tracking(generation)
        assert tracking is not None
        position = tracking.notification_id
        if position > 0:
            break
        time.sleep(0.01)
    time.sleep(0.05)
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)
    assert runner.returncode == -signal.SIGKILL
    tracking = store.tracked.tracking(generation)
    assert tracking is not None
    assert head is not None
    assert 0 < tracking.notification_id < head, "the kill must land mid-way"
    report = catch_up(ledger, store, AS_OF, batch=50)
    assert not report.rebuilt
    assert report.position == head
    resumed, resumed_checkpoints = store.queries.dump(), _checkpoints(store)
    rebuild(ledger, store, AS_OF)
    assert store.queries.dump() == resumed
    # The history checkpoints written with the batches are the rebuild's, byte for byte.
    assert _checkpoints(store) == resumed_checkpoints


def _checkpoints(store: ReadStore) -> list[tuple[str, int, str]]:
    with store.db.reading() as cur:
        cur.execute(
            f"SELECT person_id, version, body FROM {store.db.table('rm_history')} "
            "ORDER BY person_id"
        )
        return [(str(p), int(v), str(b)) for p, v, b in cur.fetchall()]
