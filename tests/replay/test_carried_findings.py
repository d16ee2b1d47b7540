"""Issue 12 §2 through the ledger, the import and the read side, on both backends: a
licence period that closed short stays a finding beside a later period end on record, and
the answer says how that later end got there (an imported expiry date, or a recorded
renewal). The rule: Minn. R. 6700.1000 subp. 3, 48 hours per three-year licence period
ending June 30 (/work/shared/rules/post-rules.md, Minnesota)."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from replay.asof import roster, status
from tests.factories import ACTOR, agency
from tests.importing.helpers import people_file, person_row, run, training_file, training_row

ASKED = date(2024, 7, 15)


def _total_ce(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The total-hours results of a status answer, or of a roster row."""
    found = answer.get("person", answer)["compliance"]["requirements"]
    return [r for r in found if r["requirement_id"] == "total_ce"]


def _closed_short(answer: dict[str, Any]) -> dict[str, Any]:
    (past,) = [r for r in _total_ce(answer) if r["window_end"] == "2024-06-30"]
    assert (past["window_start"], past["status"]) == ("2021-07-01", "non_compliant")
    assert [past["counted"], past["required"], past["remaining"]] in (
        [33, 48, 15],
        ["33", "48", "15"],
    ), past
    return past


def _trained(ledger: Ledger) -> None:
    report = run(
        ledger,
        "training",
        training_file(
            training_row("P1", "2022-05-01", "In-service, part 1", "16", "use_of_force=16"),
            training_row("P1", "2023-05-01", "In-service, part 2", "17", "use_of_force=17"),
        ),
    )
    assert not [i for i in report.issues if i.severity.value == "error"], report.issues


def test_the_issue_example_imported_is_non_compliant_and_names_the_imported_expiry(
    ledger: Ledger,
) -> None:
    """The issue's example: 33 of 48 h in 2021-07-01..2024-06-30, a roster row giving only
    'licence ends 2027-06-30'. On 2024-07-15 the status and the roster show the period that
    closed short as non_compliant with its figures, and the reason names the conflict and
    that the later end is only an imported expiry date (it used to read on_track)."""
    agency(ledger, state="MN")
    publish_shipped_packs(ledger, ACTOR)
    people = people_file(person_row("P1", hired_on="2021-07-01", license_expires_on="2027-06-30"))
    report = run(ledger, "people", people)
    assert not [i for i in report.issues if i.severity.value == "error"], report.issues
    _trained(ledger)

    answer = status(ledger, "test-pd", "P1", ASKED)
    assert answer["person"]["compliance"]["status"] == "non_compliant"
    past = _closed_short(answer)
    conflict = [r for r in past["reasons"] if "later period end 2027-06-30 is on record" in r]
    assert conflict, past["reasons"]
    assert "only an imported expiry date" in conflict[0]
    assert "records are incomplete or the licence record is wrong" in conflict[0]
    assert _total_ce(answer)[-1]["window_start"] == "2024-07-01"

    listed = roster(ledger, "test-pd", ASKED)
    (row,) = listed["people"]
    assert row["compliance"]["status"] == "non_compliant"
    closed = [r for r in _total_ce(row) if r["window_end"] == "2024-06-30"]
    assert [r["status"] for r in closed] == ["non_compliant"], closed
    assert listed["counts"].get("non_compliant") == 1


def test_a_recorded_renewal_over_a_period_that_closed_short_is_named_as_such(
    ledger: Ledger,
) -> None:
    """Minn. R. 6700.1000 subp. 3 and 5: a renewal recorded for 2027 although the 2024
    period closed short is a conflict in the records; the answer says it is a recorded
    renewal, not an imported date, and still reports the period."""
    agency(ledger, state="MN")
    publish_shipped_packs(ledger, ACTOR)
    ledger.enrol_person(
        "test-pd",
        "P1",
        first_name="Pat",
        last_name="Officer",
        kind="sworn",
        hired_on=date(2021, 7, 1),
        rank="Officer",
        unit_name="Patrol",
        actor=ACTOR,
    )
    ledger.record_license(
        "test-pd",
        "P1",
        license_number="600123",
        issued_on=date(2021, 7, 1),
        period_end=date(2024, 6, 30),
        actor=ACTOR,
    )
    _trained(ledger)
    ledger.renew_license(
        "test-pd", "P1", renewed_on=date(2024, 6, 20), period_end=date(2027, 6, 30), actor=ACTOR
    )
    past = _closed_short(status(ledger, "test-pd", "P1", ASKED))
    assert any("(a recorded renewal)" in r for r in past["reasons"]), past["reasons"]
    assert not any("imported expiry" in r for r in past["reasons"]), past["reasons"]
