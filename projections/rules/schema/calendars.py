"""The calendars a pack may declare: fixed statewide windows, licence periods,
certification cohorts and rolling windows (their meaning: ``projections.rules.calendars``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from projections.rules.schema.common import CitedModel, Confidence, MonthDay

__all__ = [
    "Calendar",
    "CohortCalendar",
    "FixedCalendar",
    "LicensePeriodCalendar",
    "RollingCalendar",
]


class FixedCalendar(CitedModel):
    """Statewide windows of ``length_years`` counted from ``epoch`` (both directions)."""

    kind: Literal["fixed"]
    epoch: date
    length_years: int = Field(ge=1, le=10)


class LicensePeriodCalendar(CitedModel):
    """Per-officer licence periods derived from the recorded licence period ends."""

    kind: Literal["license_period"]
    length_years: int = Field(ge=1, le=10)
    period_end: MonthDay
    first_period_note: str | None = None
    first_period_confidence: Confidence = "verified"


class CohortCalendar(CitedModel):
    """Cycles from the certification date: certified on or before ``split`` (month/day) →
    the cycle starts Jan 1 of that year, otherwise Jan 1 of the next year."""

    kind: Literal["cohort"]
    length_years: int = Field(ge=1, le=10)
    split: MonthDay


class RollingCalendar(CitedModel):
    """``length_years`` from the last time the requirement was met; the first deadline is
    ``length_years`` after ``first_due_from``."""

    kind: Literal["rolling"]
    length_years: int = Field(ge=1, le=10)
    first_due_from: Literal["licensed_on", "hired_on", "certified_on"] = "licensed_on"


Calendar = Annotated[
    FixedCalendar | LicensePeriodCalendar | CohortCalendar | RollingCalendar,
    Field(discriminator="kind"),
]
