"""``muster rules list|show`` from the shipped packs, without a database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli.rules import app
from projections.rules import resolve_versions, shipped_packs
from tests.api.test_cli import run

runner = CliRunner()


def test_show_mn_lists_every_version_with_its_sources() -> None:
    """Acceptance: `muster rules show MN --history` lists every version with its sources."""
    result = runner.invoke(app, ["show", "MN", "--history"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())  # the text as read, whatever the width
    (mn,) = [p for p in shipped_packs() if p.state == "MN"]
    for version in resolve_versions(mn):
        assert f"{version.id}: effective {version.version.effective_from}" in shown
        for source_id in version.sources:
            assert source_id in shown
    for topic in ("use_of_force", "crimes_motivated_by_bias", "emergency_vehicle_operations"):
        assert topic in shown
    assert "cycle_start_on_or_after" in shown
    assert "renewal_on_or_after (first due 2024-06-30)" in shown


def test_list_shows_all_six_states() -> None:
    """`muster rules list` names each pack with its versions."""
    result = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for state in ("MN", "IN", "OH", "OR", "CA", "TX"):
        assert state in result.output


def test_show_prints_what_is_in_force_on_the_day() -> None:
    """Without ``--history`` only the versions in force on the day are printed; the others
    are named with their dates."""
    (mn,) = [p for p in shipped_packs() if p.state == "MN"]
    versions = sorted(mn.versions, key=lambda v: v.effective_from)
    latest = versions[-1]
    day = latest.effective_from.isoformat()
    result = runner.invoke(app, ["show", "MN", "--as-of", day], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())  # the text as read, whatever the width
    (in_force,) = [line for line in result.output.splitlines() if line.startswith("in force on")]
    assert in_force.startswith(f"in force on {day}: ")
    assert latest.id in in_force
    assert f"{latest.id}: effective {latest.effective_from}" in shown
    ended = [
        v for v in versions if v.effective_to is not None and v.effective_to < latest.effective_from
    ]
    assert ended, "MN has versions that ended before its latest began"
    for older in ended:
        assert older.id not in in_force
        assert f"{older.id}: effective" not in shown
        assert f"{older.id} ({older.effective_from} → " in shown


def test_show_unknown_state_fails_cleanly(tmp_path: Path) -> None:
    """An unknown state is invalid input: one line naming the shipped states, exit 2."""
    result = run(f"sqlite:///{tmp_path}/unused.db", "rules", "show", "ZZ", ok=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no rule pack for state 'ZZ'" in result.stderr
    assert "MN" in result.stderr
    assert "Traceback" not in result.stderr
