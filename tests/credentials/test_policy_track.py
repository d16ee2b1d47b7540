"""The policy track on both backends (issue 17's acceptance list): a new version resets
acknowledgements and an editorial one does not; who had acknowledged version 3 on a day, as
recorded at an instant; documents stored by the SHA-256 of their exact bytes."""

from __future__ import annotations

import hashlib
from datetime import date

from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.tracks import person_tracks, policy_acknowledgements, policy_coverage
from tests.credentials.helpers import ACTOR, SLUG, agency, at, item, step

ONLY = ("policy",)
V1 = b"# Use of force\n\nOfficers use only the force that is objectively reasonable.\n"
V2 = V1 + b"\nDe-escalation is required where feasible.\n"
V2_TYPO = V2.replace(b"feasible", b"feasible (see 4.3)")
V3 = V2_TYPO + b"\nChokeholds are prohibited.\n"


def _policy(ledger: Ledger, clock: SettableClock, *people: str) -> list[str]:
    clock.set(at(2024, 1, 2))
    agency(ledger, *people)
    hashes = [
        ledger.upload_policy(SLUG, "use-of-force", text, title="Use of force", actor=ACTOR)[0]
        for text in (V1, V2, V2_TYPO, V3)
    ]
    assert hashes == [hashlib.sha256(text).hexdigest() for text in (V1, V2, V2_TYPO, V3)]
    ledger.publish_policy(
        SLUG, "use-of-force", hashes[0], effective_on=date(2024, 1, 2), actor=ACTOR
    )
    ledger.assign_policy(
        SLUG,
        "use-of-force",
        audience=["everyone"],
        due_days=14,
        effective_on=date(2024, 1, 2),
        actor=ACTOR,
    )
    return hashes


def _ack(ledger: Ledger, employee_id: str, version: str | int, on: date) -> str:
    return ledger.acknowledge_policy(
        SLUG, employee_id, "use-of-force", version, on=on, channel="online", actor=ACTOR
    )


def _status(ledger: Ledger, day: date, employee_id: str = "E1") -> str:
    answer = person_tracks(ledger, SLUG, employee_id, as_of=day, tracks=ONLY)
    return str(item(answer, "use-of-force")["status"])


def test_a_new_version_resets_acknowledgements_and_an_editorial_one_does_not(
    ledger: Ledger, clock: SettableClock
) -> None:
    hashes = _policy(ledger, clock, "E1")
    assert _status(ledger, date(2024, 1, 10)) == "due_soon"  # due 2024-01-16
    assert _status(ledger, date(2024, 1, 17)) == "non_compliant"
    step(clock, at(2024, 1, 20))
    assert _ack(ledger, "E1", 1, date(2024, 1, 20)) == hashes[0]
    assert _status(ledger, date(2024, 1, 20)) == "compliant"
    step(clock, at(2024, 3, 1))
    ledger.publish_policy(
        SLUG, "use-of-force", hashes[1], effective_on=date(2024, 3, 1), actor=ACTOR
    )
    assert _status(ledger, date(2024, 2, 29)) == "compliant"  # version 1 still in force
    reset = person_tracks(ledger, SLUG, "E1", as_of=date(2024, 3, 1), tracks=ONLY)
    assert item(reset, "use-of-force")["status"] == "due_soon"
    assert item(reset, "use-of-force")["until"] == "2024-03-15"
    step(clock, at(2024, 3, 5))
    _ack(ledger, "E1", 2, date(2024, 3, 5))
    step(clock, at(2024, 4, 1))
    number = ledger.publish_policy(
        SLUG, "use-of-force", hashes[2], effective_on=date(2024, 4, 1), editorial=True, actor=ACTOR
    )
    assert number == 3
    editorial = person_tracks(ledger, SLUG, "E1", as_of=date(2024, 5, 1), tracks=ONLY)
    assert item(editorial, "use-of-force")["status"] == "compliant"
    assert (
        "v3 is editorial, v2 is the one to acknowledge"
        in item(editorial, "use-of-force")["reasons"][0]
    )


def test_who_had_acknowledged_version_3_on_a_day_as_recorded_at_an_instant(
    ledger: Ledger, clock: SettableClock
) -> None:
    """E1 acknowledged v3 on 2024-05-02 (recorded then); E2 on 2024-05-03 but recorded
    only at 2024-06-10 (after T); E3 acknowledged only v2; E4 v3 after the day asked."""
    hashes = _policy(ledger, clock, "E1", "E2", "E3", "E4")
    for number, (text_hash, day) in enumerate(
        ((hashes[1], date(2024, 3, 1)), (hashes[3], date(2024, 5, 1))), start=2
    ):
        step(clock, at(day.year, day.month, day.day))
        assert (
            ledger.publish_policy(SLUG, "use-of-force", text_hash, effective_on=day, actor=ACTOR)
            == number
        )
    step(clock, at(2024, 3, 2))
    _ack(ledger, "E3", 2, date(2024, 3, 2))
    step(clock, at(2024, 5, 2))
    _ack(ledger, "E1", 3, date(2024, 5, 2))
    t = step(clock, at(2024, 6, 1))
    step(clock, at(2024, 6, 10))
    _ack(ledger, "E2", 3, date(2024, 5, 3))  # a late entry
    _ack(ledger, "E4", 3, date(2024, 6, 10))
    step(clock)
    day = date(2024, 5, 31)
    then = policy_acknowledgements(ledger, SLUG, "use-of-force", 3, on=day, known_at=t)
    assert then["version_hash"] == hashes[3]
    assert [a["employee_id"] for a in then["acknowledged"]] == ["E1"]
    assert then["known_at"] == t.isoformat()
    now = policy_acknowledgements(ledger, SLUG, "use-of-force", 3, on=day)
    assert [a["employee_id"] for a in now["acknowledged"]] == ["E1", "E2"]
    assert now["acknowledged"][1]["acknowledged_on"] == "2024-05-03"
    by_hash = policy_acknowledgements(ledger, SLUG, "use-of-force", hashes[3][:12], on=day)
    assert by_hash["acknowledged"] == now["acknowledged"]
    coverage = policy_coverage(ledger, SLUG, "use-of-force", as_of=day, known_at=t)
    assert coverage["version"] == 3
    assert coverage["counts"] == {"compliant": 1, "non_compliant": 3}  # due 2024-05-15
