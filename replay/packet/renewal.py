"""``renewal_roster.csv``: an agency packet's roster for the renewal or reporting period each
state's board asks about (issue 19 §4), one row per person owing it, in the columns the
state's sources name. Facts and citations are from ``/work/shared/rules/`` (post-rules.md
and its two updates), by section; no board's own file layout (column order, codes, file
type) was found for any state, so each roster is the set of facts its sources say the board
wants, in muster's words, and says so (``UNCERTAIN`` notes in ``packet.json``).

The period is the one under way on ``as_of``: its report day is the first of the state's
period ends on or after ``as_of`` (ask on the period's last day for the final roster).
Each column reads one requirement's row whose window holds the report day (the answer's
``required``, ``counted``, ``status``; a pool's per-topic counts); a row the answer does not
have (a requirement that does not bind the person) is empty. A person is on the roster when
the state's anchor requirement binds them in that window (Minnesota: when their own licence
period ends on the report day, as licences renew one officer at a time).

Pure: built from the answer the packet already holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["RENEWALS", "Renewal", "renewal_roster"]

Column = tuple[str, str, str]  # header, requirement id, field ("counted", "topic:autism", ...)


def _next(month: int, day: int, years: Callable[[int], bool] = lambda _: True) -> Any:
    """The first ``month-day`` on or after ``as_of`` in a year ``years`` accepts."""

    def first(as_of: date) -> date:
        year = as_of.year
        while date(year, month, day) < as_of or not years(year):
            year += 1
        return date(year, month, day)

    return first


@dataclass(frozen=True)
class Renewal:
    state: str
    report: str  # what the board calls it
    due: str  # when it is due, as the sources say
    report_day: Callable[[date], date]
    anchor: str  # the requirement that puts a person on the roster
    columns: Sequence[Column]
    sources: Sequence[str]
    uncertain: Sequence[str] = field(default=())
    anchor_ends_on_day: bool = False  # the anchor's window must end on the report day

    def describe(self, day: date) -> dict[str, Any]:
        return {
            "state": self.state,
            "report": self.report,
            "report_day": day.isoformat(),
            "due": self.due,
            "sources": list(self.sources),
            "uncertain": list(self.uncertain),
        }


_MN_MLO = [
    ("mlo_crisis_intervention_counted", "mlo", "topic:crisis_intervention_mental_illness"),
    ("mlo_autism_counted", "mlo", "topic:autism"),
    ("mlo_conflict_management_counted", "mlo", "topic:conflict_management_mediation"),
    ("mlo_diversity_implicit_bias_counted", "mlo", "topic:diversity_implicit_bias"),
    ("mlo_crimes_motivated_by_bias_counted", "mlo", "topic:crimes_motivated_by_bias"),
    ("mlo_elective_counted", "mlo", "topic:elective"),
]

RENEWALS: dict[str, Renewal] = {
    "US-MN": Renewal(
        state="US-MN",
        report="POST Board peace officer licence renewal: continuing education for the licence "
        "period ending June 30",
        due="June 30 of the renewal year, 11:59 PM (post-rules.md §2.1)",
        report_day=_next(6, 30),
        anchor="total_ce",
        anchor_ends_on_day=True,
        columns=[
            ("licence_period_start", "total_ce", "window_start"),
            ("licence_period_end", "total_ce", "window_end"),
            ("ce_credits_required", "total_ce", "required"),
            ("ce_credits_counted", "total_ce", "counted"),
            ("mlo_credits_required", "mlo", "required"),
            ("mlo_credits_counted", "mlo", "counted"),
            *_MN_MLO,
            ("officer_wellness_counted", "officer_wellness", "counted"),
            ("use_of_force_this_year_counted", "use_of_force_annual", "counted"),
            ("ce_status", "total_ce", "status"),
            ("mlo_status", "mlo", "status"),
            ("officer_wellness_status", "officer_wellness", "status"),
            ("use_of_force_status", "use_of_force_annual", "status"),
        ],
        sources=[
            "post-rules.md §2.1: licences renew June 30 of the third year; renewal needs the fee "
            "and 48 h of CE by June 30; the system will not accept a renewal payment with CE/MLO "
            "unmet (https://mn.gov/post/licensees/licensesrenewal/index.jsp; "
            "https://dps.mn.gov/entity/post/continuing-education/Pages/"
            "continuing-education-for-license-renewal.aspx)",
            "post-rules.md §2.3: the 16 MLO credits by category (CIT >= 6, autism >= 4, conflict "
            ">= 1, diversity/implicit bias >= 1, crimes motivated by bias >= 1, 3 elective), "
            "officer wellness >= 1 from 2027 renewals, use of force every calendar year",
            "post-rules.md §2.1: a CE review asks for provider, course title, date(s) and hours "
            "(the person packet's ce_review.csv)",
        ],
        uncertain=[
            "No POST file layout for an agency renewal roster was found; the columns are the "
            "facts renewal depends on.",
            "A new licensee's first renewal date is ambiguous (post-rules-mn-or-update.md Q5); "
            "the recorded licence period end is used.",
            "Credits are counted as recorded hours; no credit-to-hour rule was found "
            "(post-rules.md, method).",
        ],
    ),
    "US-IN": Renewal(
        state="US-IN",
        report="ILEA annual training status report (the previous calendar year's in-service "
        "training)",
        due="March 31 of the next year by statute (IC 5-2-1-1(d)); LSA #23-732 advanced it, "
        "probably to January 31 (post-rules-in-oh-ca-tx-update.md Q2, UNCERTAIN)",
        report_day=_next(12, 31),
        anchor="in_service_total",
        columns=[
            ("calendar_year_start", "in_service_total", "window_start"),
            ("calendar_year_end", "in_service_total", "window_end"),
            ("in_service_hours_required", "in_service_total", "required"),
            ("in_service_hours_counted", "in_service_total", "counted"),
            ("defensive_tactics_hours_required", "defensive_tactics", "required"),
            ("defensive_tactics_hours_counted", "defensive_tactics", "counted"),
            ("firearms_status", "firearms", "status"),
            ("vehicle_operations_status", "vehicle_operations", "status"),
            ("in_service_status", "in_service_total", "status"),
        ],
        sources=[
            "post-rules.md §3.1: 24 h of in-service training each calendar year (250 IAC 2-7-1); "
            "the chief executive officer's annual written training-status report covers the "
            "previous calendar year (250 IAC 2-1-2), due March 31 (IC 5-2-1-1(d))",
            "post-rules-in-oh-ca-tx-update.md Q2: a newly hired officer must be reported for "
            "that calendar year (ILEA Departmental Data Form)",
            "post-rules-in-oh-ca-tx-update.md Q1: defensive tactics/use of force 2 -> 4 h (LSA "
            "#23-732)",
        ],
        uncertain=[
            "The report's due date after LSA #23-732 was not read (Jan 31 probable, Mar 31 in "
            "the statute).",
            "No ILEA file layout was found; the columns are the facts the report states.",
        ],
    ),
    "US-OH": Renewal(
        state="US-OH",
        report="OPOTC continuing professional training (CPT) for the calendar year, and the "
        "annual roster under R.C. 109.761(B)",
        due="January 31 of the next year (post-rules.md §4.4; §4.2's 2018 example)",
        report_day=_next(12, 31),
        anchor="cpt",
        columns=[
            ("calendar_year_start", "cpt", "window_start"),
            ("calendar_year_end", "cpt", "window_end"),
            ("cpt_hours_required", "cpt", "required"),
            ("cpt_hours_counted", "cpt", "counted"),
            ("cpt_status", "cpt", "status"),
            ("firearms_requalification_status", "firearms_requalification", "status"),
        ],
        sources=[
            "post-rules.md §4.1-4.2: CPT hours set each calendar year by OPOTC (R.C. 109.803; "
            "24 h in 2022-2024); annual firearms requalification, which does not count as CPT",
            "post-rules.md §4.4: the annual roster under R.C. 109.761(B) by January 31 of the "
            "following year (a condition of reimbursement)",
        ],
        uncertain=[
            "No OPOTC file layout was found; R.C. 109.761(B)'s roster content was not read.",
            "CPT hours from 2025 on are not known (post-rules.md §4.2).",
        ],
    ),
    "US-OR": Renewal(
        state="US-OR",
        report="DPSST police officer maintenance: the Annual Maintenance report (firearms or "
        "use of force) and the 3-Year Maintenance report (84 h)",
        due="not found (DPSST sends agencies quarterly tracking reports)",
        report_day=_next(12, 31),
        anchor="annual_firearms_use_of_force",
        columns=[
            ("year_start", "annual_firearms_use_of_force", "window_start"),
            ("year_end", "annual_firearms_use_of_force", "window_end"),
            ("annual_firearms_use_of_force_required", "annual_firearms_use_of_force", "required"),
            ("annual_firearms_use_of_force_counted", "annual_firearms_use_of_force", "counted"),
            ("maintenance_cycle_start", "maintenance_total", "window_start"),
            ("maintenance_cycle_end", "maintenance_total", "window_end"),
            ("maintenance_hours_required", "maintenance_total", "required"),
            ("maintenance_hours_counted", "maintenance_total", "counted"),
            ("leadership_hours_counted", "supervisor_leadership", "counted"),
            ("first_aid_cpr_status", "first_aid_cpr", "status"),
            ("annual_status", "annual_firearms_use_of_force", "status"),
            ("maintenance_status", "maintenance_total", "status"),
        ],
        sources=[
            "post-rules.md §5.2: 84 h every 3 calendar years including 8 h annual firearms or "
            "use of force; 24 of the 84 in leadership for supervisors; First Aid and Adult/Child "
            "CPR at all times; DPSST's Annual Maintenance and 3-Year Maintenance reports; F-6 "
            "course rosters and the F-15 individual training log (DPSST Maintenance page)",
        ],
        uncertain=[
            "The hour figures are from the 2008 DPSST page; the current OAR text was not read "
            "(post-rules.md §5.2).",
            "No DPSST file layout or due date was found.",
        ],
    ),
    "US-TX": Renewal(
        state="US-TX",
        report="TCOLE continuing education for the 2-year training unit (September 1 - August "
        "31), within its 4-year cycle",
        due="training is reported within 30 days of completion (37 TAC 218.5); the unit ends "
        "August 31 of an odd year",
        report_day=_next(8, 31, lambda year: year % 2 == 1),
        anchor="unit_total",
        columns=[
            ("unit_start", "unit_total", "window_start"),
            ("unit_end", "unit_total", "window_end"),
            ("unit_hours_required", "unit_total", "required"),
            ("unit_hours_counted", "unit_total", "counted"),
            ("active_shooter_hours_counted", "active_shooter", "counted"),
            ("active_shooter_status", "active_shooter", "status"),
            ("cycle_courses_status", "cycle_courses", "status"),
            ("firearms_proficiency_status", "firearms_proficiency", "status"),
            ("unit_status", "unit_total", "status"),
        ],
        sources=[
            "post-rules.md §7: 40 h per 2-year unit including the legislative update course and "
            ">= 16 h ALERRT; 4-year cycle courses for officers below intermediate proficiency "
            "(37 TAC 218.3); firearms proficiency at least annually (Occ. Code 1701.355); "
            "training reported within 30 days (37 TAC 218.5)",
        ],
        uncertain=["No TCOLE roster layout was found; TCOLE holds the training reports itself."],
    ),
    "US-CA": Renewal(
        state="US-CA",
        report="POST continuing professional training (CPT) for the 2-year cycle, with the "
        "Perishable Skills Program",
        due="not found; the cycle ends December 31 of an even year (UNCERTAIN)",
        report_day=_next(12, 31, lambda year: year % 2 == 0),
        anchor="cpt",
        columns=[
            ("cycle_start", "cpt", "window_start"),
            ("cycle_end", "cpt", "window_end"),
            ("cpt_hours_required", "cpt", "required"),
            ("cpt_hours_counted", "cpt", "counted"),
            ("perishable_skills_required", "perishable_skills", "required"),
            ("perishable_skills_counted", "perishable_skills", "counted"),
            ("cpt_status", "cpt", "status"),
            ("perishable_skills_status", "perishable_skills", "status"),
        ],
        sources=[
            "post-rules.md §6: 24 h of POST-qualifying training every 2-year CPT cycle (Reg. "
            "1005(d)); the Perishable Skills Program's 18 of the 24",
        ],
        uncertain=[
            "Statewide fixed cycles from January 1 of odd years are read from one city notice "
            "(post-rules.md §6).",
            "No POST roster layout was found.",
        ],
    ),
}

_HEAD = ["employee_id", "name", "kind", "person_status", "report_day"]


def renewal_roster(
    answer: Mapping[str, Any], people: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[str], list[list[object]]] | None:
    """The roster of the agency's state for the period under way on ``as_of``: its
    description (for packet.json), header and rows; None for a state with no profile."""
    renewal = RENEWALS.get(answer["agency"].get("jurisdiction", ""))
    if renewal is None:
        return None
    day = renewal.report_day(date.fromisoformat(answer["as_of"]))
    rows = []
    for person in people:
        windows = _windows(person["compliance"]["requirements"], day)
        anchor = windows.get(renewal.anchor)
        if anchor is None or (renewal.anchor_ends_on_day and anchor["window_end"] != str(day)):
            continue
        rows.append(
            [
                person["employee_id"],
                person["name"],
                person["kind"],
                person["person_status"],
                day,
                *(_cell(windows.get(rid), what) for _, rid, what in renewal.columns),
            ]
        )
    header = [*_HEAD, *(name for name, _, _ in renewal.columns)]
    return renewal.describe(day), header, rows


def _windows(requirements: Sequence[Mapping[str, Any]], day: date) -> dict[str, Any]:
    """Each requirement's row whose window holds ``day`` (the latest such, if several)."""
    found: dict[str, Any] = {}
    text = day.isoformat()
    for r in requirements:
        start, end = r.get("window_start") or "", r.get("window_end") or ""
        if start <= text <= end:
            found[r["requirement_id"]] = r
    return found


def _cell(requirement: Mapping[str, Any] | None, what: str) -> object:
    if requirement is None:
        return ""
    if what.startswith("topic:"):
        topic = what.removeprefix("topic:")
        return next(
            (t["counted"] for t in requirement.get("topics", ()) if t["topic"] == topic), ""
        )
    return requirement.get(what) or ""
