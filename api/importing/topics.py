"""The topic ids an agency's training rows may name: the canonical ids and its packs' ids.

The packs an agency follows are the rule versions published in the ledger for its
jurisdiction (plus its own local packs), read with the rule engine's own fold, so the import
accepts exactly the ids the evaluator credits. The shipped pack files count too, so an agency
registered before its packs were published (or by a path that does not publish them) is
still checked against the packs muster ships.
"""

from __future__ import annotations

from functools import lru_cache

from ledger.application import Ledger
from ledger.rule_service import published_versions
from projections.rules.from_ledger import rule_versions_from_events, versions_for_agency
from projections.rules.loader import shipped_packs
from projections.rules.schema import PackFile
from projections.rules.topics import CANONICAL_TOPICS

__all__ = ["NoRulePackError", "agency_topics", "known_topics"]


class NoRulePackError(LookupError):
    """No rule pack covers the jurisdiction, so topic ids cannot be checked."""


def agency_topics(ledger: Ledger, agency: str) -> frozenset[str]:
    """The canonical topic ids, plus those of every pack version the agency follows,
    published or shipped (state-specific ids such as Ohio's CPT categories)."""
    jurisdiction = ledger.get_agency(agency).jurisdiction
    published = versions_for_agency(
        rule_versions_from_events(published_versions(ledger)), jurisdiction, agency
    )
    topics = {topic for version in published for topic in version.topics}
    try:
        topics |= known_topics(jurisdiction, agency)
    except NoRulePackError:
        if not published:
            raise
    return frozenset(topics | set(CANONICAL_TOPICS))


def known_topics(jurisdiction: str, agency: str | None = None) -> frozenset[str]:
    """Every topic id declared by the shipped packs for ``jurisdiction`` (and ``agency``)."""
    packs = [
        pack
        for pack in _packs()
        if pack.jurisdiction == jurisdiction
        and (pack.owner == "state" or (agency is not None and pack.agency == agency))
    ]
    if not packs:
        raise NoRulePackError(f"no rule pack for {jurisdiction}")
    return frozenset(topic for pack in packs for topic in pack.topics)


@lru_cache(maxsize=1)
def _packs() -> tuple[PackFile, ...]:
    # Shipped packs change only with a release; read and validate them once per process.
    return tuple(shipped_packs())
