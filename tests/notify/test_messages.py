"""The messages people read: plain text and HTML from the recorded decision, the same
bytes every time, stored text escaped, and the coordinator digest at a phone's width in
Chromium."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.notify.messages import message_digest, render

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE = "Sam <script>alert(1)</script> Lee"


def _digest_fields() -> dict[str, Any]:
    lines = [
        (
            "E2",
            "Pat Officer",
            "Firearms training every calendar year",
            "2025-12-31",
            "non_compliant",
        ),
        (
            "1043",
            "Alexandra Montgomery-Whitfield",
            "In-service use of force and firearms, every calendar year",
            "2025-12-31",
            "non_compliant",
        ),
        (
            "E7",
            HOSTILE,
            "Continuing education: 48 hours per licence period",
            "2026-01-15",
            "due_soon",
        ),
        ("E9", "Chris Doe", "Firearms training every calendar year", "2026-03-02", "on_track"),
        # The agency's own deadlines (issue 17's tracks) carry their source as a sixth field.
        (
            "E3",
            "Jordan Reyes",
            "Firearms qualification (Glock 17, serial A1)",
            "2026-01-04",
            "non_compliant",
            "credential",
        ),
        ("E5", "Sam Ortiz", "Use of force v2", "2026-01-20", "due_soon", "policy"),
    ]
    return {
        "kind": "digest",
        "channel": "email",
        "recipient": "coord@pd.example",
        "recipient_role": "coordinator",
        "employee_id": "",
        "person_name": "",
        "requirement": "",
        "title": "",
        "deadline": date(2026, 1, 5),
        "window": "digest",
        "mandatory": True,
        "lines": ["\t".join(line) for line in lines],
    }


def test_the_digest_counts_lists_and_escapes() -> None:
    """The subject counts overdue, due soon and coming up; every item is listed with its
    deadline and how far off it is; a name is text, never markup."""
    message = render("notify-pd", _digest_fields())
    assert (
        message.subject
        == "notify-pd: 2 overdue, 1 expired, 2 due soon, 1 coming up (5 January 2026)"
    )
    assert (
        "- Overdue: Pat Officer #E2, Firearms training every calendar year, deadline "
        "2025-12-31 (5 days ago)" in message.text
    )
    assert "(in 10 days)" in message.text
    assert (
        "- Expired: Jordan Reyes #E3, Credential: Firearms qualification (Glock 17, serial A1), "
        "valid through 2026-01-04 (1 day ago)" in message.text
    )
    assert (
        "- Due soon: Sam Ortiz #E5, Policy: acknowledge Use of force v2, acknowledge by 2026-01-20 "
        "(in 15 days)" in message.text
    )
    assert "Valid through: <b>4 January 2026</b>" in message.html
    assert "Acknowledge by: <b>20 January 2026</b>" in message.html
    assert "<script>" not in message.html
    assert "Sam &lt;script&gt;alert(1)&lt;/script&gt; Lee" in message.html
    assert 'name="viewport"' in message.html


def test_a_message_renders_the_same_from_the_same_decision() -> None:
    """What the recorded ``message_digest`` relies on after a restart."""
    first, second = render("notify-pd", _digest_fields()), render("notify-pd", _digest_fields())
    assert message_digest(first) == message_digest(second)
    changed = {**_digest_fields(), "recipient_role": "subscriber", "mandatory": False}
    assert message_digest(render("notify-pd", changed)) != message_digest(first)
    assert "cannot be turned off" not in render("notify-pd", changed).text


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")
def test_the_digest_screenshot_at_a_phone_width(tmp_path: Path) -> None:
    """Chromium renders the digest at 390 px (a phone) to a PNG of that width; the
    screenshot was looked at (docs/images/notify-digest.png is this page, with a credential
    expired and a policy to acknowledge among the requirements)."""
    page = tmp_path / "digest.html"
    page.write_text(render("notify-pd", _digest_fields()).html)
    shot = tmp_path / "digest.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=390,1100",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 390  # the IHDR width
    assert len(data) > 20_000  # a rendered page, not a blank one
