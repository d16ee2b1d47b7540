"""An agency in a state muster ships no rule pack for is refused (issue 13 §3), naming the
states it does ship, so no agency is evaluated against no rules at all."""

from __future__ import annotations

import pytest

from ledger import fields
from ledger.application import Ledger
from ledger.errors import InvalidValueError
from projections.rules.loader import shipped_packs

SHIPPED = "CA, IN, MN, OH, OR, TX"


def test_unknown_state_is_refused_listing_the_shipped_states(ledger: Ledger) -> None:
    """``ZZ`` is refused, naming the shipped states; a real state without a shipped pack
    and without a time zone is refused naming them too; nothing is appended."""
    for state in ("ZZ", "xx", "QQ"):
        with pytest.raises(
            InvalidValueError, match=f"not a US state code; shipped states: {SHIPPED}$"
        ):
            ledger.register_agency("zz-pd", "Nowhere PD", state, actor="user:test")
    with pytest.raises(InvalidValueError, match=f"rule packs ship only for {SHIPPED}$"):
        ledger.register_agency("wy-pd", "Wyoming PD", "wy", actor="user:test")
    assert ledger.list_agencies() == []
    assert ledger.store.count_events() == 0
    ledger.register_agency("mn-pd", "Minnesota PD", "mn", actor="user:test")
    assert [a.jurisdiction for a in ledger.list_agencies()] == ["US-MN"]


def test_the_ledgers_state_list_is_the_rule_engines() -> None:
    """The ledger reads the packs' jurisdiction lines without YAML; the rule engine's own
    loader must agree on exactly the same states."""
    assert fields.shipped_states() == {pack.state for pack in shipped_packs()}
    assert ", ".join(sorted(fields.shipped_states())) == SHIPPED
