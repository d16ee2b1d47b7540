"""What an evaluation derives from its rule versions and day alone, never from the person:
the versions considered, grouped by pack (newest first), each pack's requirement ids, and
each requirement's candidate versions (``governing.Candidates``).

``evaluate`` makes one per call; a caller evaluating many people under the same versions
on the same day (a rebuild's chunk, a roster's) makes it once and passes it to
``evaluate_planned``, so every person does not sort and group the same versions again.
It holds the version objects it was made from, and lives as long as its caller keeps it:
nothing is kept between calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from projections.engine.governing import Candidates
from projections.rules.schema import RuleVersion
from projections.stored_versions import Followed

__all__ = ["PackPlan", "Plan"]


@dataclass(frozen=True)
class PackPlan:
    pack_id: str
    versions: tuple[RuleVersion, ...]  # newest ``effective_from`` first
    # The days the agency followed the jurisdiction (``RuleVersion.followed``, of the
    # newest version): None when it never changed jurisdiction.
    followed: Followed | None
    requirements: tuple[tuple[str, Candidates], ...]  # by requirement id


@dataclass(frozen=True)
class Plan:
    as_of: date
    packs: tuple[PackPlan, ...]  # by pack id
    considered: tuple[str, ...]  # the labels of every version considered, sorted

    @classmethod
    def of(cls, rule_versions: Iterable[RuleVersion], as_of: date) -> Plan:
        """Versions whose ``effective_from`` is after ``as_of`` are left out, except one
        whose legal start is unknown (``earlier_windows``): it also judges the windows
        before it."""
        by_pack: dict[str, list[RuleVersion]] = defaultdict(list)
        for version in rule_versions:
            if version.version.effective_from <= as_of or version.version.earlier_windows:
                by_pack[version.pack].append(version)
        packs = []
        for pack_id in sorted(by_pack):
            versions = sorted(
                by_pack[pack_id], key=lambda v: v.version.effective_from, reverse=True
            )
            ids = sorted({r.id for v in versions for r in v.version.requirements})
            packs.append(
                PackPlan(
                    pack_id,
                    tuple(versions),
                    versions[0].followed,
                    tuple((rid, Candidates.of(versions, rid, as_of)) for rid in ids),
                )
            )
        considered = tuple(sorted(v.label for vs in by_pack.values() for v in vs))
        return cls(as_of, tuple(packs), considered)
