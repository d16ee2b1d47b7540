"""The rule engine: ``evaluate(rule_versions, history, as_of) -> Status``.

Pure: no I/O, no clock. Everything it needs is in its arguments — the rule versions known
at ``known_at`` (the caller filters them), the person's history folded at ``known_at``,
and the day asked about. For each requirement id of each pack it finds the person's
window containing ``as_of``, the version that governs that window (see
``projections.rules.selection``), measures the credited records, applies tolling, and
reports beside it every earlier window still unmet (``projections.carry``). What it
derives from a rule version alone is made once per version object
(``projections.rules.prepared``), not once per person; what it derives from the versions
and the day, once per ``Plan`` (``evaluate_planned``: many people, one plan). The parts
live in ``projections.engine``: the evaluation's context and plan, the governing version,
one window's judgement, the requirements without fixed windows, and a result's assembly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from projections.answer_keys import DEFAULT_WARNING_DAYS
from projections.carry import carried
from projections.engine.context import Context
from projections.engine.governing import Candidates, definition_in, govern, requirement_window
from projections.engine.judge import binds, evaluate_in, unmet_in
from projections.engine.plan import Plan
from projections.engine.results import result
from projections.history import PersonHistory
from projections.rules.calendars import Window
from projections.rules.schema import Requirement, RuleVersion
from projections.status import (
    STATUS_SEVERITY,
    RequirementStatus,
    Status,
    StatusCode,
)
from projections.stored_versions import Followed

__all__ = ["DEFAULT_WARNING_DAYS", "Plan", "evaluate", "evaluate_planned"]


def evaluate(
    rule_versions: Iterable[RuleVersion],
    history: PersonHistory,
    as_of: date,
    *,
    warning_days: int = DEFAULT_WARNING_DAYS,
) -> Status:
    """The person's status on ``as_of`` under the given rule versions.

    Versions whose ``effective_from`` is after ``as_of`` are ignored, except one whose legal
    start is unknown (``earlier_windows``): it also judges the windows before it, flagged
    with that reading's confidence and note. Packs are evaluated
    independently and their requirements reported together (a state pack and an agency's
    local pack add up). A pack whose versions say on which days the agency followed its
    jurisdiction (``RuleVersion.followed``: the agency changed jurisdiction) reports only
    the windows judged on such a day: a window that ended before ``as_of``, on its end;
    the window under way, on ``as_of``.
    """
    return evaluate_planned(Plan.of(rule_versions, as_of), history, warning_days=warning_days)


def evaluate_planned(
    plan: Plan, history: PersonHistory, *, warning_days: int = DEFAULT_WARNING_DAYS
) -> Status:
    """``evaluate(rule_versions, history, as_of)`` for ``plan = Plan.of(rule_versions,
    as_of)``: what depends on the versions and the day alone made once for many people."""
    as_of = plan.as_of
    ctx = Context(history, as_of, timedelta(days=warning_days))
    results: list[RequirementStatus] = []
    for pack in plan.packs:
        # An agency that changed jurisdiction: this pack reports only the windows judged on
        # a day its jurisdiction was followed. Uncertain reading (the boards' texts are
        # silent, docs/rule-packs.md): a change of jurisdiction does not end the carry of
        # a window missed before it, and the old rules' window under way at the change is
        # judged by neither pack.
        followed = pack.followed
        for requirement_id, candidates in pack.requirements:
            found = _requirement(candidates, requirement_id, ctx)
            if followed is not None:
                found = [r for r in found if _followed_on(followed, _judged_on(r, as_of))]
            results.extend(found)
    results.sort(key=lambda r: r.sort_key)
    overall, reasons = _overall(results, ctx)
    return Status(
        person_id=history.person_id,
        as_of=as_of,
        status=overall,
        warning_days=warning_days,
        requirements=tuple(results),
        reasons=tuple(reasons),
        rule_versions=plan.considered,
    )


def _judged_on(result: RequirementStatus, as_of: date) -> date:
    """The day a result's window is judged: its end once it has ended, else ``as_of``."""
    end = result.window_end
    return end if end is not None and end < as_of else as_of


def _followed_on(followed: Followed, day: date) -> bool:
    return any(
        (start is None or start <= day) and (end is None or day < end) for start, end in followed
    )


# -- overall -------------------------------------------------------------------------------


def _overall(results: Sequence[RequirementStatus], ctx: Context) -> tuple[StatusCode, list[str]]:
    history, as_of = ctx.history, ctx.as_of
    person_status = history.status_on(as_of)
    if person_status == "not_hired":
        return "inactive", ["not yet hired on this date"]
    if person_status in {"separated", "inactive"}:
        return "inactive", [f"person is {person_status} on {as_of.isoformat()}"]
    if any(r.status == "inactive" for r in results):
        return "inactive", ["no licence on record for this date"]
    applicable = [r for r in results if r.status != "not_applicable"]
    if not applicable:
        return "not_applicable", ["no requirement of the given rule versions binds this person"]
    worst = min(applicable, key=lambda r: STATUS_SEVERITY.index(r.status)).status
    reasons = [
        f"{r.requirement_id} ({r.window_start or ''}–{r.window_end or ''}): {r.status}"
        for r in applicable
        if r.status == worst and worst != "compliant"
    ]
    if any(r.confidence == "uncertain" for r in applicable):
        reasons.append("some requirements rest on an uncertain reading of the rules: verify")
    return worst, reasons


# -- one requirement -----------------------------------------------------------------------


def _requirement(
    candidates: Candidates, requirement_id: str, ctx: Context
) -> list[RequirementStatus]:
    defining = [version for version, _ in candidates.defining]
    latest, latest_def = candidates.defining[0]
    probe = requirement_window(latest, latest_def, ctx, ctx.as_of)
    if probe is None:
        return [_no_window(latest, latest_def, ctx)]
    governed = govern(candidates, requirement_id, probe, ctx, ctx.as_of)
    if governed is None or governed[1] is None:
        pending = [
            v
            for v in defining
            if governed is None or v.version.effective_from > governed[0].version.effective_from
        ]
        if not pending:
            # Dropped by the version governing today: its missed windows are still carried.
            return _carried(candidates, requirement_id, latest, latest_def, probe, ctx)
        return [_phased_in(pending[-1], requirement_id, probe, governed, ctx)]
    version, definition, window = governed
    assert definition is not None
    current = evaluate_in(version, definition, window, ctx)
    return [*_carried(candidates, requirement_id, version, definition, window, ctx), current]


def _carried(
    candidates: Candidates,
    requirement_id: str,
    version: RuleVersion,
    definition: Requirement,
    window: Window,
    ctx: Context,
) -> list[RequirementStatus]:
    """Earlier windows still unmet (``projections.carry``)."""
    return carried(
        requirement_id,
        version,
        definition,
        window,
        ctx.history,
        ctx.as_of,
        lambda rid, earlier, day: govern(candidates, rid, earlier, ctx, day),
        lambda v, d, w: unmet_in(v, d, w, ctx),
        ctx.previous_window,
    )


def _no_window(version: RuleVersion, requirement: Requirement, ctx: Context) -> RequirementStatus:
    if not binds(version, requirement, ctx.history, ctx.as_of):
        status: StatusCode = "not_applicable"
        reason = "does not bind this person"
    else:
        status = "inactive"
        reason = "no window yet: no licence or certification on record for this date"
    return result(version, requirement, status, None, None, None, None, ctx, [reason])


def _phased_in(
    version: RuleVersion,
    requirement_id: str,
    probe: Window,
    governed: tuple[RuleVersion, Requirement | None, Window] | None,
    ctx: Context,
) -> RequirementStatus:
    definition = definition_in(version, requirement_id)
    assert definition is not None
    spec = version.version
    mode = spec.applicability.mode.replace("_", " ")
    reason = (
        f"not yet in force for this window ({probe.start.isoformat()}–{probe.end.isoformat()}): "
        f"version {spec.id} applies by {mode} {spec.effective_from.isoformat()}"
    )
    if governed is not None:
        reason += f"; window governed by {governed[0].id}"
    return result(version, definition, "not_applicable", None, probe, None, None, ctx, [reason])
