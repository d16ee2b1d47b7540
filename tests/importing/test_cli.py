"""``muster import`` through the real console script against a SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MUSTER = str(Path(sys.executable).with_name("muster"))


def muster(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_LOG_FORMAT": "json", "COLUMNS": "200"}
    return subprocess.run(
        [MUSTER, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )


def test_templates_dry_run_import_reimport_and_bad_file(tmp_path: Path) -> None:
    """Template → dry run → import → re-import → bad file: statuses, exit codes, counts."""
    url = f"sqlite:///{tmp_path}/muster.db"
    assert (
        muster(url, tmp_path, "agency", "add", "mpls", "--name", "M", "--state", "MN").returncode
        == 0
    )
    assert muster(url, tmp_path, "import", "template", "people").returncode == 0
    made = muster(
        url, tmp_path, "import", "template", "training", "--format", "xlsx", "-o", "t.xlsx"
    )
    assert made.returncode == 0
    people = tmp_path / "muster-people-template.csv"
    assert people.read_text().startswith("employee_id,first_name,last_name,kind,hired_on")

    dry = muster(url, tmp_path, "import", "people", str(people), "--agency", "mpls", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "would append: 3 people" in dry.stdout
    done = muster(url, tmp_path, "import", "people", str(people), "--agency", "mpls", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["status"], report["people_appended"], report["events_appended"]) == (
        "imported",
        3,
        7,  # 3 enrolments, 2 licences, 1 certification, the import marker
    )
    again = muster(url, tmp_path, "import", "people", str(people), "--agency", "mpls", "--json")
    assert json.loads(again.stdout)["status"] == "already_imported"

    training = muster(url, tmp_path, "import", "training", "t.xlsx", "--agency", "mpls")
    assert training.returncode == 0, training.stdout + training.stderr
    assert "appended: 0 people, 4 training records, 5 events" in training.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("employee_id,completed_on,course_title,hours\nT1001,2099-01-01,X,30\n")
    failed = muster(url, tmp_path, "import", "training", str(bad), "--agency", "mpls")
    assert failed.returncode == 1
    assert "not imported" in failed.stdout
    assert "in the future" in failed.stdout
    as_json = json.loads(
        muster(url, tmp_path, "import", "training", str(bad), "--agency", "mpls", "--json").stdout
    )
    assert [(i["row"], i["column"]) for i in as_json["issues"]] == [
        (2, "completed_on"),
        (2, "hours"),
    ]
    verify = muster(url, tmp_path, "verify", "--json")
    assert json.loads(verify.stdout)["events"] > 0
    unknown = muster(url, tmp_path, "import", "training", str(bad), "--agency", "nope")
    assert unknown.returncode == 2
