"""Leave with its expected return, waivers and extensions, recorded through the real
``muster`` console script on both backends: each a typed event checked by the Person
aggregate; every refusal is one line, exit status 2, and appends nothing; the actor is the
person at the keyboard, never a constant."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ledger.application import Ledger
from ledger.person import ExtensionGranted, StatusChanged, WaiverGranted, person_id_for
from tests.api.test_cli import run
from tests.api.test_record_cli import AGENCY, _actors, _events, _refused, _write, url

__all__ = ["url"]  # the fixture, shared with test_record_cli


def _stream(database_url: str, employee_id: str) -> list[object]:
    ledger = Ledger(database_url)
    try:
        person = person_id_for(ledger.get_agency(AGENCY).id, employee_id)
        return list(ledger.stream(person))
    finally:
        ledger.close()


def test_a_leave_keeps_its_reason_and_expected_return_and_refuses_overlaps(url: str) -> None:
    written = _write(
        url,
        *("person", "leave", "E1", "--agency", AGENCY, "--on", "2025-01-06"),
        *("--reason", "medical", "--expected-return", "2025-03-01"),
    )
    assert written["events"] == ["StatusChanged"]
    (leave,) = [e for e in _stream(url, "E1") if isinstance(e, StatusChanged)]
    assert (leave.status, leave.reason, leave.expected_return) == (
        "leave",
        "medical",
        date(2025, 3, 1),
    )
    _write(url, "person", "return", "E1", "--agency", AGENCY, "--on", "2025-02-20")
    leave_on = ("person", "leave", "E1", "--agency", AGENCY, "--reason", "again")
    # Back-dated into the recorded leave (2025-01-06 to its return on 2025-02-20).
    _refused(
        url,
        *leave_on,
        "--on",
        "2025-02-01",
        message="overlaps the leave recorded from 2025-01-06 to 2025-02-20",
    )
    # Starting before it, but expected back only after it began.
    _refused(
        url,
        *leave_on,
        *("--on", "2024-12-01", "--expected-return", "2025-01-10"),
        message="overlaps the leave recorded from 2025-01-06",
    )
    _refused(
        url,
        *leave_on,
        *("--on", "2025-04-01", "--expected-return", "2025-03-01"),
        message="expected return 2025-03-01 must be after the leave starts (2025-04-01)",
    )
    _refused(url, *leave_on, "--on", "2999-01-01", message="after today")
    _refused(
        url,
        *("person", "separate", "E1", "--agency", AGENCY, "--on", "2018-12-31"),
        message="before E1 was hired (2019-01-07)",
    )
    _refused(url, "person", "leave", "E2", "--agency", AGENCY, message="a leave needs a reason")


def test_waivers_and_extensions_are_granted_ended_and_checked(url: str) -> None:
    waiver = _write(
        url,
        *("waiver", "grant", "E1", "--agency", AGENCY, "--from", "2025-01-01"),
        *("--to", "2025-12-31", "--reason", "courses cancelled", "--approver", "board"),
    )
    assert waiver["events"] == ["WaiverGranted"]
    grant = ("--reason", "r", "--approver", "board")
    _refused(
        url,
        *("waiver", "grant", "E1", "--agency", AGENCY, "--from", "2025-06-01", "--to"),
        "2026-01-31",
        *grant,
        message=f"overlaps waiver {waiver['result']}",
    )
    _refused(
        url,
        *("waiver", "grant", "E1", "--agency", AGENCY, "--from", "2024-05-01"),
        *("--to", "2024-04-01", *grant),
        message="a waiver cannot end (2024-04-01) before it starts (2024-05-01)",
    )
    _refused(
        url,
        *("waiver", "grant", "E404", "--agency", AGENCY, "--from", "2024-05-01"),
        *("--to", "2024-06-01", *grant),
        message="E404",
    )
    ended = _write(
        url,
        *("waiver", "end", "E1", str(waiver["result"]), "--agency", AGENCY),
        *("--on", "2025-06-30", "--reason", "courses offered again"),
    )
    assert ended["events"] == ["WaiverEnded"]

    extension = _write(
        url,
        *("extension", "grant", "E1", "--agency", AGENCY, "--on", "2025-01-10"),
        *("--to", "2025-03-31", "--reason", "deployment", "--approver", "chief"),
    )
    assert extension["events"] == ["ExtensionGranted"]
    extension_id = str(extension["result"])
    end = ("extension", "end", "E1", extension_id, "--agency", AGENCY, "--reason", "r")
    _refused(
        url,
        *end,
        "--on",
        "2025-01-01",
        message="cannot end on 2025-01-01, before it was granted from 2025-01-10",
    )
    _refused(url, *end, "--on", "2025-05-01", message="an end cannot lengthen it")
    unknown = str(uuid4())
    _refused(
        url,
        *("extension", "end", "E1", unknown, "--agency", AGENCY, "--reason", "r"),
        message=f"E1 has no extension {unknown}",
    )
    # A waiver's id is not an extension's.
    _refused(
        url,
        *("extension", "end", "E1", str(waiver["result"]), "--agency", AGENCY, "--reason", "r"),
        message="has no extension",
    )
    _refused(
        url,
        *("extension", "grant", "E1", "--agency", AGENCY, "--on", "2025-03-01"),
        *("--to", "2025-02-01", *grant),
        message="the new deadline 2025-02-01 must be after the day the extension is granted",
    )
    _refused(
        url,
        *("extension", "grant", "E1", "--agency", AGENCY, "--on", "2999-01-01"),
        *("--to", "2999-02-01", *grant),
        message="after today",
    )
    assert _write(url, *end, "--on", "2025-02-28")["events"] == ["ExtensionEnded"]

    stream = _stream(url, "E1")
    (granted,) = [e for e in stream if isinstance(e, ExtensionGranted)]
    assert (granted.effective_on, granted.new_deadline, granted.approver) == (
        date(2025, 1, 10),
        date(2025, 3, 31),
        "chief",
    )
    (waived,) = [e for e in stream if isinstance(e, WaiverGranted)]
    assert (waived.starts_on, waived.ends_on, waived.reason) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
        "courses cancelled",
    )
    assert set(_actors(url, "E1")) == {"user:coordinator.kim"}


def test_the_actor_is_the_person_at_the_keyboard(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MUSTER_ACTOR, else the operating-system user; ``agency add`` too, which used to
    record the constant ``user:cli``."""
    monkeypatch.setenv("MUSTER_ACTOR", "")
    monkeypatch.setenv("LOGNAME", "casey.r")
    run(database_url, "agency", "add", AGENCY, "--name", "Records PD", "--state", "MN")
    monkeypatch.setenv("MUSTER_ACTOR", "coordinator.kim")
    run(
        database_url,
        *("person", "enrol", "E1", "--agency", AGENCY, "--first-name", "A", "--last-name"),
        *("B", "--hired-on", "2020-01-01"),
    )
    ledger = Ledger(database_url)
    try:
        agency_actors = {e.actor for e in ledger.stream(ledger.get_agency(AGENCY).id)}
    finally:
        ledger.close()
    assert agency_actors == {"user:casey.r"}
    assert _actors(database_url, "E1") == ["user:coordinator.kim"]
    before = _events(database_url)
    monkeypatch.setenv("MUSTER_ACTOR", "kim lee")  # a space: not a stored name
    refused = run(database_url, "agency", "add", "other", "--name", "O", "--state", "MN", ok=False)
    assert refused.returncode == 2
    assert "set MUSTER_ACTOR" in refused.stdout + refused.stderr
    assert _events(database_url) == before


def test_unknown_ids_and_agencies_are_refused_and_append_nothing(url: str) -> None:
    record = str(uuid4())
    for args, message in (
        (
            ("training", "void", "E1", record, "--reason", "r"),
            f"E1 has no training record {record}",
        ),
        (
            ("training", "correct", "E1", record, "--hours", "2", "--reason", "r"),
            f"E1 has no training record {record}",
        ),
        (("waiver", "end", "E1", record, "--reason", "r"), f"E1 has no waiver {record}"),
        (("person", "return", "E1"), "E1 is already active"),
    ):
        _refused(url, *args, "--agency", AGENCY, message=message)
    _refused(
        url,
        "person",
        "leave",
        "E1",
        "--agency",
        "no-such-pd",
        "--reason",
        "r",
        message="no-such-pd",
    )
