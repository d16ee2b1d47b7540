"""Each agency's IANA time zone: recorded on the agency, or its state's default.

An agency's day (the default ``as_of``, a bare-date ``known_at``) is its local day: at
7 pm on 31 December in Minnesota it is still 31 December, though it is 1 January in UTC.
The default is the zone that most of the state keeps (IANA tz database, ``zone1970.tab``);
an agency in a part of a state that keeps another (El Paso, TX: America/Denver; Malheur
County, OR: America/Boise; north-west Indiana: America/Chicago) records its own.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ledger.errors import InvalidValueError

__all__ = ["STATE_TIME_ZONES", "default_time_zone", "local_date", "time_zone", "zone_info"]

# The states the shipped rule packs cover (``ledger/rule_packs/``).
STATE_TIME_ZONES = {
    "US-CA": "America/Los_Angeles",
    "US-IN": "America/Indiana/Indianapolis",
    "US-MN": "America/Chicago",
    "US-OH": "America/New_York",
    "US-OR": "America/Los_Angeles",
    "US-TX": "America/Chicago",
}


def default_time_zone(jurisdiction: str) -> str | None:
    """The state's default zone, or None where the ledger knows none (then the agency
    must record its own)."""
    return STATE_TIME_ZONES.get(jurisdiction)


def time_zone(name: str) -> str:
    """An IANA zone name as given (``America/Chicago``), or InvalidValueError."""
    name = name.strip()
    # available_timezones() rather than ZoneInfo alone: ZoneInfo also opens file paths.
    if name not in _zones():
        raise InvalidValueError(
            f"time zone {name!r}: use an IANA name such as America/Chicago"
        ) from None
    return name


def local_date(moment: datetime, zone: str) -> date:
    """The calendar day ``moment`` falls on where the agency keeps its days (``zone``
    empty: UTC): the effective date of a fact recorded now, such as an import."""
    return moment.astimezone(zone_info(zone or "UTC")).date()


def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError(f"time zone {name!r} is not known here") from None


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES
