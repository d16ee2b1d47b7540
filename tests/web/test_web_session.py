"""Browser login and the pages' guards, in-process on both backends (issue 16 §1-2; issue
15 §4: "browser sessions in secure, HttpOnly, SameSite cookies with CSRF protection",
"Login throttling and lockout (5 failures → 15 minutes)")."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.http.services import open_side_database
from api.web import web_routers
from ledger.side_database import SECRETS
from tests.conftest import TEST_SECRET_KEY_FILE
from tests.web.conftest import AGENCY, MARKUP_NAME, OTHER_AGENCY, WebWorld

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _login_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    found = _TOKEN.search(page.text)
    assert found is not None
    return found.group(1)


def login(client: TestClient, world: WebWorld, name: str) -> None:
    token = _login_token(client)
    done = client.post(
        "/login",
        data={"username": name, "password": world.passwords[name], "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def test_login_sets_a_secure_httponly_strict_cookie_kept_only_hashed(
    web_world: WebWorld, web_client: TestClient
) -> None:
    token = _login_token(web_client)
    done = web_client.post(
        "/login",
        data={"username": "coordinator", "password": web_world.passwords["coordinator"],
              "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == f"/agencies/{AGENCY}"
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("muster_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=strict", "path=/"} <= flags
    value = cookie.split(";")[0].split("=", 1)[1]
    side = open_side_database(web_world.ledger)
    try:
        with side.transaction() as cur:
            cur.execute(f"SELECT kind, hash FROM {side.table(SECRETS)} WHERE kind = 'session'")
            rows = cur.fetchall()
    finally:
        side.close()
    assert len(rows) == 1
    secret = value.split("_", 2)[2]
    assert rows[0][1] == hashlib.sha256(secret.encode()).hexdigest()
    assert value not in str(rows)
    assert secret not in str(rows)
    # The session is not a bearer token for the API.
    api = web_client.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"})
    assert api.status_code == 401


def test_a_login_without_its_csrf_token_is_refused_and_logs_nobody_in(
    web_world: WebWorld, web_client: TestClient
) -> None:
    _login_token(web_client)  # the cookie is set, the form field is missing or wrong
    for data in (
        {"username": "coordinator", "password": web_world.passwords["coordinator"]},
        {"username": "coordinator", "password": web_world.passwords["coordinator"],
         "csrf_token": "forged"},
    ):  # fmt: skip
        refused = web_client.post("/login", data=data, follow_redirects=False)
        assert refused.status_code == 403
        assert "muster_session" not in refused.headers.get("set-cookie", "")
    assert web_client.get(f"/agencies/{AGENCY}", follow_redirects=False).status_code == 303


def test_a_post_without_the_session_csrf_token_is_refused(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    assert web_client.post("/logout", data={}, follow_redirects=False).status_code == 403
    forged = web_client.post("/logout", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert forged.status_code == 403
    assert web_client.get(f"/agencies/{AGENCY}").status_code == 200  # still logged in
    page = web_client.get(f"/agencies/{AGENCY}")
    token = _TOKEN.search(page.text)
    assert token is not None
    out = web_client.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
    assert out.status_code == 303
    # The session row is revoked: the old cookie no longer opens a page.
    assert web_client.get(f"/agencies/{AGENCY}", follow_redirects=False).status_code == 303


def test_five_failures_lock_the_username_for_the_browser_too(
    web_world: WebWorld, web_client: TestClient
) -> None:
    for _ in range(5):
        token = _login_token(web_client)
        wrong = web_client.post(
            "/login", data={"username": "command", "password": "wrong", "csrf_token": token}
        )
        assert wrong.status_code == 401
        assert "Wrong username or password." in wrong.text
    token = _login_token(web_client)
    locked = web_client.post(
        "/login",
        data={"username": "command", "password": web_world.passwords["command"],
              "csrf_token": token},
    )  # fmt: skip
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.text
    assert int(locked.headers["retry-after"]) > 800


def test_pages_redirect_to_login_and_never_to_another_site(web_client: TestClient) -> None:
    page = web_client.get(f"/agencies/{AGENCY}/command?as_of=2025-01-01", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        form = web_client.get("/login", params={"next": evil})
        assert "evil.example" not in form.text


# page -> (roles allowed on the own agency's objects)
PAGES = {
    f"/agencies/{AGENCY}": {"coordinator", "command", "auditor"},
    f"/agencies/{AGENCY}/command": {"coordinator", "command", "auditor"},
    f"/agencies/{AGENCY}/units/Patrol": {"coordinator", "command", "auditor", "supervisor"},
    f"/agencies/{AGENCY}/units/Traffic": {"coordinator", "command", "auditor"},
    f"/agencies/{AGENCY}/people/E1": {"coordinator", "command", "auditor", "supervisor",
                                      "officer1"},
    f"/agencies/{AGENCY}/people/E2": {"coordinator", "command", "auditor", "supervisor"},
    f"/agencies/{AGENCY}/people/E3": {"coordinator", "command", "auditor"},
    f"/agencies/{OTHER_AGENCY}": {"other-coordinator"},
    f"/agencies/{OTHER_AGENCY}/people/S1": {"other-coordinator"},
    "/inbox": {"officer1", "supervisor", "coordinator", "command", "auditor", "admin",
               "other-coordinator", "nobody"},  # the account's own notices (none is fine)
}  # fmt: skip


def test_every_page_declares_a_policy_and_is_guarded() -> None:
    routes = [r for router in web_routers() for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 9
    assert all("x-muster-policy" in (r.openapi_extra or {}) for r in routes)
    assert all(r.dependencies for r in routes)
    posts = [r for r in routes if "POST" in r.methods]
    assert posts
    assert all(len(r.dependencies) == 2 for r in posts)


@pytest.mark.parametrize(
    "role",
    ["officer1", "supervisor", "coordinator", "command", "auditor", "admin", "other-coordinator",
     "nobody"],
)  # fmt: skip
def test_every_page_checks_the_api_policy(
    web_world: WebWorld, web_client: TestClient, role: str
) -> None:
    """The matrix of pages by roles: 0 unexpected allows, 0 unexpected denials."""
    login(web_client, web_world, role)
    unexpected = []
    for path, allowed in PAGES.items():
        page = web_client.get(path, follow_redirects=False)
        assert page.status_code in (200, 403), (role, path, page.status_code, page.text[:300])
        if (page.status_code == 200) != (role in allowed):
            unexpected.append((path, page.status_code))
    assert unexpected == []


def test_an_officer_gets_403_for_another_record_and_for_one_that_does_not_exist(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "officer1")
    other = web_client.get(f"/agencies/{AGENCY}/people/E2")
    missing = web_client.get(f"/agencies/{AGENCY}/people/NOPE")
    assert other.status_code == missing.status_code == 403
    assert "Baker" not in other.text
    assert "your roles do not allow this" in other.text


def test_a_name_full_of_markup_is_shown_as_text(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    for path in (f"/agencies/{AGENCY}/people/E4", f"/agencies/{AGENCY}/units/Traffic",
                 f"/agencies/{AGENCY}"):  # fmt: skip
        page = web_client.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
        if "/people/" in path or "/units/" in path:
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert MARKUP_NAME not in web_client.get(f"/agencies/{AGENCY}/people/E4").text


def test_pages_send_a_strict_content_security_policy(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    page = web_client.get(f"/agencies/{AGENCY}")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in page.text  # the chart is SVG without script
    assert "<svg" in page.text


def test_page_reads_are_in_the_read_audit(web_world: WebWorld, web_client: TestClient) -> None:
    login(web_client, web_world, "supervisor")
    assert web_client.get(f"/agencies/{AGENCY}/people/E2").status_code == 200
    assert web_client.get(f"/agencies/{AGENCY}/people/E3").status_code == 403
    assert web_client.get(f"/agencies/{AGENCY}/units/Patrol").status_code == 200
    side = open_side_database(web_world.ledger)
    try:
        from ledger.read_audit import ReadAudit

        entries = [
            (e.actor, e.action, e.object, e.outcome)
            for e in ReadAudit(side).entries(agency=AGENCY, limit=1000)
        ]
    finally:
        side.close()
    assert ("account:supervisor", "read.status", f"person:{AGENCY}/E2", "allowed") in entries
    assert ("account:supervisor", "read.history", f"person:{AGENCY}/E2", "allowed") in entries
    assert ("account:supervisor", "view.unit", f"unit:{AGENCY}/Patrol", "allowed") in entries
    denied = [e for e in entries if e[2] == f"person:{AGENCY}/E3" and e[3] == "denied"]
    assert denied


def test_bad_time_travel_input_is_a_clear_page_not_a_crash(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    for query, words in (("as_of=2025-13-45", "as_of: use YYYY-MM-DD"),
                         ("as_of=9999-12-31", "as_of: muster answers for days up to 2999-12-31"),
                         ("known_at=yesterday", "known_at: use YYYY-MM-DD")):  # fmt: skip
        page = web_client.get(f"/agencies/{AGENCY}?{query}")
        assert page.status_code == 422
        assert words in page.text
        assert "<html" in page.text


def test_the_login_form_asks_for_the_second_factor_where_the_role_needs_one(
    web_world: WebWorld,
) -> None:
    """Issue 15 §4: TOTP "required for admin and coordinator by default". The form goes
    through the API's ``check_login``: without a code it asks for one, a right code logs
    in, the same code again is refused (replay), and an account whose role needs a code
    but has none enrolled is told so; none of those refusals opens a session."""
    import httpx
    import pyotp

    from api.http.app import create_app
    from api.http.authentication import new_totp_seed
    from api.http.services import Services
    from api.settings import Settings
    from ledger.accounts import get_account

    settings = Settings(  # the default roles: admin,coordinator
        database_url=web_world.database_url, secret_key_file=TEST_SECRET_KEY_FILE
    )
    services = Services.for_ledger(web_world.ledger, settings)
    seed = new_totp_seed()
    coordinator = get_account(web_world.ledger, "coordinator")
    services.accounts.set_totp_seed(coordinator.id, seed, web_world.ledger.clock())
    app = create_app(services)
    try:
        with TestClient(app, base_url="https://testserver") as client:

            def attempt(name: str, code: str) -> httpx.Response:
                data = {"username": name, "password": web_world.passwords[name],
                        "csrf_token": _login_token(client), "totp": code}  # fmt: skip
                return client.post("/login", data=data, follow_redirects=False)

            asked = attempt("coordinator", "")
            assert asked.status_code == 401
            assert "6-digit code" in asked.text
            assert re.search(r'<input id="totp"[^>]* required', asked.text)
            assert "muster_session" not in client.cookies
            code = pyotp.TOTP(seed).at(services.now())  # the store's clock, not the wall's
            done = attempt("coordinator", code)
            assert done.status_code == 303
            assert client.cookies.get("muster_session")
            client.cookies.clear()
            replayed = attempt("coordinator", code)
            assert replayed.status_code == 401
            assert "muster_session" not in client.cookies
            refused = attempt("admin", "")  # admin needs a code, and has none enrolled
            assert refused.status_code == 401
            assert "second factor" in refused.text
            assert "muster_session" not in client.cookies
    finally:
        services.side.close()
