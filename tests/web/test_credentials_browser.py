"""The person page shows the agency's own tracks (credentials, per-weapon qualifications,
policy acknowledgements) with status and deadline, as of the page's time-travel axes; at
desktop and 360 px, axe 0 serious or critical."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.web.person import OWN_TRACKS as OWN
from replay.tracks import person_tracks
from tests.credentials.helpers import FIREARMS, GLOCK
from tests.web.conftest import AGENCY, ARTIFACTS, WebWorld

ACTOR = "user:test"
POLICY = b"# Use of force\n\nOnly the force that is reasonable.\n"


def _programme(world: WebWorld) -> None:
    ledger = world.ledger
    if "firearms" in world.facts:
        return
    ledger.define_credential_type(
        AGENCY, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    ledger.issue_weapon(AGENCY, "E1", weapon=GLOCK, on=date(2023, 6, 1), actor=ACTOR)
    ledger.record_qualification(
        AGENCY, "E1", credential_type="firearms", on=date(2024, 2, 1), result="pass",
        score_value=95, instructor="Sgt. Range", weapon=GLOCK, actor=ACTOR,
    )  # fmt: skip
    digest, _ = ledger.upload_policy(AGENCY, "use-of-force", POLICY, title="Use of force",
                                     actor=ACTOR)  # fmt: skip
    ledger.publish_policy(AGENCY, "use-of-force", digest, effective_on=date(2024, 1, 2),
                          actor=ACTOR)  # fmt: skip
    ledger.assign_policy(AGENCY, "use-of-force", audience=["everyone"], due_days=14,
                         effective_on=date(2024, 1, 2), actor=ACTOR)  # fmt: skip
    world.facts["firearms"] = True


def _rows(page: Any) -> dict[str, str]:
    section = page.locator("section[aria-labelledby=own-h]")
    rows = section.locator("tbody tr")
    return {
        rows.nth(i).locator("td").nth(0).inner_text().split("\n")[0]: rows.nth(i)
        .locator("td")
        .nth(2)
        .inner_text()
        for i in range(rows.count())
    }


@pytest.mark.parametrize("width", [1280, 360])
def test_the_person_page_shows_credentials_and_policies_as_of_its_axes(
    chromium: Any, served: str, web_world: WebWorld, backend: str, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    _programme(web_world)
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{served}/login")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(web_world.passwords["coordinator"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    base = f"{served}/agencies/{AGENCY}/people/E1"
    page.goto(f"{base}?as_of=2024-06-01")
    rows = _rows(page)
    assert rows.get("Firearms qualification (A1)") == "compliant", rows
    assert rows["Use of force"] in {"non compliant", "due soon"}, rows
    section = page.locator("section[aria-labelledby=own-h]").inner_text()
    # The deadline shown is the evaluation's, for each item.
    answer = person_tracks(web_world.ledger, AGENCY, "E1", date(2024, 6, 1), None, OWN)
    assert [i["until"] for i in answer["items"] if i["until"]]
    for shown in answer["items"]:
        assert (shown["until"] or "—") in section
    bad = [
        (v["id"], v["impact"])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{backend}-person-credentials-{width}.png"),
                    full_page=True)  # fmt: skip
    # Before the pass, as of the page's other day: not yet qualified.
    page.goto(f"{base}?as_of=2024-01-15")
    assert _rows(page)["Firearms qualification (A1)"] == "non compliant"
    context.close()
