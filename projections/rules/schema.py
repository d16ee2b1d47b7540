"""The rule-pack schema: what a pack file may say, validated with pydantic v2.

A *pack file* (``PackFile``) is what a coordinator edits. A *rule version*
(``RuleVersion``) is one immutable version resolved against its pack: it carries copies of
exactly the sources, topics, populations and calendars it uses, so it can be hashed,
stored as one ledger event and evaluated on its own. Adding a topic or source for a new
version therefore never changes an older version's content or hash.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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

Confidence = Literal["verified", "secondary", "derived", "uncertain"]
# Lower index = more trustworthy; a result's confidence is its least trustworthy input.
CONFIDENCE_ORDER: tuple[Confidence, ...] = ("verified", "secondary", "derived", "uncertain")
ApplicabilityMode = Literal[
    "cycle_start_on_or_after", "renewal_on_or_after", "calendar_year", "window_start_on_or_after"
]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
VersionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
Hours = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Cited(_Model):
    """Anything that states a regulatory fact names its sources and how sure we are."""

    source: list[Identifier] = Field(min_length=1)
    confidence: Confidence = "verified"
    note: str | None = None


class Source(_Model):
    title: str = Field(min_length=1)
    url: str | None = None


class Topic(_Model):
    """A canonical topic id's meaning in this pack, with the state's own name and code."""

    title: str = Field(min_length=1)
    state_code: str | None = None
    state_category: str | None = None


class Population(_Model):
    """Who a requirement binds. Every given condition must hold (AND); an empty list
    means "no condition"; rank and certificate names compare case-insensitively."""

    title: str = ""
    kinds: list[str] = []
    statuses: list[str] = []
    employment: list[str] = []
    employment_none: list[str] = []
    assignments_any: list[str] = []
    assignments_none: list[str] = []
    ranks_any: list[str] = []
    ranks_none: list[str] = []
    certificates_any: list[str] = []
    certificates_none: list[str] = []
    # Bound only once basic training is completed (an unknown date counts as completed
    # before hire, the usual case for lateral and long-serving officers).
    basic_completed: bool = False


class MonthDay(_Model):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)


class FixedCalendar(_Cited):
    """Statewide windows of ``length_years`` counted from ``epoch`` (both directions)."""

    kind: Literal["fixed"]
    epoch: date
    length_years: int = Field(ge=1, le=10)


class LicensePeriodCalendar(_Cited):
    """Per-officer licence periods derived from the recorded licence period ends."""

    kind: Literal["license_period"]
    length_years: int = Field(ge=1, le=10)
    period_end: MonthDay
    first_period_note: str | None = None
    first_period_confidence: Confidence = "verified"


class CohortCalendar(_Cited):
    """Cycles from the certification date: certified on or before ``split`` (month/day) →
    the cycle starts Jan 1 of that year, otherwise Jan 1 of the next year."""

    kind: Literal["cohort"]
    length_years: int = Field(ge=1, le=10)
    split: MonthDay


class RollingCalendar(_Cited):
    """``length_years`` from the last time the requirement was met; the first deadline is
    ``length_years`` after ``first_due_from``."""

    kind: Literal["rolling"]
    length_years: int = Field(ge=1, le=10)
    first_due_from: Literal["licensed_on", "hired_on", "certified_on"] = "licensed_on"


Calendar = Annotated[
    FixedCalendar | LicensePeriodCalendar | CohortCalendar | RollingCalendar,
    Field(discriminator="kind"),
]


class Match(_Model):
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


class _RequirementBase(_Cited):
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


class HoursRequirement(_RequirementBase):
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


class MemberMinimum(_Model):
    hours: Hours
    source: list[Identifier] = []
    confidence: Confidence = "verified"
    note: str | None = None


class PoolChoice(_Model):
    """At least ``k`` of ``of`` must each reach ``each_min`` hours ("choose 3 of 6")."""

    k: int = Field(ge=1)
    of: list[Identifier] = Field(min_length=1)
    each_min: Hours
    source: list[Identifier] = []
    confidence: Confidence = "verified"
    note: str | None = None


class PoolRequirement(_RequirementBase):
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


class CoursesRequirement(_RequirementBase):
    """Each item must be completed at least once in the window. An item's own
    ``extra_windows_back`` also accepts its completions in that many windows before ("if
    not completed in the previous unit", said of one course); the requirement's
    ``extra_windows_back`` gives that allowance to every item (only where the rule says so
    of all of them)."""

    kind: Literal["courses"]
    window: Identifier
    complete_each: list[Match] = Field(min_length=1)
    extra_windows_back: int = Field(default=0, ge=0, le=3)


class CompleteOnceRequirement(_RequirementBase):
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


class ValidAtAllTimesRequirement(_RequirementBase):
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


class Applicability(_Model):
    """How a version claims a window (see docs/rule-packs.md).

    ``first_due`` (renewal mode only): windows ending on or after it; defaults to
    ``effective_from``.
    """

    mode: ApplicabilityMode
    first_due: date | None = None


class CreditExclusion(_Cited):
    """Records (by tag or course) or topic hours that never count, for completions on or
    after ``effective_from``; ``requirements`` limits it to some requirement ids."""

    id: Identifier
    tags: list[str] = []
    topics: list[Identifier] = []
    courses: list[str] = []
    effective_from: date | None = None
    requirements: list[Identifier] = []


class Tolling(_Cited):
    """What a recorded exemption of the given kinds does to a deadline.

    ``extend_by_overlap``: the deadline moves by the exempt days inside the window;
    ``extend_to_end``: an exemption covering the deadline moves it to the exemption's end
    (an open exemption suspends it); ``waive``: an exemption overlapping the window waives
    that window.
    """

    exemption_kinds: list[str] = Field(min_length=1)
    effect: Literal["extend_by_overlap", "extend_to_end", "waive"]
    requirements: list[Identifier] = []


class EnforcementOverride(_Cited):
    """Deadlines inside [starts_on, ends_on] are still evaluated, but the consequence is
    replaced by ``action`` (OR 2020-2021: recorded, no suspension)."""

    starts_on: date
    ends_on: date
    action: str = Field(min_length=1)


class EarlierWindows(_Cited):
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


class VersionSpec(_Cited):
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


class _PackHeader(_Model):
    pack: VersionId
    title: str = Field(min_length=1)
    jurisdiction: str = Field(pattern=r"^US-[A-Z]{2}$")
    credential: Identifier
    owner: Literal["state", "agency"] = "state"
    agency: str | None = None
    consequence: str | None = None


class PackFile(_PackHeader):
    """One pack file as written by a coordinator."""

    notes: list[str] = []
    sources: dict[Identifier, Source] = Field(min_length=1)
    topics: dict[Identifier, Topic] = {}
    populations: dict[Identifier, Population] = Field(min_length=1)
    calendars: dict[Identifier, Calendar] = {}
    versions: list[VersionSpec] = Field(min_length=1)

    @property
    def state(self) -> str:
        return self.jurisdiction.removeprefix("US-")

    @model_validator(mode="after")
    def _references(self) -> PackFile:
        if self.owner == "agency" and not self.agency:
            raise ValueError("an agency pack names its agency (slug)")
        ids = [v.id for v in self.versions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate version ids in {ids}")
        starts = [v.effective_from for v in self.versions]
        if len(set(starts)) != len(starts):
            # Precedence between versions is by effective_from; a tie would be ambiguous.
            raise ValueError("two versions share an effective_from date")
        # Messages start with the field path so the loader can report it as the field.
        for calendar_id, calendar in self.calendars.items():
            self._known_sources(calendar.source, f"calendars.{calendar_id}.source")
        for i, v in enumerate(self.versions):
            where = f"versions[{i}]"
            self._known_sources(v.source, f"{where}.source")
            for j, r in enumerate(v.requirements):
                self._check_requirement(r, f"{where}.requirements[{j}]")
            for j, x in enumerate(v.credit_exclusions):
                self._known_sources(x.source, f"{where}.credit_exclusions[{j}].source")
                self._known_topics(x.topics, f"{where}.credit_exclusions[{j}].topics")
            for j, t in enumerate(v.tolling):
                self._known_sources(t.source, f"{where}.tolling[{j}].source")
            for j, o in enumerate(v.enforcement_overrides):
                self._known_sources(o.source, f"{where}.enforcement_overrides[{j}].source")
            for j, e in enumerate(v.earlier_windows):
                self._known_sources(e.source, f"{where}.earlier_windows[{j}].source")
        return self

    def _check_requirement(self, r: Requirement, where: str) -> None:
        self._known_sources(r.source, f"{where}.source")
        for p in r.population:
            if p not in self.populations:
                raise ValueError(f"{where}.population: unknown population {p!r}")
        window = getattr(r, "window", None)
        if window is not None and window not in self.calendars:
            raise ValueError(f"{where}.window: unknown calendar {window!r}")
        if r.not_before_calendar and r.not_before_calendar not in self.calendars:
            raise ValueError(
                f"{where}.not_before_calendar: unknown calendar {r.not_before_calendar!r}"
            )
        topics: list[str] = []
        if isinstance(r, HoursRequirement):
            topics = list(r.topics)
        elif isinstance(r, PoolRequirement):
            topics = list(r.members)
            for topic, m in r.per_member_min.items():
                self._known_sources(m.source, f"{where}.per_member_min.{topic}.source")
            if r.choose:
                self._known_sources(r.choose.source, f"{where}.choose.source")
        elif isinstance(r, CoursesRequirement | CompleteOnceRequirement):
            topics = [t for item in r.complete_each for t in item.topics]
        elif isinstance(r, ValidAtAllTimesRequirement):
            topics = list(r.credential.topics)
        self._known_topics(topics, f"{where}.topics")

    def _known_sources(self, ids: list[str], where: str) -> None:
        missing = sorted(set(ids) - set(self.sources))
        if missing:
            raise ValueError(f"{where}: unknown source ids {missing}")

    def _known_topics(self, ids: list[str], where: str) -> None:
        missing = sorted(set(ids) - set(self.topics))
        if missing:
            raise ValueError(f"{where}: unknown topic ids {missing} (declare them under topics)")


class RuleVersion(_PackHeader):
    """One version, self-contained: the unit that is hashed, stored and evaluated."""

    version: VersionSpec
    sources: dict[Identifier, Source]
    topics: dict[Identifier, Topic]
    populations: dict[Identifier, Population]
    calendars: dict[Identifier, Calendar]

    @property
    def id(self) -> str:
        return self.version.id

    @property
    def label(self) -> str:
        """``pack@version``, and the revision after the first: what an answer names."""
        name = f"{self.pack}@{self.version.id}"
        revision = self.version.revision
        return name if revision == 1 else f"{name} (revision {revision})"

    @property
    def state(self) -> str:
        return self.jurisdiction.removeprefix("US-")
