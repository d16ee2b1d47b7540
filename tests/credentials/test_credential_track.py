"""The credential track on both backends (issue 17's acceptance list): expiry the day after
the last valid day and recovery by requalification, failed attempts, per-weapon coverage,
and credential type versions judged bitemporally."""

from __future__ import annotations

from datetime import date

from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.tracks import person_tracks
from tests.credentials.helpers import (
    ACTOR,
    FIREARMS,
    GLOCK,
    SIG,
    SLUG,
    agency,
    at,
    item,
    qualify,
    step,
)

ONLY = ("credential",)


def _firearms(ledger: Ledger, clock: SettableClock, *people: str) -> None:
    clock.set(at(2024, 1, 2))
    agency(ledger, *people)
    ledger.define_credential_type(
        SLUG, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    for employee_id in people:
        ledger.issue_weapon(SLUG, employee_id, weapon=GLOCK, on=date(2023, 6, 1), actor=ACTOR)


def _on(ledger: Ledger, day: date, employee_id: str = "E1") -> dict[str, object]:
    return person_tracks(ledger, SLUG, employee_id, as_of=day, tracks=ONLY)


def test_expired_qualification_is_non_compliant_the_day_after_and_requalifying_restores(
    ledger: Ledger, clock: SettableClock
) -> None:
    """12 months' validity: qualified 2024-03-10, valid through 2025-03-09; the day after
    it the officer is non-compliant, and a passing requalification makes them compliant."""
    _firearms(ledger, clock, "E1")
    step(clock, at(2024, 3, 10))
    qualify(ledger, "E1", date(2024, 3, 10))
    step(clock, at(2025, 6, 1))
    last_day, day_after = _on(ledger, date(2025, 3, 9)), _on(ledger, date(2025, 3, 10))
    assert item(last_day, "firearms[A1]")["until"] == "2025-03-09"
    assert last_day["status"] == "due_soon"  # inside the 30-day warning window
    assert day_after["status"] == "non_compliant"
    assert "expired: valid through 2025-03-09" in item(day_after, "firearms[A1]")["reasons"][0]
    t = step(clock)
    step(clock)
    qualify(ledger, "E1", date(2025, 4, 2))  # entered after T
    assert _on(ledger, date(2025, 3, 20))["status"] == "non_compliant"  # before requalifying
    as_known_then = person_tracks(ledger, SLUG, "E1", as_of=date(2025, 4, 2), known_at=t)
    assert as_known_then["tracks"]["credential"] == "non_compliant"
    again = _on(ledger, date(2025, 4, 2))
    assert again["status"] == "compliant"
    assert item(again, "firearms[A1]")["until"] == "2026-04-01"


def test_a_failed_attempt_grants_nothing(ledger: Ledger, clock: SettableClock) -> None:
    _firearms(ledger, clock, "E1", "E2")
    step(clock, at(2024, 3, 10))
    qualify(ledger, "E1", date(2024, 3, 10), result="fail", score=61)
    answer = _on(ledger, date(2024, 3, 11))
    reasons = item(answer, "firearms[A1]")["reasons"]
    assert answer["status"] == "non_compliant"
    assert reasons == ["never earned", "last attempt on 2024-03-10 failed, score 61"]
    # A failed requalification after a pass does not extend the pass either.
    qualify(ledger, "E2", date(2024, 3, 10))
    step(clock, at(2025, 3, 5))
    qualify(ledger, "E2", date(2025, 3, 5), result="fail", score=70)
    after = _on(ledger, date(2025, 3, 10), "E2")
    assert after["status"] == "non_compliant"
    assert item(after, "firearms[A1]")["until"] == "2025-03-09"


def test_a_qualification_on_one_weapon_does_not_cover_another(
    ledger: Ledger, clock: SettableClock
) -> None:
    _firearms(ledger, clock, "E1")
    ledger.issue_weapon(SLUG, "E1", weapon=SIG, on=date(2023, 6, 1), actor=ACTOR)
    step(clock, at(2024, 3, 10))
    qualify(ledger, "E1", date(2024, 3, 10), weapon=GLOCK)
    answer = _on(ledger, date(2024, 4, 1))
    assert item(answer, "firearms[A1]")["status"] == "compliant"
    assert item(answer, "firearms[B2]")["status"] == "non_compliant"
    assert answer["status"] == "non_compliant"
    # The SIG returned, only the Glock is carried: compliant.
    step(clock, at(2024, 4, 2))
    ledger.return_weapon(
        SLUG, "E1", serial="B2", on=date(2024, 4, 2), reason="reissued", actor=ACTOR
    )
    assert _on(ledger, date(2024, 4, 2))["status"] == "compliant"
    assert _on(ledger, date(2024, 4, 1))["status"] == "non_compliant"


def test_a_type_changed_later_does_not_change_an_earlier_day_at_an_earlier_known_at(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Version 2 (6 months, in force from 2024-01-01, recorded at T2) judges 2024-10-01
    differently from version 1 (12 months), but only for answers known at or after T2."""
    _firearms(ledger, clock, "E1")
    step(clock, at(2024, 3, 10))
    qualify(ledger, "E1", date(2024, 3, 10))
    t1 = step(clock, at(2024, 11, 1))
    day = date(2024, 10, 1)
    before = person_tracks(ledger, SLUG, "E1", as_of=day, known_at=t1, tracks=ONLY)
    assert before["status"] == "compliant"
    t2 = step(clock)
    step(clock)
    version = ledger.change_credential_type(
        SLUG,
        "firearms",
        effective_on=date(2024, 1, 1),
        reason="policy 4.2 revised: twice a year",
        actor=ACTOR,
        **{**FIREARMS, "validity_months": 6},
    )
    assert version == 2
    step(clock)
    at_t1 = person_tracks(ledger, SLUG, "E1", as_of=day, known_at=t1, tracks=ONLY)
    assert at_t1 == before
    now = person_tracks(ledger, SLUG, "E1", as_of=day, tracks=ONLY)
    assert now["status"] == "non_compliant"
    assert item(now, "firearms[A1]")["until"] == "2024-09-09"
    assert item(now, "firearms[A1]")["version"] == "firearms@v2"
    at_t2 = person_tracks(ledger, SLUG, "E1", as_of=day, known_at=t2, tracks=ONLY)
    assert at_t2["items"] == before["items"]
    # A version in force only from 2025 leaves 2024's days as version 2 judged them.
    step(clock)
    ledger.change_credential_type(
        SLUG,
        "firearms",
        effective_on=date(2025, 1, 1),
        reason="back to yearly",
        actor=ACTOR,
        **FIREARMS,
    )
    assert person_tracks(ledger, SLUG, "E1", as_of=day, tracks=ONLY)["status"] == "non_compliant"


def test_suspension_reinstatement_and_revocation(ledger: Ledger, clock: SettableClock) -> None:
    _firearms(ledger, clock, "E1")
    step(clock, at(2024, 3, 10))
    qualify(ledger, "E1", date(2024, 3, 10))
    step(clock, at(2024, 6, 1))
    for action, on in (("suspend", date(2024, 4, 1)), ("reinstate", date(2024, 5, 1))):
        ledger.act_on_credential(
            SLUG,
            "E1",
            action,
            credential_type="firearms",
            on=on,
            reason="inquiry",
            actor=ACTOR,
            serial="A1",
        )
    assert _on(ledger, date(2024, 3, 31))["status"] == "compliant"
    assert (
        "suspended from 2024-04-01"
        in item(_on(ledger, date(2024, 4, 15)), "firearms[A1]")["reasons"][0]
    )
    assert _on(ledger, date(2024, 5, 1))["status"] == "compliant"
    ledger.act_on_credential(
        SLUG,
        "E1",
        "revoke",
        credential_type="firearms",
        on=date(2024, 5, 20),
        reason="misconduct",
        actor=ACTOR,
    )
    revoked = _on(ledger, date(2024, 5, 20))
    assert item(revoked, "firearms[A1]")["reasons"] == ["revoked on 2024-05-20"]
    step(clock)
    qualify(ledger, "E1", date(2024, 5, 25))
    assert _on(ledger, date(2024, 5, 25))["status"] == "compliant"


def test_certificate_expiry_end_of_next_year_and_renewal_window(
    ledger: Ledger, clock: SettableClock
) -> None:
    clock.set(at(2024, 1, 2))
    agency(ledger, "E1")
    common = {"holders": ["person:E1"], "warning_days": 0}
    ledger.define_credential_type(
        SLUG,
        "cpr",
        effective_on=date(2020, 1, 1),
        actor=ACTOR,
        name="First aid/CPR",
        earned_by="certificate",
        validity="certificate",
        **common,
    )
    ledger.define_credential_type(
        SLUG,
        "taser",
        effective_on=date(2020, 1, 1),
        actor=ACTOR,
        name="TASER user",
        earned_by="qualification",
        validity="end_of_next_year",
        **common,
    )
    ledger.define_credential_type(
        SLUG,
        "k9",
        effective_on=date(2020, 1, 1),
        actor=ACTOR,
        name="K9 handler",
        earned_by="qualification",
        validity="months",
        validity_months=12,
        renewal_days=60,
        **common,
    )
    ledger.grant_credential(
        SLUG,
        "E1",
        credential_type="cpr",
        on=date(2023, 5, 1),
        expires_on=date(2025, 4, 30),
        certificate_number="AHA-1",
        issuer="American Heart Association",
        actor=ACTOR,
    )
    for type_id, on in (("taser", date(2023, 2, 1)), ("k9", date(2023, 2, 1))):
        ledger.record_qualification(
            SLUG,
            "E1",
            credential_type=type_id,
            on=on,
            result="pass",
            instructor="Lt. K",
            actor=ACTOR,
        )
    # Renewed 30 days before expiry (inside the 60-day window): runs from the old expiry.
    ledger.record_qualification(
        SLUG,
        "E1",
        credential_type="k9",
        on=date(2024, 1, 1),
        result="pass",
        instructor="Lt. K",
        actor=ACTOR,
    )
    answer = person_tracks(ledger, SLUG, "E1", as_of=date(2024, 1, 2), tracks=ONLY)
    assert {i["item_id"]: i["until"] for i in answer["items"]} == {
        "cpr": "2025-04-30",
        "k9": "2025-01-31",
        "taser": "2024-12-31",
    }
