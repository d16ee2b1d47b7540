"""The template files import cleanly, as CSV and as XLSX, for every shipped jurisdiction."""

from __future__ import annotations

import pytest

from api.importing import ImportStatus, agency_topics, template_bytes
from ledger.application import Ledger
from tests.factories import agency
from tests.importing.helpers import run


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_templates_import_cleanly(ledger: Ledger, file_format: str) -> None:
    """People then training templates import without a single issue."""
    agency(ledger)
    people = run(ledger, "people", template_bytes("people", file_format))
    assert people.status is ImportStatus.IMPORTED
    assert people.issues == []
    training = run(ledger, "training", template_bytes("training", file_format))
    assert training.status is ImportStatus.IMPORTED
    assert training.issues == []
    assert (people.people_appended, training.records_appended) == (3, 4)
    assert "valid_until" in template_bytes("training", "csv").decode().splitlines()[0]


@pytest.mark.parametrize("state", ["MN", "IN", "OH", "OR", "CA", "TX"])
def test_training_template_uses_the_agency_pack(ledger: Ledger, state: str) -> None:
    """With the agency's topics, the training template is valid in every shipped state."""
    slug = agency(ledger, f"pd-{state.lower()}", state)
    run(ledger, "people", template_bytes("people", "csv"), agency=slug)
    data = template_bytes("training", "csv", agency_topics(ledger, slug))
    report = run(ledger, "training", data, agency=slug, dry_run=True)
    assert report.status is ImportStatus.VALID, report.issues
    assert report.records_appended == 4
