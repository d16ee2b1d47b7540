"""Issue 17's browser acceptance: an officer acknowledges a policy at phone width (390 px),
then the coordinator's coverage report shows it; the library and the diff too. Served by
``muster dashboard``, driven by Chromium; axe 0 serious or critical on every page; each
page is screenshot into tests/web/artifacts."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import ARTIFACTS, WebWorld
from tests.web.policy_world import USE_OF_FORCE, build_policies

PHONE = {"width": 390, "height": 844}


def _axe(page: Any) -> list[tuple[str, str]]:
    from axe_playwright_python.sync_playwright import Axe

    return [
        (v["id"], v["impact"])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _login(chromium: Any, served: str, world: WebWorld, name: str) -> tuple[Any, Any]:
    context = chromium.new_context(viewport=PHONE, bypass_csp=True)  # bypass: axe's script
    page = context.new_page()
    page.goto(f"{served}/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(world.passwords[name])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return context, page


def _shot(page: Any, backend: str, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{backend}-{name}-390.png"), full_page=True)


def _fits(page: Any) -> None:
    """Nothing wider than the phone: no sideways scrolling of the page."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_an_officer_acknowledges_at_phone_width_and_the_coverage_report_shows_it(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    hashes = build_policies(web_world)
    context, page = _login(chromium, served, web_world, "officer1")
    # From the officer's own record, the policy's row leads to its page.
    own = page.locator("section[aria-labelledby=own-h]")
    own.get_by_role("link", name="Use of force").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/people/E1/policies/{USE_OF_FORCE}")
    assert page.get_by_role("heading", name="Use of force", level=1).is_visible()
    text = page.locator("article.policy-text")
    assert "Only the force that is objectively reasonable." in text.inner_text()
    assert "<script>alert('policy')</script>" in text.inner_text()  # shown, not run
    assert hashes["v2"] in page.locator("dl.facts").inner_text()
    button = page.get_by_role("button", name="Acknowledge version 2")
    assert button.is_visible()
    assert button.bounding_box()["width"] >= 300  # a full-width target on a phone
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "policy-acknowledge-before")
    button.click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Acknowledged").is_visible()
    assert page.get_by_role("heading", name="You acknowledged this version").is_visible()
    assert page.get_by_role("button", name="Acknowledge version 2").count() == 0
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "policy-acknowledge-after")
    context.close()

    context, page = _login(chromium, served, web_world, "coordinator")
    page.get_by_role("link", name="Policies").first.click()
    page.wait_for_load_state()
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "policy-library")
    page.get_by_role("link", name="Compare with the version before").first.click()
    page.wait_for_load_state()
    assert "objectively reasonable" in page.locator("ol.diff li.add").all_inner_texts()[0]
    assert _axe(page) == []
    _shot(page, backend, "policy-diff")
    page.go_back()
    page.get_by_role("link", name="Coverage report").first.click()
    page.wait_for_load_state()
    has = page.locator("section[aria-labelledby=has-h]").inner_text()
    has_not = page.locator("section[aria-labelledby=not-h]").inner_text()
    assert "E1" in has
    assert "E1" not in has_not
    assert "E2" in has_not  # v1 only: v2 is substantive, due again
    exact = page.locator("section[aria-labelledby=exact-h]").inner_text()
    assert "E1" in exact
    assert "online" in exact
    assert "not bound" not in exact  # E1 is bound: everyone is assigned
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "policy-coverage")
    context.close()


def test_the_credential_pages_at_phone_width_with_their_errors(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    """The credential type admin page and the range-day roster, with and without errors
    beside their fields: clear at 390 px, axe 0 serious or critical."""
    from tests.web.test_credential_pages import _firearms

    _firearms(web_world)
    context, page = _login(chromium, served, web_world, "coordinator")
    page.get_by_role("link", name="Credential types").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Firearms qualification (firearms)").is_visible()
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "credential-types")
    define = page.locator("section[aria-labelledby=define-h]")
    define.get_by_label("Id", exact=True).fill("Bad Id!")
    define.get_by_label("Name", exact=True).fill("TASER user")
    define.get_by_role("button", name="Define").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert page.locator("#d-effective_on-error").is_visible()
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "credential-types-errors")
    page.get_by_role("link", name="Range day").first.click()
    page.wait_for_load_state()
    page.get_by_label("Credential type").select_option("firearms")
    page.get_by_label("Instructor").fill("Sgt. Range")
    page.get_by_label("Weapon class").fill("handgun")
    page.get_by_label("Row 1: employee id").fill("E1")
    page.get_by_label("Row 1: score").fill("50")
    page.get_by_label("Row 1: weapon serial").fill("A1")
    page.get_by_label("Row 2: employee id").fill("NOPE")
    page.get_by_label("Row 2: score").fill("90")
    page.get_by_label("Row 2: weapon serial").fill("Z9")
    page.get_by_role("button", name="Record all").click()
    page.wait_for_load_state()
    assert page.locator("#row0-score-error").is_visible()
    assert page.locator("#row1-employee-error").is_visible()
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "range-day-errors")
    page.get_by_label("Row 1: score").fill("95")
    page.get_by_label("Row 2: employee id").fill("E2")
    page.get_by_label("Row 2: result").select_option("fail")
    page.get_by_label("Row 2: score").fill("60")
    page.get_by_label("Row 2: weapon serial").fill("B2")
    page.get_by_role("button", name="Record all").click()
    page.wait_for_load_state()
    assert "Recorded 2 attempts (1 passed)." in page.get_by_role("status").inner_text()
    assert _axe(page) == []
    _shot(page, backend, "range-day")
    context.close()


def test_a_type_earned_by_training_hours_is_defined_at_phone_width(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    """The define form's topics, hours and window: a refused hours figure beside its field,
    then the type recorded and its version row saying the hours; clear at 390 px, axe 0
    serious or critical."""
    context, page = _login(chromium, served, web_world, "coordinator")
    page.get_by_role("link", name="Credential types").first.click()
    page.wait_for_load_state()
    define = page.locator("section[aria-labelledby=define-h]")
    define.get_by_label("Id", exact=True).fill("tactics")
    define.get_by_label("In force from").fill("2024-01-01")
    define.get_by_label("Name", exact=True).fill("Tactics proficiency")
    define.get_by_label("Who must hold it").fill("kind:sworn")
    define.get_by_label("Earned by").select_option("training_hours")
    define.locator("#d-validity_months").fill("12")
    define.get_by_label("Training topics").fill("firearms, defensive_tactics")
    define.get_by_label("Hours required").fill("0")
    define.get_by_label("Within months").fill("12")
    define.get_by_role("button", name="Define").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert page.locator("#d-hours_required-error").is_visible()
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "credential-types-hours-errors")
    define = page.locator("section[aria-labelledby=define-h]")
    assert define.get_by_label("Training topics").input_value() == "firearms, defensive_tactics"
    define.get_by_label("Hours required").fill("16")
    define.get_by_role("button", name="Define").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Defined."
    row = page.locator("section[aria-labelledby=t-tactics] tbody tr").first
    assert "16 hours in defensive_tactics, firearms within 12 months" in row.inner_text()
    _fits(page)
    assert _axe(page) == []
    _shot(page, backend, "credential-types-hours")
    context.close()
