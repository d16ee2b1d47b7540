"""Stored text is printed as written, never as terminal markup or control (issue 13 §4).

Names that are rich markup (``[/]`` crashed ``muster status``, the roster and the import
report; ``[link=…]`` hid a link) are imported the normal way; a person recorded before the
ledger refused control characters is appended straight through the aggregate, as such a
record would sit in an older store. Then every CLI command that shows stored text runs as a
real process on the real store, and its output must hold each hostile text verbatim, with no
traceback and no raw ESC or bidi override.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from api.importing import ImportStatus, run_import
from api.importing.writing import write_csv
from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.person import Person
from tests.importing.helpers import PEOPLE, TRAINING, person_row, training_row

MUSTER = str(Path(sys.executable).with_name("muster"))
SLUG = "test-pd"
MARKUP = {
    "M1": "[/]",
    "M2": "[link=http://evil.example]x[/link]",
    "M3": "[bold red]",
    "M4": ":police_car: [/bold]",
}
RAW_CONTROL = "Ol\x1b[31mson\u202eevil"  # recorded by an older ledger, before the check


def muster(url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_LOG_FORMAT": "json", "COLUMNS": "250"}
    return subprocess.run(
        [MUSTER, *args], capture_output=True, text=True, env=env, timeout=300, check=False, cwd=cwd
    )


@pytest.fixture
def hostile_store(database_url: str, tmp_path: Path) -> str:
    ledger = Ledger(database_url)
    try:
        ledger.register_agency(SLUG, "[red]Test[/] PD", "MN", actor="user:test")
        publish_shipped_packs(ledger, "user:test", jurisdiction="US-MN")
        people = [person_row(employee_id, last_name=name) for employee_id, name in MARKUP.items()]
        report = run_import(
            ledger, "people", SLUG, write_csv(PEOPLE, people), file_name="[/]roster.csv"
        )
        assert report.status is ImportStatus.IMPORTED, report.issues
        training = write_csv(
            TRAINING,
            [training_row("M1", course_title="[link=http://evil.example]Use of Force[/link]")],
        )
        report = run_import(ledger, "training", SLUG, training, file_name="t.csv")
        assert report.status is ImportStatus.IMPORTED, report.issues
        agency = ledger.get_agency(SLUG)
        older = Person.enrol(
            at=datetime.now(UTC),
            actor="user:older-version",
            agency_id=agency.id,
            employee_id="C1",
            hired_on=date(2019, 4, 1),
            first_name="Pat",
            last_name=RAW_CONTROL,
            kind="sworn",
            rank="[/]",
            unit="",
            assignments=[],
            email="",
        )
        ledger.save(older)
    finally:
        ledger.close()
    return database_url


def _clean(result: subprocess.CompletedProcess[str]) -> str:
    both = result.stdout + result.stderr
    assert "Traceback" not in both, both
    assert "MarkupError" not in both, both
    assert "\x1b" not in both  # no colour without a terminal: an ESC could only be stored text
    assert "\u202e" not in both
    return result.stdout


def test_every_command_prints_hostile_names_as_written(hostile_store: str, tmp_path: Path) -> None:
    """status, roster (table, csv, json), trend, agency list and the import report show
    markup names verbatim, and spell out control characters stored by an older ledger."""
    url = hostile_store
    for employee_id, name in MARKUP.items():
        result = muster(url, "status", employee_id, "--agency", SLUG)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"{name}, Pat" in _clean(result)
    status_m1 = muster(url, "status", "M1", "--agency", SLUG)
    assert "[link=http://evil.example]Use of Force[/link]" in _clean(status_m1)

    older = muster(url, "status", "C1", "--agency", SLUG)
    assert older.returncode == 0, older.stdout + older.stderr
    out = _clean(older)
    assert "Ol\\x1b[31mson\\u202eevil, Pat" in out

    table = muster(url, "roster", "--agency", SLUG)
    assert table.returncode == 0, table.stdout + table.stderr
    out = _clean(table)
    assert "[red]Test[/] PD" in out
    for name in MARKUP.values():
        assert name in out
    assert "Ol\\x1b[31mson\\u202eevil" in out

    as_json = muster(url, "roster", "--agency", SLUG, "--format", "json")
    assert as_json.returncode == 0
    names = {p["name"] for p in json.loads(as_json.stdout)["people"]}
    assert {f"{name}, Pat" for name in MARKUP.values()} <= names

    as_csv = muster(url, "roster", "--agency", SLUG, "--format", "csv")
    assert as_csv.returncode == 0
    for name in MARKUP.values():
        assert f"{name}, Pat" in as_csv.stdout

    trend = muster(url, "trend", "--agency", SLUG, "--from", "2025-01-01", "--to", "2025-03-01")
    assert trend.returncode == 0, trend.stdout + trend.stderr
    _clean(trend)

    listing = muster(url, "agency", "list")
    assert listing.returncode == 0
    assert "[red]Test[/] PD" in _clean(listing)

    verify = muster(url, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    _clean(verify)


def test_import_report_and_errors_print_hostile_text_as_written(
    hostile_store: str, tmp_path: Path
) -> None:
    """The import report's values, the file name and a not-found error echo markup as
    written (each crashed or was swallowed by rich before), with exit codes as documented."""
    url = hostile_store
    bad = tmp_path / "[link=x]bad[bold].csv"
    bad.write_bytes(
        write_csv(
            PEOPLE,
            [
                person_row("N1", kind="[/]", last_name="[link=http://evil.example]x[/link]"),
                person_row("N2", first_name="Pat\u202eevil"),
            ],
        )
    )
    result = muster(url, "import", "people", str(bad), "--agency", SLUG)
    assert result.returncode == 1, result.stdout + result.stderr
    out = _clean(result)
    assert "[/]" in out  # the bad kind value, in the report's value column
    assert "Pat\\u202eevil" in out
    assert "[link=x]bad[bold].csv" in out
    assert "not imported" in out

    again = muster(url, "import", "people", str(bad), "--agency", SLUG, "--json")
    assert again.returncode == 1
    assert json.loads(again.stdout)["file"] == "[link=x]bad[bold].csv"

    missing = muster(url, "status", "[/]", "--agency", SLUG)
    assert missing.returncode == 2
    assert "'[/]'" in _clean(missing) + missing.stderr
    assert missing.stderr.endswith("\n")
    assert missing.stderr.count("\n") == 1

    unknown_agency = muster(url, "roster", "--agency", "[/]")
    assert unknown_agency.returncode == 2
    _clean(unknown_agency)


def test_cli_modules_print_through_the_plain_consoles() -> None:
    """The one door stays the only door: no CLI module builds its own rich Console or
    writes markup tags, which the plain consoles would print literally."""
    import ast

    tag = re.compile(r"\[/?(bold|red|green|yellow|dim|italic|link|blue|cyan|magenta)\b[^\]]*\]")
    for path in sorted((Path(__file__).parents[2] / "api" / "cli").glob("*.py")):
        if path.name == "output.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not tag.search(node.value), f"{path}:{node.lineno}: markup {node.value!r}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Console":
                pytest.fail(f"{path}:{node.lineno}: use api.cli.context's consoles")
