"""Issue 14 §6: terminal hygiene. A command's output is stdout alone; log lines are whole
lines on stderr; a progress bar is drawn on stderr only when stderr is a terminal, and then
changes nothing on stdout."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

from ledger.application import Ledger
from tests.api.test_cli import MUSTER, run
from tests.factories import agency, officer

ARGS = ["--agency", "test-pd", "--as-of", "2024-06-30"]


def _store(database_url: str) -> str:
    ledger = Ledger(database_url)
    slug = agency(ledger)
    for n in range(30):
        officer(ledger, slug, f"E{n:03}")
    ledger.close()
    return database_url


def _horizon(database_url: str) -> str:
    """The instant the records stand at now: asked at it, every answer is the same bytes."""
    ledger = Ledger(database_url)
    try:
        return ledger.stable_horizon().isoformat()
    finally:
        ledger.close()


def test_debug_logs_stay_on_stderr_as_whole_lines(database_url: str) -> None:
    """With every log level on, stdout is exactly the JSON answer and each stderr line is
    one JSON log record."""
    url = _store(database_url)
    for command in (
        ["roster", *ARGS, "--format", "json"],
        ["trend", "--agency", "test-pd", "--from", "2024-01-01", "--to", "2024-06-30", "--json"],
        ["verify", "--json"],
    ):
        result = run(url, *command, env={"MUSTER_LOG_LEVEL": "debug"})
        json.loads(result.stdout)  # nothing else is mixed into it
        for line in result.stderr.splitlines():
            record = json.loads(line)
            assert {"event", "level", "timestamp"} <= set(record), line


def test_a_progress_bar_on_a_terminal_leaves_stdout_alone(database_url: str) -> None:
    """stderr a terminal (a pseudo-terminal here), stdout a pipe: the roster and the trend
    print the same bytes to stdout as with stderr redirected."""
    url = _store(database_url)
    known_at = ["--known-at", _horizon(url)]
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_LOG_FORMAT": "json", "COLUMNS": "80"}
    for command in (
        ["roster", *ARGS, *known_at, "--format", "csv"],
        ["roster", *ARGS, *known_at],
        ["trend", "--agency", "test-pd", "--from", "2023-01-01", "--to", "2024-06-30", *known_at],
    ):
        plain = subprocess.run([MUSTER, *command], env=env, capture_output=True, check=True).stdout
        leader, follower = pty.openpty()
        try:
            on_terminal = subprocess.run(
                [MUSTER, *command], env=env, stdout=subprocess.PIPE, stderr=follower, check=True
            ).stdout
        finally:
            os.close(follower)
            os.close(leader)
        assert on_terminal == plain
        assert plain.strip()


def test_replay_prints_no_progress_when_redirected(database_url: str, tmp_path: Path) -> None:
    """A rebuild's stdout and stderr hold no bar's redraws when neither is a terminal."""
    url = _store(database_url)
    result = run(url, "replay", "--as-of", "2024-06-30", "--workers", "1")
    assert "generation" in result.stdout
    assert "\r" not in result.stdout + result.stderr
    assert "\x1b[" not in result.stdout + result.stderr
    assert "rebuilding" not in result.stdout + result.stderr
