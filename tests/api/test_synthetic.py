"""The synthetic agency is deterministic, realistic and recorded in simulated time."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from api.synthetic import DemoSummary, generate_agency
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.person import StatusChanged, TrainingCompleted, TrainingCorrected, TrainingVoided
from replay.verify import verify_store
from tests.conftest import create_postgres_store, drop_postgres_store

UNTIL = date(2025, 6, 30)


def _generate(url: str, seed: int = 11, officers: int = 25) -> tuple[Ledger, DemoSummary]:
    clock = SettableClock(datetime(2000, 1, 1, tzinfo=UTC))
    ledger = Ledger(url, clock=clock)
    summary = generate_agency(
        ledger,
        clock,
        slug="synth-pd",
        name="Synthetic PD",
        state="MN",
        officers=officers,
        years=4,
        seed=seed,
        until=UNTIL,
        batch_size=300,
    )
    return ledger, summary


def test_history_is_realistic(database_url: str) -> None:
    """Late entries, corrections, voids, leaves and separations all occur; recorded times
    never go backwards in a stream and never precede the fact's effective date."""
    ledger, summary = _generate(database_url)
    try:
        assert ledger.store.count_events() == summary.events
        kinds: dict[type, int] = defaultdict(int)
        late = 0
        for person_id in ledger.people_ids("synth-pd"):
            events = ledger.stream(person_id)
            times = [e.timestamp for e in events]
            assert times == sorted(times)
            for event in events:
                kinds[type(event)] += 1
                assert event.timestamp.date() >= event.effective_on
                if isinstance(event, TrainingCompleted):
                    late += event.timestamp.date() - event.effective_on >= timedelta(days=14)
        assert kinds[TrainingCompleted] == summary.records
        assert kinds[TrainingCorrected] == summary.corrections > 0
        assert kinds[TrainingVoided] == summary.voids > 0
        assert kinds[StatusChanged] >= summary.separated > 0
        assert late == summary.late_entries > 0
        assert summary.first_recorded is not None
        assert summary.first_recorded.date() < UNTIL - timedelta(days=3 * 365)
        assert verify_store(ledger.store).ok
    finally:
        ledger.close()


def test_same_seed_same_ledger(tmp_path: Path, postgres_ready: None) -> None:
    """The same seed yields the same digest in two stores, on SQLite and PostgreSQL alike;
    another seed yields another."""
    import uuid

    roots = []
    schema = f"t_{uuid.uuid4().hex[:16]}"
    urls = [
        f"sqlite:///{tmp_path}/a.db",
        f"sqlite:///{tmp_path}/b.db",
        create_postgres_store(schema),
    ]
    for url in urls:
        ledger, _ = _generate(url)
        roots.append(verify_store(ledger.store).root)
        ledger.close()
    other, _ = _generate(f"sqlite:///{tmp_path}/c.db", seed=12)
    assert roots[0] == roots[1] == roots[2]
    assert verify_store(other.store).root != roots[0]
    other.close()
    drop_postgres_store(schema)


@pytest.mark.parametrize("officers", [1, 3])
def test_tiny_agencies_generate(tmp_path: Path, officers: int) -> None:
    """Edge sizes still produce a valid, verifiable ledger."""
    ledger, summary = _generate(f"sqlite:///{tmp_path}/t.db", officers=officers)
    assert summary.people >= officers
    assert ledger.store.count_events() == summary.events
    assert verify_store(ledger.store).ok
    ledger.close()
