"""Builders for read-side tests: shipped and local rule packs recorded through the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime

from api.rulebook import publish_shipped_packs
from api.synthetic import DemoSummary, generate_agency
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.rule_service import publish_pack
from projections.rules.from_ledger import pack_contents
from projections.rules.loader import load_pack_text

LOCAL_PACK = """
pack: local-{slug}-firearms
title: {slug} local firearms standard
jurisdiction: US-MN
credential: agency_policy
owner: agency
agency: {slug}
sources:
  policy:
    title: "{slug} training policy 4.2 (test fixture, an agency's own rule)"
topics:
  firearms: {{title: Firearms, state_code: LOCAL-FA}}
populations:
  active: {{kinds: [sworn], statuses: [active, leave]}}
calendars:
  calendar_year: {{kind: fixed, epoch: 2000-01-01, length_years: 1, source: [policy]}}
versions:
{versions}
"""
LOCAL_VERSION = """
  - id: v{number}
    effective_from: {effective_from}
    applicability: {{mode: calendar_year}}
    summary: Local annual firearms hours (test fixture)
    source: [policy]
    requirements:
      - id: firearms_annual
        kind: hours
        title: Firearms training every calendar year
        window: calendar_year
        population: [active]
        min_hours: {hours}
        topics: [firearms]
        source: [policy]
"""


def publish_local_pack(ledger: Ledger, slug: str, hours_by_start: list[tuple[date, int]]) -> None:
    """An agency's own pack with one version per (effective_from, annual firearms hours)."""
    versions = "".join(
        LOCAL_VERSION.format(number=n, effective_from=start.isoformat(), hours=hours)
        for n, (start, hours) in enumerate(hours_by_start, start=1)
    )
    pack = load_pack_text(LOCAL_PACK.format(slug=slug, versions=versions), "local.yaml")
    publish_pack(ledger, pack_contents(pack), "user:test", agency_id=ledger.get_agency(slug).id)


def synthetic_agency(
    ledger: Ledger,
    clock: SettableClock,
    *,
    officers: int = 12,
    years: int = 4,
    until: date = date(2025, 2, 28),
    slug: str = "synth-pd",
) -> DemoSummary:
    """Shipped packs published before the simulated history, then the history itself."""
    clock.set(datetime(until.year - years - 1, 1, 1, tzinfo=UTC))
    publish_shipped_packs(ledger, "system:test")
    return generate_agency(
        ledger,
        clock,
        slug=slug,
        name="Synthetic PD",
        state="MN",
        officers=officers,
        years=years,
        seed=5,
        until=until,
        batch_size=200,
    )
