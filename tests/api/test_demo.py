"""Issue 12 §5 and issue 13 §5: the demo records nothing after the instant it runs, and
cannot pollute a real store (a store holding anything but its own agency is refused
before anything is appended; an interrupted demo is found, not summarised)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from api.rulebook import publish_shipped_packs
from api.synthetic import generate_agency
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.imports import SimulationCompleted
from replay.verify import verify_store
from tests.api.test_cli import run
from tests.factories import agency


class _InterruptedError(Exception):
    pass


def _generate(
    url: str, until: date, not_after: datetime | None, *, stop_after_units: int | None = None
) -> None:
    clock = SettableClock(datetime(2000, 1, 1, tzinfo=UTC))
    ledger = Ledger(url, clock=clock)
    units = 0

    def progress(done: int, total: int) -> None:
        nonlocal units
        units += 1
        if stop_after_units is not None and units >= stop_after_units:
            raise _InterruptedError  # as if the process died here: committed units stay

    try:
        publish_shipped_packs(ledger, "system:demo")
        generate_agency(
            ledger,
            clock,
            slug="demo-pd",
            name="Demo PD",
            state="MN",
            officers=40,
            years=2,
            seed=3,
            until=until,
            batch_size=300,
            progress=progress,
            not_after=not_after,
        )
    finally:
        ledger.close()


def test_the_generator_records_nothing_after_its_bound(database_url: str) -> None:
    """Planned with the last simulated day D and run at noon on D, nothing is recorded
    after noon, though the plan has entries later that day and later still (late
    entries, separations recorded days after they took effect)."""
    day = date(2025, 6, 30)
    noon = datetime(2025, 6, 30, 12, tzinfo=UTC)
    _generate(database_url, day, noon)
    ledger = Ledger(database_url)
    try:
        last = ledger.store.last_recorded()
        assert last is not None
        assert last <= noon
        assert verify_store(ledger.store).ok
        (demo,) = ledger.list_agencies()
        assert any(isinstance(e, SimulationCompleted) for e in ledger.stream(demo.id))
    finally:
        ledger.close()


def test_unbounded_the_same_plan_records_after_noon(tmp_path: Path) -> None:
    """(The plan above does hold entries after noon: the bound is what leaves them out.)"""
    url = f"sqlite:///{tmp_path}/unbounded.db"
    _generate(url, date(2025, 6, 30), None)
    ledger = Ledger(url)
    try:
        last = ledger.store.last_recorded()
        assert last is not None
        assert last > datetime(2025, 6, 30, 12, tzinfo=UTC)
    finally:
        ledger.close()


def test_the_demo_records_nothing_after_it_started(database_url: str) -> None:
    """``muster demo`` with its default last day (the agency's today) records nothing
    after the instant it started, and its second run summarises without appending."""
    started = datetime.now(UTC)
    out = run(database_url, "demo", "--officers", "40", "--years", "2").stdout
    assert "generated" in out
    ledger = Ledger(database_url)
    try:
        last = ledger.store.last_recorded()
        events = ledger.store.count_events()
    finally:
        ledger.close()
    assert last is not None
    assert last <= started
    again = run(database_url, "demo", "--officers", "40", "--years", "2").stdout
    assert "already exists: summarising it" in again
    ledger = Ledger(database_url)
    try:
        assert ledger.store.count_events() == events
    finally:
        ledger.close()


def _count(url: str) -> int:
    ledger = Ledger(url)
    try:
        return ledger.store.count_events()
    finally:
        ledger.close()


def test_the_demo_refuses_a_store_it_did_not_make(database_url: str) -> None:
    """A store holding a real agency, or another demo's agency, is refused with exit 2
    and one line, nothing appended; so is a slug, a state or a last day the demo would
    refuse later, even on an empty store."""
    ledger = Ledger(database_url)
    agency(ledger, "real-pd")
    ledger.close()
    before = _count(database_url)
    refused = run(database_url, "demo", "--officers", "3", "--years", "1", ok=False)
    assert refused.returncode == 2
    assert "real-pd" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _count(database_url) == before


@pytest.mark.parametrize(
    "args",
    [
        ("--slug", "Bad Slug"),
        ("--slug", "x"),
        ("--state", "ZZ"),
        ("--state", "WA"),
        ("--name", "bad\x07name"),
        ("--until", "2099-01-01"),
        ("--until", "yesterday"),
    ],
)
def test_a_refused_option_appends_nothing(database_url: str, args: tuple[str, str]) -> None:
    """Each is refused before the rule packs are published: the store stays empty."""
    refused = run(database_url, "demo", "--officers", "3", "--years", "1", *args, ok=False)
    assert refused.returncode == 2, refused.stdout
    assert "Traceback" not in refused.stderr
    assert _count(database_url) == 0


def test_one_demo_per_store(database_url: str) -> None:
    """A second demo agency would be recorded after the first one's history: refused."""
    run(database_url, "demo", "--officers", "3", "--years", "1", "--until", "2025-06-30")
    before = _count(database_url)
    other = run(database_url, "demo", "--slug", "other-pd", "--officers", "3", ok=False)
    assert other.returncode == 2
    assert "demo-pd" in other.stderr
    assert _count(database_url) == before


def test_an_interrupted_demo_is_rebuilt_in_a_fresh_store(tmp_path: Path) -> None:
    """A demo that died after some units committed has no completion marker: the next run
    keeps the interrupted file aside and builds afresh, instead of summarising it."""
    url = f"sqlite:///{tmp_path}/var/muster.db"
    with pytest.raises(_InterruptedError):
        _generate(url, date(2025, 6, 30), None, stop_after_units=3)
    partial = _count(url)
    assert partial > 0
    out = run(url, "demo", "--officers", "5", "--years", "1", "--until", "2025-06-30").stdout
    assert "interrupted" in out
    assert "generated" in out
    assert "summarising" not in out
    aside = [p for p in (tmp_path / "var").iterdir() if ".interrupted-" in p.name]
    ledger = Ledger(url)
    try:
        (demo,) = ledger.list_agencies()
        assert any(isinstance(e, SimulationCompleted) for e in ledger.stream(demo.id))
        assert verify_store(ledger.store).ok
    finally:
        ledger.close()
    kept = next(p for p in aside if p.name.split(".interrupted-")[1].endswith("Z"))
    assert _count(f"sqlite:///{kept}") == partial  # the interrupted history, kept whole


def test_an_interrupted_demo_on_postgres_is_refused(postgres_ready: None) -> None:
    """On PostgreSQL the demo cannot make itself a fresh schema without DDL rights: it
    names the schema to drop, exit 2, nothing appended."""
    import uuid

    from tests.conftest import create_postgres_store, drop_postgres_store

    schema = f"t_{uuid.uuid4().hex[:16]}"
    url = create_postgres_store(schema)
    try:
        with pytest.raises(_InterruptedError):
            _generate(url, date(2025, 6, 30), None, stop_after_units=2)
        partial = _count(url)
        refused = run(url, "demo", "--officers", "5", "--until", "2025-06-30", ok=False)
        assert refused.returncode == 2
        assert "interrupted" in refused.stderr
        assert _count(url) == partial
    finally:
        drop_postgres_store(schema)


def test_the_demo_summary_reads_at_80_columns(database_url: str) -> None:
    """Issue 14 §3: "wrap instead of truncating": the next-deadlines table names each
    requirement by its title and each status in words, nothing cut short at 80 columns."""
    env = {"COLUMNS": "80"}
    run(database_url, "demo", "--officers", "30", "--years", "2", "--until", "2025-11-20", env=env)
    out = run(database_url, "demo", env=env).stdout
    assert "next deadlines" in out
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    table = out[out.index("next deadlines") :]
    assert "In-service use of" in table  # a title, wrapped at words
    assert "due soon" in table or "on track" in table
    assert "_" not in table.split("ledger digest")[0]  # no requirement ids or status codes
