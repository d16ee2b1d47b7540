"""The dashboard in a real browser (issue 16, acceptance): Debian's Chromium, headless,
through Playwright, against ``muster dashboard`` (uvicorn) on a free port, on SQLite and
PostgreSQL. Every page is checked by axe-core (0 serious or critical violations) and
screenshotted under ``tests/web/artifacts/`` (gitignored)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.conftest import (
    AGENCY,
    ARTIFACTS,
    BEFORE_LATE,
    EARLY_COURSE,
    LATE_COURSE,
    MARKUP_NAME,
    WebWorld,
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _login(chromium: Any, base: str, world: WebWorld, name: str, viewport: dict[str, int],
           *, bypass_csp: bool = False) -> Any:  # fmt: skip
    context = chromium.new_context(viewport=viewport, bypass_csp=bypass_csp)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(world.passwords[name])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]
    return page


def _shot(page: Any, backend: str, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{backend}-{name}.png"), full_page=True)


def _tile(page: Any, label: str) -> int:
    tile = page.locator("li.tile", has=page.locator(".l", has_text=label)).first
    return int(tile.locator(".n").inner_text())


def test_a_coordinator_sees_the_overview_a_person_and_travels_in_time(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    page = _login(chromium, served, web_world, "coordinator", DESKTOP)
    assert page.url.endswith(f"/agencies/{AGENCY}")
    assert page.get_by_role("heading", level=1).inner_text() == "Minneapolis PD"
    assert _tile(page, "people") == 4
    assert page.locator("figure.chart svg").count() == 1
    _shot(page, backend, "overview")

    # Through the command view and the unit, to a person.
    page.get_by_role("link", name="By unit").click()
    _shot(page, backend, "command")
    page.get_by_role("link", name="Patrol").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Unit Patrol"
    _shot(page, backend, "unit")
    page.get_by_role("link", name="E2", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Baker, Pat"
    timeline = page.locator("ol.timeline")
    assert LATE_COURSE in timeline.inner_text()
    assert "late entry" in timeline.locator("li.late").first.inner_text()
    assert "Reason: hours were 3, not 2" in timeline.inner_text()
    assert "Reason: entered twice" in timeline.inner_text()
    assert page.locator(".banner").count() == 0  # today's picture
    _shot(page, backend, "person")

    # A past date: the older picture, said plainly, on every page the links lead to.
    page.get_by_label("As of (the day asked about)").fill("2019-06-01")
    page.get_by_role("button", name="Show").click()
    assert "Not today's picture" in page.locator(".banner").inner_text()
    assert "2019-06-01" in page.locator(".banner").inner_text()
    page.get_by_role("link", name="Overview").click()
    assert "as_of=2019-06-01" in page.url
    assert _tile(page, "people") == 0  # nobody was hired yet
    assert "2019-06-01" in page.locator(".banner").inner_text()
    _shot(page, backend, "overview-2019")

    # Records as they stood before the late entry was recorded: it disappears.
    page.goto(f"{served}/agencies/{AGENCY}/people/E2")
    assert LATE_COURSE in page.locator("main").inner_text()
    page.get_by_label("Records as of (date or instant)").fill(BEFORE_LATE)
    page.get_by_role("button", name="Show").click()
    assert f"known_at={BEFORE_LATE}" in page.url
    main = page.locator("main").inner_text()
    assert LATE_COURSE not in main
    assert EARLY_COURSE in main  # recorded in time, still there
    assert "Not today's picture" in page.locator(".banner").inner_text()
    for link in page.locator("nav[aria-label=Main] a").all():
        assert f"known_at={BEFORE_LATE}" in (link.get_attribute("href") or "")
    _shot(page, backend, "person-known-at")
    page.context.close()


def test_an_officer_on_a_phone_sees_only_their_own_record(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    page = _login(chromium, served, web_world, "officer1", PHONE)
    assert page.url.endswith(f"/agencies/{AGENCY}/people/E1")
    assert page.get_by_role("heading", level=1).inner_text() == "Adams, Pat"
    links = [a.inner_text() for a in page.locator("nav[aria-label=Main] a").all()]
    # their record, their training requests and the notices told to them
    assert links == ["My record", "My requests", "Inbox"]
    # Nothing overflows the phone's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    _shot(page, backend, "officer-phone")
    for other in ("people/E2", "people/NOPE", "", "command", "units/Patrol"):
        response = page.goto(f"{served}/agencies/{AGENCY}/{other}".rstrip("/"))
        assert response is not None
        assert response.status == 403, other
        assert "Baker" not in page.locator("main").inner_text()
    _shot(page, backend, "officer-forbidden")
    page.context.close()


def test_an_auditor_reaches_no_write_form(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    page = _login(chromium, served, web_world, "auditor", DESKTOP)
    visited = 0
    for path in ("", "/command", "/units/Patrol", "/people/E1", "/people/E2", "/people/E3"):
        page.goto(f"{served}/agencies/{AGENCY}{path}")
        assert page.locator("main h1").count() == 1
        posts = [
            form.get_attribute("action")
            for form in page.locator("form").all()
            if (form.get_attribute("method") or "get").lower() == "post"
        ]
        assert posts == ["/logout"], (path, posts)
        visited += 1
    assert visited == 6
    page.context.close()


def test_a_post_without_a_csrf_token_is_refused_by_the_server(
    served: str, web_world: WebWorld
) -> None:
    with httpx.Client(base_url=served) as client:
        form = client.get("/login")
        token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        # Over http the Secure cookie is not kept by httpx: send it back by hand.
        cookie = form.cookies.get("muster_login_csrf") or ""
        data = {"username": "coordinator", "password": web_world.passwords["coordinator"]}
        refused = client.post("/login", data=data, cookies={"muster_login_csrf": cookie})
        assert refused.status_code == 403
        done = client.post(
            "/login",
            data={**data, "csrf_token": token},
            cookies={"muster_login_csrf": cookie},
            follow_redirects=False,
        )
        assert done.status_code == 303
        session = done.cookies.get("muster_session") or ""
        out = client.post("/logout", data={}, cookies={"muster_session": session})
        assert out.status_code == 403


def test_a_name_full_of_markup_is_text_in_the_browser(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    page = _login(chromium, served, web_world, "coordinator", DESKTOP)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{served}/agencies/{AGENCY}/people/E4")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"{MARKUP_NAME}, Pat"
    assert heading.locator("b, img, script").count() == 0
    page.goto(f"{served}/agencies/{AGENCY}/units/Traffic")
    assert MARKUP_NAME in page.locator("main").inner_text()
    assert page.locator("main img, main b, main script").count() == 0
    assert dialogs == []
    _shot(page, backend, "markup-name")
    page.context.close()


PAGES = {
    "login": "/login",
    "overview": f"/agencies/{AGENCY}",
    "overview-past": f"/agencies/{AGENCY}?as_of=2024-05-15&known_at={BEFORE_LATE}",
    "command": f"/agencies/{AGENCY}/command",
    "unit": f"/agencies/{AGENCY}/units/Patrol",
    "person": f"/agencies/{AGENCY}/people/E2",
    "person-leave": f"/agencies/{AGENCY}/people/E3",
    "account": "/account",
    "not-found": f"/agencies/{AGENCY}/people/NOPE",
}


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_has_no_serious_accessibility_violation(
    chromium: Any, served: str, web_world: WebWorld, backend: str, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    # axe-core is injected by script: this context bypasses the pages' CSP to run it.
    page = _login(chromium, served, web_world, "coordinator", {"width": width, "height": 900},
                  bypass_csp=True)  # fmt: skip
    found = {}
    for name, path in PAGES.items():
        page.goto(f"{served}{path}")
        results = axe.run(page)
        bad = [
            (v["id"], v["impact"], len(v["nodes"]))
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        found[name] = bad
        _shot(page, backend, f"{name}-{width}")
    assert found == {name: [] for name in PAGES}
    page.context.close()
