"""The Person aggregate's relief commands: exemptions, waivers and extensions, granted and
ended.

A mixin of ``ledger.person.Person`` (one concept per module). Each kind of relief is its own
typed event (``ledger.person_events``); what it does to a deadline is the rule pack's
(``projections.rules.tolling``). The aggregate checks what its stream knows: dates in
order, the id exists, an end never lengthens a grant, waivers never overlap."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from ledger.errors import InvalidValueError, ReliefNotFoundError
from ledger.person_events import (
    ExemptionEnded,
    ExemptionGranted,
    ExemptionState,
    ExtensionEnded,
    ExtensionGranted,
    WaiverEnded,
    WaiverGranted,
)

if TYPE_CHECKING:
    from ledger.aggregate import Envelope
    from ledger.envelope import LedgerEvent

__all__ = ["ReliefCommands"]


def _until(state: ExemptionState) -> str:
    return state.ends_on.isoformat() if state.ends_on else "open"


class ReliefCommands:
    """Relief commands of ``Person``, which holds the state they read."""

    if TYPE_CHECKING:
        employee_id: str
        exemptions: dict[UUID, ExemptionState]
        waivers: dict[UUID, ExemptionState]
        extensions: dict[UUID, ExemptionState]

        def _envelope(self, at: datetime, actor: str) -> Envelope: ...
        def _record(self, event: LedgerEvent) -> None: ...

    def _grant(self, held: dict[UUID, ExemptionState], what: str, grant_id: UUID) -> None:
        if grant_id in held:
            raise InvalidValueError(f"{what} {grant_id} already exists")

    def _ended(
        self, held: dict[UUID, ExemptionState], what: str, grant_id: UUID, ended_on: date
    ) -> ExemptionState:
        """The grant an end applies to, after checking the end shortens it."""
        state = held.get(grant_id)
        if state is None:
            raise ReliefNotFoundError(f"{self.employee_id} has no {what} {grant_id}")
        if ended_on < state.starts_on:
            raise InvalidValueError(
                f"the {what} cannot end on {ended_on.isoformat()}, before it was granted "
                f"from {state.starts_on.isoformat()}"
            )
        if state.ends_on is not None and ended_on > state.ends_on:
            raise InvalidValueError(
                f"the {what} already ends on {state.ends_on.isoformat()}; an end cannot "
                "lengthen it (grant a new one)"
            )
        return state

    # -- exemptions (leave tolling) --------------------------------------------------------

    def grant_exemption(
        self,
        *,
        at: datetime,
        actor: str,
        exemption_id: UUID,
        kind: str,
        starts_on: date,
        ends_on: date | None,
        reason: str,
        approver: str,
    ) -> None:
        if ends_on is not None and ends_on < starts_on:
            raise InvalidValueError("an exemption cannot end before it starts")
        self._grant(self.exemptions, "exemption", exemption_id)
        self._record(
            ExemptionGranted(
                **self._envelope(at, actor),
                effective_on=starts_on,
                exemption_id=exemption_id,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=reason,
                approver=approver,
            )
        )

    def end_exemption(
        self, exemption_id: UUID, *, at: datetime, actor: str, ended_on: date, reason: str
    ) -> None:
        if exemption_id not in self.exemptions:
            # Kept an InvalidValueError as before; the other reliefs say "not found".
            raise InvalidValueError(f"no exemption {exemption_id} for {self.employee_id}")
        self._ended(self.exemptions, "exemption", exemption_id, ended_on)
        self._record(
            ExemptionEnded(
                **self._envelope(at, actor),
                effective_on=ended_on,
                exemption_id=exemption_id,
                ended_on=ended_on,
                reason=reason,
            )
        )

    # -- waivers ---------------------------------------------------------------------------

    def grant_waiver(
        self,
        *,
        at: datetime,
        actor: str,
        waiver_id: UUID,
        starts_on: date,
        ends_on: date,
        reason: str,
        approver: str,
    ) -> None:
        if ends_on < starts_on:
            raise InvalidValueError(
                f"a waiver cannot end ({ends_on.isoformat()}) before it starts "
                f"({starts_on.isoformat()})"
            )
        self._grant(self.waivers, "waiver", waiver_id)
        for other_id, other in self.waivers.items():
            if other.starts_on <= ends_on and (other.ends_on is None or other.ends_on >= starts_on):
                raise InvalidValueError(
                    f"overlaps waiver {other_id} ({other.starts_on.isoformat()}–{_until(other)}); "
                    "end it first or grant the days it does not cover"
                )
        self._record(
            WaiverGranted(
                **self._envelope(at, actor),
                effective_on=starts_on,
                waiver_id=waiver_id,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=reason,
                approver=approver,
            )
        )

    def end_waiver(
        self, waiver_id: UUID, *, at: datetime, actor: str, ended_on: date, reason: str
    ) -> None:
        self._ended(self.waivers, "waiver", waiver_id, ended_on)
        self._record(
            WaiverEnded(
                **self._envelope(at, actor),
                effective_on=ended_on,
                waiver_id=waiver_id,
                ended_on=ended_on,
                reason=reason,
            )
        )

    # -- extensions ------------------------------------------------------------------------

    def grant_extension(
        self,
        *,
        at: datetime,
        actor: str,
        extension_id: UUID,
        granted_on: date,
        new_deadline: date,
        reason: str,
        approver: str,
    ) -> None:
        if new_deadline <= granted_on:
            raise InvalidValueError(
                f"the new deadline {new_deadline.isoformat()} must be after the day the "
                f"extension is granted ({granted_on.isoformat()})"
            )
        self._grant(self.extensions, "extension", extension_id)
        self._record(
            ExtensionGranted(
                **self._envelope(at, actor),
                effective_on=granted_on,
                extension_id=extension_id,
                new_deadline=new_deadline,
                reason=reason,
                approver=approver,
            )
        )

    def end_extension(
        self, extension_id: UUID, *, at: datetime, actor: str, ended_on: date, reason: str
    ) -> None:
        self._ended(self.extensions, "extension", extension_id, ended_on)
        self._record(
            ExtensionEnded(
                **self._envelope(at, actor),
                effective_on=ended_on,
                extension_id=extension_id,
                ended_on=ended_on,
                reason=reason,
            )
        )
