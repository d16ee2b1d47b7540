"""The inbox as JSON (``/api/v1/me/notices``): the caller's own notices only, newest
first; acknowledging records ``NoticeAcknowledged`` once (again: unchanged), and someone
else's notice is answered 404 as if it did not exist, appending nothing."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.clock import SettableClock
from ledger.notice import NoticeAcknowledged
from tests import factories
from tests.http.conftest import AGENCY, World


def test_the_inbox_lists_the_callers_notices_and_records_one_acknowledgement(
    world: World, clock: SettableClock
) -> None:
    """officer1 (E1) sees E1's two notices, newest first, not E2's; acknowledging E2's is
    404 with nothing appended; acknowledging their own twice records it once."""
    ledger = world.ledger
    old = factories.notice(ledger, AGENCY, "E1", day=date(2025, 3, 1), title="Firearms",
                           recipient="e1@pd.example", deadline=date(2025, 3, 31))  # fmt: skip
    clock.set(clock() + timedelta(minutes=5))
    new = factories.notice(ledger, AGENCY, "E1", day=date(2025, 3, 2), title="Use of force",
                           recipient="e1@pd.example", delivered=False)  # fmt: skip
    other = factories.notice(ledger, AGENCY, "E2", day=date(2025, 3, 2), title="Firearms",
                             recipient="e2@pd.example")  # fmt: skip

    listed = world.client.get("/api/v1/me/notices", headers=world.auth("officer1"))
    assert listed.status_code == 200
    assert [n["notice_id"] for n in listed.json()] == [str(new), str(old)]
    assert [n["outcome"] for n in listed.json()] == ["not yet sent", "delivered"]
    assert world.client.get("/api/v1/me/notices", headers=world.auth("admin")).json() == []

    before = ledger.store.count_events()
    refused = world.client.post(
        f"/api/v1/me/notices/{other}/acknowledgement", headers=world.auth("officer1")
    )
    assert refused.status_code == 404
    assert refused.json()["code"] == "notice_not_found"
    assert ledger.store.count_events() == before

    path = f"/api/v1/me/notices/{old}/acknowledgement"
    first = world.client.post(path, headers=world.auth("officer1"))
    assert first.status_code == 200
    assert first.json()["acknowledged_by"] == "officer1"
    again = world.client.post(path, headers=world.auth("officer1"))
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    acks = [e for e in ledger.stream(old) if isinstance(e, NoticeAcknowledged)]
    assert [(a.account, a.actor) for a in acks] == [("officer1", "account:officer1")]

    # The acknowledgement is in E1's history as the coordinator reads it.
    history = world.client.get(
        f"/api/v1/agencies/{AGENCY}/people/E1/history", headers=world.auth("coordinator")
    ).json()
    assert {n["notice_id"]: n["acknowledged_by"] for n in history["notices"]} == {
        str(old): "officer1",
        str(new): None,
    }
