"""The Agency aggregate's programme commands: credential types and policies.

A mixin of ``ledger.agency.Agency`` (one concept per module). Values arrive parsed
(``ledger.credential_cases``, ``ledger.policy_cases``); the aggregate checks what its stream
knows: a type is defined once, changed or retired only while it exists and is not retired,
a policy version is published only once uploaded."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.errors import CredentialTypeNotFoundError, InvalidValueError, PolicyNotFoundError

if TYPE_CHECKING:
    from ledger.aggregate import Envelope
    from ledger.envelope import LedgerEvent
    from ledger.program_events import CredentialTypeState, PolicyState

__all__ = ["AgencyPrograms"]

# The programme's event classes are imported by the command that records one (and, to
# decode one, by the topic it is stored under): reading an agency whose stream holds none
# (``muster agency list``, a status) does not build their dataclasses (issue 14 §6).


class AgencyPrograms:
    """Credential-type and policy commands of ``Agency``, which holds the state they read."""

    if TYPE_CHECKING:
        slug: str
        credential_types: dict[str, CredentialTypeState]
        policies: dict[str, PolicyState]

        def _envelope(self, at: datetime, actor: str) -> Envelope: ...
        def _record(self, event: LedgerEvent) -> None: ...

    def credential_type(self, type_id: str) -> CredentialTypeState:
        state = self.credential_types.get(type_id)
        if state is None:
            known = ", ".join(sorted(self.credential_types)) or "none defined"
            raise CredentialTypeNotFoundError(
                f"agency {self.slug!r} has no credential type {type_id!r} (known: {known})"
            )
        return state

    def define_credential_type(
        self, *, at: datetime, actor: str, type_id: str, effective_on: date, spec: dict[str, Any]
    ) -> None:
        if type_id in self.credential_types:
            raise InvalidValueError(
                f"credential type {type_id!r} is already defined: change it instead",
                field="type_id",
            )
        from ledger.program_events import CredentialTypeDefined

        self._record(
            CredentialTypeDefined(
                **self._envelope(at, actor),
                effective_on=effective_on,
                type_id=type_id,
                version=1,
                **spec,
            )
        )

    def change_credential_type(
        self,
        *,
        at: datetime,
        actor: str,
        type_id: str,
        effective_on: date,
        spec: dict[str, Any],
        reason: str,
    ) -> int:
        state = self._live_type(type_id)
        version = state.version + 1
        from ledger.program_events import CredentialTypeChanged

        self._record(
            CredentialTypeChanged(
                **self._envelope(at, actor),
                effective_on=effective_on,
                type_id=type_id,
                version=version,
                reason=reason,
                **spec,
            )
        )
        return version

    def retire_credential_type(
        self, *, at: datetime, actor: str, type_id: str, effective_on: date, reason: str
    ) -> None:
        self._live_type(type_id)
        from ledger.program_events import CredentialTypeRetired

        self._record(
            CredentialTypeRetired(
                **self._envelope(at, actor),
                effective_on=effective_on,
                type_id=type_id,
                reason=reason,
            )
        )

    def _live_type(self, type_id: str) -> CredentialTypeState:
        state = self.credential_type(type_id)
        if state.retired:
            raise InvalidValueError(f"credential type {type_id!r} is retired", field="type_id")
        return state

    # -- policies ----------------------------------------------------------------------

    def policy(self, policy_id: str) -> PolicyState:
        state = self.policies.get(policy_id)
        if state is None:
            known = ", ".join(sorted(self.policies)) or "none uploaded"
            raise PolicyNotFoundError(
                f"agency {self.slug!r} has no policy {policy_id!r} (known: {known})"
            )
        return state

    def upload_policy_version(
        self,
        *,
        at: datetime,
        actor: str,
        policy_id: str,
        title: str,
        version_hash: str,
        media_type: str,
        size: int,
    ) -> bool:
        """Record the upload; False (nothing recorded) when these exact bytes already are."""
        known = self.policies.get(policy_id)
        if known is not None and version_hash in known.uploaded:
            return False
        from ledger.program_events import PolicyVersionUploaded

        self._record(
            PolicyVersionUploaded(
                **self._envelope(at, actor),
                effective_on=at.date(),
                policy_id=policy_id,
                title=title,
                version_hash=version_hash,
                media_type=media_type,
                size=size,
            )
        )
        return True

    def publish_policy(
        self,
        *,
        at: datetime,
        actor: str,
        policy_id: str,
        version_hash: str,
        effective_on: date,
        editorial: bool,
        reason: str = "",
    ) -> int:
        policy = self.policy(policy_id)
        if version_hash not in policy.uploaded:
            raise PolicyNotFoundError(
                f"policy {policy_id!r} has no uploaded version {version_hash[:12]}…"
            )
        if version_hash in policy.published:
            raise InvalidValueError(
                f"version {version_hash[:12]}… is already published", field="version"
            )
        if editorial and not policy.published:
            raise InvalidValueError(
                "the first published version cannot be editorial", field="editorial"
            )
        number = len(policy.published) + 1
        from ledger.program_events import PolicyPublished

        self._record(
            PolicyPublished(
                **self._envelope(at, actor),
                effective_on=effective_on,
                policy_id=policy_id,
                version_hash=version_hash,
                number=number,
                editorial=editorial,
                reason=reason,
            )
        )
        return number

    def set_policy_quiz(
        self,
        *,
        at: datetime,
        actor: str,
        policy_id: str,
        version_hash: str,
        quiz: dict[str, Any],
    ) -> bool:
        """Record the version's quiz; False (nothing recorded) when it already is this one."""
        policy = self.policy(policy_id)
        if version_hash not in policy.uploaded:
            raise PolicyNotFoundError(
                f"policy {policy_id!r} has no uploaded version {version_hash[:12]}…"
            )
        if policy.quizzes.get(version_hash) == quiz:
            return False
        from ledger.program_events import PolicyQuizSet

        self._record(
            PolicyQuizSet(
                **self._envelope(at, actor),
                effective_on=at.date(),
                policy_id=policy_id,
                version_hash=version_hash,
                quiz=quiz,
            )
        )
        return True

    def assign_policy(
        self,
        *,
        at: datetime,
        actor: str,
        policy_id: str,
        assignment_id: UUID,
        audience: list[str],
        due_days: int,
        due_from: str,
        effective_on: date,
    ) -> None:
        self.policy(policy_id)
        from ledger.program_events import PolicyAssigned

        self._record(
            PolicyAssigned(
                **self._envelope(at, actor),
                effective_on=effective_on,
                policy_id=policy_id,
                assignment_id=assignment_id,
                audience=audience,
                due_days=due_days,
                due_from=due_from,
            )
        )
