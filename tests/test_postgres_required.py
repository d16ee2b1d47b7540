"""Under CI set to any true value, PostgreSQL being unreachable fails the PostgreSQL
half of the suite; it is never skipped silently (issue 13 §6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("ci", "fails"), [("true", True), ("1", True), ("", False)])
def test_unreachable_postgres_fails_under_ci(ci: str, fails: bool) -> None:
    env = {
        **os.environ,
        "CI": ci,
        "MUSTER_TEST_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1/test",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-q",
            "tests/ledger/test_append_only.py::test_truncate_is_refused_on_postgres",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if fails:
        assert result.returncode != 0, result.stdout
        assert "PostgreSQL is required under CI" in result.stdout
    else:
        assert result.returncode == 0, result.stdout
        assert "1 skipped" in result.stdout
