"""The Ledger application service: every write use case, in primitives, with typed errors.

One class for both edges (CLI and HTTP) to call, composed of the use cases by family
(``agency_cases``, ``people_cases``, ``training_cases``, ``relief_cases``,
``credential_cases``, ``policy_cases``, ``request_cases``) over the shared
core (``ledger_core``: store, units of work, the save under the write lock)."""

from __future__ import annotations

from ledger.agency_cases import AgencyCases
from ledger.credential_cases import CredentialCases
from ledger.people_cases import PeopleCases
from ledger.policy_cases import PolicyCases
from ledger.relief_cases import ReliefCases
from ledger.request_cases import RequestCases
from ledger.training_cases import TrainingCases

__all__ = ["Ledger"]


class Ledger(
    AgencyCases,
    PeopleCases,
    TrainingCases,
    ReliefCases,
    CredentialCases,
    PolicyCases,
    RequestCases,
):
    """Append-only compliance ledger. Recorded time always comes from ``clock``.

    Each use case parses its primitives (``ledger.fields``), loads the aggregates through
    a unit of work (its own, or the caller's ``uow`` to save several commands together),
    and calls the aggregate's command, which checks its own rules.
    """

    name = "Ledger"
