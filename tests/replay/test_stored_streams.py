"""Folding stored streams with completions made into records straight from their stored
state gives exactly the histories folded from the events themselves, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from itertools import groupby

from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.person import TrainingCompleted
from ledger.serialisation import LedgerMapper, OrjsonTranscoder
from projections.history import PersonHistory, history_from_events
from replay.stored_streams import (
    _plain_record,
    _untagged_record,
    fold_streams,
    record_from_state,
)
from tests.factories import ACTOR, agency, officer
from tests.replay.helpers import synthetic_agency

CENT = Decimal("0.01")


def _stored_streams(ledger: Ledger) -> list[StoredEvent]:
    heads = ledger.store.heads_of(sorted(ledger.store.streams("person")))
    return list(ledger.store.select_streams_up_to(heads))


def _folded_from_events(ledger: Ledger, stored: list[StoredEvent]) -> list[PersonHistory]:
    return [
        history_from_events([ledger.mapper.to_domain_event(s) for s in group])
        for _, group in groupby(stored, key=lambda s: s.originator_id)
    ]


def test_streams_fold_as_their_events_do(ledger: Ledger, clock: SettableClock) -> None:
    """A synthetic agency (completions, corrections, voids, licences, exemptions): every
    person's history, stream head and enrolment equal what the events give."""
    synthetic_agency(ledger, clock, officers=10)
    stored = _stored_streams(ledger)
    folded = fold_streams(ledger.mapper, stored)
    assert [f.history for f in folded] == _folded_from_events(ledger, stored)
    lengths = [len(list(g)) for _, g in groupby(stored, key=lambda s: s.originator_id)]
    assert [f.events for f in folded] == lengths
    assert all(f.enrolled.originator_version == 1 for f in folded)
    assert sum(len(f.history.records) for f in folded) > 100


completions = st.fixed_dictionaries(
    {
        "hours": st.decimals(min_value=Decimal("0.25"), max_value=40, places=2),
        "topics": st.lists(
            st.sampled_from(["firearms", "use_of_force", "legal_update", "crisis"]),
            unique=True,
            max_size=3,
        ),
        "tags": st.lists(st.sampled_from(["warrior_style", "alerrt_level_1"]), unique=True),
        # Completed on 1 to 6 January 2024: a credential never expires before it is earned.
        "valid_until": st.none() | st.dates(date(2024, 1, 7), date(2030, 1, 1)),
        "title": st.text(alphabet="abcÉü \"\\'", min_size=1, max_size=12).filter(str.strip),
        "delivery": st.sampled_from(["in_person", "online"]),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(completions, min_size=1, max_size=6))
def test_completions_of_any_shape_fold_the_same(
    ledger: Ledger, clock: SettableClock, drawn: list[dict[str, object]]
) -> None:
    clock.set(datetime(2025, 1, 1, tzinfo=UTC))
    slug = agency(ledger, f"a{len(ledger.store.streams('agency'))}")
    employee = officer(ledger, slug)
    for n, c in enumerate(drawn):
        hours = c["hours"]
        assert isinstance(hours, Decimal)
        topics = list(c["topics"])  # type: ignore[call-overload]
        ledger.record_training(
            slug,
            employee,
            completed_on=date(2024, 1, 1 + n),
            course_title=str(c["title"]),
            hours=hours,
            topic_hours={t: (hours / len(topics)).quantize(CENT, ROUND_DOWN) for t in topics},
            actor=ACTOR,
            tags=list(c["tags"]),  # type: ignore[call-overload]
            valid_until=c["valid_until"],  # type: ignore[arg-type]
            delivery=str(c["delivery"]),
        )
    stored = [s for s in _stored_streams(ledger) if s.originator_id == _stream(ledger, slug)]
    folded = fold_streams(ledger.mapper, stored)
    assert [f.history for f in folded] == _folded_from_events(ledger, stored)
    assert len(folded[0].history.records) == len(drawn)


def _stream(ledger: Ledger, slug: str) -> object:
    (person_id,) = ledger.people_ids(slug)
    return person_id


def test_completions_the_mapper_cannot_read_plainly_are_decoded_as_events(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A compressing mapper, and a completion stored by an older class version (it must be
    upcast), both go through ``to_domain_event``."""
    synthetic_agency(ledger, clock, officers=3)
    stored = _stored_streams(ledger)
    plain = ledger.mapper
    assert isinstance(plain, LedgerMapper)
    compressing = LedgerMapper(transcoder=OrjsonTranscoder(), compressor=ZlibCompressor())
    compressed = [compressing.to_stored_event(plain.to_domain_event(s)) for s in stored]
    assert compressing.tagged_state(compressed[-1]) is None
    folded = fold_streams(compressing, compressed)
    assert [f.history for f in folded] == _folded_from_events(ledger, stored)
    completion = next(s for s in stored if s.topic.endswith(":TrainingCompleted"))
    assert plain.tagged_state(completion) is not None
    TrainingCompleted.class_version = 2  # type: ignore[attr-defined]
    try:
        assert plain.tagged_state(completion) is None
    finally:
        del TrainingCompleted.class_version  # type: ignore[attr-defined]
    assert plain.tagged_state(completion) is not None


# What decoding a malformed value raises (decimal.InvalidOperation is an ArithmeticError).
_DECODING_ERRORS = (ValueError, TypeError, AttributeError, ArithmeticError, KeyError)
_FIELDS = ("record_id", "effective_on", "hours", "timestamp", "valid_until", "topic_hours")
_TAGS = ("uuid_hex", "date_iso", "decimal_str", "datetime_iso", "tuple", "other")


def _restated(value: object, how: int) -> object:
    """A tagged value made into another shape the decoder may meet: another tag, extra
    keys, data that is not text, upper-case or short hex; else unchanged."""
    if not isinstance(value, dict):
        return value
    data = value.get("_data_")
    return [
        {**value, "_type_": _TAGS[how % len(_TAGS)]},
        {**value, "extra": 1},
        {**value, "_data_": [data]},
        {**value, "_data_": data.upper() if isinstance(data, str) else data},
        {**value, "_data_": data[1:] if isinstance(data, str) else data},
        {"_data_": data},
        value,
    ][how % 7]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(_FIELDS), st.integers(0, 41)), max_size=4))
def test_completions_decoded_by_field_are_those_untag_decodes(
    ledger: Ledger, clock: SettableClock, changes: list[tuple[str, int]]
) -> None:
    """``record_from_state`` decodes a completion of the shape the ledger writes field by
    field (``_plain_record``), and hands any other shape to the generic ``untag``
    (``_untagged_record``): both give the same record, or the same error."""
    clock.set(datetime(2025, 1, 1, tzinfo=UTC))
    slug = agency(ledger, f"a{len(ledger.store.streams('agency'))}")
    employee = officer(ledger, slug)
    ledger.record_training(
        slug,
        employee,
        completed_on=date(2024, 1, 1),
        course_title="Use of force",
        hours=Decimal("2.50"),
        topic_hours={"use_of_force": Decimal("2.50")},
        actor=ACTOR,
        valid_until=date(2026, 1, 1),
    )
    completion = next(s for s in _stored_streams(ledger) if s.topic == get_topic(TrainingCompleted))
    plain = ledger.mapper.tagged_state(completion)  # type: ignore[attr-defined]
    assert plain is not None
    assert _plain_record(plain) == _untagged_record(plain)  # the shape written: by field
    state = dict(plain)
    for name, how in changes:
        if name == "topic_hours":
            state[name] = {t: _restated(v, how) for t, v in state[name].items()}
        else:
            state[name] = _restated(state[name], how)
    try:
        expected: object = _untagged_record(state)
    except _DECODING_ERRORS as error:
        expected = type(error)
    try:
        found: object = record_from_state(state)
    except _DECODING_ERRORS as error:
        found = type(error)
    assert found == expected
