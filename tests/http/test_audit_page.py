"""The read-audit review page (issue 16 §1: "read-audit review for coordinators (who
viewed whose record)"). In process, both backends."""

from __future__ import annotations

from tests.http.conftest import AGENCY, World
from tests.http.test_request_pages import log_in

PAGE = f"/agencies/{AGENCY}/audit"


def test_a_coordinator_sees_who_viewed_whose_record(world: World) -> None:
    world.client.get(f"/api/v1/agencies/{AGENCY}/people/E2/status", headers=world.auth("command"))
    world.client.get(f"/api/v1/agencies/{AGENCY}/people/E3/status", headers=world.auth("officer1"))
    log_in(world, "coordinator")
    page = world.client.get(PAGE)
    assert page.status_code == 200
    rows = page.text.split("<tbody>")[1]
    assert f"person:{AGENCY}/E2" in rows
    assert "read.status" in rows
    assert "denied" in rows  # the officer's try at someone else's record
    only = world.client.get(PAGE, params={"who": "officer1"}).text.split("<tbody>")[1]
    assert f"person:{AGENCY}/E3" in only
    assert f"person:{AGENCY}/E2" not in only


def test_the_review_is_the_agencys_coordinators_only(world: World) -> None:
    for who in ("officer1", "supervisor", "command", "auditor", "admin", "other-coordinator"):
        log_in(world, who)
        assert world.client.get(PAGE).status_code == 403, who


def test_hostile_entries_are_escaped(world: World) -> None:
    world.services.audit.append(
        at=world.ledger.clock(), actor="account:<script>x</script>", action="read.status",
        obj=f"person:{AGENCY}/<b>E1</b>", agency=AGENCY, source="127.0.0.1", outcome="allowed",
    )  # fmt: skip
    log_in(world, "coordinator")
    html = world.client.get(PAGE).text
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html
