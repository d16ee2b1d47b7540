"""The deadline engine: from the answers of a day (each open requirement with its deadline)
and who is to be told (a directory of addresses), the notices due on ``today``.

Pure: no I/O, no clock. Each notice carries an idempotency key naming everything that makes
it the notice it is (agency, kind, recipient, person, requirement, deadline, window, and a
digest's day), so deciding the same day twice, or the next day within the same window,
gives the same keys, which the ledger records once (``ledger.notice``).

Windows: a reminder for window ``w`` (days before the deadline) is due while the deadline
is at most ``w`` days away and more than the next smaller window: a pass that did not run
for a few days still sends the window it is in, once, and never the windows it missed.
The day a requirement is found overdue (its status ``non_compliant``) the person is told,
and the supervisors of their unit and the coordinators are told (escalation), once per
deadline; a deadline missed longer ago than the largest window (history from before the
agency used muster) is listed in the digest only, never announced one notice at a time.
Kinds ``reminder`` and ``overdue`` to the person and every escalation are mandatory: no
preference turns them off.

Credentials and policy acknowledgements (issue 17's own tracks) come in as more
``OpenItem``s with their own ``source`` (``credential``: the deadline is the credential's
last valid day; ``policy``: the day the version must be acknowledged by), their
``requirement`` prefixed with it (``credential:firearms[A1]``, ``policy:use-of-force@v3``)
so a recorded notice says what it is about (``notice_label``, ``notice_about``); the
engine treats them as any other item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "DEFAULT_WINDOWS",
    "Directory",
    "NoticeIntent",
    "NoticePolicy",
    "OpenItem",
    "notice_about",
    "notice_label",
    "notices_due",
    "source_of",
    "window_for",
]

DEFAULT_WINDOWS = (90, 60, 30, 7)
OPEN_STATUSES = frozenset({"on_track", "due_soon", "non_compliant"})
NOT_REMINDED = frozenset({"separated", "inactive", "not_hired"})
OVERDUE = "overdue"
DIGEST = "digest"


@dataclass(frozen=True)
class NoticePolicy:
    """An agency's notice settings (``NoticeSettingsRecorded``; these defaults without)."""

    windows: tuple[int, ...] = DEFAULT_WINDOWS
    remind_on_leave: bool = False
    digest: str = "weekly"  # daily, weekly, off
    digest_weekday: int = 0  # Monday
    webhook_url: str = ""
    allow_extra_recipients: bool = False


@dataclass(frozen=True)
class OpenItem:
    """One person's open requirement on the day asked."""

    employee_id: str
    name: str
    person_status: str
    requirement: str  # pack/requirement id
    title: str
    status: str
    deadline: date
    source: str = "requirement"

    def line(self) -> str:
        """How a digest lists it (tab-separated, parsed back by the renderer): a
        requirement in five fields, a credential or policy with its source as a sixth."""
        fields = [self.employee_id, self.name, self.title, self.deadline.isoformat(), self.status]
        if self.source != "requirement":
            fields.append(self.source)
        return "\t".join(fields)


def source_of(requirement: str) -> str:
    """What a notice's ``requirement`` is: ``credential``, ``policy`` or ``requirement``
    (a rule pack's ``pack/requirement``; empty for a digest)."""
    prefix, colon, _ = requirement.partition(":")
    return prefix if colon and prefix in {"credential", "policy"} else "requirement"


def notice_label(requirement: str, title: str) -> str:
    """What a notice is about, in words: "Firearms qualification (Glock 17, serial A1)
    expiry", "acknowledge Use of force v3", a requirement's title."""
    what = title or requirement
    source = source_of(requirement)
    if source == "credential":
        return f"{what} expiry"
    if source == "policy":
        return f"acknowledge {what}"
    return what or "the agency's digest"


def notice_about(requirement: str, title: str, deadline: date | None) -> str:
    """The label with its deadline: "Firearms qualification (Glock 17, serial A1) expires
    2025-03-09", "acknowledge Use of force v3 by 2025-01-16", "Firearms training,
    deadline 2025-12-31"."""
    if deadline is None or not requirement:
        return notice_label(requirement, title)
    day = deadline.isoformat()
    source = source_of(requirement)
    if source == "credential":
        return f"{title or requirement} expires {day}"
    if source == "policy":
        return f"acknowledge {title or requirement} by {day}"
    return f"{title or requirement}, deadline {day}"


@dataclass(frozen=True)
class Directory:
    """Who is told: each person's own address (and extra recipients they added, where the
    agency allows), the supervisors' addresses by unit, the coordinators' addresses, and
    the people who opted into the digest besides the coordinators."""

    person_email: Mapping[str, str]
    unit_of: Mapping[str, str]
    supervisors: Mapping[str, tuple[str, ...]]
    coordinators: tuple[str, ...]
    extra_recipients: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    digest_subscribers: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeIntent:
    key: str
    kind: str  # reminder, overdue, escalation, digest
    channel: str  # email, webhook
    recipient: str
    recipient_role: str  # person, extra, supervisor, coordinator, subscriber, webhook
    employee_id: str
    person_name: str
    requirement: str
    title: str
    deadline: date | None
    window: str
    mandatory: bool
    lines: tuple[str, ...] = ()


def window_for(windows: Sequence[int], deadline: date, today: date, status: str) -> str | None:
    """The window ``today`` is in for a requirement due on ``deadline``: ``overdue`` once
    its status is non-compliant, else the smallest window the deadline is within, else
    None (too far away, or the deadline is past and the engine does not call it overdue)."""
    if status == "non_compliant":
        return OVERDUE
    days_left = (deadline - today).days
    if days_left < 0:
        return None
    within = [w for w in windows if days_left <= w]
    return str(min(within)) if within else None


def _reminded(item: OpenItem, policy: NoticePolicy) -> bool:
    if item.person_status in NOT_REMINDED or item.status not in OPEN_STATUSES:
        return False
    return item.person_status != "leave" or policy.remind_on_leave


def _key(agency: str, *parts: object) -> str:
    return "|".join((agency, *(str(p) for p in parts)))


def notices_due(
    agency: str,
    items: Iterable[OpenItem],
    directory: Directory,
    policy: NoticePolicy,
    today: date,
) -> list[NoticeIntent]:
    """Every notice due on ``today`` for ``agency``'s open items, in a stable order."""
    found: list[NoticeIntent] = []
    digest_items: list[OpenItem] = []
    largest = max(policy.windows, default=0)
    for item in items:
        if not _reminded(item, policy):
            continue
        window = window_for(policy.windows, item.deadline, today, item.status)
        if window is None:
            continue
        if window == OVERDUE and (today - item.deadline).days > largest:
            # A deadline missed longer ago than the largest window (before the agency
            # used muster, say) is not announced now: the digest lists it.
            digest_items.append(item)
            continue
        if window == OVERDUE or (item.deadline - today).days <= largest:
            digest_items.append(item)
        found.extend(_person_notices(agency, item, window, directory, policy))
        if window == OVERDUE:
            found.extend(_escalations(agency, item, directory))
    found.extend(_digests(agency, digest_items, directory, policy, today))
    return sorted(found, key=lambda n: n.key)


def _notice(
    agency: str,
    item: OpenItem,
    window: str,
    kind: str,
    channel: str,
    to: str,
    role: str,
    *,
    mandatory: bool,
) -> NoticeIntent:
    return NoticeIntent(
        key=_key(
            agency,
            kind,
            channel,
            role,
            to,
            item.employee_id,
            item.requirement,
            item.deadline.isoformat(),
            window,
        ),
        kind=kind,
        channel=channel,
        recipient=to,
        recipient_role=role,
        employee_id=item.employee_id,
        person_name=item.name,
        requirement=item.requirement,
        title=item.title,
        deadline=item.deadline,
        window=window,
        mandatory=mandatory,
    )


def _person_notices(
    agency: str, item: OpenItem, window: str, directory: Directory, policy: NoticePolicy
) -> list[NoticeIntent]:
    kind = "overdue" if window == OVERDUE else "reminder"
    notices = []
    own = directory.person_email.get(item.employee_id, "")
    if own:
        notices.append(_notice(agency, item, window, kind, "email", own, "person", mandatory=True))
    if policy.allow_extra_recipients:
        for extra in directory.extra_recipients.get(item.employee_id, ()):
            if extra != own:
                notices.append(
                    _notice(agency, item, window, kind, "email", extra, "extra", mandatory=False)
                )
    if policy.webhook_url:
        notices.append(
            _notice(
                agency, item, window, kind, "webhook", policy.webhook_url, "webhook", mandatory=True
            )
        )
    return notices


def _escalations(agency: str, item: OpenItem, directory: Directory) -> list[NoticeIntent]:
    unit = directory.unit_of.get(item.employee_id, "")
    told: list[NoticeIntent] = []
    seen: set[str] = set()
    for role, addresses in (
        ("supervisor", directory.supervisors.get(unit, ())),
        ("coordinator", directory.coordinators),
    ):
        for address in addresses:
            if address in seen:
                continue
            seen.add(address)
            told.append(
                _notice(agency, item, OVERDUE, "escalation", "email", address, role, mandatory=True)
            )
    return told


def _digests(
    agency: str,
    items: list[OpenItem],
    directory: Directory,
    policy: NoticePolicy,
    today: date,
) -> list[NoticeIntent]:
    if not items or policy.digest == "off":
        return []
    if policy.digest == "weekly" and today.weekday() != policy.digest_weekday:
        return []
    ordered = sorted(items, key=lambda i: (i.status != "non_compliant", i.deadline, i.employee_id))
    lines = tuple(item.line() for item in ordered)
    recipients = [(a, "coordinator") for a in directory.coordinators]
    recipients += [(a, "subscriber") for a in directory.digest_subscribers]
    seen: set[str] = set()
    digests = []
    for address, role in recipients:
        if address in seen:
            continue
        seen.add(address)
        digests.append(
            NoticeIntent(
                key=_key(agency, DIGEST, "email", role, address, today.isoformat()),
                kind=DIGEST,
                channel="email",
                recipient=address,
                recipient_role=role,
                employee_id="",
                person_name="",
                requirement="",
                title="",
                deadline=today,
                window=DIGEST,
                mandatory=role == "coordinator",
                lines=lines,
            )
        )
    return digests
