"""The inbox page in Chromium (issue 18: "the inbox page shows notices"): the officer's
own notices, newest first, none of a colleague's; acknowledging one records it (the
button goes, the time shows, the person page says so); axe-core finds nothing serious or
critical at 1280 and 360 px. Screenshots in tests/web/artifacts/."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ledger.clock import SettableClock
from ledger.notice import NoticeAcknowledged
from tests import factories
from tests.web.conftest import AGENCY, ARTIFACTS, WebWorld


def _login(chromium: Any, base: str, world: WebWorld, name: str, width: int) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()  # bypass_csp: axe-core is injected by script
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(world.passwords[name])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]
    return page


def _serious(page: Any) -> list[tuple[str, str, int]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 360])
def test_an_officer_reads_and_acknowledges_their_notices(
    chromium: Any,
    served: str,
    web_world: WebWorld,
    clock: SettableClock,
    backend: str,
    width: int,
) -> None:
    ledger = web_world.ledger
    clock.set(clock() + timedelta(days=1))
    older = factories.notice(ledger, AGENCY, "E1", day=date(2025, 4, 2),
                             title="Firearms qualification", recipient="e1@mpls.example",
                             deadline=date(2025, 5, 2))  # fmt: skip
    clock.set(clock() + timedelta(days=1))
    newer = factories.notice(ledger, AGENCY, "E1", day=date(2025, 4, 3), title="Use of force",
                             recipient="e1@mpls.example", kind="overdue", window="overdue",
                             deadline=date(2025, 4, 2), delivered=False)  # fmt: skip
    factories.notice(ledger, AGENCY, "E2", day=date(2025, 4, 3), title="Colleague only",
                     recipient="e2@mpls.example")  # fmt: skip
    clock.set(clock() + timedelta(hours=1))

    page = _login(chromium, served, web_world, "officer1", width)
    page.get_by_role("link", name="Inbox").first.click()
    page.wait_for_load_state()
    cards = page.locator("li.card")
    assert cards.count() == 2
    assert cards.nth(0).get_attribute("id") == f"notice-{newer}"
    assert cards.nth(1).get_attribute("id") == f"notice-{older}"
    assert "Colleague only" not in page.content()
    assert "not yet sent" in cards.nth(0).inner_text()
    assert _serious(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{backend}-inbox-{width}.png"), full_page=True)

    card = page.locator(f"#notice-{older}")
    card.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    card = page.locator(f"#notice-{older}")
    assert card.get_by_role("button").count() == 0
    assert "not yet" not in card.locator("dd").last.inner_text()
    assert page.locator(f"#notice-{newer}").get_by_role("button").count() == 1
    assert _serious(page) == []
    page.screenshot(path=str(ARTIFACTS / f"{backend}-inbox-acknowledged-{width}.png"),
                    full_page=True)  # fmt: skip
    acks = [e for e in ledger.stream(older) if isinstance(e, NoticeAcknowledged)]
    assert [a.actor for a in acks] == ["account:officer1"]

    page.goto(f"{served}/agencies/{AGENCY}/people/E1")
    told = page.locator(f"#notice-{older}").inner_text()
    assert "acknowledged" in told
    assert "Firearms qualification" in told
    assert _serious(page) == []
    page.screenshot(path=str(ARTIFACTS / f"{backend}-person-notices-{width}.png"),
                    full_page=True)  # fmt: skip
    page.context.close()
