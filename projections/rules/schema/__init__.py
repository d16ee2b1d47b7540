"""The rule-pack schema: what a pack file may say, validated with pydantic v2.

A *pack file* (``PackFile``) is what a coordinator edits. A *rule version*
(``RuleVersion``) is one immutable version resolved against its pack: it carries copies of
exactly the sources, topics, populations and calendars it uses, so it can be hashed,
stored as one ledger event and evaluated on its own. Adding a topic or source for a new
version therefore never changes an older version's content or hash.

The parts: ``common`` (what every part shares), ``calendars``, ``requirements``,
``versions`` and ``packs``; everything is imported from here.
"""

from __future__ import annotations

from projections.rules.schema.calendars import (
    Calendar,
    CohortCalendar,
    FixedCalendar,
    LicensePeriodCalendar,
    RollingCalendar,
)
from projections.rules.schema.common import (
    CONFIDENCE_ORDER,
    ApplicabilityMode,
    Confidence,
    MonthDay,
    Population,
    Source,
    Topic,
)
from projections.rules.schema.packs import (
    PackFile,
    RuleVersion,
)
from projections.rules.schema.requirements import (
    CompleteOnceRequirement,
    CoursesRequirement,
    HoursRequirement,
    Match,
    MemberMinimum,
    PoolChoice,
    PoolRequirement,
    Requirement,
    ValidAtAllTimesRequirement,
)
from projections.rules.schema.versions import (
    Applicability,
    CreditExclusion,
    EarlierWindows,
    EnforcementOverride,
    Tolling,
    VersionSpec,
)

__all__ = [
    "CONFIDENCE_ORDER",
    "Applicability",
    "ApplicabilityMode",
    "Calendar",
    "CohortCalendar",
    "CompleteOnceRequirement",
    "Confidence",
    "CoursesRequirement",
    "CreditExclusion",
    "EarlierWindows",
    "EnforcementOverride",
    "FixedCalendar",
    "HoursRequirement",
    "LicensePeriodCalendar",
    "Match",
    "MemberMinimum",
    "MonthDay",
    "PackFile",
    "PoolChoice",
    "PoolRequirement",
    "Population",
    "Requirement",
    "RollingCalendar",
    "RuleVersion",
    "Source",
    "Tolling",
    "Topic",
    "ValidAtAllTimesRequirement",
    "VersionSpec",
]
