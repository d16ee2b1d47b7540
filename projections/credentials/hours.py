"""Credentials earned by training hours in topics: when they were earned, and how far the
person is toward the next earning. Pure: no I/O, no clock.

A version ``earned_by = "training_hours"`` needs ``hours_required`` hours of completed
training in ``topics`` (each record counts its hours in those topics, as a state rule pack's
topic requirement counts them) with completion dates inside the ``hours_window_months``
months ending on a day: the window ending on D runs from the day after the same date N
months before D through D. The records are the person's live records as known at the
answer's ``known_at`` (a voided record is gone, a corrected one has its corrected date and
hours: ``projections.history``).

The credential is earned on the first day the hours are met, judged by the version in force
that day (before the first version: by the first version; a retired type earns nothing).
Hours are used once: an earning uses every hour completed by its day, so the next earning
counts only training completed after it, and after a revocation only training completed
from the revocation day on counts. The hours can be met only on a day a record with hours
in the topics was completed or a version took effect, so only those days are tried."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from projections.credentials.programme import CredentialTypeVersion, Programme
from projections.person_history import PersonHistory

__all__ = ["HoursEarning", "add_months", "hours_earnings", "hours_progress", "hours_text"]

_ZERO = Decimal(0)
_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier, for a negative number; the month's last
    day where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def hours_text(value: Decimal) -> str:
    """16, 12.5 (never 16.00 or 1.6E+1)."""
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class HoursEarning:
    on: date
    counted: Decimal
    version: CredentialTypeVersion  # the version whose hours were met

    @property
    def source(self) -> str:
        """Words for the reason: "16 of 16 hours in firearms met on 2026-03-01"."""
        return f"{_progress_words(self.version, self.counted)} met on {self.on.isoformat()}"


def _progress_words(version: CredentialTypeVersion, counted: Decimal) -> str:
    assert version.hours_required is not None
    return (
        f"{hours_text(counted)} of {hours_text(version.hours_required)} hours in "
        f"{', '.join(version.topics)}"
    )


def _version_for(programme: Programme, type_id: str, day: date) -> CredentialTypeVersion | None:
    """The hours version judging ``day``, if the type is earned by hours then."""
    version = programme.type_on(type_id, day)
    if version is None:
        version = programme.first_version(type_id)
    if version is None or version.retired or not version.by_hours:
        return None
    return version


def _window_start(version: CredentialTypeVersion, day: date, after: date | None) -> date:
    start = add_months(day, -version.hours_window_months) + _DAY
    return start if after is None or after < start else after + _DAY


def _counted(
    version: CredentialTypeVersion, history: PersonHistory, day: date, after: date | None
) -> Decimal:
    """Hours in the version's topics completed in the window ending on ``day``, after
    ``after`` (the day the hours were last used)."""
    total = _ZERO
    for record in history.records_between(_window_start(version, day, after), day):
        for topic in version.topics:
            total += record.topic_hours.get(topic, _ZERO)
    return total


def hours_earnings(
    programme: Programme,
    type_id: str,
    history: PersonHistory,
    as_of: date,
    since: date | None,
) -> list[HoursEarning]:
    """Every day by ``as_of`` the type's hours were met (counting training completed on or
    after ``since``, a revocation's day, when given), in order."""
    topics = {
        t for v in programme.type_versions if v.type_id == type_id and v.by_hours for t in v.topics
    }
    if not topics:
        return []
    days = {
        r.completed_on
        for r in history.records_between(since, as_of)
        if any(r.topic_hours.get(t) for t in topics)
    }
    days |= {
        v.effective_from
        for v in programme.type_versions
        if v.type_id == type_id
        and v.effective_from <= as_of
        and (since is None or since <= v.effective_from)
    }
    last = None if since is None else since - _DAY
    found: list[HoursEarning] = []
    for day in sorted(days):
        version = _version_for(programme, type_id, day)
        if version is None:
            continue
        assert version.hours_required is not None
        counted = _counted(version, history, day, last)
        if counted >= version.hours_required:
            found.append(HoursEarning(day, counted, version))
            last = day
    return found


def hours_progress(
    programme: Programme,
    type_id: str,
    history: PersonHistory,
    as_of: date,
    last_used: date | None,
) -> str:
    """How far the person is toward the next earning on ``as_of`` (hours completed after
    ``last_used``, the last earning's day or the day before a revocation), by the version
    in force then: "12 of 16 hours in defensive_tactics, firearms by 2026-03-01 (training
    completed from 2025-03-02 counts)"; empty if the type is not earned by hours then."""
    version = _version_for(programme, type_id, as_of)
    if version is None:
        return ""
    counted = _counted(version, history, as_of, last_used)
    start = _window_start(version, as_of, last_used)
    return (
        f"{_progress_words(version, counted)} by {as_of.isoformat()} "
        f"(training completed from {start.isoformat()} counts)"
    )
