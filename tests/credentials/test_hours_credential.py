"""A credential earned by training hours in topics (issue 17 §1), on both backends: met on
the day the hours in its topics are (not the day before), other topics not counted, a
voided record and a correction judged as recorded at ``known_at``, a later type version
not changing an earlier answer, expiry and re-earning with hours used once, suspension,
the roster across the tracks, and bad definitions refused naming the field with nothing
written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Mapper, StoredEvent

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import InvalidValueError
from ledger.program_events import CredentialTypeChanged, CredentialTypeDefined
from ledger.serialisation import OrjsonTranscoder
from replay.track_answers import roster_across
from replay.tracks import person_tracks
from tests.credentials.helpers import ACTOR, SLUG, agency, at, item, step

ONLY = ("credential",)
TACTICS: dict[str, Any] = {
    "name": "Tactics proficiency",
    "holders": ["kind:sworn"],
    "earned_by": "training_hours",
    "topics": ["firearms", "defensive_tactics"],
    "hours_required": 16,
    "hours_window_months": 12,
    "validity": "months",
    "validity_months": 12,
    "warning_days": 30,
}


def _define(ledger: Ledger, clock: SettableClock, **overrides: Any) -> None:
    clock.set(at(2024, 1, 2))
    agency(ledger, "E1")
    ledger.define_credential_type(
        SLUG, "tactics", effective_on=date(2024, 1, 1), actor=ACTOR, **{**TACTICS, **overrides}
    )


def _train(ledger: Ledger, on: date, topic: str, hours: int, employee_id: str = "E1") -> UUID:
    return ledger.record_training(
        SLUG,
        employee_id,
        completed_on=on,
        course_title=f"{topic} course",
        hours=hours,
        topic_hours={topic: hours},
        actor=ACTOR,
    )


def _on(ledger: Ledger, day: date, known_at: Any = None) -> dict[str, Any]:
    return item(
        person_tracks(ledger, SLUG, "E1", as_of=day, known_at=known_at, tracks=ONLY), "tactics"
    )


def _met_on_march_first(ledger: Ledger, clock: SettableClock) -> UUID:
    """10 firearms hours on 2025-01-10, 20 ethics hours (not a topic of the type) on
    2025-02-01, 6 defensive tactics hours on 2025-03-01: 16 in the topics that day."""
    _define(ledger, clock)
    step(clock, at(2025, 3, 2))
    _train(ledger, date(2025, 1, 10), "firearms", 10)
    _train(ledger, date(2025, 2, 1), "ethics", 20)
    return _train(ledger, date(2025, 3, 1), "defensive_tactics", 6)


def test_hours_in_the_topics_earn_it_on_the_day_they_are_met_not_the_day_before(
    ledger: Ledger, clock: SettableClock
) -> None:
    _met_on_march_first(ledger, clock)
    before = _on(ledger, date(2025, 2, 28))
    assert before["status"] == "non_compliant"
    assert before["reasons"] == [
        "never earned: 10 of 16 hours in defensive_tactics, firearms by 2025-02-28 "
        "(training completed from 2024-02-29 counts)"
    ]
    met = _on(ledger, date(2025, 3, 1))
    assert met["status"] == "compliant"
    assert met["until"] == "2026-02-28"
    assert met["reasons"] == [
        "valid through 2026-02-28 (16 of 16 hours in defensive_tactics, firearms met on "
        "2025-03-01, under tactics@v1)"
    ]
    assert met["version"] == "tactics@v1"


def test_hours_in_another_topic_do_not_count(ledger: Ledger, clock: SettableClock) -> None:
    _define(ledger, clock)
    step(clock, at(2025, 3, 2))
    _train(ledger, date(2025, 1, 10), "ethics", 40)
    _train(ledger, date(2025, 2, 1), "firearms", 8)
    answer = _on(ledger, date(2025, 3, 1))
    assert answer["status"] == "non_compliant"
    assert answer["reasons"][0].startswith("never earned: 8 of 16 hours")


def test_hours_outside_the_window_do_not_count(ledger: Ledger, clock: SettableClock) -> None:
    """The window ending 2025-03-01 starts 2024-03-02: 8 hours on 2024-03-01 are out."""
    _define(ledger, clock)
    step(clock, at(2025, 3, 2))
    _train(ledger, date(2024, 3, 1), "firearms", 8)
    _train(ledger, date(2025, 3, 1), "defensive_tactics", 8)
    assert _on(ledger, date(2025, 2, 28))["status"] == "non_compliant"
    assert _on(ledger, date(2025, 3, 1))["status"] == "non_compliant"
    # Seen from 2024-03-01 the earlier hours were inside (with nothing else, not enough).
    assert _on(ledger, date(2024, 3, 1))["reasons"][0].startswith("never earned: 8 of 16")


def test_a_voided_record_stops_counting_from_when_the_void_is_known(
    ledger: Ledger, clock: SettableClock
) -> None:
    record = _met_on_march_first(ledger, clock)
    t1 = step(clock)
    step(clock)
    ledger.void_training(SLUG, "E1", record, reason="entered twice", actor=ACTOR)
    assert _on(ledger, date(2025, 3, 1), known_at=t1)["status"] == "compliant"
    voided = _on(ledger, date(2025, 3, 1))
    assert voided["status"] == "non_compliant"
    assert voided["reasons"][0].startswith("never earned: 10 of 16 hours")


def test_a_corrected_record_changes_it_at_a_later_known_at_not_an_earlier_one(
    ledger: Ledger, clock: SettableClock
) -> None:
    record = _met_on_march_first(ledger, clock)
    t1 = step(clock)
    step(clock)
    ledger.correct_training(
        SLUG,
        "E1",
        record,
        reason="the sheet said 4 hours",
        actor=ACTOR,
        hours=4,
        topic_hours={"defensive_tactics": 4},
    )
    t2 = step(clock)
    assert _on(ledger, date(2025, 3, 1), known_at=t1)["status"] == "compliant"
    corrected = _on(ledger, date(2025, 3, 1), known_at=t2)
    assert corrected["status"] == "non_compliant"
    assert corrected["reasons"][0].startswith("never earned: 14 of 16 hours")
    # 2 more hours later make it up on the day they are completed.
    step(clock, at(2025, 4, 2))
    _train(ledger, date(2025, 4, 1), "firearms", 2)
    assert _on(ledger, date(2025, 3, 31))["status"] == "non_compliant"
    assert _on(ledger, date(2025, 4, 1))["until"] == "2026-03-31"


def test_a_type_changed_later_does_not_change_an_earlier_day_at_an_earlier_known_at(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Version 2 (24 hours, in force from 2024-01-01, recorded at T2) judges 2025-03-01
    differently, but only for answers known at or after T2."""
    _met_on_march_first(ledger, clock)
    t1 = step(clock)
    step(clock)
    version = ledger.change_credential_type(
        SLUG,
        "tactics",
        effective_on=date(2024, 1, 1),
        reason="raised to 24 hours",
        actor=ACTOR,
        **{**TACTICS, "hours_required": 24},
    )
    assert version == 2
    earlier = _on(ledger, date(2025, 3, 1), known_at=t1)
    assert (earlier["status"], earlier["version"]) == ("compliant", "tactics@v1")
    now = _on(ledger, date(2025, 3, 1))
    assert (now["status"], now["version"]) == ("non_compliant", "tactics@v2")
    assert now["reasons"][0].startswith("never earned: 16 of 24 hours")


def test_a_version_from_a_later_day_does_not_change_how_long_an_earlier_earning_lasts(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Earned 2025-03-01 under version 1 (12 months); version 2 (6 months, 24 hours, from
    2025-06-01) judges who holds it and how early to warn, not how long that earning lasts."""
    _met_on_march_first(ledger, clock)
    step(clock, at(2025, 6, 2))
    ledger.change_credential_type(
        SLUG,
        "tactics",
        effective_on=date(2025, 6, 1),
        reason="stricter",
        actor=ACTOR,
        **{**TACTICS, "hours_required": 24, "validity_months": 6},
    )
    answer = _on(ledger, date(2025, 10, 1))
    assert (answer["status"], answer["until"], answer["version"]) == (
        "compliant",
        "2026-02-28",
        "tactics@v2",
    )


def test_it_expires_and_is_earned_again_by_later_hours_each_hour_used_once(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Earned 2025-03-01 (valid through 2026-02-28). 8 hours on 2025-09-01 do not earn it
    again with the 16 already used (the window would hold 24); 8 more on 2026-01-15 do
    (16 unused hours), from that day. Then nothing: expired on 2027-01-15, and earned again
    by 16 hours on 2027-04-10, not the day before."""
    _met_on_march_first(ledger, clock)
    step(clock, at(2027, 5, 1))
    _train(ledger, date(2025, 9, 1), "firearms", 8)
    _train(ledger, date(2026, 1, 15), "defensive_tactics", 8)
    _train(ledger, date(2027, 4, 10), "firearms", 16)
    september = _on(ledger, date(2025, 9, 1))
    assert (september["status"], september["until"]) == ("compliant", "2026-02-28")
    renewed = _on(ledger, date(2026, 1, 15))
    assert (renewed["status"], renewed["until"]) == ("compliant", "2027-01-14")
    assert (
        "16 of 16 hours in defensive_tactics, firearms met on 2026-01-15" in (renewed["reasons"][0])
    )
    due = _on(ledger, date(2026, 12, 20))
    assert due["status"] == "due_soon"
    assert due["reasons"][1] == (
        "toward renewal: 0 of 16 hours in defensive_tactics, firearms by 2026-12-20 "
        "(training completed from 2026-01-16 counts)"
    )
    expired = _on(ledger, date(2027, 1, 15))
    assert expired["status"] == "non_compliant"
    assert expired["reasons"][0].startswith("expired: valid through 2027-01-14")
    assert expired["reasons"][1].startswith("toward renewal: 0 of 16 hours")
    assert _on(ledger, date(2027, 4, 9))["status"] == "non_compliant"
    again = _on(ledger, date(2027, 4, 10))
    assert (again["status"], again["until"]) == ("compliant", "2028-04-09")


def test_renewal_days_renew_from_the_expiry(ledger: Ledger, clock: SettableClock) -> None:
    """With 60 renewal days, 16 new hours on 2026-01-15 (44 days before the expiry
    2026-02-28) renew from the expiry: valid through 2027-02-28."""
    _define(ledger, clock, renewal_days=60)
    step(clock, at(2026, 2, 1))
    _train(ledger, date(2025, 3, 1), "firearms", 16)
    _train(ledger, date(2026, 1, 15), "firearms", 16)
    assert _on(ledger, date(2026, 1, 15))["until"] == "2027-02-28"


def test_suspension_and_revocation_apply_as_to_the_other_kinds(
    ledger: Ledger, clock: SettableClock
) -> None:
    _met_on_march_first(ledger, clock)
    step(clock, at(2025, 6, 2))
    ledger.act_on_credential(
        SLUG,
        "E1",
        "suspend",
        credential_type="tactics",
        on=date(2025, 5, 1),
        reason="under review",
        actor=ACTOR,
    )
    suspended = _on(ledger, date(2025, 5, 1))
    assert suspended["status"] == "non_compliant"
    assert suspended["reasons"] == ["suspended from 2025-05-01: under review"]
    ledger.act_on_credential(
        SLUG,
        "E1",
        "revoke",
        credential_type="tactics",
        on=date(2025, 6, 1),
        reason="misconduct",
        actor=ACTOR,
    )
    revoked = _on(ledger, date(2025, 6, 1))
    assert revoked["status"] == "non_compliant"
    assert revoked["reasons"][0] == "revoked on 2025-06-01"
    # Hours before the revocation no longer count; 16 after it earn it again.
    assert revoked["reasons"][1].startswith("0 of 16 hours in defensive_tactics, firearms")
    step(clock, at(2025, 7, 2))
    _train(ledger, date(2025, 7, 1), "firearms", 16)
    assert _on(ledger, date(2025, 7, 1))["until"] == "2026-06-30"


def test_the_roster_across_the_tracks_reads_the_training_it_needs(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The roster's own-track rows are read without training events unless a type is
    earned by hours: here they are read, so the roster agrees with the person's answer."""
    _met_on_march_first(ledger, clock)
    people = roster_across(ledger, SLUG, date(2025, 3, 1), tracks=ONLY)["people"]
    (row,) = [p for p in people if p["employee_id"] == "E1"]
    assert row["tracks"]["credential"] == "compliant"
    assert row["items"][0]["until"] == "2026-02-28"
    earlier = roster_across(ledger, SLUG, date(2025, 2, 28), tracks=ONLY)["people"]
    assert [p["tracks"]["credential"] for p in earlier if p["employee_id"] == "E1"] == [
        "non_compliant"
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"topics": []}, "topics"),
        ({"topics": ["Fire Arms"]}, "topics"),
        ({"topics": [f"topic_{i}" for i in range(21)]}, "topics"),
        ({"hours_required": 0}, "hours_required"),
        ({"hours_required": -4}, "hours_required"),
        ({"hours_required": 5000}, "hours_required"),
        ({"hours_required": "lots"}, "hours_required"),
        ({"hours_required": "1.234"}, "hours_required"),
        ({"hours_required": None}, "hours_required"),
        ({"hours_window_months": 0}, "hours_window_months"),
        ({"hours_window_months": 121}, "hours_window_months"),
        ({"validity": "certificate", "validity_months": 0}, "earned_by certificate"),
        ({"max_score": 100, "passing_score": 80}, "max_score"),
        ({"earned_by": "qualification"}, "apply only to earned_by training_hours"),
        ({"earned_by": "hours"}, "earned_by"),
        ({"per_weapon": True, "weapon_classes": ["handgun"]}, "per-weapon"),
    ],
)
def test_a_bad_definition_is_refused_naming_the_field_and_nothing_is_written(
    ledger: Ledger, clock: SettableClock, overrides: dict[str, Any], field: str
) -> None:
    clock.set(at(2024, 1, 2))
    agency(ledger, "E1")
    before = ledger.store.max_notification_id()
    with pytest.raises(InvalidValueError, match=field):
        ledger.define_credential_type(
            SLUG, "tactics", effective_on=date(2024, 1, 1), actor=ACTOR, **{**TACTICS, **overrides}
        )
    assert ledger.store.max_notification_id() == before
    ledger.define_credential_type(
        SLUG, "tactics", effective_on=date(2024, 1, 1), actor=ACTOR, **TACTICS
    )
    before = ledger.store.max_notification_id()
    with pytest.raises(InvalidValueError, match=field):
        ledger.change_credential_type(
            SLUG,
            "tactics",
            effective_on=date(2024, 6, 1),
            reason="r",
            actor=ACTOR,
            **{**TACTICS, **overrides},
        )
    assert ledger.store.max_notification_id() == before


def test_no_attempt_is_recorded_against_an_hours_type(ledger: Ledger, clock: SettableClock) -> None:
    _define(ledger, clock)
    with pytest.raises(InvalidValueError, match="earned by training_hours, not attempt"):
        ledger.record_qualification(
            SLUG,
            "E1",
            credential_type="tactics",
            on=date(2024, 1, 2),
            result="pass",
            instructor="Sgt. Range",
            actor=ACTOR,
        )


@pytest.mark.parametrize("kind", [CredentialTypeDefined, CredentialTypeChanged])
def test_a_type_stored_before_training_hours_existed_reads_without_them(
    kind: type[CredentialTypeDefined],
) -> None:
    """Version 1 of the stored events (no topics, hours or window) is upcast on read."""
    transcoder = OrjsonTranscoder()
    mapper: Mapper[object] = Mapper(transcoder=transcoder)
    extra = {"reason": "r"} if kind is CredentialTypeChanged else {}
    current = kind(
        originator_id=uuid4(),
        originator_version=2,
        timestamp=datetime(2024, 1, 2, tzinfo=UTC),
        effective_on=date(2024, 1, 1),
        actor=ACTOR,
        agency_id=uuid4(),
        type_id="cpr",
        name="CPR",
        version=1,
        holders=["everyone"],
        earned_by="certificate",
        passing_score=None,
        max_score=None,
        validity="months",
        validity_months=24,
        renewal_days=0,
        warning_days=30,
        per_weapon=False,
        weapon_classes=[],
        **extra,
    )
    stored = mapper.to_stored_event(current)
    state = transcoder.decode(stored.state)
    assert state.pop("class_version") == 2
    assert (state.pop("topics"), state.pop("hours_required"), state.pop("hours_window_months")) == (
        [],
        None,
        0,
    )
    old = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=transcoder.encode(state),
    )
    event = mapper.to_domain_event(old)
    assert isinstance(event, kind)
    assert (event.topics, event.hours_required, event.hours_window_months) == ([], None, 0)
    assert event == current


def test_a_grant_earns_an_hours_type_on_its_day_without_using_hours(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Granted 2025-01-15 (valid through 2026-01-14); 16 hours on 2025-03-01 still earn it
    then (the grant used none), from that day: valid through 2026-02-28."""
    _define(ledger, clock)
    step(clock, at(2025, 3, 2))
    ledger.grant_credential(
        SLUG, "E1", credential_type="tactics", on=date(2025, 1, 15), actor=ACTOR
    )
    assert _on(ledger, date(2025, 1, 15))["until"] == "2026-01-14"
    _train(ledger, date(2025, 3, 1), "firearms", 16)
    assert _on(ledger, date(2025, 2, 28))["until"] == "2026-01-14"
    assert _on(ledger, date(2025, 3, 1))["until"] == "2026-02-28"
