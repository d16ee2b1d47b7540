"""Use cases of the agency's own credentials: credential types (defined, changed, retired)
and a person's qualification attempts, credentials granted, suspended, reinstated and
revoked, and weapons carried."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from ledger import fields
from ledger.errors import InvalidValueError, LedgerError
from ledger.ledger_core import LedgerCore
from ledger.program_events import CredentialTypeState
from ledger.unit_of_work import UnitOfWork

__all__ = [
    "EARNED_BY",
    "SELECTOR_KINDS",
    "SPEC_FIELDS",
    "VALIDITY",
    "CredentialCases",
    "plain",
    "score",
    "selectors",
    "slug_id",
    "spec_field",
    "type_spec",
]

EARNED_BY = ("qualification", "certificate", "training_hours")
VALIDITY = ("months", "end_of_next_year", "certificate")
SELECTOR_KINDS = ("kind", "rank", "unit", "assignment", "person")
RESULTS = ("pass", "fail")
ACTIONS = ("suspend", "reinstate", "revoke")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_DAYS_LIMIT = 3660
MAX_SCORE_LIMIT = Decimal(1000)
# A training-hours type: at most this many hours, topics and months of window.
MAX_HOURS_REQUIRED = Decimal(1000)
MAX_TOPICS = 20
_TOPIC = re.compile(r"[a-z][a-z0-9_]{1,63}")  # as ``ledger.fields`` checks a record's topics


def slug_id(label: str, value: str, *, field: str) -> str:
    value = value.strip()
    if not _SLUG.fullmatch(value):
        raise InvalidValueError(
            f"{label} {value!r}: 1-40 lowercase letters, digits, '-' or '_', starting with a "
            "letter or digit",
            field=field,
        )
    return value


def selectors(field: str, values: Sequence[str]) -> list[str]:
    """Audience or holder selectors (``ledger.program_events``), canonical and sorted."""
    parsed: set[str] = set()
    for raw in values:
        value = fields.text(field, raw, required=True, limit=120)
        if value == "everyone":
            parsed.add(value)
            continue
        kind, _, target = value.partition(":")
        if kind not in SELECTOR_KINDS or not target.strip():
            raise InvalidValueError(
                f"{field} {value!r}: expected everyone or KIND:VALUE with KIND one of "
                f"{', '.join(SELECTOR_KINDS)}",
                field=field,
            )
        parsed.add(f"{kind}:{target.strip()}")
    if not parsed:
        raise InvalidValueError(
            f"{field}: name at least one (everyone, kind:sworn, unit:…)", field=field
        )
    return sorted(parsed)


def _count(field: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValueError(
            f"{field} {value!r}: expected a whole number {low}-{high}", field=field
        )
    return value


def score(field: str, value: Decimal | str | int | None, high: Decimal) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidValueError(f"{field} {value!r}: expected a number", field=field) from None
    if not parsed.is_finite() or not Decimal(0) <= parsed <= high:
        raise InvalidValueError(f"{field} {value!r}: out of range 0-{plain(high)}", field=field)
    return plain(parsed.quantize(Decimal("0.01")))


def plain(value: Decimal) -> Decimal:
    """The value without trailing zeros or an exponent: 100, 92.5 (never 1E+2)."""
    return Decimal(format(value.normalize(), "f"))


def topic_ids(field: str, values: Sequence[str]) -> list[str]:
    """Canonical topic ids (``use_of_force``), as training records carry them; sorted."""
    parsed = sorted({str(v).strip() for v in values if str(v).strip()})
    for value in parsed:
        if not _TOPIC.fullmatch(value):
            raise InvalidValueError(
                f"{field} {value!r}: use canonical topic ids such as use_of_force "
                "(lowercase letters, digits and _)",
                field=field,
            )
    if len(parsed) > MAX_TOPICS:
        raise InvalidValueError(f"{field}: at most {MAX_TOPICS} topics", field=field)
    return parsed


def hours_required_value(value: Decimal | str | int | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidValueError(
            f"hours_required {value!r}: expected a number of hours", field="hours_required"
        ) from None
    if not parsed.is_finite() or not Decimal(0) < parsed <= MAX_HOURS_REQUIRED:
        raise InvalidValueError(
            f"hours_required {value!r}: must be more than 0 and at most {MAX_HOURS_REQUIRED}",
            field="hours_required",
        )
    if parsed != parsed.quantize(Decimal("0.01")):
        raise InvalidValueError(
            f"hours_required {value!r}: at most two decimal places", field="hours_required"
        )
    return plain(parsed)


def _hours_spec(
    earned_by: str,
    topics: Sequence[str],
    hours_required: Decimal | str | int | None,
    hours_window_months: int,
) -> dict[str, Any]:
    """The training-hours fields: all three for ``training_hours``, none for the others."""
    if isinstance(topics, str):
        topics = topics.split(",")  # a form's "firearms, defensive_tactics"
    parsed_topics = topic_ids("topics", topics)
    required = hours_required_value(hours_required)
    window = _count("hours_window_months", hours_window_months, 0, 120)
    if earned_by != "training_hours":
        if parsed_topics or required is not None or window:
            raise InvalidValueError(
                "topics, hours_required and hours_window_months apply only to earned_by "
                f"training_hours, not {earned_by}",
                field="earned_by",
            )
        return {}
    if not parsed_topics:
        raise InvalidValueError(
            "topics: name at least one topic id for earned_by training_hours", field="topics"
        )
    if required is None:
        raise InvalidValueError(
            "hours_required: give the hours earned_by training_hours needs", field="hours_required"
        )
    if window == 0:
        raise InvalidValueError(
            "hours_window_months: give the months (1-120) the hours must be completed within",
            field="hours_window_months",
        )
    return {"topics": parsed_topics, "hours_required": required, "hours_window_months": window}


def _choice(field: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InvalidValueError(
            f"{field} {value!r}: expected one of {', '.join(allowed)}", field=field
        )
    return value


def type_spec(
    *,
    name: str,
    holders: Sequence[str],
    earned_by: str,
    validity: str,
    validity_months: int = 0,
    passing_score: Decimal | str | int | None = None,
    max_score: Decimal | str | int | None = None,
    renewal_days: int = 0,
    warning_days: int = 30,
    per_weapon: bool = False,
    weapon_classes: Sequence[str] = (),
    topics: Sequence[str] = (),
    hours_required: Decimal | str | int | None = None,
    hours_window_months: int = 0,
) -> dict[str, Any]:
    """A credential type version's fields, parsed and checked together."""
    earned_by = _choice("earned_by", earned_by, EARNED_BY)
    hours = _hours_spec(earned_by, topics, hours_required, hours_window_months)
    validity = _choice("validity", validity, VALIDITY)
    top = score("max_score", max_score, MAX_SCORE_LIMIT)
    if top is not None and top == 0:
        raise InvalidValueError("max_score must be above 0", field="max_score")
    passing = score("passing_score", passing_score, top if top is not None else MAX_SCORE_LIMIT)
    if passing is not None and top is None:
        raise InvalidValueError("a passing_score needs a max_score", field="max_score")
    months = _count("validity_months", validity_months, 0, 120)
    if validity == "months" and months == 0:
        raise InvalidValueError(
            "validity months needs validity_months 1-120", field="validity_months"
        )
    if validity != "months" and months:
        raise InvalidValueError(
            f"validity_months applies only to validity months, not {validity}",
            field="validity_months",
        )
    if validity == "certificate" and earned_by != "certificate":
        raise InvalidValueError(
            "validity certificate needs earned_by certificate", field="earned_by"
        )
    if earned_by == "training_hours" and (top is not None or passing is not None):
        raise InvalidValueError(
            "max_score and passing_score apply only to earned_by qualification", field="earned_by"
        )
    classes = sorted(
        {fields.text("weapon_class", c, required=True, limit=40) for c in weapon_classes}
    )
    if per_weapon and (earned_by != "qualification" or not classes):
        raise InvalidValueError(
            "a per-weapon type is earned by qualification and names weapon classes",
            field="weapon_classes",
        )
    if classes and not per_weapon:
        raise InvalidValueError(
            "weapon_classes apply only to a per-weapon type", field="weapon_classes"
        )
    return {
        "name": fields.text("name", name, required=True, limit=120),
        "holders": selectors("holders", holders),
        "earned_by": earned_by,
        "passing_score": passing,
        "max_score": top,
        "validity": validity,
        "validity_months": months,
        "renewal_days": _count("renewal_days", renewal_days, 0, _DAYS_LIMIT),
        "warning_days": _count("warning_days", warning_days, 0, _DAYS_LIMIT),
        "per_weapon": bool(per_weapon),
        "weapon_classes": classes,
        **hours,
    }


# The fields of a type version, the most specific first (``hours_window_months`` before
# ``validity_months``): what ``spec_field`` searches a refusal of ``type_spec`` for.
SPEC_FIELDS = (
    "hours_window_months",
    "hours_required",
    "topics",
    "validity_months",
    "passing_score",
    "max_score",
    "renewal_days",
    "warning_days",
    "weapon_classes",
    "earned_by",
    "validity",
    "holders",
    "per_weapon",
    "name",
)


def spec_field(refused: LedgerError) -> str | None:
    """The type version field a refusal of ``type_spec`` is about (for an edge to put the
    message beside it), or None: every refusal of ``type_spec`` names its field."""
    return refused.field if refused.field in SPEC_FIELDS else None


def _weapon(state: CredentialTypeState, weapon: Sequence[str]) -> tuple[str, str, str]:
    weapon_class, make_model, serial = (fields.text("weapon", w, limit=80) for w in weapon)
    if not state.per_weapon:
        if weapon_class or make_model or serial:
            raise InvalidValueError(
                f"credential type {state.name!r} is not held per weapon", field="serial"
            )
        return "", "", ""
    if not serial or not weapon_class:
        raise InvalidValueError(
            f"{state.name!r} is held per weapon: give its class and serial", field="serial"
        )
    if weapon_class not in state.weapon_classes:
        raise InvalidValueError(
            f"weapon class {weapon_class!r}: {state.name!r} covers "
            f"{', '.join(state.weapon_classes)}",
            field="weapon_class",
        )
    return weapon_class, make_model, serial


class CredentialCases(LedgerCore):
    """Credential use cases of ``Ledger``, in primitives, with typed errors."""

    def define_credential_type(
        self,
        agency: str,
        type_id: str,
        *,
        effective_on: date,
        actor: str,
        uow: UnitOfWork | None = None,
        **spec: Any,
    ) -> None:
        type_id, parsed = slug_id("credential type", type_id, field="type_id"), type_spec(**spec)
        now = self.clock()
        with self._using(uow) as u:
            u.agency(agency).define_credential_type(
                at=now, actor=actor, type_id=type_id, effective_on=effective_on, spec=parsed
            )

    def change_credential_type(
        self,
        agency: str,
        type_id: str,
        *,
        effective_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
        **spec: Any,
    ) -> int:
        """A new version from ``effective_on``; its number."""
        parsed, why = type_spec(**spec), fields.text("reason", reason, required=True)
        now = self.clock()
        with self._using(uow) as u:
            return u.agency(agency).change_credential_type(
                at=now,
                actor=actor,
                type_id=type_id,
                effective_on=effective_on,
                spec=parsed,
                reason=why,
            )

    def retire_credential_type(
        self,
        agency: str,
        type_id: str,
        *,
        effective_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        why = fields.text("reason", reason, required=True)
        now = self.clock()
        with self._using(uow) as u:
            u.agency(agency).retire_credential_type(
                at=now, actor=actor, type_id=type_id, effective_on=effective_on, reason=why
            )

    def record_qualification(
        self,
        agency: str,
        employee_id: str,
        *,
        credential_type: str,
        on: date,
        result: str,
        instructor: str,
        actor: str,
        score_value: Decimal | str | int | None = None,
        weapon: Sequence[str] = ("", "", ""),
        attempt_id: UUID | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        """One attempt, passed or failed; its id."""
        result = _choice("result", result, RESULTS)
        instructor = fields.text("instructor", instructor, required=True)
        now = self._now_and_check(on, "attempt date")
        attempt = attempt_id or uuid.uuid4()
        with self._using(uow) as u:
            state = u.agency(agency).credential_type(credential_type)
            if state.earned_by != "qualification":
                raise InvalidValueError(
                    f"{credential_type!r} is earned by {state.earned_by}, not attempt",
                    field="credential_type",
                )
            if state.retired:
                raise InvalidValueError(
                    f"credential type {credential_type!r} is retired", field="credential_type"
                )
            parsed = score("score", score_value, state.max_score or MAX_SCORE_LIMIT)
            passing = state.passing_score
            if result == "pass" and passing is not None and (parsed is None or parsed < passing):
                raise InvalidValueError(
                    f"a pass of {credential_type!r} needs a score of at least {plain(passing)}",
                    field="score",
                )
            u.person(agency, employee_id).attempt_qualification(
                at=now,
                actor=actor,
                attempt_id=attempt,
                credential_type=credential_type,
                on=on,
                result=result,
                score=parsed,
                instructor=instructor,
                weapon=_weapon(state, weapon),
            )
        return attempt

    def grant_credential(
        self,
        agency: str,
        employee_id: str,
        *,
        credential_type: str,
        on: date,
        actor: str,
        expires_on: date | None = None,
        certificate_number: str = "",
        issuer: str = "",
        serial: str = "",
        uow: UnitOfWork | None = None,
    ) -> UUID:
        now = self._now_and_check(on, "grant date")
        grant = uuid.uuid4()
        with self._using(uow) as u:
            state = u.agency(agency).credential_type(credential_type)
            if state.validity == "certificate" and expires_on is None:
                raise InvalidValueError(
                    f"{credential_type!r} lasts as its certificate: give expires_on",
                    field="expires_on",
                )
            if bool(serial) != state.per_weapon:
                raise InvalidValueError(
                    "name the weapon's serial exactly for a per-weapon type", field="serial"
                )
            u.person(agency, employee_id).grant_credential(
                at=now,
                actor=actor,
                grant_id=grant,
                credential_type=credential_type,
                on=on,
                expires_on=expires_on,
                certificate_number=fields.text("certificate_number", certificate_number),
                issuer=fields.text("issuer", issuer),
                serial=fields.text("serial", serial),
            )
        return grant

    def act_on_credential(
        self,
        agency: str,
        employee_id: str,
        action: str,
        *,
        credential_type: str,
        on: date,
        reason: str,
        actor: str,
        serial: str = "",
        uow: UnitOfWork | None = None,
    ) -> None:
        """Suspend, reinstate or revoke a person's credential from ``on``."""
        action = _choice("action", action, ACTIONS)
        why = fields.text("reason", reason, required=True)
        now = self._now_and_check(on, f"{action} date")
        with self._using(uow) as u:
            state = u.agency(agency).credential_type(credential_type)
            if serial and not state.per_weapon:
                raise InvalidValueError(
                    f"{credential_type!r} is not held per weapon", field="serial"
                )
            u.person(agency, employee_id).act_on_credential(
                at=now,
                actor=actor,
                action=action,
                credential_type=credential_type,
                on=on,
                reason=why,
                serial=fields.text("serial", serial),
            )

    def issue_weapon(
        self,
        agency: str,
        employee_id: str,
        *,
        weapon: Sequence[str],
        on: date,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        weapon_class, make_model, serial = (fields.text("weapon", w, limit=80) for w in weapon)
        if not weapon_class or not serial:
            raise InvalidValueError("a weapon needs its class and serial", field="weapon")
        now = self._now_and_check(on, "issue date")
        with self._using(uow) as u:
            u.person(agency, employee_id).issue_weapon(
                at=now, actor=actor, on=on, weapon=(weapon_class, make_model, serial)
            )

    def return_weapon(
        self,
        agency: str,
        employee_id: str,
        *,
        serial: str,
        on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        now = self._now_and_check(on, "return date")
        with self._using(uow) as u:
            u.person(agency, employee_id).return_weapon(
                at=now,
                actor=actor,
                on=on,
                serial=fields.text("serial", serial),
                reason=fields.text("reason", reason, required=True),
            )
