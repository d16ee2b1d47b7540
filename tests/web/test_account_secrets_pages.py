"""The accounts page's password and erase forms (issue 15: "set a forgotten password",
"erase every secret of an account" in the dashboard): admins only, CSRF-checked, a weak
password said beside the field, erase after a confirm step and never one's own (the API's
409, shown as a message); the same use cases as the API (``api.http.account_admin``).
Over HTTP against ``muster dashboard`` (a real server process), and the erase confirm
flow in Chromium at 1280 and 360 px, on both backends. Screenshots go to
``/tmp/shots-h-accounts15/`` and ``tests/web/artifacts/``."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import httpx

from api.http.services import open_side_database
from ledger.accounts import get_account
from ledger.side_database import SECRETS
from tests.web.conftest import ARTIFACTS, WebWorld

PAGE = "/admin/accounts"
SHOTS = Path("/tmp/shots-h-accounts15")
NEW_PASSWORD = "a brand new long passphrase"


def _log_in(client: httpx.Client, name: str, password: str) -> str:
    """A session cookie for ``name`` ("" if the login is refused). Over http httpx does
    not keep the Secure cookies: they are sent back by hand."""
    form = client.get("/login")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    done = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token},
        cookies={"muster_login_csrf": form.cookies.get("muster_login_csrf") or ""},
        follow_redirects=False,
    )
    return (done.cookies.get("muster_session") or "") if done.status_code == 303 else ""


class Browser:
    """An httpx client holding one session by hand, with its CSRF token (the one every
    form of the session's pages carries)."""

    def __init__(self, client: httpx.Client, cookie: str) -> None:
        assert cookie
        self.client, self.cookie = client, cookie
        self.token = hashlib.sha256(f"csrf:{cookie}".encode()).hexdigest()

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, cookies={"muster_session": self.cookie},
                               follow_redirects=False)  # fmt: skip

    def post(self, path: str, *, csrf: bool = True, **data: str) -> httpx.Response:
        form = {**data, **({"csrf_token": self.token} if csrf else {})}
        return self.client.post(f"{PAGE}{path}", data=form,
                                cookies={"muster_session": self.cookie},
                                follow_redirects=False)  # fmt: skip


def _secrets(world: WebWorld, username: str) -> int:
    side = open_side_database(world.ledger)
    try:
        with side.transaction() as cur:
            cur.execute(
                f"SELECT count(*) FROM {side.table(SECRETS)} WHERE account_id = %s "
                "AND revoked_at IS NULL",
                (str(get_account(world.ledger, username).id),),
            )
            return int(cur.fetchall()[0][0])
    finally:
        side.close()


def test_an_admin_sets_a_forgotten_password(served: str, web_world: WebWorld) -> None:
    with httpx.Client(base_url=served) as client:
        officer_session = _log_in(client, "officer1", web_world.passwords["officer1"])
        assert officer_session
        admin = Browser(client, _log_in(client, "admin", web_world.passwords["admin"]))
        weak = admin.post("/officer1/password", password="short")
        assert weak.status_code == 422
        assert re.search(r'id="password-officer1-password-error">[^<]*at least 12', weak.text)
        assert 'aria-invalid="true" aria-describedby="password-officer1-password-error"' in (
            weak.text
        )
        assert _log_in(client, "officer1", web_world.passwords["officer1"])  # unchanged
        # Without the form's CSRF token, or by anyone but an admin: refused, nothing set.
        assert admin.post("/officer1/password", csrf=False, password=NEW_PASSWORD).status_code \
            == 403  # fmt: skip
        assert f'name="csrf_token" value="{admin.token}"' in admin.get(PAGE).text
        coordinator = Browser(
            client, _log_in(client, "coordinator", web_world.passwords["coordinator"])
        )
        assert coordinator.get(PAGE).status_code == 403
        assert coordinator.post("/officer1/password", password=NEW_PASSWORD).status_code == 403
        assert _log_in(client, "officer1", web_world.passwords["officer1"])
        done = admin.post("/officer1/password", password=NEW_PASSWORD)
        assert done.status_code == 303, done.text[:500]
        assert done.headers["location"] == f"{PAGE}?done=password"
        assert "the new password is set" in admin.get(done.headers["location"]).text
        assert not _log_in(client, "officer1", web_world.passwords["officer1"])
        assert _log_in(client, "officer1", NEW_PASSWORD)
        # The officer's earlier browser session ended with the reset.
        assert client.get("/", cookies={"muster_session": officer_session}).status_code == 303
        unknown = admin.post("/no-such-person/password", password=NEW_PASSWORD)
        assert unknown.status_code == 404


def test_an_admin_erases_secrets_after_a_confirm_step_but_never_their_own(
    served: str, web_world: WebWorld
) -> None:
    with httpx.Client(base_url=served) as client:
        admin = Browser(client, _log_in(client, "admin", web_world.passwords["admin"]))
        before = _secrets(web_world, "supervisor")
        assert before >= 1
        asked = admin.post("/supervisor/erase")
        assert asked.status_code == 200
        assert "Erase every secret of supervisor?" in asked.text
        assert 'name="confirmed" value="yes"' in asked.text
        assert _secrets(web_world, "supervisor") == before  # asking erases nothing
        assert admin.post("/supervisor/erase", csrf=False, confirmed="yes").status_code == 403
        assert _secrets(web_world, "supervisor") == before
        done = admin.post("/supervisor/erase", confirmed="yes")
        assert done.status_code == 303, done.text[:500]
        assert done.headers["location"] == f"{PAGE}?done=erased"
        assert _secrets(web_world, "supervisor") == 0
        assert not _log_in(client, "supervisor", web_world.passwords["supervisor"])
        # One's own: the confirm page says so and offers no button; a post anyway is 409.
        own = admin.post("/admin/erase")
        assert own.status_code == 200
        assert "This is your own account" in own.text
        assert 'id="confirm-erase"' not in own.text
        refused = admin.post("/admin/erase", confirmed="yes")
        assert refused.status_code == 409
        assert re.search(r'id="erase-admin-form-error">Erase your own secrets from another '
                         r"admin account\.<", refused.text)  # fmt: skip
        assert admin.get(PAGE).status_code == 200  # still signed in
        assert _log_in(client, "admin", web_world.passwords["admin"])


def _shot(page: Any, backend: str, name: str) -> None:
    for folder in (SHOTS, ARTIFACTS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{backend}-{name}.png"), full_page=True)


def _serious(axe: Any, page: Any) -> list[tuple[str, str]]:
    found = axe.run(page).response["violations"]
    return [(v["id"], v["impact"]) for v in found if v["impact"] in ("serious", "critical")]


def test_the_erase_confirm_flow_in_the_browser(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for width in (1280, 360):
        # axe-core is injected by script: this context bypasses the pages' CSP to run it.
        context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.goto(f"{served}/login")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill(web_world.passwords["admin"])
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto(f"{served}{PAGE}")
        _shot(page, backend, f"accounts-{width}")
        assert _serious(axe, page) == []
        target = "command" if width == 1280 else "auditor"
        before = _secrets(web_world, target)
        page.get_by_role("button", name=f"Erase every secret of {target}…").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name=f"Erase every secret of {target}?").is_visible()
        _shot(page, backend, f"erase-confirm-{width}")
        assert _serious(axe, page) == []
        page.get_by_role("link", name="Cancel: keep them").click()
        page.wait_for_load_state()
        assert page.url.endswith(PAGE)
        assert _secrets(web_world, target) == before
        page.get_by_role("button", name=f"Erase every secret of {target}…").click()
        page.wait_for_load_state()
        page.get_by_role("button", name=f"Erase every secret of {target}", exact=True).click()
        page.wait_for_load_state()
        assert "every secret of that account is erased" in page.get_by_role("status").inner_text()
        _shot(page, backend, f"erased-{width}")
        assert _secrets(web_world, target) == 0
        # The password form's field error, as a browser shows it.
        page.get_by_text(f"Set a new password for {target}").click()
        page.locator(f"#password-{target}-password").fill("short")
        page.locator(f"form[action='{PAGE}/{target}/password'] button").click()
        page.wait_for_load_state()
        assert "at least 12" in page.locator(f"#password-{target}-password-error").inner_text()
        _shot(page, backend, f"weak-password-{width}")
        assert _serious(axe, page) == []
        context.close()
