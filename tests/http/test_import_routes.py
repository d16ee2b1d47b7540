"""Spreadsheet imports over HTTP (issue 15 §1, "imports"): a dry run reports rows and
appends nothing; the commit imports exactly the bytes that were checked, once; refusals
(oversize, unreadable, never staged, rows no longer valid, a reused key with another
body) append nothing. Both backends, in process."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.http.conftest import AGENCY, World
from tests.http.test_request_pages import events

BASE = f"/api/v1/agencies/{AGENCY}/imports/training"
HEAD = "employee_id,completed_on,course_title,hours,topics\n"
GOOD = HEAD + "E1,2025-01-05,Use of force update,4,use_of_force=4\nE2,2025-01-06,First aid,2,\n"
BAD = HEAD + "E1,2025-01-05,Use of force update,-4,\nNOPE,2025-01-06,First aid,2,\n"


def dry(world: World, content: bytes, who: str = "coordinator", name: str = "t.csv") -> Any:
    files = {"file": (name, content, "text/csv")}
    return world.client.post(f"{BASE}/dry-run", files=files, headers=world.auth(who))


def commit(world: World, sha: str, key: str, name: str = "t.csv") -> Any:
    headers = {**world.auth("coordinator"), "Idempotency-Key": key}
    body = {"file_sha256": sha, "file_name": name}
    return world.client.post(f"{BASE}/commit", json=body, headers=headers)


def test_dry_run_then_commit_imports_exactly_the_checked_bytes_once(world: World) -> None:
    before = events(world)
    checked = dry(world, GOOD.encode())
    assert checked.status_code == 200, checked.text
    report = checked.json()
    sha = hashlib.sha256(GOOD.encode()).hexdigest()
    assert (report["status"], report["staged"], report["file_sha256"]) == ("valid", True, sha)
    assert (report["rows_read"], report["rows_valid"], report["errors"]) == (2, 2, 0)
    assert events(world) == before  # a dry run appends nothing

    done = commit(world, sha, "import-1")
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "imported"
    assert done.json()["records_appended"] == 2
    assert done.json()["recorded_at"]
    after = events(world)
    assert after == before + 3  # the two records and the import's marker

    retried = commit(world, sha, "import-1")  # the same key: the first answer, again
    assert retried.status_code == 201
    assert retried.json() == done.json()
    again = commit(world, sha, "import-2")  # another key: the same bytes are not re-imported
    assert again.json()["status"] == "already_imported"
    assert events(world) == after


def test_the_same_key_with_another_body_is_refused(world: World) -> None:
    sha = dry(world, GOOD.encode()).json()["file_sha256"]
    assert commit(world, sha, "k").status_code == 201
    after = events(world)
    other = commit(world, sha, "k", name="renamed.csv")
    assert other.status_code in (409, 422)
    assert events(world) == after


def test_a_file_with_row_errors_is_reported_and_never_staged(world: World) -> None:
    before = events(world)
    checked = dry(world, BAD.encode())
    assert checked.status_code == 200
    report = checked.json()
    assert (report["status"], report["staged"], report["ok"]) == ("invalid", False, False)
    columns = {issue["column"] for issue in report["issues"] if issue["severity"] == "error"}
    assert "hours" in columns
    assert any(issue["row"] == 3 for issue in report["issues"])  # NOPE, the sheet's row 3
    forged = commit(world, hashlib.sha256(BAD.encode()).hexdigest(), "forged")
    assert forged.status_code == 422
    assert (forged.json()["code"], forged.json()["field"]) == ("not_staged", "file_sha256")
    assert events(world) == before


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02\xff\xfe binary", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 legacy xls"],
    ids=["empty", "binary", "xls"],
)
def test_an_unreadable_file_is_a_422_naming_the_file(world: World, content: bytes) -> None:
    before = events(world)
    answer = dry(world, content)
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == ("unreadable_file", "file")
    assert "Traceback" not in answer.text
    assert events(world) == before


def test_an_oversized_file_is_a_413(world: World) -> None:
    limit = world.client.app.state.services.settings.import_max_bytes  # type: ignore[attr-defined]
    before = events(world)
    answer = dry(world, GOOD.encode() + b"#" * limit)
    assert answer.status_code == 413
    assert answer.json()["code"] == "file_too_large"
    assert events(world) == before


def test_only_a_coordinator_of_the_agency_imports(world: World) -> None:
    before = events(world)
    for who in ("officer1", "supervisor", "command", "auditor", "admin", "other-coordinator"):
        assert dry(world, GOOD.encode(), who=who).status_code == 403, who
    sha = hashlib.sha256(GOOD.encode()).hexdigest()
    headers = {**world.auth("other-coordinator"), "Idempotency-Key": "x"}
    body = {"file_sha256": sha}
    assert world.client.post(f"{BASE}/commit", json=body, headers=headers).status_code == 403
    assert events(world) == before
