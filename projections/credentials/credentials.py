"""The credential track: ``evaluate_credentials(programme, history, facts, as_of)``.

Pure: no I/O, no clock; expiry is computed here from the facts, never recorded. For each
credential type the version in force on ``as_of`` says who must hold it and how early to
warn; the version in force on the day a credential was earned says how long it lasts
(so a later version never changes how an earlier day is judged). Earned by a passed
attempt or a grant (a failed attempt earns nothing), or for a type earned by training
hours on the day the hours in its topics are met (``projections.credentials.hours``); a
per-weapon type is held per weapon, matched by serial, for each weapon of its classes the
person carries that day.

Validity: ``months`` N: through the day before the same date N months after it was earned
(earned within ``renewal_days`` before the current expiry: N months after that expiry, so
early requalification loses no time); ``end_of_next_year``: through 31 December of the next
year; ``certificate``: through the certificate's expiry. A suspension in force makes it not
valid until reinstated; a revocation voids everything earned before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from projections.credentials.facts import CredentialFacts
from projections.credentials.hours import add_months, hours_earnings, hours_progress
from projections.credentials.programme import CredentialTypeVersion, Programme
from projections.credentials.tracks import TrackItem, in_audience
from projections.person_history import PersonHistory
from projections.status import StatusCode

__all__ = ["add_months", "evaluate_credentials"]


@dataclass(frozen=True)
class _Earning:
    on: date
    source: str  # words for the reason
    expires_on: date | None  # a certificate's own expiry


def evaluate_credentials(
    programme: Programme, history: PersonHistory, facts: CredentialFacts, as_of: date
) -> list[TrackItem]:
    """One item per credential the person must hold on ``as_of``."""
    items: list[TrackItem] = []
    for type_id in programme.type_ids:
        version = programme.type_on(type_id, as_of)
        if version is None or version.retired:
            continue
        if not in_audience(version.holders, history, facts.employee_id, as_of):
            continue
        if not version.per_weapon:
            items.append(_judge(programme, version, facts, as_of, "", history))
            continue
        carried = sorted(
            w.serial
            for w in facts.weapons
            if w.carried_on(as_of) and w.weapon_class in version.weapon_classes
        )
        items.extend(
            _judge(programme, version, facts, as_of, serial, history) for serial in carried
        )
    return items


def _judge(
    programme: Programme,
    version: CredentialTypeVersion,
    facts: CredentialFacts,
    as_of: date,
    serial: str,
    history: PersonHistory,
) -> TrackItem:
    type_id = version.type_id
    item_id = f"{type_id}[{serial}]" if serial else type_id
    title = f"{version.name} ({serial})" if serial else version.name

    def done(status: StatusCode, until: date | None, *reasons: str) -> TrackItem:
        return TrackItem(
            "credential",
            item_id,
            title,
            status,
            until,
            version.label,
            tuple(r for r in reasons if r),
        )

    actions = sorted(
        (
            a
            for a in facts.actions
            if a.type_id == type_id and a.serial in {"", serial} and a.on <= as_of
        ),
        key=lambda a: a.on,
    )
    revoked_on = max((a.on for a in actions if a.action == "revoke"), default=None)
    earnings = _earnings(facts, type_id, serial, as_of, revoked_on)
    by_hours = hours_earnings(programme, type_id, history, as_of, revoked_on) if not serial else []
    if by_hours:
        earnings = sorted(
            [*earnings, *(_Earning(e.on, e.source, None) for e in by_hours)], key=lambda e: e.on
        )
    failed = _last_failure(facts, type_id, serial, as_of)
    last_used = by_hours[-1].on if by_hours else None
    if last_used is None and revoked_on is not None:
        last_used = revoked_on - timedelta(days=1)
    progress = "" if serial else hours_progress(programme, type_id, history, as_of, last_used)
    if not earnings:
        if revoked_on is not None:
            return done(
                "non_compliant", None, f"revoked on {revoked_on.isoformat()}", failed, progress
            )
        if progress:
            return done("non_compliant", None, f"never earned: {progress}")
        return done("non_compliant", None, "never earned", failed)
    valid_through, basis = _validity(programme, version, earnings)
    toward = f"toward renewal: {progress}" if progress else ""
    if valid_through < as_of:
        return done(
            "non_compliant",
            valid_through,
            f"expired: valid through {valid_through.isoformat()} ({basis})",
            failed,
            toward,
        )
    suspension = next((a for a in reversed(actions) if a.action in {"suspend", "reinstate"}), None)
    if suspension is not None and suspension.action == "suspend":
        return done(
            "non_compliant",
            valid_through,
            f"suspended from {suspension.on.isoformat()}: {suspension.reason}",
        )
    if (valid_through - as_of).days < version.warning_days:
        return done(
            "due_soon",
            valid_through,
            f"valid through {valid_through.isoformat()} ({basis})",
            toward,
        )
    return done("compliant", valid_through, f"valid through {valid_through.isoformat()} ({basis})")


def _earnings(
    facts: CredentialFacts, type_id: str, serial: str, as_of: date, revoked_on: date | None
) -> list[_Earning]:
    found = [
        _Earning(a.on, f"passed on {a.on.isoformat()}, instructor {a.instructor}", None)
        for a in facts.attempts
        if a.type_id == type_id and a.passed and a.serial == serial and a.on <= as_of
    ] + [
        _Earning(g.on, f"granted on {g.on.isoformat()}", g.expires_on)
        for g in facts.grants
        if g.type_id == type_id and g.serial == serial and g.on <= as_of
    ]
    if revoked_on is not None:
        found = [e for e in found if e.on >= revoked_on]
    return sorted(found, key=lambda e: e.on)


def _last_failure(facts: CredentialFacts, type_id: str, serial: str, as_of: date) -> str:
    tried = [
        a for a in facts.attempts if a.type_id == type_id and a.serial == serial and a.on <= as_of
    ]
    last = max(tried, key=lambda a: a.on, default=None)
    if last is None or last.passed:
        return ""
    score = f", score {last.score}" if last.score is not None else ""
    return f"last attempt on {last.on.isoformat()} failed{score}"


def _validity(
    programme: Programme, current: CredentialTypeVersion, earnings: list[_Earning]
) -> tuple[date, str]:
    """The last valid day after every earning, in order, and the earning it rests on."""
    through: date | None = None
    basis = ""
    for earning in earnings:
        version = programme.type_on(current.type_id, earning.on)
        if version is None or version.retired:
            version = programme.first_version(current.type_id) or current
        end = _valid_through(version, earning, through)
        if through is None or end >= through:
            through, basis = end, f"{earning.source}, under {version.label}"
    assert through is not None
    return through, basis


def _valid_through(version: CredentialTypeVersion, earning: _Earning, current: date | None) -> date:
    if earning.expires_on is not None:
        return earning.expires_on
    if version.validity == "end_of_next_year":
        return date(earning.on.year + 1, 12, 31)
    if version.validity == "certificate":
        return earning.on  # a certificate type granted without an expiry: that day only
    start = earning.on
    renewing = (
        current is not None
        and version.renewal_days > 0
        and current - timedelta(days=version.renewal_days) <= earning.on <= current
    )
    if renewing:
        assert current is not None
        start = current + timedelta(days=1)
    return add_months(start, version.validity_months) - timedelta(days=1)
