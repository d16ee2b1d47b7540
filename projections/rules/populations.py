"""Population filters: does a requirement bind this person on this day?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ledger.vocabulary import assignment_id
from projections.history import PersonHistory
from projections.rules.schema import Population

__all__ = ["Conditions", "in_population"]


def _folded(values: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values)


@lru_cache(maxsize=4096)
def _assignments(values: tuple[str, ...]) -> frozenset[str]:
    """Assignment names as canonical ids (``ledger.vocabulary``), so a pack that names
    ``school_resource_officer`` binds a history recorded as ``sro`` before the ledger
    normalised aliases. Few distinct assignment sets exist: kept once each."""
    return frozenset(assignment_id(v) for v in values)


@dataclass(frozen=True)
class Conditions:
    """A population's conditions as sets, names folded: made once per rule version
    (``projections.rules.prepared``), asked for every requirement of every person."""

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
    def of(cls, p: Population) -> Conditions:
        return cls(
            frozenset(p.kinds),
            frozenset(p.statuses),
            frozenset(p.employment),
            frozenset(p.employment_none),
            _assignments(tuple(p.assignments_any)),
            _assignments(tuple(p.assignments_none)),
            _folded(p.ranks_any),
            _folded(p.ranks_none),
            _folded(p.certificates_any),
            _folded(p.certificates_none),
            p.basic_completed,
        )

    def hold(self, history: PersonHistory, day: date) -> bool:
        """Every condition holds for the person on ``day``."""
        if self.kinds and history.kind not in self.kinds:
            return False
        if self.statuses and history.status_on(day) not in self.statuses:
            return False
        if self.employment and history.employment not in self.employment:
            return False
        if history.employment in self.employment_none:
            return False
        if self.assignments_any or self.assignments_none or self.ranks_any or self.ranks_none:
            assignment = history.assignment_on(day)
            rank = {assignment.rank.strip().casefold()} if assignment else set()
            assignments = _assignments(tuple(assignment.assignments)) if assignment else frozenset()
            if self.assignments_any and not assignments & self.assignments_any:
                return False
            if assignments & self.assignments_none:
                return False
            if self.ranks_any and not rank & self.ranks_any:
                return False
            if rank & self.ranks_none:
                return False
        if self.certificates_any or self.certificates_none:
            certificates = _folded(history.certificates)
            if self.certificates_any and not certificates & self.certificates_any:
                return False
            if certificates & self.certificates_none:
                return False
        return (
            not self.basic_completed
            or history.basic_completed_on is None
            or history.basic_completed_on <= day
        )


def in_population(population: Population, history: PersonHistory, day: date) -> bool:
    """Every condition the population states must hold on ``day``."""
    return Conditions.of(population).hold(history, day)
