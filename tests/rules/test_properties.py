"""Properties of the rule engine, checked with hypothesis over all shipped packs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid5

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.person import PersonEnrolled, TrainingCompleted, TrainingVoided
from projections.evaluate import evaluate
from projections.history import PersonHistory, TrainingRecord, history_from_events
from projections.rules.schema import VersionSpec
from projections.status import STATUS_SEVERITY
from tests.rules.helpers import person, versions

STATES = ["MN", "IN", "OH", "OR", "CA", "TX"]
TOPICS = [
    "use_of_force",
    "crisis_intervention_mental_illness",
    "autism",
    "conflict_management_mediation",
    "diversity_implicit_bias",
    "crimes_motivated_by_bias",
    "officer_wellness",
    "emergency_vehicle_operations",
    "firearms",
    "defensive_tactics",
    "legal_update",
    "leadership",
    "school_threat_safety",
    "oh_cpt_prescribed",
    "oh_cpt_priority",
    "first_aid_cpr",
    "firearms_qualification",
    "racial_profiling",
]
COURSES = ["", "3188", "3381", "3939", "3232", "1850", "1849", "4202"]
days = st.dates(min_value=date(2016, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def records(draw: st.DrawFn, prefix: str = "r") -> list[TrainingRecord]:
    out = []
    for index in range(draw(st.integers(min_value=0, max_value=8))):
        hours = Decimal(draw(st.integers(min_value=1, max_value=24)))
        chosen = draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))
        split = hours / max(len(chosen), 1)
        topic_hours = {t: split.quantize(Decimal("0.01")) for t in chosen}
        valid = draw(st.one_of(st.none(), days))
        out.append(
            TrainingRecord(
                record_id=f"{prefix}{index}",
                completed_on=draw(days),
                hours=hours,
                topic_hours=topic_hours,
                post_course_number=draw(st.sampled_from(COURSES)),
                valid_until=valid,
            )
        )
    return out


@st.composite
def people(draw: st.DrawFn) -> PersonHistory:
    hired = draw(st.dates(min_value=date(2012, 1, 1), max_value=date(2024, 1, 1)))
    end = date(draw(st.integers(min_value=hired.year + 1, max_value=hired.year + 3)), 6, 30)
    return person(
        hired_on=hired,
        period_ends=[end],
        certified_on=hired,
        records=draw(records()),
        rank=draw(st.sampled_from(["Officer", "Sergeant", "Lieutenant"])),
        assignments=draw(st.sampled_from([("patrol",), ("school_resource_officer",), ()])),
        certificates=draw(st.sampled_from([(), ("intermediate",), ("supervisory",)])),
    )


def severity(status: str) -> int:
    return STATUS_SEVERITY.index(status)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(STATES), people(), records(prefix="extra"), days)
def test_adding_a_creditable_completion_never_worsens_a_status(
    state: str, history: PersonHistory, extra: list[TrainingRecord], as_of: date
) -> None:
    """More training can only help: overall and per requirement, never a worse status."""
    rules = versions(state)
    before = evaluate(rules, history, as_of)
    after = evaluate(rules, replace(history, records=history.records + tuple(extra)), as_of)
    assert severity(after.status) >= severity(before.status)
    earlier = {(r.requirement_id, r.window_start): r for r in before.requirements}
    for result in after.requirements:
        old = earlier.get((result.requirement_id, result.window_start))
        if old is not None and old.status != "not_applicable":
            assert severity(result.status) >= severity(old.status), result.requirement_id
            assert result.remaining <= old.remaining, result.requirement_id


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(STATES), people(), days)
def test_evaluation_is_deterministic(state: str, history: PersonHistory, as_of: date) -> None:
    """The same question gives the same bytes, whatever the order of versions and records."""
    rules = versions(state)
    first = evaluate(rules, history, as_of)
    shuffled = replace(history, records=tuple(reversed(history.records)))
    second = evaluate(tuple(reversed(rules)), shuffled, as_of)
    dump = orjson.dumps(first.to_dict(), option=orjson.OPT_SORT_KEYS)
    assert dump == orjson.dumps(second.to_dict(), option=orjson.OPT_SORT_KEYS)
    assert orjson.dumps(first.to_dict()) == dump  # built in key order
    # The compact form is the full one without what a roster catalogues, sources by id.
    for full, compact in zip(
        first.to_dict()["requirements"], first.to_dict(compact=True)["requirements"], strict=True
    ):
        shared = {"title", "kind", "consequence", "citations"}
        assert {k: v for k, v in full.items() if k not in shared} == {
            k: v for k, v in compact.items() if k != "citations"
        }
        assert compact["citations"] == [c["source_id"] for c in full["citations"]]


AGENCY = UUID(int=7)
PERSON = uuid5(AGENCY, "person")
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _events(recs: list[TrainingRecord], voided: set[int]) -> list[object]:
    envelope = {"originator_id": PERSON, "actor": "user:test", "agency_id": AGENCY}
    events: list[object] = [
        PersonEnrolled(
            **envelope,
            originator_version=1,
            timestamp=T0,
            effective_on=date(2012, 1, 2),
            originator_topic="ledger.person:Person",
            employee_id="E1",
            first_name="A",
            last_name="B",
            kind="sworn",
            hired_on=date(2012, 1, 2),
            rank="Officer",
            unit="Patrol",
            assignments=["patrol"],
            email="",
        )
    ]
    for index, r in enumerate(recs):
        events.append(
            TrainingCompleted(
                **envelope,
                originator_version=len(events) + 1,
                timestamp=T0 + timedelta(minutes=len(events)),
                effective_on=r.completed_on,
                record_id=uuid5(AGENCY, r.record_id),
                course_title="c",
                provider="p",
                post_course_number=r.post_course_number,
                delivery="in_person",
                hours=r.hours,
                topic_hours=dict(r.topic_hours),
                certificate_ref="",
                source_record_id="",
                tags=sorted(r.tags),
                valid_until=r.valid_until,
            )
        )
        if index in voided:
            events.append(
                TrainingVoided(
                    **envelope,
                    originator_version=len(events) + 1,
                    timestamp=T0 + timedelta(minutes=len(events)),
                    effective_on=r.completed_on,
                    record_id=uuid5(AGENCY, r.record_id),
                    reason="entered twice",
                )
            )
    return events


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(STATES), records(), st.sets(st.integers(0, 7)), days)
def test_a_voided_record_is_as_if_never_recorded(
    state: str, recs: list[TrainingRecord], voided: set[int], as_of: date
) -> None:
    """Voiding removes a record from every answer, exactly as if it had never been recorded."""
    with_voids = history_from_events(_events(recs, voided))
    kept = [r for i, r in enumerate(recs) if i not in voided]
    never = history_from_events(_events(kept, set()))
    strip = lambda h: replace(h, records=tuple(replace(r, recorded_at=None) for r in h.records))  # noqa: E731
    assert strip(with_voids) == strip(never)
    rules = versions(state)
    assert evaluate(rules, with_voids, as_of).to_dict() == evaluate(rules, never, as_of).to_dict()


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(STATES), people(), days, st.integers(min_value=1, max_value=2000))
def test_a_version_not_yet_in_effect_is_ignored(
    state: str, history: PersonHistory, as_of: date, days_later: int
) -> None:
    """Evaluating at a date before a rule version's effect ignores it entirely, unless its
    legal start is unknown and it judges the windows before it (``earlier_windows``)."""
    rules = versions(state)
    in_effect = tuple(
        v for v in rules if v.version.effective_from <= as_of or v.version.earlier_windows
    )
    assert (
        evaluate(rules, history, as_of).to_dict() == evaluate(in_effect, history, as_of).to_dict()
    )
    base = rules[-1]
    future_spec: VersionSpec = base.version.model_copy(
        update={
            "id": "future-test",
            "effective_from": as_of + timedelta(days=days_later),
            "effective_to": None,
            "requirements": [],
            "earlier_windows": [],
        }
    )
    future = base.model_copy(update={"version": future_spec})
    assert (
        evaluate((*rules, future), history, as_of).to_dict()
        == evaluate(rules, history, as_of).to_dict()
    )
