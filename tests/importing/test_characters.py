"""Values that only look right (issue 13 §3): hours in other notations or digits, and names
or ids carrying invisible characters, refused with their row and column at the import and
by the ledger itself for every other edge; names are stored in one Unicode form (NFC)."""

from __future__ import annotations

from datetime import date

import pytest

from api.importing import ImportStatus
from api.importing.values import CellError, parse_date, parse_hours
from ledger.application import Ledger
from ledger.errors import HoursOutOfRangeError, InvalidValueError
from tests.factories import ACTOR, agency, officer
from tests.importing.helpers import (
    people_file,
    person_row,
    problems,
    run,
    training_file,
    training_row,
)

# Each of these reads as a number to Decimal(): 1_0 and 1e1 are ten, the others are the
# digits of other scripts (Arabic-Indic, Extended Arabic-Indic, full-width, Devanagari).
HOURS_LOOKALIKES = ["1_0", "1e1", "1E1", "\u0661\u0660", "\u06f4", "\uff11\uff10", "\u0968", "0x10"]

# Bidi overrides and isolates, zero-width characters, a byte-order mark, ESC, a C1 control.
HIDDEN = {
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "first-strong isolate": "\u2068",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte-order mark": "\ufeff",
    "escape": "\x1b",
    "next line (C1)": "\x85",
    "line separator": "\u2028",
}


@pytest.mark.parametrize("text", HOURS_LOOKALIKES)
def test_hours_lookalikes_are_not_numbers(text: str) -> None:
    """Only ASCII digits with an optional decimal point are hours."""
    with pytest.raises(CellError, match="digits 0-9 with a decimal point"):
        parse_hours(text)


def test_hours_with_a_point_still_read() -> None:
    """The forms coordinators write keep working: 2, 2.5, .5, 02.50."""
    assert [str(parse_hours(t)) for t in ("2", "2.5", ".5", "02.50")] == ["2", "2.5", "0.5", "2.50"]


def test_dates_in_other_digits_are_refused() -> None:
    """A date written in Arabic-Indic digits is not guessed into a real one."""
    with pytest.raises(CellError, match="is not a date"):
        parse_date("\u0662\u0660\u0662\u0664-\u0660\u0663-\u0660\u0665")
    assert parse_date("2024-03-05") == date(2024, 3, 5)


@pytest.mark.parametrize("text", HOURS_LOOKALIKES)
def test_import_refuses_hours_lookalikes_with_row_and_column(ledger: Ledger, text: str) -> None:
    """In a training file the row and column are named, and nothing is appended."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    before = ledger.store.count_events()
    data = training_file(training_row("E1"), training_row("E1", hours=text, topics=""))
    report = run(ledger, "training", data)
    assert report.status is ImportStatus.INVALID
    assert problems(report) == [(3, "hours")]
    assert ledger.store.count_events() == before


@pytest.mark.parametrize("text", HOURS_LOOKALIKES)
def test_ledger_refuses_hours_lookalikes(ledger: Ledger, text: str) -> None:
    """The write side refuses them too, so no other edge (CLI, HTTP) can record ten hours
    from "1_0"."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    before = ledger.store.count_events()
    with pytest.raises(HoursOutOfRangeError, match="digits 0-9"):
        ledger.record_training(
            slug, "E1", completed_on=date(2024, 1, 2), course_title="x", hours=text, actor=ACTOR
        )
    with pytest.raises(HoursOutOfRangeError, match="digits 0-9"):
        ledger.record_training(
            slug,
            "E1",
            completed_on=date(2024, 1, 2),
            course_title="x",
            hours="4",
            topic_hours={"use_of_force": text},
            actor=ACTOR,
        )
    assert ledger.store.count_events() == before


@pytest.mark.parametrize("name", sorted(HIDDEN))
@pytest.mark.parametrize("column", ["last_name", "employee_id", "rank"])
def test_import_refuses_hidden_characters_with_row_and_column(
    ledger: Ledger, name: str, column: str
) -> None:
    """A name, id or title holding a control or invisible format character is an error at
    its row and column, and the file appends nothing."""
    agency(ledger)
    hostile = f"Ol{HIDDEN[name]}son"
    values = {"employee_id": "P2", column: hostile}
    data = people_file(person_row("P1"), person_row(**values))
    report = run(ledger, "people", data)
    assert report.status is ImportStatus.INVALID
    assert problems(report) == [(3, column)]
    [issue] = report.errors
    assert f"U+{ord(HIDDEN[name]):04X}" in issue.reason
    assert HIDDEN[name] not in issue.value  # the report shows it escaped, never raw
    assert ledger.people_ids("test-pd") == []


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_ledger_refuses_hidden_characters_in_names_and_ids(ledger: Ledger, name: str) -> None:
    """``enrol_person`` refuses them in every text field, naming the field."""
    slug = agency(ledger)
    hostile = f"Ol{HIDDEN[name]}son"
    for field in ("first_name", "last_name", "employee_id", "rank"):
        values = {"employee_id": "E9", "first_name": "Pat", "last_name": "Officer", "rank": ""}
        values[field] = hostile
        with pytest.raises(InvalidValueError, match=f"^{field}: character 3 is U\\+"):
            ledger.enrol_person(
                slug,
                values["employee_id"],
                first_name=values["first_name"],
                last_name=values["last_name"],
                rank=values["rank"],
                kind="sworn",
                hired_on=date(2020, 1, 6),
                actor=ACTOR,
            )
    assert ledger.people_ids(slug) == []


def test_names_and_ids_are_stored_in_nfc(ledger: Ledger) -> None:
    """ "José" typed with a combining accent is stored composed, and the person is found by
    either spelling of the id, from the import and from the ledger."""
    slug = agency(ledger)
    decomposed, composed = "Jose\u0301", "Jos\u00e9"
    report = run(
        ledger, "people", people_file(person_row(f"{decomposed}-1", first_name=decomposed))
    )
    assert report.status is ImportStatus.IMPORTED, report.issues
    person = ledger.get_person(slug, f"{composed}-1")
    assert (person.employee_id, person.first_name) == (f"{composed}-1", composed)
    assert ledger.get_person(slug, f"{decomposed}-1").id == person.id
    training = run(ledger, "training", training_file(training_row(f"{decomposed}-1")))
    assert training.status is ImportStatus.IMPORTED, training.issues
    assert training.records_appended == 1
