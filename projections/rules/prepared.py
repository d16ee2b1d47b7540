"""What the engine derives from a rule version, not from a person: its requirements by id,
its populations' conditions, its credit exclusions per requirement and what each result
cites, made once per version object.

Every person evaluated asks for these tens of times. ``prepare`` keeps one
``PreparedVersion`` per live ``RuleVersion`` object and forgets it when that object is
collected (a weak reference's callback removes the entry first), so an entry is never
found for another object that later gets the same ``id()``, and nothing is kept for
versions no longer in use. Versions are immutable, so what is derived stays true.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from functools import partial

from projections.rules.citations import Cited, cite
from projections.rules.crediting import Exclusions
from projections.rules.populations import Conditions
from projections.rules.schema import (
    EarlierWindows,
    EnforcementOverride,
    Requirement,
    RuleVersion,
    Tolling,
)

__all__ = ["PreparedVersion", "prepare"]


class PreparedVersion:
    """One version's derived data. It holds no reference to its version, so that the
    version's lifetime alone decides how long this is kept."""

    def __init__(self, version: RuleVersion) -> None:
        spec = version.version
        self.requirements: Mapping[str, Requirement] = {r.id: r for r in spec.requirements}
        self.populations: Mapping[str, Conditions] = {
            name: Conditions.of(population) for name, population in version.populations.items()
        }
        self._tolling = tuple(spec.tolling)
        self._overrides = tuple(spec.enforcement_overrides)
        self._earlier = tuple(spec.earlier_windows)
        self._cited: dict[tuple[object, ...], Cited] = {}
        self._credit_exclusions = tuple(spec.credit_exclusions)
        self._exclusions: dict[str, Exclusions] = {}

    def exclusions(self, requirement_id: str) -> Exclusions:
        """The credit exclusions that concern a requirement, prepared."""
        found = self._exclusions.get(requirement_id)
        if found is None:
            found = Exclusions(self._credit_exclusions, requirement_id)
            self._exclusions[requirement_id] = found
        return found

    def cited(
        self,
        version: RuleVersion,
        requirement: Requirement,
        first_period: bool,
        first_window: bool,
        tolling: tuple[Tolling, ...],
        overrides: tuple[EnforcementOverride, ...],
        earlier: EarlierWindows | None = None,
    ) -> Cited:
        """``cite`` of this version's own requirement, tolling rules, overrides and
        earlier-window reading, kept by their positions in the version (so at most a few
        per requirement)."""
        key = (
            requirement.id,
            first_period,
            first_window,
            _positions(self._tolling, tolling),
            _positions(self._overrides, overrides),
            _positions(self._earlier, (earlier,) if earlier is not None else ()),
        )
        found = self._cited.get(key)
        if found is None:
            found = cite(
                version, requirement, first_period, first_window, tolling, overrides, earlier
            )
            if self.requirements.get(requirement.id) is requirement and None not in key[3:]:
                self._cited[key] = found
        return found


def _positions(own: tuple[object, ...], used: tuple[object, ...]) -> tuple[int, ...] | None:
    """Where each used element stands among the version's own (None: one is not its own)."""
    positions = []
    for element in used:
        position = next((i for i, e in enumerate(own) if e is element), None)
        if position is None:
            return None
        positions.append(position)
    return tuple(positions)


_PREPARED: dict[int, tuple[weakref.ref[RuleVersion], PreparedVersion]] = {}


def prepare(version: RuleVersion) -> PreparedVersion:
    """The version's derived data, made on first asking and kept while the version lives."""
    entry = _PREPARED.get(id(version))
    if entry is not None and entry[0]() is version:
        return entry[1]
    prepared = PreparedVersion(version)
    key = id(version)
    _PREPARED[key] = (weakref.ref(version, partial(_forget, key)), prepared)
    return prepared


def _forget(key: int, _: object) -> None:
    _PREPARED.pop(key, None)
