"""The engine's answer: an overall status and one result per requirement, with reasons.

``to_dict`` gives plain str/int/list/dict data in a fixed order (keys sorted, lists in a
stable order), so that every export of the same answer is byte-identical. Hours are
strings ("16", "6.5") so no float ever rounds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

__all__ = [
    "STATUS_SEVERITY",
    "Citation",
    "RequirementStatus",
    "Status",
    "StatusCode",
    "TopicProgress",
    "hours_text",
]

StatusCode = Literal[
    "compliant", "on_track", "due_soon", "non_compliant", "inactive", "not_applicable"
]
# Worst first: the overall status of applicable requirements is the most severe one.
STATUS_SEVERITY: tuple[StatusCode, ...] = (
    "non_compliant",
    "due_soon",
    "on_track",
    "compliant",
    "inactive",
    "not_applicable",
)


def hours_text(value: Decimal) -> str:
    """Canonical decimal text: 16, 6.5, 0.25 (never 16.00 or 1.6E+1)."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Citation:
    source_id: str
    title: str
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Keys in sorted order, written so: a roster cites tens of thousands of these.
        return {"source_id": self.source_id, "title": self.title, "url": self.url}


@dataclass(frozen=True)
class TopicProgress:
    """Progress toward one named minimum inside a pool (or one item of a course list)."""

    topic: str
    required: Decimal
    counted: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "counted": hours_text(self.counted),
            "remaining": hours_text(max(self.required - self.counted, Decimal(0))),
            "required": hours_text(self.required),
            "topic": self.topic,
        }


@dataclass(frozen=True)
class RequirementStatus:
    pack_id: str
    version_id: str
    requirement_id: str
    title: str
    kind: str
    status: StatusCode
    unit: Literal["hours", "completions"]
    required: Decimal
    counted: Decimal
    remaining: Decimal
    window_start: date | None
    window_end: date | None
    deadline: date | None
    records: tuple[str, ...]
    citations: tuple[Citation, ...]
    confidence: str
    reasons: tuple[str, ...]
    topics: tuple[TopicProgress, ...] = ()
    consequence: str | None = None

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.pack_id, self.requirement_id, _day(self.window_start) or "")

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """Keys in sorted order. ``compact`` leaves out what every person's result for this
        requirement shares (title, kind, default consequence, source texts: a roster states
        them once) and cites sources by id, last."""
        common, cited = self._common(), sorted(self.citations, key=_citation_key)
        return self._compact(common, cited) if compact else self._full(common, cited)

    def to_dicts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``to_dict()`` and ``to_dict(compact=True)`` made together, their common part once
        (its values shared by both: serialise them before changing either)."""
        common, cited = self._common(), sorted(self.citations, key=_citation_key)
        return self._full(common, cited), self._compact(dict(common), cited)

    def _common(self) -> dict[str, Any]:
        # Built in key order rather than sorted afterwards: this runs for every requirement
        # of every person in a roster.
        return {
            "confidence": self.confidence,
            "counted": hours_text(self.counted),
            "deadline": _day(self.deadline),
            "pack_id": self.pack_id,
            "reasons": list(self.reasons),
            "records": sorted(self.records),
            "remaining": hours_text(self.remaining),
            "required": hours_text(self.required),
            "requirement_id": self.requirement_id,
            "status": self.status,
            "topics": [t.to_dict() for t in sorted(self.topics, key=_topic_key)],
            "unit": self.unit,
            "version_id": self.version_id,
            "window_end": _day(self.window_end),
            "window_start": _day(self.window_start),
        }

    @staticmethod
    def _compact(common: dict[str, Any], cited: list[Citation]) -> dict[str, Any]:
        common["citations"] = [c.source_id for c in cited]
        return common

    def _full(self, common: dict[str, Any], cited: list[Citation]) -> dict[str, Any]:
        # ``common``'s keys and these four, in sorted order (written so rather than sorted).
        return {
            "citations": [c.to_dict() for c in cited],
            "confidence": common["confidence"],
            "consequence": self.consequence,
            "counted": common["counted"],
            "deadline": common["deadline"],
            "kind": self.kind,
            "pack_id": common["pack_id"],
            "reasons": common["reasons"],
            "records": common["records"],
            "remaining": common["remaining"],
            "required": common["required"],
            "requirement_id": common["requirement_id"],
            "status": common["status"],
            "title": self.title,
            "topics": common["topics"],
            "unit": common["unit"],
            "version_id": common["version_id"],
            "window_end": common["window_end"],
            "window_start": common["window_start"],
        }


def _topic_key(topic: TopicProgress) -> str:
    return topic.topic


def _citation_key(citation: Citation) -> str:
    return citation.source_id


@dataclass(frozen=True)
class Status:
    """The answer for one person on ``as_of`` under the given rule versions."""

    person_id: str
    as_of: date
    status: StatusCode
    warning_days: int
    requirements: tuple[RequirementStatus, ...]
    reasons: tuple[str, ...]
    rule_versions: tuple[str, ...]

    def requirement(self, requirement_id: str) -> RequirementStatus:
        """The current-window result for a requirement id (the last by window start)."""
        found = [r for r in self.requirements if r.requirement_id == requirement_id]
        if not found:
            raise KeyError(requirement_id)
        return found[-1]

    def to_dict(self, *, compact: bool = False) -> dict[str, Any]:
        """Keys in sorted order; ``compact``: requirements in their compact form."""
        return self._with([r.to_dict(compact=compact) for r in self._ordered()])

    def to_dicts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``to_dict()`` and ``to_dict(compact=True)`` made together (parts shared by both:
        serialise them before changing either)."""
        pairs = [r.to_dicts() for r in self._ordered()]
        return self._with([full for full, _ in pairs]), self._with([short for _, short in pairs])

    def _ordered(self) -> list[RequirementStatus]:
        return sorted(self.requirements, key=lambda r: r.sort_key)

    def _with(self, requirements: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "person_id": self.person_id,
            "reasons": list(self.reasons),
            "requirements": requirements,
            "rule_versions": sorted(self.rule_versions),
            "status": self.status,
            "warning_days": self.warning_days,
        }
