"""The key-only stream reads the read side uses give exactly what the index-filtered reads
give, at every cut (recorded time or log position), on both backends."""

from __future__ import annotations

from datetime import timedelta

from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.tracks import TRAINING_TOPICS
from tests.replay.helpers import synthetic_agency


def test_reads_up_to_heads_equal_index_filtered_reads(ledger: Ledger, clock: SettableClock) -> None:
    synthetic_agency(ledger, clock, officers=8)
    people = ledger.store.streams("person")
    positions = ledger.store.stream_positions("person")
    recorded = sorted({row.meta.recorded_at for row in ledger.store.iter_index()})
    head = ledger.recorder.max_notification_id() or 0
    cuts = [recorded[len(recorded) // 3], recorded[2 * len(recorded) // 3], recorded[-1]]
    assert len(positions) > 100
    for moment in [*cuts, recorded[0] - timedelta(days=1)]:
        expected = ledger.store.select_stream_events(
            "person", originator_ids=people, recorded_by=moment
        )
        heads = ledger.store.heads_of(people, recorded_by=moment)
        assert ledger.store.select_streams_up_to(heads) == expected
    for position in (head // 4, head // 2, head):
        expected = ledger.store.select_stream_events(
            "person", originator_ids=people, up_to_notification=position
        )
        heads = ledger.store.heads_of(people, up_to_notification=position)
        assert ledger.store.select_streams_up_to(heads) == expected
        assert {s.originator_id for s in expected} == set(heads)
        # The same cut in one read of the event table, without the heads.
        assert ledger.store.select_streams_until(people, position) == expected
    assert ledger.store.select_streams_until(people, 0) == []
    assert ledger.store.select_streams_until([], head) == []


def test_heads_and_positions_in_one_round_trip_equal_the_separate_reads(
    ledger: Ledger, clock: SettableClock
) -> None:
    synthetic_agency(ledger, clock, officers=4)
    agency_id = ledger.store.streams("agency")[0]
    people = ledger.store.streams("person")[:2]
    recorded = sorted({row.meta.recorded_at for row in ledger.store.iter_index()})
    for moment in (None, recorded[0], recorded[len(recorded) // 2], recorded[-1]):
        named = [agency_id, *people]
        heads, positions = ledger.store.heads_and_positions(named, "rule_pack", recorded_by=moment)
        assert heads == ledger.store.heads_of(named, recorded_by=moment)
        assert positions == ledger.store.stream_positions("rule_pack", recorded_by=moment)
    assert positions


def test_a_read_without_topics_is_the_full_read_less_exactly_those_events(
    ledger: Ledger, clock: SettableClock
) -> None:
    """What the credential and policy tracks read for a notification pass (issue 18): the
    agency's person events recorded by a cut, less the training events, and nothing else
    left out."""
    synthetic_agency(ledger, clock, officers=8)
    agency_id = ledger.store.streams("agency")[0]
    recorded = sorted({row.meta.recorded_at for row in ledger.store.iter_index()})
    for moment in (None, recorded[len(recorded) // 2]):
        full = ledger.store.select_stream_events("person", agency_id=agency_id, recorded_by=moment)
        kept = ledger.store.select_stream_events(
            "person", agency_id=agency_id, recorded_by=moment, without_topics=TRAINING_TOPICS
        )
        assert any(s.topic in TRAINING_TOPICS for s in full)
        assert kept == [s for s in full if s.topic not in TRAINING_TOPICS]
        assert len(kept) < len(full)
