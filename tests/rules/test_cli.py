"""``muster rules list|show`` from the shipped packs, without a database."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli.rules import app
from projections.rules import resolve_versions, shipped_packs

runner = CliRunner()


def test_show_mn_lists_every_version_with_its_sources() -> None:
    """Acceptance: `muster rules show MN` lists every version with its sources."""
    result = runner.invoke(app, ["show", "MN"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    (mn,) = [p for p in shipped_packs() if p.state == "MN"]
    for version in resolve_versions(mn):
        assert f"{version.id}: effective {version.version.effective_from}" in result.output
        for source_id in version.sources:
            assert source_id in result.output
    for topic in ("use_of_force", "crimes_motivated_by_bias", "emergency_vehicle_operations"):
        assert topic in result.output
    assert "cycle_start_on_or_after" in result.output
    assert "renewal_on_or_after (first due 2024-06-30)" in result.output


def test_list_shows_all_six_states() -> None:
    """`muster rules list` names each pack with its versions."""
    result = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for state in ("MN", "IN", "OH", "OR", "CA", "TX"):
        assert state in result.output


def test_show_unknown_state_fails_cleanly() -> None:
    """An unknown state is a usage error, not a traceback."""
    result = runner.invoke(app, ["show", "ZZ"])
    assert result.exit_code == 1
