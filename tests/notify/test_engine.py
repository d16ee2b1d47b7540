"""The deadline engine alone (pure, no store): windows, who is told, what is mandatory."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from projections.notify import Directory, NoticePolicy, OpenItem, notices_due, window_for

DEADLINE = date(2025, 12, 31)
DIRECTORY = Directory(
    person_email={"E1": "e1@pd.example", "E2": "e2@pd.example"},
    unit_of={"E1": "Patrol", "E2": "Traffic"},
    supervisors={"Patrol": ("sgt@pd.example",)},
    coordinators=("coord@pd.example", "sgt@pd.example"),
    extra_recipients={"E1": ("spouse@home.example",)},
)


def item(status: str = "due_soon", person_status: str = "active", who: str = "E1") -> OpenItem:
    return OpenItem(
        who, "Pat Officer", person_status, "local/firearms", "Firearms", status, DEADLINE
    )


@pytest.mark.parametrize(
    ("days_left", "window"),
    [
        (120, None),
        (91, None),
        (90, "90"),
        (61, "90"),
        (60, "60"),
        (31, "60"),
        (30, "30"),
        (8, "30"),
        (7, "7"),
        (0, "7"),
        (-1, None),
    ],
)
def test_each_day_falls_in_one_window(days_left: int, window: str | None) -> None:
    """Rule: "default 90, 60, 30 and 7 days before": a day is in the smallest window its
    deadline is within; beyond 90 days, or past the deadline while the engine does not yet
    call it overdue, in none."""
    today = DEADLINE - timedelta(days=days_left)
    assert window_for((90, 60, 30, 7), DEADLINE, today, "due_soon") == window


def test_a_pass_after_missed_days_sends_the_window_it_is_in_with_the_same_key() -> None:
    """Passes on day 50 and day 45 before the deadline decide the same 60-day reminder
    (one key), so a pass that did not run for days neither skips nor repeats one."""
    first = notices_due(
        "pd", [item()], DIRECTORY, NoticePolicy(digest="off"), DEADLINE - timedelta(days=50)
    )
    later = notices_due(
        "pd", [item()], DIRECTORY, NoticePolicy(digest="off"), DEADLINE - timedelta(days=45)
    )
    assert [n.key for n in first] == [n.key for n in later]
    assert [(n.recipient, n.window, n.mandatory) for n in first] == [("e1@pd.example", "60", True)]


def test_overdue_tells_the_person_their_supervisor_and_each_coordinator_once() -> None:
    """Rule: "escalation to the supervisor and coordinator after the deadline": an address
    that is both supervisor and coordinator is told once."""
    told = notices_due(
        "pd", [item("non_compliant")], DIRECTORY, NoticePolicy(digest="off"), date(2026, 1, 1)
    )
    assert sorted((n.kind, n.recipient, n.recipient_role) for n in told) == [
        ("escalation", "coord@pd.example", "coordinator"),
        ("escalation", "sgt@pd.example", "supervisor"),
        ("overdue", "e1@pd.example", "person"),
    ]
    assert all(n.mandatory for n in told)


@pytest.mark.parametrize("person_status", ["separated", "inactive", "not_hired"])
def test_separated_and_inactive_people_are_not_told(person_status: str) -> None:
    """Rule: "Separated and inactive people are not reminded" (nor escalated about)."""
    policy = NoticePolicy(digest="daily")
    assert (
        notices_due(
            "pd", [item("non_compliant", person_status)], DIRECTORY, policy, date(2026, 1, 1)
        )
        == []
    )


def test_people_on_leave_follow_the_agency_setting() -> None:
    """Rule: "people on leave follow the agency's setting"."""
    day = DEADLINE - timedelta(days=5)
    on_leave = [item(person_status="leave")]
    assert notices_due("pd", on_leave, DIRECTORY, NoticePolicy(digest="off"), day) == []
    told = notices_due(
        "pd", on_leave, DIRECTORY, NoticePolicy(digest="off", remind_on_leave=True), day
    )
    assert [n.recipient for n in told] == ["e1@pd.example"]


def test_extra_recipients_only_where_the_agency_allows_and_never_mandatory() -> None:
    """Rule: "Per-person preferences where the agency allows (extra recipients)"; what a
    person added can be stopped, the notice to the person cannot."""
    day = DEADLINE - timedelta(days=5)
    plain = notices_due("pd", [item()], DIRECTORY, NoticePolicy(digest="off"), day)
    assert [n.recipient for n in plain] == ["e1@pd.example"]
    allowed = notices_due(
        "pd", [item()], DIRECTORY, NoticePolicy(digest="off", allow_extra_recipients=True), day
    )
    assert sorted((n.recipient, n.mandatory) for n in allowed) == [
        ("e1@pd.example", True),
        ("spouse@home.example", False),
    ]


def test_the_digest_goes_weekly_on_its_weekday_or_daily_and_lists_what_is_due() -> None:
    """Rule: "a daily or weekly digest for coordinators listing everything due or overdue";
    an item beyond the largest window is not in it."""
    items = [
        item("non_compliant", who="E2"),
        item(),
        OpenItem("E3", "Far Off", "active", "x/y", "Far", "on_track", date(2026, 12, 31)),
    ]
    monday, tuesday = date(2025, 12, 29), date(2025, 12, 30)
    weekly = NoticePolicy()
    digests = [n for n in notices_due("pd", items, DIRECTORY, weekly, monday) if n.kind == "digest"]
    assert sorted(n.recipient for n in digests) == ["coord@pd.example", "sgt@pd.example"]
    assert [line.split("\t")[0] for line in digests[0].lines] == ["E2", "E1"]  # overdue first
    assert not [
        n for n in notices_due("pd", items, DIRECTORY, weekly, tuesday) if n.kind == "digest"
    ]
    daily = NoticePolicy(digest="daily")
    assert [n for n in notices_due("pd", items, DIRECTORY, daily, tuesday) if n.kind == "digest"]


def test_a_deadline_missed_before_the_largest_window_is_only_in_the_digest() -> None:
    """A finding older than 90 days (history from before the agency used muster) is not
    announced to the person or escalated on a first pass; the coordinators' digest lists
    it."""
    old = OpenItem(
        "E1",
        "Pat Officer",
        "active",
        "local/firearms",
        "Firearms",
        "non_compliant",
        date(2023, 12, 31),
    )
    told = notices_due("pd", [old], DIRECTORY, NoticePolicy(digest="daily"), date(2025, 3, 3))
    assert {n.kind for n in told} == {"digest"}
    assert told[0].lines[0].startswith("E1\t")
