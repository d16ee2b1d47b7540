"""An hours-earned credential type judged from the histories the state side already folded
(issue 17 §1 follow-up): the roster across the tracks takes each person's history from the
read side's checkpoint at exactly their stream head instead of decoding their training
events again. On both backends: each checkpointed history equals the fold of the person's
whole stream as known then, and the roster and trend across the tracks are the same bytes
whether the histories come from checkpoints (the new path) or from the events (the path
taken when there is no checkpoint, as before)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.clock import SettableClock
from projections.history import history_from_events
from projections.history_codec import fold_key
from replay.asof import known_at_used, roster
from replay.checkpointed import checkpointed_histories
from replay.chunks import histories_at
from replay.export import to_json
from replay.knowledge import person_streams
from replay.read_side import read_side
from replay.track_answers import roster_across, trend_across
from replay.tracks import everyone_own_items, roster_tracks
from tests.credentials.helpers import ACTOR, SLUG, at, step
from tests.credentials.test_hours_credential import _define, _train

PEOPLE = ("E2", "E3", "E4")
DAYS = (date(2024, 12, 31), date(2025, 3, 1), date(2025, 6, 30))


def _world(ledger: Ledger, clock: SettableClock) -> None:
    """E1-E4 with training in and out of the type's topics, a voided record and a
    corrected one, so the fold's corrections are in the histories compared."""
    _define(ledger, clock)
    for employee_id in PEOPLE:
        ledger.enrol_person(
            SLUG, employee_id, first_name="Pat", last_name=employee_id, kind="sworn",
            hired_on=date(2020, 1, 6), actor=ACTOR,
        )  # fmt: skip
    step(clock, at(2025, 3, 2))
    for n, employee_id in enumerate(("E1", *PEOPLE)):
        _train(ledger, date(2025, 1, 10), "firearms", 10 + n, employee_id)
        _train(ledger, date(2025, 2, 1), "ethics", 20, employee_id)
        _train(ledger, date(2025, 3, 1), "defensive_tactics", 6, employee_id)
    step(clock)
    voided = _train(ledger, date(2025, 2, 15), "firearms", 8, "E2")
    ledger.void_training(SLUG, "E2", voided, reason="entered twice", actor=ACTOR)
    wrong = _train(ledger, date(2025, 2, 20), "firearms", 2, "E3")
    ledger.correct_training(SLUG, "E3", wrong, reason="hours", actor=ACTOR,
                            hours=Decimal(9), topic_hours={"firearms": Decimal(9)})  # fmt: skip
    step(clock)


def _across(ledger: Ledger) -> list[bytes]:
    answers = [to_json(roster_across(ledger, SLUG, day)) for day in DAYS]
    answers.append(to_json(trend_across(ledger, SLUG, DAYS[0], DAYS[-1], "month")))
    # The other readers of everyone's histories (the CLI's credential roster, the
    # notices' own tracks) go through replay.tracks._everyone, which shares them too.
    answers += [to_json(roster_tracks(ledger, SLUG, day)) for day in DAYS]
    for day in DAYS:
        _, rows = everyone_own_items(ledger, SLUG, day)
        answers.append(to_json([[h.person_id, [i.to_dict() for i in items]]
                                for h, _, items in rows]))  # fmt: skip
    return answers


def test_a_checkpoint_is_the_fold_of_the_whole_stream(ledger: Ledger, clock: SettableClock) -> None:
    _world(ledger, clock)
    roster(ledger, SLUG, DAYS[1])  # the state side folds everyone and keeps the checkpoints
    known_at = known_at_used(ledger, None)
    agency_id = agency_id_for(SLUG)
    heads = ledger.store.stream_heads("person", agency_id, recorded_by=known_at)
    shared = checkpointed_histories(ledger, heads)
    assert set(shared) == set(heads)  # everyone's, at exactly their head
    for events in person_streams(ledger, agency_id, known_at):
        folded = history_from_events(events, known_at)
        assert shared[events[0].originator_id] == folded
        assert folded.records  # the training records are there to count


def test_the_roster_and_trend_are_the_same_bytes_from_checkpoints_as_from_events(
    ledger: Ledger, clock: SettableClock
) -> None:
    _world(ledger, clock)
    # No checkpoint yet: the own tracks fold everyone's events, training included.
    store = read_side(ledger).store
    store.checkpoints.clear()
    from_events = _across(ledger)
    # The state side's roster leaves its checkpoints; the own tracks' memo is emptied so
    # they are judged again, now from the checkpoints.
    roster(ledger, SLUG, DAYS[1])
    heads = ledger.store.stream_heads(
        "person", agency_id_for(SLUG), recorded_by=known_at_used(ledger, None)
    )
    assert len(checkpointed_histories(ledger, heads)) == len(heads)
    store.memo.clear()
    assert _across(ledger) == from_events
    # And with a checkpoint for some people only (the rest folded from their events).
    store.memo.clear()
    store.checkpoints.clear()
    roster(ledger, SLUG, DAYS[1])
    some = dict(list(heads.items())[:2])
    store.checkpoints.clear()
    _, folded = histories_at(ledger, some, {})
    store.checkpoints.put(folded, fold_key())
    store.memo.clear()
    assert len(checkpointed_histories(ledger, heads)) == 2
    assert _across(ledger) == from_events
