"""The policies the policy pages' tests read (issue 17), on top of the dashboard's world
(``tests/web/conftest.py``), recorded on 2025-04-01 at 10:00 (v1), 11:00 (v2)
and 12:00 UTC (the rest): use-of-force v1 (Markdown,
2024-01-02) and v2 (Markdown full of markup, 2025-03-01), a v3 uploaded but not published,
and a PDF-only vehicle-pursuit policy; both assigned to everyone within 14 days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ledger.application import Ledger
from ledger.clock import SettableClock
from tests.web.conftest import AGENCY, WebWorld

ACTOR = "user:test"
USE_OF_FORCE = "use-of-force"
PURSUIT = "vehicle-pursuit"
V1 = b"# Use of force\n\nOnly the force that is reasonable.\n\nReport every use.\n"
V2 = (
    b"# Use of force\n\nOnly the force that is objectively reasonable.\n\nReport every use.\n\n"
    b"<script>alert('policy')</script>\n\n[Read more](javascript:alert(1)) and "
    b"<img src=x onerror=alert(2)>\n"
)
V3 = b"# Use of force\n\nDraft wording, not published.\n"
V1_RECORDED = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)
V2_RECORDED = datetime(2025, 4, 1, 11, 0, tzinfo=UTC)
REST_RECORDED = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)  # the clock is left here
PDF = b"%PDF-1.4\n% pursuit policy\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def build_policies(world: WebWorld) -> dict[str, str]:
    """The policies, once per world; the version hashes by name."""
    if "policies" in world.facts:
        return dict(world.facts["policies"])
    ledger: Ledger = world.ledger
    clock = ledger.clock  # the world's SettableClock
    assert isinstance(clock, SettableClock)
    clock.set(V1_RECORDED)
    v1, _ = ledger.upload_policy(AGENCY, USE_OF_FORCE, V1, title="Use of force", actor=ACTOR)
    ledger.publish_policy(AGENCY, USE_OF_FORCE, v1, effective_on=date(2024, 1, 2), actor=ACTOR)
    ledger.assign_policy(
        AGENCY,
        USE_OF_FORCE,
        audience=["everyone"],
        due_days=14,
        effective_on=date(2024, 1, 2),
        actor=ACTOR,
    )
    clock.set(V2_RECORDED)
    v2, _ = ledger.upload_policy(AGENCY, USE_OF_FORCE, V2, title="Use of force", actor=ACTOR)
    ledger.publish_policy(AGENCY, USE_OF_FORCE, v2, effective_on=date(2025, 3, 1), actor=ACTOR)
    clock.set(REST_RECORDED)
    v3, _ = ledger.upload_policy(AGENCY, USE_OF_FORCE, V3, title="Use of force", actor=ACTOR)
    pdf, _ = ledger.upload_policy(AGENCY, PURSUIT, PDF, title="Vehicle pursuit", actor=ACTOR)
    ledger.publish_policy(AGENCY, PURSUIT, pdf, effective_on=date(2025, 1, 2), actor=ACTOR)
    ledger.assign_policy(
        AGENCY,
        PURSUIT,
        audience=["everyone"],
        due_days=14,
        effective_on=date(2025, 1, 2),
        actor=ACTOR,
    )
    # E2 acknowledged v1 back in 2024 (so v2 is due for everyone).
    ledger.acknowledge_policy(
        AGENCY, "E2", USE_OF_FORCE, 1, on=date(2024, 2, 1), channel="paper", actor=ACTOR
    )
    hashes = {"v1": v1, "v2": v2, "v3": v3, "pdf": pdf}
    world.facts["policies"] = hashes
    return hashes
