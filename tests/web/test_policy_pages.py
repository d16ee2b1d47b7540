"""The policy pages in-process, on both backends (issue 17): the officer's acknowledgement
page (the exact text, escaped; its SHA-256; the document; the Acknowledge button through
the session's CSRF token), the coverage report with its time-travel axes, the library and
the diff between Markdown versions; and who reaches what (an officer only their own, an
auditor no write form)."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from ledger.clock import SettableClock
from replay.asof import status
from replay.tracks import policy_acknowledgements
from tests.web.conftest import AGENCY, OTHER_AGENCY, WebWorld
from tests.web.policy_world import PDF, PURSUIT, USE_OF_FORCE, V1, V2, build_policies
from tests.web.test_web_session import login

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.I)
ACK = f"/agencies/{AGENCY}/people/{{}}/policies/{USE_OF_FORCE}"
COVERAGE = f"/agencies/{AGENCY}/policies/{USE_OF_FORCE}/coverage"
LIBRARY = f"/agencies/{AGENCY}/policies"
AGENCY_WIDE = {"coordinator", "command", "auditor"}
ROLES = [
    "officer1",
    "supervisor",
    "coordinator",
    "command",
    "auditor",
    "admin",
    "other-coordinator",
    "nobody",
]


def _token(page_text: str) -> str:
    found = _TOKEN.search(page_text)
    assert found is not None
    return found.group(1)


def _events(world: WebWorld) -> int:
    return world.ledger.store.count_events()


def _pages(hashes: dict[str, str]) -> dict[str, set[str]]:
    """GET page -> the roles that may open it (the expectations of issue 15's roles)."""
    return {
        ACK.format("E1"): {"officer1", "supervisor", *AGENCY_WIDE},
        ACK.format("E2"): {"supervisor", *AGENCY_WIDE},
        ACK.format("E3"): AGENCY_WIDE,
        f"{ACK.format('E1')}/document?version={hashes['v2']}": {
            "officer1",
            "supervisor",
            *AGENCY_WIDE,
        },
        f"{ACK.format('E3')}/document?version={hashes['v2']}": AGENCY_WIDE,
        COVERAGE: AGENCY_WIDE,
        LIBRARY: AGENCY_WIDE,
        f"{LIBRARY}/{USE_OF_FORCE}/versions/{hashes['v1']}/document": AGENCY_WIDE,
        f"{LIBRARY}/{USE_OF_FORCE}/diff?from={hashes['v1']}&to={hashes['v2']}": AGENCY_WIDE,
        f"/agencies/{OTHER_AGENCY}/policies": {"other-coordinator"},
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_policy_pages_check_the_api_policies(
    web_world: WebWorld, web_client: TestClient, role: str
) -> None:
    """The matrix of the new pages by roles: 0 unexpected allows, 0 unexpected denials;
    and the acknowledgement POST: the officer their own, a coordinator anyone's; every
    other role is refused and nothing is appended."""
    hashes = build_policies(web_world)
    login(web_client, web_world, role)
    unexpected = []
    for path, allowed in _pages(hashes).items():
        page = web_client.get(path, follow_redirects=False)
        assert page.status_code in (200, 403), (role, path, page.status_code, page.text[:300])
        if (page.status_code == 200) != (role in allowed):
            unexpected.append((path, page.status_code))
    assert unexpected == []
    token = _token(web_client.get("/inbox").text) if role != "nobody" else ""
    if not token:
        token = hashlib.sha256(f"csrf:{web_client.cookies['muster_session']}".encode()).hexdigest()
    for target, allowed in (
        ("E1", {"officer1", "coordinator"}),
        ("E2", {"coordinator"}),
        ("E3", {"coordinator"}),
    ):
        before = _events(web_world)
        done = web_client.post(
            ACK.format(target),
            data={"csrf_token": token, "version_hash": hashes["v2"]},
            follow_redirects=False,
        )
        assert done.status_code in (303, 403), (role, target, done.status_code, done.text[:300])
        assert (done.status_code == 303) == (role in allowed), (role, target)
        if done.status_code == 403:
            assert _events(web_world) == before


def test_an_officer_reads_the_exact_text_escaped_and_its_sha256(
    web_world: WebWorld, web_client: TestClient
) -> None:
    hashes = build_policies(web_world)
    login(web_client, web_world, "officer1")
    page = web_client.get(ACK.format("E1"))
    assert page.status_code == 200
    text = page.text
    assert hashes["v2"] == hashlib.sha256(V2).hexdigest()
    assert hashes["v2"] in text  # the version's SHA-256, in full
    assert "Only the force that is objectively reasonable." in text
    assert "<h3>Use of force</h3>" in text  # the Markdown is rendered (under h1, h2)...
    assert "<script>alert" not in text  # ...and the markup in it is shown as text
    assert "&lt;script&gt;alert('policy')&lt;/script&gt;" in text
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    assert 'href="javascript:' not in text.lower()
    assert "Acknowledge version 2" in text
    assert "due by" in text or "overdue since" in text
    # The download is the exact bytes, checked against the hash.
    document = web_client.get(f"{ACK.format('E1')}/document", params={"version": hashes["v2"]})
    assert document.status_code == 200
    assert document.content == V2
    assert document.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in document.headers["content-security-policy"]
    # An officer reads what was published, not a draft uploaded beside it.
    draft = web_client.get(f"{ACK.format('E1')}/document", params={"version": hashes["v3"]})
    assert draft.status_code == 404
    # A PDF policy is offered as the download, not shown.
    pdf = web_client.get(f"/agencies/{AGENCY}/people/E1/policies/{PURSUIT}")
    assert pdf.status_code == 200
    assert "Download the PDF" in pdf.text
    assert hashes["pdf"] in pdf.text
    got = web_client.get(
        f"/agencies/{AGENCY}/people/E1/policies/{PURSUIT}/document",
        params={"version": hashes["pdf"]},
    )
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"


def test_the_acknowledge_button_records_the_version_shown_once(
    web_world: WebWorld, web_client: TestClient
) -> None:
    hashes = build_policies(web_world)
    ledger = web_world.ledger
    login(web_client, web_world, "officer1")
    page = web_client.get(ACK.format("E1"))
    before = _events(web_world)
    # Without the session's token: refused, nothing appended.
    forged = web_client.post(
        ACK.format("E1"),
        data={"version_hash": hashes["v2"], "csrf_token": "0" * 64},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    # A hash the page never showed (an unpublished draft, or garbage): 422, nothing appended.
    for stale in (hashes["v3"], "f" * 64, "short"):
        refused = web_client.post(
            ACK.format("E1"), data={"version_hash": stale, "csrf_token": _token(page.text)}
        )
        assert refused.status_code == 422, stale
        assert "Nothing was recorded" in refused.text
    # An officer cannot back-date or change the channel of their own.
    assert _events(web_world) == before
    done = web_client.post(
        ACK.format("E1"),
        data={
            "version_hash": hashes["v2"],
            "csrf_token": _token(page.text),
            "channel": "paper",
            "on": "2024-01-01",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _events(web_world) == before + 1
    answer = policy_acknowledgements(ledger, AGENCY, USE_OF_FORCE, 2)
    assert [
        (a["employee_id"], a["channel"], a["acknowledged_on"]) for a in answer["acknowledged"]
    ] == [("E1", "online", ledger.clock().date().isoformat())]
    # Sent again (a double click, the back button): recorded once.
    twice = web_client.post(
        ACK.format("E1"),
        data={"version_hash": hashes["v2"], "csrf_token": _token(page.text)},
        follow_redirects=False,
    )
    assert twice.status_code == 303
    assert _events(web_world) == before + 1
    shown = web_client.get(done.headers["location"])
    assert "Acknowledged: your acknowledgement of version 2 is recorded." in shown.text
    assert "You acknowledged this version" in shown.text
    assert "Acknowledge version 2</button>" not in shown.text  # no second button
    # The officer's own record links the policy to this page.
    record = web_client.get(f"/agencies/{AGENCY}/people/E1")
    assert f'href="/agencies/{AGENCY}/people/E1/policies/{USE_OF_FORCE}"' in record.text


def test_an_officer_sees_only_their_own(web_world: WebWorld, web_client: TestClient) -> None:
    hashes = build_policies(web_world)
    login(web_client, web_world, "officer1")
    token = _token(web_client.get(ACK.format("E1")).text)
    before = _events(web_world)
    for path in (
        ACK.format("E2"),
        ACK.format("NOPE"),
        COVERAGE,
        LIBRARY,
        f"{ACK.format('E2')}/document?version={hashes['v2']}",
    ):
        page = web_client.get(path)
        assert page.status_code == 403, path
        assert "Baker" not in page.text
    ack = web_client.post(
        ACK.format("E2"),
        data={"version_hash": hashes["v2"], "csrf_token": token},
        follow_redirects=False,
    )
    assert ack.status_code == 403
    assert _events(web_world) == before


def test_an_auditor_reaches_no_write_form(web_world: WebWorld, web_client: TestClient) -> None:
    hashes = build_policies(web_world)
    login(web_client, web_world, "auditor")
    for path in (
        ACK.format("E1"),
        COVERAGE,
        LIBRARY,
        f"{LIBRARY}/{USE_OF_FORCE}/diff?from={hashes['v1']}&to={hashes['v2']}",
    ):
        page = web_client.get(path)
        assert page.status_code == 200, path
        forms = [f for f in _POST_FORM.findall(page.text) if 'action="/logout"' not in f]
        assert forms == [], path
        assert "Acknowledge version" not in page.text
    token = _token(web_client.get(LIBRARY).text)
    before = _events(web_world)
    refused = web_client.post(
        ACK.format("E1"),
        data={"version_hash": hashes["v2"], "csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert _events(web_world) == before


def test_a_coordinator_enters_one_given_on_paper_with_its_day(
    web_world: WebWorld, web_client: TestClient
) -> None:
    hashes = build_policies(web_world)
    login(web_client, web_world, "coordinator")
    page = web_client.get(ACK.format("E3"))
    assert 'name="channel"' in page.text
    assert 'name="on"' in page.text
    token = _token(page.text)
    before = _events(web_world)
    for bad, field in (("2025-13-01", "on-error"), ("2099-01-01", "")):
        refused = web_client.post(
            ACK.format("E3"),
            data={"version_hash": hashes["v2"], "csrf_token": token, "channel": "paper", "on": bad},
        )
        assert refused.status_code == 422, bad
        if field:
            assert f'id="{field}"' in refused.text
    assert _events(web_world) == before
    done = web_client.post(
        ACK.format("E3"),
        data={
            "version_hash": hashes["v2"],
            "csrf_token": token,
            "channel": "paper",
            "on": "2025-03-10",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    answer = policy_acknowledgements(web_world.ledger, AGENCY, USE_OF_FORCE, 2)
    assert [
        (a["employee_id"], a["channel"], a["acknowledged_on"]) for a in answer["acknowledged"]
    ] == [("E3", "paper", "2025-03-10")]


def test_the_coverage_report_answers_as_of_d_and_known_at_t(
    web_world: WebWorld, web_client: TestClient, clock: SettableClock
) -> None:
    hashes = build_policies(web_world)
    ledger = web_world.ledger
    recorded_before = clock()
    clock.set(recorded_before + timedelta(hours=3))
    ledger.acknowledge_policy(
        AGENCY, "E1", USE_OF_FORCE, 2, on=date(2025, 3, 5), channel="online", actor="user:test"
    )
    login(web_client, web_world, "coordinator")
    now = web_client.get(COVERAGE)
    assert now.status_code == 200
    has = now.text.split('id="has-h"')[1]
    has_not = now.text.split('id="not-h"')[1].split('id="has-h"')[0]
    assert "E1" in has
    assert "E1" not in has_not
    assert "E2" in has_not  # acknowledged v1 only: v2 is substantive
    assert hashes["v2"] in now.text
    # As the records stood before E1's acknowledgement was recorded: not acknowledged.
    earlier = (recorded_before + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    before = web_client.get(COVERAGE, params={"known_at": earlier + "Z"})
    assert before.status_code == 200
    assert "Not today's picture" in before.text
    assert "E1" not in before.text.split('id="has-h"')[1].split('id="exact-h"')[0]
    # As of a day before E1's acknowledgement (2025-03-05): not yet acknowledged either.
    day = web_client.get(COVERAGE, params={"as_of": "2025-03-03"})
    assert "E1" in day.text.split('id="not-h"')[1].split('id="has-h"')[0]
    # Version 1 on 2024-06-01: E2 had acknowledged exactly it, on paper.
    v1 = web_client.get(COVERAGE, params={"as_of": "2024-06-01", "version": "1"})
    exact = v1.text.split('id="exact-h"')[1]
    assert "E2" in exact
    assert "paper" in exact
    assert "2024-02-01" in exact
    assert web_client.get(COVERAGE, params={"version": "9"}).status_code == 404
    assert web_client.get(f"/agencies/{AGENCY}/policies/nope/coverage").status_code == 404
    assert web_client.get(COVERAGE, params={"as_of": "2025-99-01"}).status_code == 422


def test_the_library_shows_versions_and_the_diff_escapes_everything(
    web_world: WebWorld, web_client: TestClient
) -> None:
    hashes = build_policies(web_world)
    login(web_client, web_world, "coordinator")
    library = web_client.get(LIBRARY)
    assert library.status_code == 200
    for name in ("v1", "v2", "v3", "pdf"):
        assert hashes[name] in library.text
    assert "not published" in library.text
    assert "in force" in library.text
    assert "Compare with the version before" in library.text
    # As the records stood before v2 was uploaded, only v1 (and no pursuit policy) is known.
    early = web_client.get(LIBRARY, params={"known_at": "2025-04-01T10:30Z"})
    assert hashes["v1"] in early.text
    assert hashes["v2"] not in early.text
    document = web_client.get(f"{LIBRARY}/{USE_OF_FORCE}/versions/{hashes['v3']}/document")
    assert document.status_code == 200
    assert document.content.startswith(b"# Use of force")
    diff = web_client.get(
        f"{LIBRARY}/{USE_OF_FORCE}/diff", params={"from": hashes["v1"], "to": hashes["v2"]}
    )
    assert diff.status_code == 200
    text = diff.text
    assert '<li class="del">' in text
    assert '<li class="add">' in text
    assert "Only the force that is reasonable." in text.split('<li class="del">')[1]
    assert "objectively reasonable" in text.split('<li class="add">')[1]
    assert "<script>alert" not in text
    assert "&lt;script&gt;" in text
    assert "<img src=x" not in text
    assert V1.decode().splitlines()[0] in text
    # A PDF cannot be compared; an unknown version is 404.
    pdf = web_client.get(
        f"{LIBRARY}/{PURSUIT}/diff", params={"from": hashes["pdf"], "to": hashes["pdf"]}
    )
    assert pdf.status_code == 404
    missing = web_client.get(
        f"{LIBRARY}/{USE_OF_FORCE}/diff", params={"from": "0" * 64, "to": hashes["v2"]}
    )
    assert missing.status_code == 404


def test_what_is_needed_names_requirements_by_title(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    page = web_client.get(f"/agencies/{AGENCY}/people/E1", params={"as_of": "2025-07-15"})
    assert page.status_code == 200
    needed = page.text.split('id="needs-h"')[1].split("</section>")[0]
    shown = [html.unescape(s) for s in re.findall(r"<li><strong>([^<]+)</strong>", needed)]
    answer = status(web_world.ledger, AGENCY, "E1", date(2025, 7, 15))
    requirements = answer["person"]["compliance"]["requirements"]
    titles = {r["requirement_id"]: r["title"] for r in requirements}
    short = {
        r["requirement_id"] for r in requirements if r["status"] in ("non_compliant", "due_soon")
    }
    assert short  # something is needed on that day
    assert sorted(shown) == sorted(titles[code] for code in short)
    assert not set(shown) & set(titles)  # no bare code such as mlo or total_ce
