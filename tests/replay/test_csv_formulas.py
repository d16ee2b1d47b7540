"""CSV files muster writes cannot carry a spreadsheet formula (issue 13 §4; OWASP "CSV
Injection"): a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
written with a leading ``'``, except a plain signed number.

The product writes CSV in two places: ``muster roster --format csv`` (``roster_csv``) and
``muster import template … --format csv``; both are checked here, the roster on a real
store with hostile names, ids and course titles."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from api.importing import template_bytes
from api.importing.writing import write_csv
from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from replay.asof import roster
from replay.export import roster_csv, spreadsheet_cell
from tests.factories import ACTOR

FORMULAS = {
    "F1": '=HYPERLINK("http://evil.example","click")',
    "F2": "+1+cmd|' /C calc'!A0",
    "F3": "-2+3",
    "F4": "@SUM(A1:A9)",
}
_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(_START) or spreadsheet_cell(cell) == cell, cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-2", "-2"),  # a signed number is a number, not a formula: left as it is
        ("-2.50", "-2.50"),
        ("+4", "+4"),
        ("2024-03-05", "2024-03-05"),
        ("Use of Force", "Use of Force"),
        ("", ""),
    ],
)
def test_spreadsheet_cell(value: str, written: str) -> None:
    """The OWASP starting characters get a quote; numbers, dates and text do not."""
    assert spreadsheet_cell(value) == written


def test_roster_csv_neutralises_formulas_from_the_store(ledger: Ledger) -> None:
    """Hostile last names, employee ids and course titles come out of the roster export
    quoted, on both backends, and every other cell is untouched."""
    slug = "csv-pd"
    ledger.register_agency(slug, "=cmd() PD", "MN", actor=ACTOR)
    publish_shipped_packs(ledger, ACTOR, jurisdiction="US-MN")
    for employee_id, name in FORMULAS.items():
        ledger.enrol_person(
            slug,
            employee_id,
            first_name="Pat",
            last_name=name,
            kind="sworn",
            hired_on=date(2020, 1, 6),
            actor=ACTOR,
        )
    ledger.enrol_person(
        slug,
        "=1+1",
        first_name="@me",
        last_name="Ok",
        kind="civilian",
        hired_on=date(2020, 1, 6),
        actor=ACTOR,
    )
    ledger.record_license(
        slug,
        "F1",
        license_number="600123",
        issued_on=date(2020, 1, 6),
        period_end=date(2026, 6, 30),
        actor=ACTOR,
    )
    ledger.record_training(
        slug,
        "F1",
        completed_on=date(2024, 3, 5),
        course_title="=WEBSERVICE(x)",
        hours="4",
        topic_hours={"use_of_force": "4"},
        actor=ACTOR,
    )
    answer = roster(ledger, slug, date(2025, 3, 1))
    rows = _cells(roster_csv(answer))
    header, body = rows[0], rows[1:]
    name = header.index("name")
    names = {row[header.index("employee_id")]: row[name] for row in body}
    for employee_id, last in FORMULAS.items():
        assert names[employee_id] == f"'{last}, Pat"  # "Last, First": the name leads
    assert names["'=1+1"] == "Ok, @me"
    _assert_no_formula(rows)
    # The JSON answer keeps the stored text exactly; only the spreadsheet file is quoted.
    assert {p["employee_id"] for p in answer["people"]} == {*FORMULAS, "=1+1"}


def test_roster_csv_quotes_a_name_that_starts_a_formula(ledger: Ledger) -> None:
    """The name column starts with the last name: "=HYPERLINK(…), Pat" is quoted."""
    document = {
        "agency": {"slug": "x"},
        "as_of": "2025-03-01",
        "known_at": "2025-03-01T00:00:00+00:00",
        "time_zone": "America/Chicago",
        "people": [
            {
                "employee_id": "@1",
                "name": '=HYPERLINK("http://evil.example"), Pat',
                "kind": "sworn",
                "person_status": "active",
                "compliance": {"status": "compliant", "requirements": []},
                "counted_records": [],
            }
        ],
    }
    [_, row] = _cells(roster_csv(document))
    assert row[3:5] == ["'@1", '\'=HYPERLINK("http://evil.example"), Pat']


@pytest.mark.parametrize("kind", ["people", "training"])
def test_template_csv_files_hold_no_formula(kind: str) -> None:
    """The templates a coordinator opens in Excel are written through the same guard."""
    _assert_no_formula(_cells(template_bytes(kind, "csv")))
    hostile = write_csv(["a"], [["=1+1"], ["-3"]], spreadsheet_safe=True)
    assert _cells(hostile) == [["a"], ["'=1+1"], ["-3"]]
