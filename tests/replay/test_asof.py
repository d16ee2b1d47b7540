"""As-of answers: the past stays the past (invariant 4), answers are byte-stable
(invariant 5), and hypothesis-generated histories keep invariants 2-4 together."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import LedgerError, PersonNotFoundError
from ledger.person import PersonEnrolled
from projections.history import history_from_events
from projections.history_codec import Identity, decode_history, fold_key
from projections.read_store import ReadStore
from replay import chunks
from replay.asof import RosterFilters, roster, status
from replay.export import roster_csv, to_json
from replay.knowledge import person_streams
from replay.read_models import catch_up, rebuild
from replay.read_side import open_read_store
from replay.trend import trend
from tests.factories import ACTOR
from tests.replay.helpers import publish_local_pack, synthetic_agency

AS_OF = date(2025, 2, 28)


def _roster_bytes(
    ledger: Ledger, as_of: date, known_at: datetime, *, memo: bool = False
) -> tuple[bytes, bytes]:
    """Computed afresh by default, so comparisons test the evaluation, not the memo."""
    answer = roster(ledger, "synth-pd", as_of, known_at, memo=memo)
    return to_json(answer), roster_csv(answer)


def test_later_events_never_change_earlier_knowledge(ledger: Ledger, clock: SettableClock) -> None:
    """Late entries, corrections, voids, new people and new rule versions recorded after T
    leave every answer with known_at <= T byte-for-byte unchanged."""
    synthetic_agency(ledger, clock, officers=8)
    known_at = clock()
    days = [date(2022, 6, 30), date(2024, 3, 15), AS_OF]
    before = {day: _roster_bytes(ledger, day, known_at) for day in days}
    person = ledger.get_person("synth-pd", "E00001")
    clock.set(known_at + timedelta(hours=1))
    live = [r for r in person.records if not r.voided]
    ledger.record_training(
        "synth-pd",
        "E00001",
        completed_on=date(2022, 5, 1),
        course_title="Late CIT",
        hours=8,
        topic_hours={"crisis_intervention_mental_illness": 8},
        actor=ACTOR,
    )
    ledger.correct_training(
        "synth-pd",
        "E00001",
        live[0].record_id,
        reason="wrong date",
        completed_on=date(2021, 1, 4),
        actor=ACTOR,
    )
    ledger.void_training("synth-pd", "E00001", live[1].record_id, reason="duplicate", actor=ACTOR)
    ledger.enrol_person(
        "synth-pd",
        "LATE1",
        first_name="Lee",
        last_name="Late",
        kind="sworn",
        hired_on=date(2020, 1, 1),
        actor=ACTOR,
    )
    publish_local_pack(ledger, "synth-pd", [(date(2020, 1, 1), 12)])
    for day in days:
        assert _roster_bytes(ledger, day, known_at) == before[day]
    # Now (the five units above share one clock reading, so they are a microsecond apart).
    after = roster(ledger, "synth-pd", AS_OF)
    assert to_json(after) != before[AS_OF][0]
    assert any(p["employee_id"] == "LATE1" for p in after["people"])
    with pytest.raises(PersonNotFoundError):
        status(ledger, "synth-pd", "LATE1", AS_OF, known_at)


def test_memoised_answers_equal_fresh_ones(ledger: Ledger, clock: SettableClock) -> None:
    """A memoised roster (cold, then warm) is byte-identical to one computed afresh, and a
    person's new event or a new rule version makes the memo recompute them."""
    synthetic_agency(ledger, clock, officers=6)
    known_at = clock()
    fresh = _roster_bytes(ledger, AS_OF, known_at)
    assert _roster_bytes(ledger, AS_OF, known_at, memo=True) == fresh  # cold: fills memo
    assert _roster_bytes(ledger, AS_OF, known_at, memo=True) == fresh  # warm: reads memo
    clock.set(known_at + timedelta(minutes=5))
    ledger.record_training(
        "synth-pd",
        "E00001",
        completed_on=date(2025, 1, 5),
        course_title="UoF",
        hours=2,
        topic_hours={"use_of_force": 2},
        actor=ACTOR,
    )
    publish_local_pack(ledger, "synth-pd", [(date(2024, 1, 1), 3)])
    later = clock()
    assert _roster_bytes(ledger, AS_OF, later, memo=True) == _roster_bytes(ledger, AS_OF, later)
    assert _roster_bytes(ledger, AS_OF, known_at, memo=True) == fresh


def test_answers_state_their_axes_and_evidence(ledger: Ledger, clock: SettableClock) -> None:
    """Every answer names as_of, known_at and rule versions; every counted record carries
    its effective date and recorded time, and none was recorded after known_at."""
    synthetic_agency(ledger, clock, officers=6)
    known_at = datetime(2024, 3, 15, 23, 59, 59, tzinfo=UTC)
    answer = roster(ledger, "synth-pd", date(2024, 3, 15), known_at)
    assert answer["as_of"] == "2024-03-15"
    assert answer["known_at"] == known_at.isoformat()
    assert any(v.startswith("us-mn-post-peace-officer@") for v in answer["rule_versions_known"])
    counted = [r for p in answer["people"] for r in p["counted_records"]]
    assert counted
    for record in counted:
        assert record["effective_on"] <= "2024-03-15"
        assert datetime.fromisoformat(record["recorded_at"]) <= known_at


def test_identical_queries_identical_bytes(ledger: Ledger, clock: SettableClock) -> None:
    """The same query twice gives the same JSON and CSV bytes, in process and via the CLI."""
    synthetic_agency(ledger, clock, officers=5)
    known_at = clock()
    assert _roster_bytes(ledger, AS_OF, known_at) == _roster_bytes(ledger, AS_OF, known_at)
    one = status(ledger, "synth-pd", "E00002", AS_OF, known_at)
    assert to_json(one) == to_json(status(ledger, "synth-pd", "E00002", AS_OF, known_at))
    url = _url(ledger)
    args = [
        "--agency",
        "synth-pd",
        "--as-of",
        AS_OF.isoformat(),
        "--known-at",
        known_at.isoformat(),
    ]
    outputs = {  # --all: the library's roster leaves no one out, the CLI's separated people
        fmt: [_cli(url, "roster", *args, "--all", "--format", fmt) for _ in range(2)]
        for fmt in ("json", "csv")
    }
    for fmt, (first, second) in outputs.items():
        assert first == second, fmt
    assert outputs["json"][0] == to_json(roster(ledger, "synth-pd", AS_OF, known_at))
    statuses = [_cli(url, "status", "E00002", *args, "--json") for _ in range(2)]
    assert statuses[0] == statuses[1] == to_json(one)


def test_a_roster_exports_as_its_parsed_document_would(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A roster's JSON is put together from stored rows without parsing them: it equals,
    byte for byte, the export of the parsed document (cold, warm, filtered to nobody, and
    with names holding quotes, brackets, a backslash and non-ASCII text)."""
    synthetic_agency(ledger, clock, officers=4)
    ledger.enrol_person(
        "synth-pd",
        "Q1",
        first_name='Zoë "Z" \\ ]},',
        last_name="Ñandú, Jr.",
        kind="sworn",
        hired_on=date(2020, 1, 1),
        actor=ACTOR,
    )
    known_at = clock()
    nobody = RosterFilters(statuses=frozenset({"no-such-status"}))
    for filters in (RosterFilters(), RosterFilters(), nobody):
        answer = roster(ledger, "synth-pd", AS_OF, known_at, filters)
        parsed = orjson.dumps(dict(answer), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
        assert to_json(answer) == parsed + b"\n"
        assert orjson.loads(to_json(answer))["people"] == answer["people"]
    assert roster(ledger, "synth-pd", AS_OF, known_at, nobody)["people"] == []


def test_roster_filters_and_trend(ledger: Ledger, clock: SettableClock) -> None:
    """Filters narrow the roster; the trend counts everyone hired by each step."""
    synthetic_agency(ledger, clock, officers=8)
    known_at = clock()
    everyone = roster(ledger, "synth-pd", AS_OF, known_at)
    civilians = roster(
        ledger, "synth-pd", AS_OF, known_at, RosterFilters(kinds=frozenset({"civilian"}))
    )
    assert civilians["people"]
    assert {p["kind"] for p in civilians["people"]} == {"civilian"}
    assert len(civilians["people"]) < len(everyone["people"])
    points = trend(ledger, "synth-pd", date(2024, 1, 31), AS_OF, "month", known_at)["points"]
    assert [p["as_of"] for p in points][:3] == ["2024-01-31", "2024-02-29", "2024-03-31"]
    assert sum(points[-1]["counts"].values()) == len(everyone["people"])
    assert points[-1]["counts"] == everyone["counts"]


def _url(ledger: Ledger) -> str:
    db = ledger.database
    if db.backend == "sqlite":
        return f"sqlite:///{db.sqlite_path}"
    from tests.conftest import POSTGRES_URL

    return f"{POSTGRES_URL}?schema={db.postgres_schema}"


def _cli(url: str, *args: str) -> bytes:
    muster = str(Path(sys.executable).with_name("muster"))
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_LOG_FORMAT": "json"}
    result = subprocess.run([muster, *args], capture_output=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- hypothesis: random histories with late entries, corrections, voids and rule changes --

_OP = st.one_of(
    st.tuples(
        st.just("train"),
        st.integers(0, 2),
        st.integers(0, 6 * 365),
        st.integers(0, 60),
        st.sampled_from(
            ["use_of_force", "firearms", "autism", "crisis_intervention_mental_illness"]
        ),
        st.integers(1, 8),
    ),
    st.tuples(st.just("correct"), st.integers(0, 2), st.integers(0, 50), st.integers(1, 9)),
    st.tuples(st.just("void"), st.integers(0, 2), st.integers(0, 50)),
    st.tuples(st.just("rules"), st.integers(1, 40)),
    st.tuples(st.just("catch_up"), st.integers(1, 7)),
    st.tuples(st.just("snapshot")),
)
_OPS = st.lists(_OP, min_size=3, max_size=25)
# The scale reliability.md names for the model-based test (§5.2, R11): 200 examples of 40
# operations or more; the slow tier (`make test-slow`) runs it on both backends.
_LONG_OPS = st.lists(_OP, min_size=40, max_size=48)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=_OPS)
def test_random_histories_keep_the_invariants(
    ledger: Ledger, clock: SettableClock, ops: list[tuple[object, ...]]
) -> None:
    """Whatever the order of late entries, corrections, voids and rule changes:
    incremental == rebuild, status(now) == read model, and earlier answers never move."""
    _keep_the_invariants(ledger, clock, ops)


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=_LONG_OPS)
def test_random_histories_keep_the_invariants_at_scale(
    backend: str, tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[object, ...]]
) -> None:
    """The same invariants over 200 histories of 40-48 operations, each in a fresh store
    (so every example costs the same, and none sees another's agencies)."""
    with _fresh_ledger(backend, tmp_path_factory) as (ledger, clock):
        _keep_the_invariants(ledger, clock, ops)


@contextlib.contextmanager
def _fresh_ledger(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Ledger, SettableClock]]:
    from tests.conftest import create_postgres_store, drop_postgres_store

    clock = SettableClock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    schema = f"t_{uuid.uuid4().hex[:16]}"
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('history')}/muster.db"
    else:
        url = create_postgres_store(schema)
    ledger = Ledger(url, clock=clock)
    try:
        yield ledger, clock
    finally:
        ledger.close()
        if backend != "sqlite":
            drop_postgres_store(schema)


def _keep_the_invariants(
    ledger: Ledger, clock: SettableClock, ops: list[tuple[object, ...]]
) -> None:
    store = open_read_store(ledger)
    slug = f"h{abs(hash(tuple(ops))) % 10**8}"
    start = datetime(2025, 1, 1, tzinfo=UTC)
    clock.set(max(clock(), start))
    if not ledger.list_agencies() or all(a.slug != slug for a in ledger.list_agencies()):
        publish_shipped_packs(ledger, "system:test")
        ledger.register_agency(slug, "Hypothesis PD", "MN", actor=ACTOR)
        for n in range(3):
            ledger.enrol_person(
                slug,
                f"P{n}",
                first_name="P",
                last_name=str(n),
                kind="sworn",
                hired_on=date(2018, 1, 1),
                actor=ACTOR,
            )
            ledger.record_license(
                slug,
                f"P{n}",
                license_number=str(n),
                issued_on=date(2018, 1, 1),
                period_end=date(2021, 6, 30),
                actor=ACTOR,
            )
            ledger.renew_license(
                slug,
                f"P{n}",
                renewed_on=date(2021, 6, 1),
                period_end=date(2024, 6, 30),
                actor=ACTOR,
            )
            ledger.renew_license(
                slug,
                f"P{n}",
                renewed_on=date(2024, 6, 1),
                period_end=date(2027, 6, 30),
                actor=ACTOR,
            )
    rebuild(ledger, store, AS_OF)
    snapshots: list[tuple[datetime, bytes]] = []
    rule_versions: list[tuple[date, int]] = []
    for op in ops:
        clock.set(clock() + timedelta(minutes=7))
        # A refused command (e.g. a correction that changes nothing) writes nothing.
        with contextlib.suppress(LedgerError):
            _apply(ledger, store, slug, op, rule_versions, snapshots, clock)
    catch_up(ledger, store, AS_OF, batch=5)
    incremental = store.queries.dump()
    agency_id = ledger.get_agency(slug).id
    _assert_checkpoints_at_heads(ledger, store, agency_id)
    rebuild(ledger, store, AS_OF)
    assert store.queries.dump() == incremental
    _assert_checkpoints_at_heads(ledger, store, agency_id)
    for row in store.queries.people(agency_id):
        answer = status(ledger, slug, row.employee_id, AS_OF, clock())
        assert answer["person"]["compliance"]["status"] == row.status
    for known_at, before in snapshots:
        assert to_json(roster(ledger, slug, AS_OF, known_at, memo=False)) == before


def _assert_checkpoints_at_heads(ledger: Ledger, store: ReadStore, agency_id: UUID) -> None:
    """Caught up or rebuilt, every person's history checkpoint is at their stream head and
    is exactly the fold of their events."""
    heads = ledger.store.stream_heads("person", agency_id, recorded_by=None)
    checkpoints = store.checkpoints.get(heads, fold_key())
    assert set(checkpoints) == set(heads)
    for events in person_streams(ledger, agency_id, None):
        enrolled = events[0]
        assert isinstance(enrolled, PersonEnrolled)
        expected = (Identity.of(enrolled), history_from_events(events))
        assert decode_history(checkpoints[enrolled.originator_id]) == expected


def _apply(
    ledger: Ledger,
    store: object,
    slug: str,
    op: tuple[object, ...],
    rule_versions: list[tuple[date, int]],
    snapshots: list[tuple[datetime, bytes]],
    clock: SettableClock,
) -> None:
    kind = op[0]
    today = clock().date()
    if kind == "train":
        _, who, days_ago, _late, topic, hours = op
        ledger.record_training(
            slug,
            f"P{who}",
            completed_on=today - timedelta(days=int(days_ago)),
            course_title=f"{topic} course",
            hours=int(hours),
            topic_hours={str(topic): int(hours)},
            actor=ACTOR,
        )
    elif kind in {"correct", "void"}:
        who, index = op[1], op[2]
        records = [r for r in ledger.get_person(slug, f"P{who}").records if not r.voided]
        if not records:
            return
        record = records[int(index) % len(records)]
        if kind == "void":
            ledger.void_training(slug, f"P{who}", record.record_id, reason="test", actor=ACTOR)
        else:
            ledger.correct_training(
                slug,
                f"P{who}",
                record.record_id,
                reason="test",
                hours=str(record.hours + int(op[3])),
                topic_hours={},
                actor=ACTOR,
            )
    elif kind == "rules":
        rule_versions.append((date(2019 + len(rule_versions), 1, 1), int(op[1])))
        publish_local_pack(ledger, slug, list(rule_versions))
    elif kind == "catch_up":
        catch_up(ledger, store, AS_OF, batch=int(op[1]))  # type: ignore[arg-type]
    elif kind == "snapshot":
        snapshots.append((clock(), to_json(roster(ledger, slug, AS_OF, clock()))))


def test_answers_computed_in_worker_processes_are_the_same_bytes(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roster whose people are evaluated in worker processes (each with its own
    connection) is byte-identical to one evaluated here, at a past known_at too."""
    synthetic_agency(ledger, clock, officers=6)
    known_at = datetime(2024, 3, 15, 23, 59, 59, tzinfo=UTC)
    here = [roster(ledger, "synth-pd", AS_OF, t, memo=False) for t in (known_at, clock())]
    monkeypatch.setattr(
        chunks, "SPREAD_FROM", {"fork": 1, "spawn": 1}
    )  # spread even this small agency
    spread = [
        roster(ledger, "synth-pd", AS_OF, t, memo=False, workers=2) for t in (known_at, clock())
    ]
    assert [to_json(a) for a in spread] == [to_json(a) for a in here]
    assert here[0]["people"]
    assert here[0] != here[1]
    # From history checkpoints (a rebuild wrote them), in workers, memoised: the same.
    store = open_read_store(ledger)
    rebuild(ledger, store, AS_OF)
    store.memo.clear()
    now = clock()
    from_checkpoints = roster(ledger, "synth-pd", AS_OF, now, workers=2)
    assert to_json(from_checkpoints) == to_json(here[1])
    # A trend evaluated in workers equals one evaluated here.
    steps = ("synth-pd", date(2023, 1, 31), AS_OF, "month", now)
    assert to_json(trend(ledger, *steps, workers=2)) == to_json(trend(ledger, *steps, memo=False))
