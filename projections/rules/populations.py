"""Population filters: does a requirement bind this person on this day?"""

from __future__ import annotations

from datetime import date

from projections.history import PersonHistory
from projections.rules.schema import Population

__all__ = ["in_population"]


def _folded(values: list[str] | tuple[str, ...] | frozenset[str]) -> set[str]:
    return {v.strip().casefold() for v in values}


def in_population(population: Population, history: PersonHistory, day: date) -> bool:
    """Every condition the population states must hold on ``day``."""
    assignment = history.assignment_on(day)
    rank = {assignment.rank.strip().casefold()} if assignment else set()
    assignments = _folded(assignment.assignments) if assignment else set()
    certificates = _folded(history.certificates)
    checks = (
        not population.kinds or history.kind in population.kinds,
        not population.statuses or history.status_on(day) in population.statuses,
        not population.employment or history.employment in population.employment,
        history.employment not in population.employment_none,
        not population.assignments_any or bool(assignments & _folded(population.assignments_any)),
        not assignments & _folded(population.assignments_none),
        not population.ranks_any or bool(rank & _folded(population.ranks_any)),
        not rank & _folded(population.ranks_none),
        not population.certificates_any
        or bool(certificates & _folded(population.certificates_any)),
        not certificates & _folded(population.certificates_none),
        not population.basic_completed
        or history.basic_completed_on is None
        or history.basic_completed_on <= day,
    )
    return all(checks)
