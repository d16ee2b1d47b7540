"""Account administration in the browser (issue 16 §1: "account administration for
admins"): open an account, grant and revoke a role; refusals said beside the field;
admins only. In process, both backends."""

from __future__ import annotations

import re
from typing import Any

from ledger.accounts import get_account
from tests.http.conftest import AGENCY, World
from tests.http.test_request_pages import log_in

PAGE = "/admin/accounts"


def post(world: World, path: str, token: str, **data: str) -> Any:
    return world.client.post(
        f"{PAGE}{path}", data={**data, "csrf_token": token}, follow_redirects=False
    )


def test_an_admin_opens_grants_and_revokes(world: World) -> None:
    token = log_in(world, "admin")
    page = world.client.get(PAGE)
    assert page.status_code == 200
    assert "officer1" in page.text
    opened = post(world, "", token, username="newbie", display_name="New Officer",
                  password="a long enough password")  # fmt: skip
    assert opened.status_code == 303, opened.text
    granted = post(world, "/newbie/grants", token, role="officer", agency=AGENCY,
                   employee_id="E2")  # fmt: skip
    assert granted.status_code == 303, granted.text
    [grant] = get_account(world.ledger, "newbie").grants
    assert (grant.role, grant.agency, grant.employee_id) == ("officer", AGENCY, "E2")
    assert grant.granted_at is not None
    revoked = post(world, f"/newbie/grants/{grant.grant_id}/revoke", token, reason="left")
    assert revoked.status_code == 303, revoked.text
    assert get_account(world.ledger, "newbie").grants[0].revoked_at is not None


def test_refusals_are_said_beside_the_field(world: World) -> None:
    token = log_in(world, "admin")
    weak = post(world, "", token, username="newbie", display_name="N", password="short")
    assert weak.status_code == 422
    assert re.search(r'id="open-password-error">[^<]*at least 12', weak.text)
    taken = post(world, "", token, username="officer1", display_name="Dup",
                 password="a long enough password")  # fmt: skip
    assert taken.status_code == 422
    assert 'id="open-username-error"' in taken.text
    bad_role = post(world, "/spare/grants", token, role="emperor", agency=AGENCY)
    assert bad_role.status_code == 422
    assert 'id="grant-spare-role-error"' in bad_role.text
    [grant] = get_account(world.ledger, "officer1").grants
    empty = post(world, f"/officer1/grants/{grant.grant_id}/revoke", token, reason=" ")
    assert empty.status_code == 422
    assert f'id="revoke-{grant.grant_id}-reason-error"' in empty.text
    assert get_account(world.ledger, "officer1").grants[0].revoked_at is None


def test_admins_only(world: World) -> None:
    for who in ("coordinator", "officer1", "auditor", "nobody"):
        token = log_in(world, who)
        assert world.client.get(PAGE).status_code == 403, who
        assert post(world, "/spare/grants", token, role="admin").status_code == 403
    assert get_account(world.ledger, "spare").grants == []
