"""The requirements a version may state, by kind (hours, pools, course lists, one-time
mandates, credentials valid at all times), and the matches that say which records count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from projections.rules.schema.common import (
    CitedModel,
    Confidence,
    Hours,
    Identifier,
    SchemaModel,
)

__all__ = [
    "CompleteOnceRequirement",
    "CoursesRequirement",
    "HoursRequirement",
    "Match",
    "MemberMinimum",
    "PoolChoice",
    "PoolRequirement",
    "Requirement",
    "RequirementBase",
    "ValidAtAllTimesRequirement",
]


class Match(SchemaModel):
    """Which records an item or requirement accepts: by POST course number, by tag, or by
    canonical topic. A record matches when any given list matches.

    ``extra_windows_back`` (an item of a ``courses`` requirement only): this item may also
    have been completed in that many windows before the window judged, the allowance the
    rule gives one named course ("#470/#4070 if not completed in the 2021-23 unit").
    """

    label: str = ""
    courses: list[str] = []
    tags: list[str] = []
    topics: list[Identifier] = []
    extra_windows_back: int = Field(default=0, ge=0, le=3)

    @model_validator(mode="after")
    def _not_empty(self) -> Match:
        if not (self.courses or self.tags or self.topics):
            raise ValueError("give at least one of courses, tags or topics")
        return self


class RequirementBase(CitedModel):
    id: Identifier
    title: str = Field(min_length=1)
    population: list[Identifier] = Field(min_length=1)
    consequence: str | None = None
    # Windows that started before the person's licensing date do not count (TX 218.3(n)).
    proration: Literal["none", "first_complete_window"] = "none"
    # The window containing the basic-training completion date is exempt (OH 109:2-18-02).
    exempt_year_of_basic: bool = False
    # Windows that start before the person's first window of this calendar do not apply.
    not_before_calendar: Identifier | None = None
    # Said (with its confidence) when the person was hired or licensed inside the window:
    # the open question of what a newcomer owes in a first, partial window.
    first_window_note: str | None = None
    first_window_confidence: Confidence = "uncertain"


class HoursRequirement(RequirementBase):
    """At least ``min_hours`` in each window. With ``topics`` only hours in those topics
    count; with ``courses``/``tags`` matching records count in full; ``deliveries`` limits
    the delivery modes accepted."""

    kind: Literal["hours"]
    window: Identifier
    min_hours: Hours
    topics: list[Identifier] = []
    courses: list[str] = []
    tags: list[str] = []
    deliveries: list[str] = []


class MemberMinimum(SchemaModel):
    hours: Hours
    source: list[Identifier] = []
    confidence: Confidence = "verified"
    note: str | None = None


class PoolChoice(SchemaModel):
    """At least ``k`` of ``of`` must each reach ``each_min`` hours ("choose 3 of 6")."""

    k: int = Field(ge=1)
    of: list[Identifier] = Field(min_length=1)
    each_min: Hours
    source: list[Identifier] = []
    confidence: Confidence = "verified"
    note: str | None = None


class PoolRequirement(RequirementBase):
    """Named per-topic minimums inside a pooled total; the rest is elective.

    ``total_from: members`` counts only member topics toward ``min_total``;
    ``total_from: all`` counts every creditable hour, so excess topic hours spill into
    general hours (OH 2023).
    """

    kind: Literal["pool"]
    window: Identifier
    min_total: Hours
    members: list[Identifier] = Field(min_length=1)
    per_member_min: dict[Identifier, MemberMinimum] = {}
    choose: PoolChoice | None = None
    total_from: Literal["members", "all"] = "members"

    @model_validator(mode="after")
    def _consistent(self) -> PoolRequirement:
        outside = sorted(set(self.per_member_min) - set(self.members))
        if outside:
            raise ValueError(f"per_member_min names topics that are not members: {outside}")
        named = sum((m.hours for m in self.per_member_min.values()), Decimal(0))
        if self.total_from == "members" and named > self.min_total:
            raise ValueError(f"per-member minimums ({named}) exceed min_total ({self.min_total})")
        if self.choose and set(self.choose.of) - set(self.members):
            raise ValueError("choose.of names topics that are not members")
        return self


class CoursesRequirement(RequirementBase):
    """Each item must be completed at least once in the window. An item's own
    ``extra_windows_back`` also accepts its completions in that many windows before ("if
    not completed in the previous unit", said of one course); the requirement's
    ``extra_windows_back`` gives that allowance to every item (only where the rule says so
    of all of them)."""

    kind: Literal["courses"]
    window: Identifier
    complete_each: list[Match] = Field(min_length=1)
    extra_windows_back: int = Field(default=0, ge=0, le=3)


class CompleteOnceRequirement(RequirementBase):
    """Each item completed at least once by ``due`` (completions from ``counts_from``,
    or ever when it is not given)."""

    kind: Literal["complete_once"]
    due: date
    counts_from: date | None = None
    complete_each: list[Match] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_windows_back(self) -> CompleteOnceRequirement:
        if any(item.extra_windows_back for item in self.complete_each):
            raise ValueError("extra_windows_back is only meaningful for a courses requirement")
        return self


class ValidAtAllTimesRequirement(RequirementBase):
    """A credential (e.g. First Aid/CPR) whose record must be unexpired on the day asked."""

    kind: Literal["valid_at_all_times"]
    credential: Match

    @model_validator(mode="after")
    def _no_windows_back(self) -> ValidAtAllTimesRequirement:
        if self.credential.extra_windows_back:
            raise ValueError("extra_windows_back is only meaningful for a courses requirement")
        return self


Requirement = Annotated[
    HoursRequirement
    | PoolRequirement
    | CoursesRequirement
    | CompleteOnceRequirement
    | ValidAtAllTimesRequirement,
    Field(discriminator="kind"),
]
