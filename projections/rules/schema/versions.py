"""One version of a pack's rules: its dates and applicability, requirements, credit
exclusions, tolling, enforcement overrides and the reading of windows before its start."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from projections.rules.schema.common import (
    ApplicabilityMode,
    CitedModel,
    Confidence,
    Identifier,
    SchemaModel,
    VersionId,
)
from projections.rules.schema.requirements import Requirement

__all__ = [
    "Applicability",
    "CreditExclusion",
    "EarlierWindows",
    "EnforcementOverride",
    "Tolling",
    "VersionSpec",
]


class Applicability(SchemaModel):
    """How a version claims a window (see docs/rule-packs.md).

    ``first_due`` (renewal mode only): windows ending on or after it; defaults to
    ``effective_from``.
    """

    mode: ApplicabilityMode
    first_due: date | None = None


class CreditExclusion(CitedModel):
    """Records (by tag or course) or topic hours that never count, for completions on or
    after ``effective_from``; ``requirements`` limits it to some requirement ids."""

    id: Identifier
    tags: list[str] = []
    topics: list[Identifier] = []
    courses: list[str] = []
    effective_from: date | None = None
    requirements: list[Identifier] = []


class Tolling(CitedModel):
    """What a recorded exemption of the given kinds does to a deadline.

    ``extend_by_overlap``: the deadline moves by the exempt days inside the window;
    ``extend_to_end``: an exemption covering the deadline moves it to the exemption's end
    (an open exemption suspends it); ``waive``: an exemption overlapping the window waives
    that window.
    """

    exemption_kinds: list[str] = Field(min_length=1)
    effect: Literal["extend_by_overlap", "extend_to_end", "waive"]
    requirements: list[Identifier] = []


class EnforcementOverride(CitedModel):
    """Deadlines inside [starts_on, ends_on] are still evaluated, but the consequence is
    replaced by ``action`` (OR 2020-2021: recorded, no suspension)."""

    starts_on: date
    ends_on: date
    action: str = Field(min_length=1)


class EarlierWindows(CitedModel):
    """The version's legal effective date is not known: ``effective_from`` is only the
    earliest date a source shows it in force (an archived page). Windows before it that no
    version claims are judged under this version, the best-sourced reading, and every such
    answer carries this ``confidence`` (default uncertain) and ``note``, so earlier cycles
    are never silently unbound. ``requirements`` limits it to some requirement ids;
    ``since`` is the earliest day covered, where a source gives one."""

    confidence: Confidence = "uncertain"
    note: str = Field(min_length=1)
    requirements: list[Identifier] = []
    since: date | None = None


class VersionSpec(CitedModel):
    id: VersionId
    effective_from: date
    effective_to: date | None = None
    applicability: Applicability
    summary: str = Field(min_length=1)
    requirements: list[Requirement] = []
    credit_exclusions: list[CreditExclusion] = []
    tolling: list[Tolling] = []
    enforcement_overrides: list[EnforcementOverride] = []
    earlier_windows: list[EarlierWindows] = []
    # A shipped version corrected after release: the same version id, a higher revision
    # and a note saying what changed (ledger.rule_pack.RuleVersionRevised).
    revision: int = Field(1, ge=1)
    revision_note: str | None = Field(None, min_length=1)

    def earlier_cover(self, requirement_id: str, start: date, end: date) -> EarlierWindows | None:
        """The entry under which a window [start, end] that began before ``effective_from``
        is judged by this version, if any."""
        if start >= self.effective_from:
            return None
        for entry in self.earlier_windows:
            if entry.requirements and requirement_id not in entry.requirements:
                continue
            if entry.since is None or end >= entry.since:
                return entry
        return None

    @model_validator(mode="after")
    def _consistent(self) -> VersionSpec:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        ids = [r.id for r in self.requirements]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate requirement ids: {duplicates}")
        if self.applicability.first_due and self.applicability.mode != "renewal_on_or_after":
            raise ValueError("applicability.first_due is only meaningful for renewal_on_or_after")
        for entry in self.earlier_windows:
            unknown = sorted(set(entry.requirements) - set(ids))
            if unknown:
                raise ValueError(f"earlier_windows names unknown requirements {unknown}")
            if entry.since is not None and entry.since >= self.effective_from:
                raise ValueError("earlier_windows.since is not before effective_from")
        if self.revision > 1 and self.revision_note is None:
            raise ValueError("a revision after the first needs a revision_note: what changed")
        return self
