"""Population filters: does a requirement bind this person on this day?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.history import PersonHistory
from projections.rules.schema import Population

__all__ = ["in_population"]


def _folded(values: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values)


@dataclass(frozen=True)
class _Prepared:
    """A population's conditions as sets, names folded once (asked for every requirement
    of every person evaluated)."""

    kinds: frozenset[str]
    statuses: frozenset[str]
    employment: frozenset[str]
    employment_none: frozenset[str]
    assignments_any: frozenset[str]
    assignments_none: frozenset[str]
    ranks_any: frozenset[str]
    ranks_none: frozenset[str]
    certificates_any: frozenset[str]
    certificates_none: frozenset[str]
    basic_completed: bool

    @classmethod
    def of(cls, p: Population) -> _Prepared:
        return cls(
            frozenset(p.kinds),
            frozenset(p.statuses),
            frozenset(p.employment),
            frozenset(p.employment_none),
            _folded(p.assignments_any),
            _folded(p.assignments_none),
            _folded(p.ranks_any),
            _folded(p.ranks_none),
            _folded(p.certificates_any),
            _folded(p.certificates_none),
            p.basic_completed,
        )


_PREPARED: dict[int, tuple[Population, _Prepared]] = {}


def _prepared(population: Population) -> _Prepared:
    # Keyed by identity; the entry holds the population, so its id() is not reused.
    entry = _PREPARED.get(id(population))
    if entry is None or entry[0] is not population:
        if len(_PREPARED) > 10_000:
            _PREPARED.clear()
        entry = (population, _Prepared.of(population))
        _PREPARED[id(population)] = entry
    return entry[1]


def in_population(population: Population, history: PersonHistory, day: date) -> bool:
    """Every condition the population states must hold on ``day``."""
    p = _prepared(population)
    if p.kinds and history.kind not in p.kinds:
        return False
    if p.statuses and history.status_on(day) not in p.statuses:
        return False
    if p.employment and history.employment not in p.employment:
        return False
    if history.employment in p.employment_none:
        return False
    if p.assignments_any or p.assignments_none or p.ranks_any or p.ranks_none:
        assignment = history.assignment_on(day)
        rank = {assignment.rank.strip().casefold()} if assignment else set()
        assignments = _folded(assignment.assignments) if assignment else frozenset()
        if p.assignments_any and not assignments & p.assignments_any:
            return False
        if assignments & p.assignments_none:
            return False
        if p.ranks_any and not rank & p.ranks_any:
            return False
        if rank & p.ranks_none:
            return False
    if p.certificates_any or p.certificates_none:
        certificates = _folded(history.certificates)
        if p.certificates_any and not certificates & p.certificates_any:
            return False
        if certificates & p.certificates_none:
            return False
    return (
        not p.basic_completed
        or history.basic_completed_on is None
        or history.basic_completed_on <= day
    )
