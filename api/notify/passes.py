"""One notification pass for one agency on one day: read the answers of the day, decide
the notices due (``projections.notify``), record the new decisions, then send every notice
decided and not yet delivered, recording each attempt.

Order is what makes it exactly-once-recorded: a decision is recorded before anything is
sent, so a crash after deciding leaves a recorded notice without a delivery, which the
next pass sends (never dropped); a crash after sending and before recording the delivery
sends it again with the same Message-ID (at least once; a receiver dedupes). The whole
pass holds the store's notification lease (``replay.notice_lease``), so two passes at once
never both send: the second waits, then finds nothing left to send.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from api.notify.channels import Channels, DeliveryError
from api.notify.messages import message_digest, render
from api.notify.own_tracks import own_open_items
from ledger.account import Role
from ledger.accounts import list_accounts
from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.errors import NotFoundError
from ledger.notice import NoticeDelivered, NoticeDeliveryFailed, notice_id_for
from ledger.notice_cases import (
    attempt_event,
    decide_notices,
    notice_preferences,
    notice_settings,
    notices_to_send,
    record_attempts,
    recorded_notices,
)
from ledger.person import PersonEnrolled, person_id_for
from ledger.unit_of_work import UnitOfWork
from projections.notify import Directory, NoticeIntent, NoticePolicy, OpenItem, notices_due
from replay.asof import roster
from replay.notice_lease import notify_lease

__all__ = ["FLUSH_EVERY", "FLUSH_SECONDS", "PassReport", "open_items", "policy_for", "run_pass"]

# Delivery attempts are recorded every FLUSH_EVERY sends or FLUSH_SECONDS, whichever first:
# one transaction per send cost more than the sending; a crash after sending and before
# the flush sends those again (same Message-ID), never more.
FLUSH_EVERY = 50
FLUSH_SECONDS = 2.0


@dataclass(frozen=True)
class PassReport:
    agency: str
    today: date
    decided: int
    delivered: int
    failed: int


def policy_for(ledger: Ledger, agency_id: Any) -> NoticePolicy:
    recorded = notice_settings(ledger, agency_id)
    if recorded is None:
        return NoticePolicy()
    return NoticePolicy(
        windows=tuple(recorded.windows),
        remind_on_leave=recorded.remind_on_leave,
        digest=recorded.digest,
        digest_weekday=recorded.digest_weekday,
        webhook_url=recorded.webhook_url,
        allow_extra_recipients=recorded.allow_extra_recipients,
    )


def open_items(ledger: Ledger, slug: str, today: date) -> list[OpenItem]:
    """Every person's requirements with a deadline on ``today``, as the roster answers
    them (the tracked model when it is at that day, else the memo or an evaluation), and
    their credentials' expiries and policy acknowledgements due (``own_tracks``)."""
    answer = roster(ledger, slug, today)
    titles: dict[tuple[str, str], str] = {}
    for label, version in answer["rule_versions"].items():
        pack = label.partition("@")[0]
        for requirement_id, requirement in version["requirements"].items():
            titles.setdefault((pack, requirement_id), requirement["title"])
    items = []
    names: dict[str, str] = {}
    for person in answer["people"]:
        names[person["employee_id"]] = person["name"]
        for r in person["compliance"].get("requirements", []):
            if not r.get("deadline"):
                continue
            items.append(
                OpenItem(
                    employee_id=person["employee_id"],
                    name=person["name"],
                    person_status=person["person_status"],
                    requirement=f"{r['pack_id']}/{r['requirement_id']}",
                    title=titles.get((r["pack_id"], r["requirement_id"]), r["requirement_id"]),
                    status=r["status"],
                    deadline=date.fromisoformat(r["deadline"]),
                )
            )
    return items + own_open_items(ledger, slug, today, names)


class _Loaded:
    """People's facts, read from their streams only when asked (a pass asks for the few
    people with a notice due, not the whole agency): the address from the enrolment (the
    stream's first event, which alone records it), the unit from the whole stream (only
    for an escalation to a unit's supervisors)."""

    def __init__(self, ledger: Ledger, slug: str) -> None:
        self._ledger, self._slug = ledger, slug
        self._agency_id = agency_id_for(slug)
        self._facts: dict[tuple[str, str], str | None] = {}

    def get(self, employee_id: str, field: str) -> str | None:
        key = (employee_id, field)
        if key not in self._facts:
            self._facts[key] = self._read(employee_id, field)
        return self._facts[key]

    def _read(self, employee_id: str, field: str) -> str | None:
        if field == "email":
            stream = person_id_for(self._agency_id, employee_id)
            first = self._ledger.recorder.select_events(stream, limit=1)
            if not first:
                return None
            enrolled = self._ledger.mapper.to_domain_event(first[0])
            return enrolled.email if isinstance(enrolled, PersonEnrolled) else None
        try:
            person = UnitOfWork(self._ledger).person(self._slug, employee_id)
        except NotFoundError:
            return None
        return str(getattr(person, field))


class _Fact(Mapping[str, str]):
    """One fact of each person (``email`` or ``unit``), with overrides by employee id."""

    def __init__(self, loaded: _Loaded, field: str, override: Mapping[str, str]) -> None:
        self._loaded, self._field, self._override = loaded, field, override

    def __getitem__(self, employee_id: str) -> str:
        if employee_id in self._override:
            return self._override[employee_id]
        value = self._loaded.get(employee_id, self._field)
        if value is None:
            raise KeyError(employee_id)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._override)

    def __len__(self) -> int:
        return len(self._override)


def directory_for(ledger: Ledger, slug: str, today: date) -> Directory:
    """Addresses from the people's records and from the accounts with grants in force in
    the agency on ``today``: officers (their own account's address before the one on their
    record), supervisors by unit, coordinators."""
    supervisors: dict[str, list[str]] = {}
    coordinators: list[str] = []
    officer_email: dict[str, str] = {}
    for account in list_accounts(ledger):
        if not account.email:
            continue
        for grant in account.grants_at(None, today):
            if grant.agency != slug:
                continue
            if grant.role == Role.SUPERVISOR:
                supervisors.setdefault(grant.unit, []).append(account.email)
            elif grant.role == Role.COORDINATOR:
                coordinators.append(account.email)
            elif grant.role == Role.OFFICER:
                officer_email[grant.employee_id] = account.email
    loaded = _Loaded(ledger, slug)
    person_email = _Fact(loaded, "email", officer_email)
    preferences = notice_preferences(ledger, ledger.get_agency(slug).id)
    return Directory(
        person_email=person_email,
        unit_of=_Fact(loaded, "unit", {}),
        supervisors={unit: tuple(sorted(set(a))) for unit, a in supervisors.items()},
        coordinators=tuple(sorted(set(coordinators))),
        extra_recipients={p.employee_id: tuple(p.extra_recipients) for p in preferences},
        digest_subscribers=tuple(
            sorted(
                {person_email.get(p.employee_id, "") for p in preferences if p.digest_opt_in} - {""}
            )
        ),
    )


def _fields(intent: NoticeIntent, slug: str) -> dict[str, Any]:
    fields = asdict(intent)
    fields["notice_key"] = fields.pop("key")
    fields["lines"] = list(intent.lines)
    fields["message_digest"] = message_digest(render(slug, fields))
    return fields


def run_pass(
    ledger: Ledger,
    slug: str,
    today: date,
    channels: Channels,
    *,
    actor: str = "system:notify",
    lease_timeout: float = 60.0,
    after_decide: Callable[[], None] | None = None,
) -> PassReport:
    """One pass for ``slug`` on ``today`` (``after_decide``: a test's crash point)."""
    with notify_lease(ledger.database, lease_timeout):
        agency = ledger.get_agency(slug)
        intents = notices_due(
            slug,
            open_items(ledger, slug, today),
            directory_for(ledger, slug, today),
            policy_for(ledger, agency.id),
            today,
        )
        wanted = {notice_id_for(i.key): i for i in intents}
        known = recorded_notices(ledger, list(wanted))  # once: not once per notice
        new = [i for n, i in wanted.items() if n not in known]
        decided = decide_notices(
            ledger, agency.id, today, [_fields(i, slug) for i in new], actor=actor
        )
        if after_decide is not None:
            after_decide()
        delivered = failed = 0
        attempts: list[NoticeDelivered | NoticeDeliveryFailed] = []
        last_flush = time.monotonic()
        for record in notices_to_send(ledger, agency.id, ledger.clock()):
            fields = {k: getattr(record.decided, k) for k in _DECIDED_FIELDS}
            message = render(slug, fields)
            try:
                if message_digest(message) != record.decided.message_digest:
                    raise DeliveryError("the message no longer renders as decided")
                sent = channels.get(record.decided.channel).send(
                    str(record.id),
                    record.decided.recipient,
                    message,
                    _payload(fields, slug),
                    time.time(),
                )
            except DeliveryError as error:
                attempts.append(
                    attempt_event(record, at=ledger.clock(), actor=actor, error=str(error))
                )
                failed += 1
            else:
                attempts.append(
                    attempt_event(record, at=ledger.clock(), actor=actor, message_id=sent)
                )
                delivered += 1
            # Attempts are recorded in small units: a crash resends at most these.
            if len(attempts) >= FLUSH_EVERY or time.monotonic() - last_flush > FLUSH_SECONDS:
                record_attempts(ledger, attempts)
                attempts, last_flush = [], time.monotonic()
        record_attempts(ledger, attempts)
    return PassReport(slug, today, len(decided), delivered, failed)


_DECIDED_FIELDS = (
    "notice_key",
    "kind",
    "channel",
    "recipient",
    "recipient_role",
    "employee_id",
    "person_name",
    "requirement",
    "title",
    "deadline",
    "window",
    "mandatory",
    "lines",
    "message_digest",
)


def _payload(fields: dict[str, Any], slug: str) -> dict[str, Any]:
    """What a webhook receives besides the message: the notice's facts."""
    payload = {k: v for k, v in fields.items() if k not in {"lines", "message_digest"}}
    payload["deadline"] = fields["deadline"].isoformat() if fields["deadline"] else None
    payload["agency"] = slug
    return payload
