"""Earlier cycles are never silently unbound (issue 12 §4).

For each shipped pack, an officer hired long ago, asked about the day before the pack's
first version: either the pack judges those earlier windows (its first version's legal start
is unknown and ``earlier_windows`` says how they are read, flagged), or the pack is listed
below with the reason its first version's start is the rule's legal start, so that nothing
earlier is owed under the rules the pack encodes.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from projections.evaluate import evaluate
from projections.rules import resolve_versions, shipped_packs
from tests.rules.helpers import person

# Packs whose first version starts at a legal effective date found in the research
# (shared/rules/post-rules*.md): windows before it are outside what the pack encodes.
LEGAL_START = {
    "us-ca-post-peace-officer": (
        "PSP effective Jan 1, 2002 (post-rules.md §6); earlier CPT rules not encoded"
    ),
    "us-in-letb-law-enforcement-officer": (
        "LSA #08-288(F): 'effective for the 2009 training year'; the earlier rule not encoded"
    ),
    "us-oh-opotc-peace-officer": (
        "CPT 0 h in 2011-2013, first required again in 2014 (OAG CJU Fall 2013); "
        "hours up to 2010 UNCERTAIN, not encoded"
    ),
    "us-tx-tcole-peace-officer": (
        "37 TAC 218.3 units and cycles counted from Sept 1, 2017 (post-rules.md §7); "
        "earlier units not encoded"
    ),
}


def _long_serving() -> object:
    return person(
        hired_on=date(1985, 1, 7),
        licensed_on=date(1985, 1, 7),
        period_ends=[date(year, 6, 30) for year in range(1987, 2032, 3)],
        certified_on=date(1985, 1, 7),
        basic_completed_on=date(1984, 12, 14),
    )


@pytest.mark.parametrize("pack", shipped_packs(), ids=lambda p: p.pack)
def test_windows_before_the_first_version_are_judged_or_the_start_is_legal(pack: object) -> None:
    from projections.rules.schema import PackFile

    assert isinstance(pack, PackFile)
    versions = resolve_versions(pack)
    first = versions[0].version
    day_before = first.effective_from - timedelta(days=1)
    status = evaluate(versions, _long_serving(), day_before)  # type: ignore[arg-type]
    # Judged: a window and a finding (a phase-in note is "not_applicable" with its reason).
    judged = [
        r
        for r in status.requirements
        if r.window_start is not None and r.status != "not_applicable"
    ]
    if pack.pack in LEGAL_START:
        assert not first.earlier_windows
        assert judged == [], f"{pack.pack}: listed as a legal start but judged before it"
        return
    assert first.earlier_windows, (
        f"{pack.pack}: windows before {first.effective_from} are unbound; give {first.id} "
        "earlier_windows (legal start unknown) or list the pack in LEGAL_START with the reason"
    )
    assert judged, f"{pack.pack}: earlier_windows judges nothing on {day_before}"
    for result in judged:
        assert result.confidence in {"uncertain", "derived"}, result
        assert any(f"before {first.effective_from.isoformat()}" in r for r in result.reasons)
