"""State renewal rosters in the agency packet (issue 19 §4), with worked examples from the
rule text in /work/shared/rules/: Minnesota's licence renewal on June 30 (post-rules.md
§2.1: "Licenses are valid for 3 years with a renewal date of June 30 of the third year";
§2.2: "48 hours per 3-year licensing period"; §2.3: "16 MLO credits/cycle: crisis
intervention & mental illness ≥6, autism ≥4, conflict mgmt & mediation ≥1,
diversity/implicit bias ≥1, crimes motivated by bias ≥1, 3 elective among those five"),
Indiana's annual report of "twenty-four (24) hours of in-service training each calendar
year" (§3.1), Texas's units "9/1/2023-8/31/2025" (§7) and California's cycle "January 1,
2025, and ends on December 31, 2026" (§6)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.packet import agency_packet
from replay.packet.renewal import RENEWALS
from tests.factories import ACTOR
from tests.packets.helpers import KNOWN_AT, SLUG, members, record_agency


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(), newline="")))


@pytest.mark.parametrize(
    ("state", "as_of", "day"),
    [
        ("US-MN", date(2025, 7, 1), date(2026, 6, 30)),  # "June 30 of the third year"
        ("US-MN", date(2026, 6, 30), date(2026, 6, 30)),  # asked on the day: that renewal
        ("US-IN", date(2024, 5, 2), date(2024, 12, 31)),  # "each calendar year"
        ("US-OH", date(2024, 12, 31), date(2024, 12, 31)),
        ("US-OR", date(2025, 1, 1), date(2025, 12, 31)),
        ("US-TX", date(2024, 2, 1), date(2025, 8, 31)),  # unit 9/1/2023-8/31/2025
        ("US-TX", date(2025, 9, 1), date(2027, 8, 31)),  # the next unit, 9/1/2025-8/31/2027
        ("US-CA", date(2025, 5, 1), date(2026, 12, 31)),  # cycle Jan 1 2025 - Dec 31 2026
    ],
)
def test_report_days_follow_the_rule_text(state: str, as_of: date, day: date) -> None:
    assert RENEWALS[state].report_day(as_of) == day


def test_every_shipped_state_has_a_roster_with_sources() -> None:
    assert set(RENEWALS) == {"US-MN", "US-IN", "US-OH", "US-OR", "US-TX", "US-CA"}
    for renewal in RENEWALS.values():
        assert renewal.sources
        assert all("post-rules" in s for s in renewal.sources)
        assert renewal.uncertain  # no board file layout was found for any state: said so
        assert len({c[0] for c in renewal.columns}) == len(renewal.columns)


def test_minnesota_renewal_roster_worked_example(ledger: Ledger, clock: SettableClock) -> None:
    """E1 and E2 hold licences to June 30, 2026 (the renewal page's example period July 1,
    2023-June 30, 2026). E1 completes, in that period, CIT 8, autism 4, conflict 1,
    diversity 1, bias 1 and use of force 4: MLO 15 of 16 (CIT's 2 over its minimum of 6 go
    to the 3 electives, which are 1 short), 19 of 48 CE credits. E2 has 2 credits of
    wellness, which a June 30, 2026 renewal does not owe. The clerk (civilian) owes no
    licence renewal and is not on the roster."""
    record_agency(ledger, clock)
    clock.set(datetime(2025, 3, 1, 18, 10, tzinfo=UTC))
    for title, hours, topic in [
        ("Autism", "4", "autism"),
        ("Conflict", "1", "conflict_management_mediation"),
        ("Diversity", "1", "diversity_implicit_bias"),
        ("Bias crimes", "1", "crimes_motivated_by_bias"),
    ]:
        ledger.record_training(SLUG, "E1", completed_on=date(2025, 2, 3), course_title=title,
                               hours=hours, topic_hours={topic: hours}, actor=ACTOR)  # fmt: skip
    clock.set(datetime(2025, 3, 2, 9, tzinfo=UTC))
    files = members(agency_packet(ledger, SLUG, date(2025, 7, 1), None))
    packet = json.loads(files["packet.json"])
    assert packet["renewal_roster"]["state"] == "US-MN"
    assert packet["renewal_roster"]["report_day"] == "2026-06-30"
    assert "renewal_roster.csv" in packet["files"]
    rows = {r["employee_id"]: r for r in _rows(files["renewal_roster.csv"])}
    assert set(rows) == {"E1", "E2"}
    e1 = rows["E1"]
    assert (e1["licence_period_start"], e1["licence_period_end"]) == ("2023-07-01", "2026-06-30")
    assert (e1["ce_credits_required"], e1["ce_credits_counted"]) == ("48", "19")
    assert (e1["mlo_credits_required"], e1["mlo_credits_counted"]) == ("16", "15")
    assert e1["mlo_crisis_intervention_counted"] == "8"
    assert e1["mlo_autism_counted"] == "4"
    assert e1["mlo_conflict_management_counted"] == "1"
    assert e1["mlo_diversity_implicit_bias_counted"] == "1"
    assert e1["mlo_crimes_motivated_by_bias_counted"] == "1"
    assert e1["mlo_elective_counted"] == "2"
    assert e1["mlo_status"] == e1["ce_status"] == "on_track"  # not met, still open
    # Wellness is "required for renewal in 2027" (§2.3): E2 renews in 2026, not owed.
    assert rows["E2"]["officer_wellness_status"] == "not_applicable"
    # Asked a year earlier, for the June 30, 2025 renewal: nobody renews then.
    earlier = members(agency_packet(ledger, SLUG, date(2025, 3, 1), KNOWN_AT))
    assert json.loads(earlier["packet.json"])["renewal_roster"]["report_day"] == "2025-06-30"
    assert _rows(earlier["renewal_roster.csv"]) == []


def test_indiana_annual_report_worked_example(ledger: Ledger, clock: SettableClock) -> None:
    """An Indiana officer with 20 in-service hours in 2024: 20 of 24 for that year's report."""
    clock.set(datetime(2024, 1, 3, 9, tzinfo=UTC))
    ledger.register_agency("in-pd", "Indiana PD", "IN", actor=ACTOR)
    publish_shipped_packs(ledger, ACTOR, jurisdiction="US-IN")
    ledger.enrol_person("in-pd", "I1", first_name="Ada", last_name="Hoosier", kind="sworn",
                        hired_on=date(2015, 1, 5), actor=ACTOR)  # fmt: skip
    ledger.record_training("in-pd", "I1", completed_on=date(2024, 1, 2), course_title="Legal",
                           hours="20", topic_hours={}, actor=ACTOR)  # fmt: skip
    clock.set(datetime(2024, 2, 1, 9, tzinfo=UTC))
    files = members(agency_packet(ledger, "in-pd", date(2024, 1, 31), None))
    described = json.loads(files["packet.json"])["renewal_roster"]
    assert described["report_day"] == "2024-12-31"
    assert "IC 5-2-1-1(d)" in described["due"]
    rows = _rows(files["renewal_roster.csv"])
    assert [r["employee_id"] for r in rows] == ["I1"]
    assert rows[0]["calendar_year_start"] == "2024-01-01"
    assert (rows[0]["in_service_hours_required"], rows[0]["in_service_hours_counted"]) == (
        "24",
        "20",
    )
