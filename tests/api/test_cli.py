"""The ``muster`` console script, run as a real process against a real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MUSTER = str(Path(sys.executable).with_name("muster"))


def run(
    database_url: str, *args: str, ok: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "MUSTER_DATABASE_URL": database_url,
        "MUSTER_LOG_FORMAT": "json",
        "COLUMNS": "200",
        **(env or {}),
    }
    result = subprocess.run(
        [MUSTER, *args], capture_output=True, text=True, env=environment, timeout=300, check=False
    )
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_agency_add_and_list(database_url: str) -> None:
    """Agencies are added by slug and listed with their jurisdiction; duplicates fail."""
    run(database_url, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
    listing = run(database_url, "agency", "list").stdout
    assert "mpls" in listing
    assert "US-MN" in listing
    again = run(database_url, "agency", "add", "mpls", "--name", "x", "--state", "MN", ok=False)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    bad = run(database_url, "agency", "add", "x y", "--name", "x", "--state", "MN", ok=False)
    assert bad.returncode == 2


def test_demo_then_verify_and_digest(database_url: str, tmp_path: Path) -> None:
    """The demo builds a verifiable ledger; a saved digest verifies against itself."""
    out = run(
        database_url, "demo", "--officers", "12", "--years", "2", "--until", "2025-06-30"
    ).stdout
    assert "generated" in out
    assert "verified" in out
    again = run(database_url, "demo", "--officers", "12", "--years", "2").stdout
    assert "already exists" in again
    digest = tmp_path / "digest.json"
    run(database_url, "verify", "--save-digest", str(digest))
    saved = json.loads(digest.read_text())
    report = json.loads(run(database_url, "verify", "--against", str(digest), "--json").stdout)
    assert report["ok"] is True
    assert report["root"] == saved["root"]
    assert report["events"] == saved["events"] > 0


def test_verify_fails_with_exit_status_on_tampering(ledger_url_with_tamper: str) -> None:
    """A broken chain makes ``verify`` exit 1 and name the stream and position."""
    result = run(ledger_url_with_tamper, "verify", "--json", ok=False)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["first_break"]["position"] == 2


@pytest.fixture
def ledger_url_with_tamper(database_url: str) -> str:
    from datetime import date

    from ledger.application import Ledger
    from tests.factories import agency, officer
    from tests.tamper import privileged

    ledger = Ledger(database_url)
    slug = agency(ledger)
    officer(ledger, slug)
    ledger.record_training(
        slug, "E1", completed_on=date(2024, 1, 2), course_title="x", hours=1, actor="user:t"
    )
    person = ledger.get_person(slug, "E1").id
    with privileged(ledger) as raw:
        raw.execute(
            f"UPDATE {raw.events} SET state = %s WHERE originator_id = %s AND "
            "originator_version = 2",
            (b"{}", raw.key(person)),
        )
    ledger.close()
    return database_url


def test_rules_commands_need_no_database(tmp_path: Path) -> None:
    """``muster rules list|show`` read the shipped packs; show lists versions and sources."""
    url = f"sqlite:///{tmp_path}/unused.db"
    listing = run(url, "rules", "list").stdout
    for pack in (
        "us-mn-post",
        "us-in-letb",
        "us-oh-opotc",
        "us-or-dpsst",
        "us-ca-post",
        "us-tx-tcole",
    ):
        assert pack in listing
    shown = run(url, "rules", "show", "MN").stdout
    for version in ("mn-2018-07", "mn-2021-07", "mn-2024-07"):
        assert version in shown
    assert "mn_rule_6700_1000" in shown


def test_every_command_in_the_readme_exists(tmp_path: Path) -> None:
    """Each ``muster ...`` command the README's table names answers ``--help``."""
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    commands = sorted(set(re.findall(r"^\| `muster ([a-z]+(?: [a-z]+)?)", readme, re.M)))
    assert len(commands) >= 10
    for command in commands:
        words = command.split()
        result = run(f"sqlite:///{tmp_path}/x.db", *words, "--help", ok=False)
        if result.returncode != 0:  # "agency add SLUG" style: the second word is an argument
            result = run(f"sqlite:///{tmp_path}/x.db", words[0], "--help")
        assert "Usage" in result.stdout, command
