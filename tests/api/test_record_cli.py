"""Recording one fact at a time through the real ``muster`` console script, on both
backends: each write reports the recorded time it was given; a refusal is one line, exit
status 2, and appends nothing; a dry run appends nothing."""

from __future__ import annotations

import json

import pytest

from ledger.application import Ledger
from ledger.person import person_id_for
from tests.api.test_cli import run

AGENCY = "rec-pd"


def _events(url: str) -> int:
    ledger = Ledger(url)
    try:
        return ledger.store.count_events()
    finally:
        ledger.close()


def _actors(url: str, employee_id: str) -> list[str]:
    ledger = Ledger(url)
    try:
        person = person_id_for(ledger.get_agency(AGENCY).id, employee_id)
        return [e.actor for e in ledger.stream(person)]
    finally:
        ledger.close()


def _write(url: str, *args: str) -> dict[str, object]:
    return dict(json.loads(run(url, *args, "--json").stdout))


def _refused(url: str, *args: str, message: str) -> None:
    before = _events(url)
    result = run(url, *args, ok=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert _events(url) == before


@pytest.fixture
def url(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MUSTER_ACTOR", "coordinator.kim")
    run(database_url, "agency", "add", AGENCY, "--name", "Records PD", "--state", "MN")
    for employee_id, first in (("E1", "Pat"), ("E2", "Sam")):
        run(
            database_url,
            *("person", "enrol", employee_id, "--agency", AGENCY),
            *("--first-name", first, "--last-name", "Lee", "--hired-on", "2019-01-07"),
        )
        run(
            database_url,
            *("person", "licence", employee_id, "--agency", AGENCY, "--number", employee_id),
            *("--issued-on", "2019-01-07", "--period-end", "2027-06-30"),
        )
    return database_url


def test_a_class_is_one_unit_and_every_write_names_its_actor(url: str) -> None:
    before = _events(url)
    dry = run(
        url,
        "training",
        "class",
        "E1",
        "E2",
        "--agency",
        AGENCY,
        "--course",
        "UOF",
        "--hours",
        "4",
        "--on",
        "2025-03-01",
        "--topic",
        "use_of_force=4",
        "--dry-run",
    )
    assert "nothing appended" in dry.stdout
    assert _events(url) == before
    written = _write(
        url,
        "training",
        "class",
        "E1",
        "E2",
        "--agency",
        AGENCY,
        "--course",
        "UOF",
        "--hours",
        "4",
        "--on",
        "2025-03-01",
        "--topic",
        "use_of_force=4",
    )
    assert written["events"] == ["TrainingCompleted", "TrainingCompleted"]
    assert _events(url) == before + 2
    status = json.loads(
        run(url, "status", "E2", "--agency", AGENCY, "--as-of", "2025-03-02", "--json").stdout
    )
    (record,) = [
        r for r in status["person"]["counted_records"] if r["effective_on"] == "2025-03-01"
    ]
    assert record["recorded_at"] == written["recorded_at"]  # one class, one instant
    assert set(_actors(url, "E2")) == {"user:coordinator.kim"}


def test_correct_and_void_keep_the_original(url: str) -> None:
    written = _write(
        url,
        "training",
        "record",
        "E1",
        "--agency",
        AGENCY,
        "--course",
        "EVOC",
        "--hours",
        "8",
        "--on",
        "2025-02-01",
    )
    record_id = str(written["result"])
    corrected = _write(
        url,
        "training",
        "correct",
        "E1",
        record_id,
        "--agency",
        AGENCY,
        "--hours",
        "6",
        "--reason",
        "sign-in sheet says 6",
    )
    assert corrected["events"] == ["TrainingCorrected"]
    voided = _write(
        url,
        "training",
        "void",
        "E1",
        record_id,
        "--agency",
        AGENCY,
        "--reason",
        "entered for the wrong officer",
    )
    assert voided["events"] == ["TrainingVoided"]
    _refused(
        url,
        "training",
        "correct",
        "E1",
        record_id,
        "--agency",
        AGENCY,
        "--hours",
        "5",
        "--reason",
        "again",
        message="void",
    )


REFUSALS = [
    (
        ("training", "record", "E1", "--course", "X", "--hours", "4", "--on", "2999-01-01"),
        "after today",
    ),
    (
        ("training", "record", "E1", "--course", "X", "--hours", "-4", "--on", "2025-01-01"),
        "hours -4",
    ),
    (
        ("training", "record", "E1", "--course", "X", "--hours", "4", "--on", "2025-02-30"),
        "2025-02-30",
    ),
    (("training", "record", "E404", "--course", "X", "--hours", "4"), "E404"),
    (("training", "class", "E1", "E404", "--course", "X", "--hours", "4"), "E404"),
    (("person", "leave", "E1", "--on", "2999-01-01"), "after today"),
    (
        (
            "person",
            "enrol",
            "E1",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--hired-on",
            "2020-01-01",
        ),
        "already enrolled",
    ),
    (
        (
            "exemption",
            "grant",
            "E1",
            "--kind",
            "vacation",
            "--from",
            "2025-01-01",
            "--reason",
            "r",
            "--approver",
            "chief",
        ),
        "vacation",
    ),
]


def test_refusals_append_nothing(url: str) -> None:
    """Future dates, negative hours, impossible dates, unknown people (one unknown in a
    class refuses the whole class), a duplicate enrolment, an unknown exemption kind: one
    store for all of them, each checked to append nothing."""
    for args, message in REFUSALS:
        _refused(url, *args, "--agency", AGENCY, message=message)


def test_a_back_dated_separation_ends_the_obligation(url: str) -> None:
    """Recorded today, effective last year: the answer for a day after it says inactive,
    and the answer as the records stood before it is unchanged."""
    known_before = json.loads(
        run(url, "status", "E1", "--agency", AGENCY, "--as-of", "2025-09-01", "--json").stdout
    )
    assert known_before["person"]["compliance"]["status"] != "inactive"
    _write(
        url,
        "person",
        "separate",
        "E1",
        "--agency",
        AGENCY,
        "--on",
        "2025-06-30",
        "--reason",
        "resigned",
    )
    after = json.loads(
        run(url, "status", "E1", "--agency", AGENCY, "--as-of", "2025-09-01", "--json").stdout
    )
    assert after["person"]["compliance"]["status"] == "inactive"
    again = json.loads(
        run(
            url,
            "status",
            "E1",
            "--agency",
            AGENCY,
            "--as-of",
            "2025-09-01",
            "--known-at",
            known_before["known_at"],
            "--json",
        ).stdout
    )
    assert again == known_before


def test_an_actor_name_with_markup_is_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSTER_ACTOR", "[bold]kim")
    _refused(url, "person", "leave", "E1", "--agency", AGENCY, message="MUSTER_ACTOR")


def _cpr(url: str, agency: str, as_of: str) -> dict[str, object]:
    answer = json.loads(
        run(url, "status", "E1", "--agency", agency, "--as-of", as_of, "--json").stdout
    )
    (found,) = [
        r
        for r in answer["person"]["compliance"]["requirements"]
        if r["requirement_id"] == "first_aid_cpr"
    ]
    return dict(found)


def test_a_credentials_expiry_is_recorded_and_corrected_from_the_cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 §4, Oregon: First Aid and Adult/Child CPR "at all times" (DPSST Maintenance
    page, /work/shared/rules/post-rules.md §5). The CLI records a card's expiry
    (``--valid-until``) and corrects a card recorded without one: undated, the card is not
    a missed deadline but a reason naming it and ``valid_until``; dated, the officer is
    current until that expiry; a bad expiry is one line and appends nothing."""
    monkeypatch.setenv("MUSTER_ACTOR", "coordinator.kim")
    agency = "or-pd"
    run(database_url, "agency", "add", agency, "--name", "Oregon PD", "--state", "OR")
    run(
        database_url,
        *("person", "enrol", "E1", "--agency", agency, "--first-name", "Pat"),
        *("--last-name", "Lee", "--hired-on", "2016-02-01"),
    )
    run(
        database_url,
        *("person", "certification", "E1", "--agency", agency),
        *("--on", "2016-02-01", "--certified-on", "2016-02-01"),
    )
    card = ("--course", "CPR card", "--hours", "4", "--topic", "first_aid_cpr=4")
    undated = _write(
        database_url,
        *("training", "record", "E1", "--agency", agency, *card, "--on", "2024-09-02"),
    )
    unknown = _cpr(database_url, agency, "2025-03-01")
    assert (unknown["status"], unknown["deadline"]) == ("due_soon", None)
    reasons = [str(r) for r in unknown["reasons"]]  # type: ignore[attr-defined]
    assert any(str(undated["result"]) in r and "valid_until" in r for r in reasons), reasons

    before = _events(database_url)
    refused = run(
        database_url,
        *("training", "record", "E1", "--agency", agency, *card, "--on", "2024-09-03"),
        *("--valid-until", "2026-02-30"),
        ok=False,
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "2026-02-30" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr
    assert _events(database_url) == before

    _write(
        database_url,
        *("training", "correct", "E1", str(undated["result"]), "--agency", agency),
        *("--valid-until", "2026-09-30", "--reason", "expiry on the card"),
    )
    corrected = _cpr(database_url, agency, "2025-03-01")
    assert (corrected["status"], corrected["deadline"]) == ("compliant", "2026-09-30")

    expired = _cpr(database_url, agency, "2026-10-15")
    assert (expired["status"], expired["deadline"]) == ("non_compliant", "2026-09-30")
    _write(
        database_url,
        *("training", "record", "E1", "--agency", agency, *card, "--on", "2026-09-15"),
        *("--valid-until", "2028-09-30"),
    )
    renewed = _cpr(database_url, agency, "2026-10-15")
    assert (renewed["status"], renewed["deadline"]) == ("compliant", "2028-09-30")
