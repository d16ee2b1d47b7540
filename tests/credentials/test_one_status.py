"""One status per person across the state, credential and policy tracks, on both backends:
the most severe track decides, with its reasons; each track can be asked for alone; a
separated person is inactive whatever the tracks hold."""

from __future__ import annotations

from datetime import date

from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.tracks import person_tracks, roster_tracks
from tests.credentials.helpers import ACTOR, FIREARMS, GLOCK, SLUG, agency, at, qualify, step

POLICY = b"# Body-worn cameras\n\nRecord every enforcement contact.\n"


def _agency(ledger: Ledger, clock: SettableClock) -> None:
    clock.set(at(2025, 1, 2))
    agency(ledger, "E1", "E2")
    ledger.define_credential_type(
        SLUG, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    digest, _ = ledger.upload_policy(SLUG, "bwc", POLICY, title="Body-worn cameras", actor=ACTOR)
    ledger.publish_policy(SLUG, "bwc", digest, effective_on=date(2025, 1, 2), actor=ACTOR)
    ledger.assign_policy(
        SLUG,
        "bwc",
        audience=["kind:sworn"],
        due_days=10,
        effective_on=date(2025, 1, 2),
        actor=ACTOR,
    )
    for employee_id in ("E1", "E2"):
        ledger.issue_weapon(SLUG, employee_id, weapon=GLOCK, on=date(2024, 1, 2), actor=ACTOR)
        qualify(ledger, employee_id, date(2025, 1, 2))
    ledger.acknowledge_policy(
        SLUG, "E2", "bwc", 1, on=date(2025, 1, 2), channel="paper", actor=ACTOR
    )


def test_the_worst_track_decides_and_each_track_can_be_asked_alone(
    ledger: Ledger, clock: SettableClock
) -> None:
    _agency(ledger, clock)
    step(clock, at(2025, 2, 1))
    day = date(2025, 2, 1)
    everything = person_tracks(ledger, SLUG, "E1", as_of=day)
    assert everything["tracks"]["credential"] == "compliant"
    assert everything["tracks"]["policy"] == "non_compliant"
    assert everything["tracks"]["state"] in {"non_compliant", "not_applicable", "inactive"}
    assert everything["status"] == "non_compliant"
    assert "policy bwc: v1 not acknowledged: overdue since 2025-01-12" in everything["reasons"]
    credential_only = person_tracks(ledger, SLUG, "E1", as_of=day, tracks=("credential",))
    assert credential_only["status"] == "compliant"
    assert {i["track"] for i in credential_only["items"]} == {"credential"}
    both = person_tracks(ledger, SLUG, "E1", as_of=day, tracks=("credential", "policy"))
    assert both["status"] == "non_compliant"
    assert list(both["tracks"]) == ["credential", "policy"]
    own = roster_tracks(ledger, SLUG, as_of=day, tracks=("credential", "policy"))
    assert [(p["employee_id"], p["status"]) for p in own["people"]] == [
        ("E1", "non_compliant"),
        ("E2", "compliant"),
    ]
    overdue = roster_tracks(
        ledger, SLUG, as_of=day, tracks=("policy",), statuses=frozenset({"non_compliant"})
    )
    assert [p["employee_id"] for p in overdue["people"]] == ["E1"]


def test_a_separated_person_is_inactive_whatever_the_tracks_hold(
    ledger: Ledger, clock: SettableClock
) -> None:
    _agency(ledger, clock)
    step(clock, at(2025, 2, 1))
    ledger.change_status(
        SLUG,
        "E1",
        status="separated",
        effective_on=date(2025, 1, 20),
        reason="resigned",
        actor=ACTOR,
    )
    answer = person_tracks(ledger, SLUG, "E1", as_of=date(2025, 2, 1), tracks=("policy",))
    assert answer["status"] == "inactive"
    assert answer["reasons"] == ["person is separated on 2025-02-01"]
    before = person_tracks(ledger, SLUG, "E1", as_of=date(2025, 1, 15), tracks=("policy",))
    assert before["status"] == "non_compliant"  # overdue from 2025-01-13, still employed
