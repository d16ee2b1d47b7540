"""A pack file as a coordinator writes it, checked for its references, and a rule version
resolved against its pack: self-contained, the unit that is hashed, stored and evaluated."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from projections.rules.schema.calendars import Calendar
from projections.rules.schema.common import (
    Identifier,
    Population,
    SchemaModel,
    Source,
    Topic,
    VersionId,
)
from projections.rules.schema.requirements import (
    CompleteOnceRequirement,
    CoursesRequirement,
    HoursRequirement,
    PoolRequirement,
    Requirement,
    ValidAtAllTimesRequirement,
)
from projections.rules.schema.versions import VersionSpec
from projections.stored_versions import Followed

__all__ = ["PackFile", "PackHeader", "RuleVersion"]


class PackHeader(SchemaModel):
    pack: VersionId
    title: str = Field(min_length=1)
    jurisdiction: str = Field(pattern=r"^US-[A-Z]{2}$")
    credential: Identifier
    owner: Literal["state", "agency"] = "state"
    agency: str | None = None
    consequence: str | None = None


class PackFile(PackHeader):
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


class RuleVersion(PackHeader):
    """One version, self-contained: the unit that is hashed, stored and evaluated."""

    version: VersionSpec
    sources: dict[Identifier, Source]
    topics: dict[Identifier, Topic]
    populations: dict[Identifier, Population]
    calendars: dict[Identifier, Calendar]
    # Not content (never dumped, hashed or stored): for an agency that followed more than
    # one jurisdiction, the days it followed this version's (``followed_during``).
    _followed: Followed | None = PrivateAttr(default=None)

    @property
    def followed(self) -> Followed | None:
        """The days the agency asked about followed this version's jurisdiction; None: it
        followed no other, so the version binds every day it claims."""
        return self._followed

    def followed_during(self, spans: Followed) -> RuleVersion:
        """A copy that binds only windows judged on a day in ``spans`` (``evaluate``)."""
        copy = self.model_copy()
        copy._followed = spans
        return copy

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
