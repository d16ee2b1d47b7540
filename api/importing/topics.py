"""The canonical topic ids an agency's training rows may name: those of its rule packs.

Topics come from the shipped rule packs (``ledger/rule_packs/*.yaml``) through the rule
engine's own loader, so the import accepts exactly the ids the evaluator will credit. An
agency follows its jurisdiction's state pack(s) plus any agency-owned pack naming it.
"""

from __future__ import annotations

from functools import lru_cache

from projections.rules.loader import shipped_packs
from projections.rules.schema import PackFile

__all__ = ["NoRulePackError", "known_topics"]


class NoRulePackError(LookupError):
    """No shipped rule pack covers the jurisdiction, so topic ids cannot be checked."""


def known_topics(jurisdiction: str, agency: str | None = None) -> frozenset[str]:
    """Every topic id declared by the packs that apply to ``jurisdiction`` (and ``agency``)."""
    packs = [
        pack
        for pack in _packs()
        if pack.jurisdiction == jurisdiction
        and (pack.owner == "state" or (agency is not None and pack.agency == agency))
    ]
    if not packs:
        raise NoRulePackError(f"no rule pack ships for {jurisdiction}")
    return frozenset(topic for pack in packs for topic in pack.topics)


@lru_cache(maxsize=1)
def _packs() -> tuple[PackFile, ...]:
    # Shipped packs change only with a release; read and validate them once per process.
    return tuple(shipped_packs())
