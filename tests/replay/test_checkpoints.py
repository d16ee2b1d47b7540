"""History checkpoints: a folded history stored at a stream head answers exactly as the
fold of the events does, and a checkpoint that does not match is never used."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.vocabulary import PersonStatus
from projections.history import Exemption, PersonHistory, history_from_events
from projections.history_codec import Identity, decode_history, encode_history, fold_key
from replay.asof import RosterFilters, roster, status
from replay.export import to_json
from replay.knowledge import person_streams
from replay.read_models import catch_up, rebuild
from replay.read_side import open_read_store, read_side
from replay.trend import trend
from tests.factories import ACTOR
from tests.replay.helpers import synthetic_agency
from tests.rules.test_properties import people

AS_OF = date(2025, 2, 28)


@settings(max_examples=60, deadline=None)
@given(
    people(),
    st.text(max_size=12),
    st.sets(st.sampled_from(["warrior_style", "alerrt_level_1", "é"]), max_size=2),
    st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
)
def test_a_history_survives_its_encoding(
    history: PersonHistory, name: str, tags: set[str], recorded_at: datetime | None
) -> None:
    """Every field, decimals with their exact digits, dates, instants, tags, exemptions."""
    records = tuple(
        replace(r, tags=frozenset(tags), recorded_at=recorded_at, hours=r.hours + Decimal("0.50"))
        for r in history.records
    )
    history = replace(
        history,
        records=records,
        exemptions=(Exemption("x1", "medical", date(2020, 1, 1), None, "knee"),),
        certificates=frozenset(tags),
    )
    identity = Identity("E1", name, history.kind)
    assert decode_history(encode_history(identity, history)) == (identity, history)


def test_folded_histories_survive_their_encoding(ledger: Ledger, clock: SettableClock) -> None:
    synthetic_agency(ledger, clock, officers=6)
    agency = read_side(ledger).knowledge.agency_at("synth-pd", None)
    for events in person_streams(ledger, agency.agency_id, None):
        history = history_from_events(events)
        identity = Identity(events[0].employee_id, "n", events[0].kind)  # type: ignore[attr-defined]
        assert decode_history(encode_history(identity, history)) == (identity, history)


def _stored_checkpoints(ledger: Ledger) -> dict[str, int]:
    store = open_read_store(ledger)
    with store.db.reading() as cur:
        cur.execute(f"SELECT person_id, version FROM {store.db.table('rm_history')}")
        return {str(p): int(v) for p, v in cur.fetchall()}


def test_rebuild_and_catch_up_keep_checkpoints_at_the_heads(
    ledger: Ledger, clock: SettableClock
) -> None:
    synthetic_agency(ledger, clock, officers=5)
    store = open_read_store(ledger)
    rebuild(ledger, store, AS_OF)
    agency = read_side(ledger).knowledge.agency_at("synth-pd", None)
    heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=None)
    assert _stored_checkpoints(ledger) == {str(p): v for p, v in heads.items()}
    clock.set(clock() + timedelta(minutes=3))
    ledger.record_training(
        "synth-pd",
        "E00002",
        completed_on=date(2025, 1, 9),
        course_title="UoF",
        hours=3,
        topic_hours={"use_of_force": 3},
        actor=ACTOR,
    )
    catch_up(ledger, store, AS_OF)
    heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=None)
    assert _stored_checkpoints(ledger) == {str(p): v for p, v in heads.items()}


def test_answers_from_checkpoints_equal_answers_from_events(
    ledger: Ledger, clock: SettableClock
) -> None:
    """After a rebuild (checkpoints at every head), answers with the memo cleared come from
    checkpoints; they equal answers folded from events, at several days, and at an earlier
    known_at (older heads: no checkpoint matches, events are folded)."""
    synthetic_agency(ledger, clock, officers=6)
    earlier = clock()
    clock.set(earlier + timedelta(minutes=3))
    person = ledger.get_person("synth-pd", "E00001")
    live = [r for r in person.records if not r.voided]
    ledger.correct_training(
        "synth-pd", "E00001", live[0].record_id, reason="typo", hours="7", actor=ACTOR
    )
    ledger.void_training("synth-pd", "E00001", live[1].record_id, reason="dup", actor=ACTOR)
    now = clock()
    store = open_read_store(ledger)
    rebuild(ledger, store, AS_OF)
    for known_at in (now, earlier):
        for day in (date(2022, 1, 31), date(2024, 6, 30), AS_OF):
            store.memo.clear()
            fresh = to_json(roster(ledger, "synth-pd", day, known_at, memo=False))
            assert to_json(roster(ledger, "synth-pd", day, known_at)) == fresh
            store.memo.clear()
            one = status(ledger, "synth-pd", "E00001", day, known_at)
            assert to_json(one) == to_json(
                status(ledger, "synth-pd", "E00001", day, known_at, memo=False)
            )


def test_a_checkpoint_of_other_code_is_never_used(ledger: Ledger, clock: SettableClock) -> None:
    """A checkpoint whose fold key differs (another codec or fold code) is ignored even
    at the right head; the answer is folded from the events and the checkpoint replaced."""
    synthetic_agency(ledger, clock, officers=3)
    known_at = clock()
    fresh = to_json(status(ledger, "synth-pd", "E00001", AS_OF, known_at, memo=False))
    agency = read_side(ledger).knowledge.agency_at("synth-pd", None)
    heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=None)
    store = open_read_store(ledger)
    empty = encode_history(Identity("E00001", "Nobody", "sworn"), PersonHistory()).decode()
    store.checkpoints.put([(p, v, empty) for p, v in heads.items()], "0:other-code")
    assert to_json(status(ledger, "synth-pd", "E00001", AS_OF, known_at)) == fresh
    # The person asked about now has a checkpoint of this code at their head...
    asked = ledger.get_person("synth-pd", "E00001").id
    assert asked in store.checkpoints.get(heads, fold_key())
    # ... which a checkpoint of an older head does not replace.
    store.checkpoints.put([(asked, heads[asked] - 1, empty)], fold_key())
    assert store.checkpoints.get(heads, fold_key())[asked] != empty
    assert to_json(status(ledger, "synth-pd", "E00001", AS_OF, known_at)) == fresh


def test_trend_from_memo_and_checkpoints_equals_trend_from_events(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The trend computed afresh from events, computed from checkpoints (and memoised),
    and served from the memo are the same; after a new event only that person's statuses
    change; each step's counts are the roster's on that day (of the people hired by then:
    the trend does not count people before their hire date)."""
    synthetic_agency(ledger, clock, officers=6)
    known_at = clock()
    store = open_read_store(ledger)
    args = ("synth-pd", date(2023, 1, 31), AS_OF, "month")
    fresh = to_json(trend(ledger, *args, known_at, memo=False))
    assert not _stored_checkpoints(ledger)  # memo=False stores nothing
    store.checkpoints.clear()
    assert to_json(trend(ledger, *args, known_at)) == fresh  # folds, stores checkpoints
    assert _stored_checkpoints(ledger)
    store.memo.clear()
    assert to_json(trend(ledger, *args, known_at)) == fresh  # from checkpoints
    assert to_json(trend(ledger, *args, known_at)) == fresh  # from the memo
    hired = RosterFilters(person_statuses=frozenset(PersonStatus))
    for point in orjson.loads(fresh)["points"]:
        day = date.fromisoformat(point["as_of"])
        answer = roster(ledger, "synth-pd", day, known_at, hired, memo=False)
        assert point["counts"] == answer["counts"]
    clock.set(known_at + timedelta(minutes=5))
    ledger.void_training(
        "synth-pd",
        "E00002",
        ledger.get_person("synth-pd", "E00002").records[0].record_id,
        reason="entered twice",
        actor=ACTOR,
    )
    later = clock()
    assert to_json(trend(ledger, *args, later)) == to_json(trend(ledger, *args, later, memo=False))
    assert to_json(trend(ledger, *args, known_at)) == fresh
