"""``muster agency add --state ZZ`` is refused in one line listing the shipped states, and
nothing is appended (issue 13 §3)."""

from __future__ import annotations

from tests.api.test_hostile_output import muster


def test_agency_add_refuses_an_unknown_state(database_url: str) -> None:
    """Exit status 2, one line naming the shipped states; the store stays empty."""
    result = muster(database_url, "agency", "add", "zz-pd", "--name", "Nowhere", "--state", "ZZ")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: state 'ZZ' is not a US state code; shipped states: CA, IN, MN, OH, OR, TX"
    ]
    assert "Traceback" not in result.stderr
    listing = muster(database_url, "agency", "list")
    assert listing.returncode == 0
    assert "zz-pd" not in listing.stdout
