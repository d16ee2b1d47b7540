"""Header aliases: files exported by other systems (``Date``, ``Course``, ``Hours``, ...) are
read as the columns they mean, every alias is unambiguous and documented, and the new
optional columns (tags, certificates, employment, status_on) reach the ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from api.importing.columns import PEOPLE_COLUMNS, TRAINING_COLUMNS, Column
from ledger.application import Ledger
from ledger.person import CertificationRecorded, StatusChanged, TrainingCompleted
from tests.factories import agency
from tests.importing.helpers import csv_bytes, run

DOC = (Path(__file__).parents[2] / "docs" / "import.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("columns", [PEOPLE_COLUMNS, TRAINING_COLUMNS])
def test_every_alias_is_one_column_and_documented(columns: tuple[Column, ...]) -> None:
    names = [c.name for c in columns]
    aliases = [a for c in columns for a in c.aliases]
    assert len(set(names + aliases)) == len(names) + len(aliases)
    for column in columns:
        for alias in column.aliases:
            assert f"`{alias}`" in DOC, f"{alias} ({column.name}) is not in docs/import.md"


def test_files_from_other_systems_carry_every_fact(ledger: Ledger) -> None:
    """A people file with HR-system headers and the new optional columns, then a training
    file headed ``Employee, Date, Course, Hours, Course Number, Tag, Expiration Date``."""
    agency(ledger, state="OR")
    people = csv_bytes(
        [
            "Employee Number",
            "First",
            "Surname",
            "Kind",
            "Hire Date",
            "Status",
            "Status Date",
            "Employment Basis",
            "Certifications",
            "Basic Training Completed",
        ],
        ["E1", "Pat", "Lee", "sworn", "2016-02-01", "active", "", "Part-Time", "supervisory", ""],
        [
            "E2",
            "Sam",
            "Ray",
            "sworn",
            "2016-02-01",
            "separated",
            "2024-06-28",
            "",
            "",
            "2015-12-11",
        ],
    )
    report = run(ledger, "people", people)
    assert report.ok, report.issues
    assert not [i for i in report.issues if "unknown column" in i.reason]
    first = ledger.stream(ledger.get_person("test-pd", "E1").id)
    (facts,) = [e for e in first if isinstance(e, CertificationRecorded)]
    assert (facts.employment, facts.certificates) == ("part_time", ["supervisory"])
    second = ledger.stream(ledger.get_person("test-pd", "E2").id)
    (separation,) = [e for e in second if isinstance(e, StatusChanged)]
    assert (separation.status, separation.effective_on) == ("separated", date(2024, 6, 28))
    (basic,) = [e for e in second if isinstance(e, CertificationRecorded)]
    assert (basic.basic_completed_on, basic.employment) == (date(2015, 12, 11), "full_time")

    training = csv_bytes(
        ["Employee", "Date", "Course", "Hours", "Course Number", "Tag", "Expiration Date"],
        ["E1", "2024-09-02", "CPR", "4", "OR-123", "first_aid_cpr", "2026-09-30"],
    )
    report = run(ledger, "training", training)
    assert report.ok, report.issues
    (record,) = [
        e
        for e in ledger.stream(ledger.get_person("test-pd", "E1").id)
        if isinstance(e, TrainingCompleted)
    ]
    assert (record.effective_on, record.course_title, record.post_course_number) == (
        date(2024, 9, 2),
        "CPR",
        "OR-123",
    )
    assert (record.tags, record.valid_until) == (["first_aid_cpr"], date(2026, 9, 30))


def test_an_unknown_employment_basis_is_refused_at_its_cell(ledger: Ledger) -> None:
    agency(ledger)
    before = ledger.store.count_events()
    people = csv_bytes(
        ["employee_id", "first_name", "last_name", "kind", "hired_on", "employment"],
        ["E1", "Pat", "Lee", "sworn", "2016-02-01", "volunteer"],
    )
    report = run(ledger, "people", people)
    assert not report.ok
    (issue,) = report.errors
    assert (issue.row, issue.column, issue.value) == (2, "employment", "volunteer")
    assert "full_time" in issue.reason
    assert ledger.store.count_events() == before
