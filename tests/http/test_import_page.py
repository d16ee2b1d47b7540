"""Importing a spreadsheet from the browser (issue 16 §1: "import a spreadsheet from the
browser with the row-level report and a dry run before commit"). In process, both
backends: the dry run appends nothing and reports rows; commit imports exactly the file
that was checked; a file with errors cannot be committed."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from tests.http.conftest import AGENCY, World
from tests.http.test_request_pages import events, log_in

PAGE = f"/agencies/{AGENCY}/import"
HEAD = "employee_id,completed_on,course_title,hours,topics\n"
GOOD = HEAD + "E1,2025-01-05,Use of force update,4,use_of_force=4\nE2,2025-01-06,First aid,2,\n"
BAD = HEAD + "E1,2025-01-05,Use of force update,-4,\nNOPE,2025-01-06,First aid,2,\n"


def dry(world: World, token: str, content: str, kind: str = "training") -> Any:
    return world.client.post(
        f"{PAGE}/dry-run",
        data={"kind": kind, "csrf_token": token},
        files={"file": ("training.csv", content.encode(), "text/csv")},
    )


def test_dry_run_then_commit(world: World) -> None:
    token = log_in(world, "coordinator")
    assert world.client.get(PAGE).status_code == 200
    before = events(world)
    report = dry(world, token, GOOD)
    assert report.status_code == 200, report.text
    assert "Dry run of training.csv: valid" in report.text
    assert events(world) == before
    staged = re.search(r'name="staged" value="([0-9a-f]{64})"', report.text)
    assert staged
    assert staged.group(1) == hashlib.sha256(GOOD.encode()).hexdigest()
    done = world.client.post(
        f"{PAGE}/commit",
        data={"kind": "training", "staged": staged.group(1), "name": "training.csv",
              "csrf_token": token},
    )  # fmt: skip
    assert done.status_code == 200, done.text
    assert "Imported training.csv: imported" in done.text
    assert events(world) > before


def test_a_file_with_errors_reports_rows_and_cannot_be_committed(world: World) -> None:
    token = log_in(world, "coordinator")
    before = events(world)
    report = dry(world, token, BAD)
    assert report.status_code == 200
    rows = report.text.split("<tbody>")[1]
    assert "NOPE" in rows or "unknown" in rows.lower()
    assert "hours" in rows
    assert 'name="staged"' not in report.text
    assert "Nothing can be imported until the errors are fixed" in report.text
    forged = world.client.post(
        f"{PAGE}/commit",
        data={"kind": "training", "staged": hashlib.sha256(BAD.encode()).hexdigest(),
              "csrf_token": token},
    )  # fmt: skip
    assert forged.status_code == 422  # never staged: nothing to commit
    assert events(world) == before


def test_missing_choices_are_said_beside_their_fields(world: World) -> None:
    token = log_in(world, "coordinator")
    answer = world.client.post(f"{PAGE}/dry-run", data={"kind": "", "csrf_token": token})
    assert answer.status_code == 422
    assert 'id="kind-error">Choose what the file holds' in answer.text
    assert 'id="file-error">Choose the CSV or XLSX file' in answer.text


def test_only_coordinators_import(world: World) -> None:
    before = events(world)
    for who in ("officer1", "supervisor", "command", "auditor", "other-coordinator"):
        token = log_in(world, who)
        assert world.client.get(PAGE).status_code == 403
        assert dry(world, token, GOOD).status_code == 403
    assert events(world) == before
