"""``muster credential define|change|retire|list``: the agency's credential types, each
version in force from a date (a new version never rewrites how earlier days were judged)."""

from __future__ import annotations

from typing import Any

import typer

from api.cli.context import console, open_ledger
from api.cli.timeargs import parse_known_at
from api.cli.writes import AGENCY, AS_JSON, DRY_RUN, REASON, day_of, write
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = ["types_app"]

# Its commands join ``muster credential`` (api/cli/credential.py); they live apart so that
# each module says one thing.
types_app = typer.Typer()

FROM = typer.Option(..., "--from", help="First day the version is in force, YYYY-MM-DD")
HOLDER = typer.Option(
    ...,
    "--holder",
    help="Who must hold it: everyone, kind:sworn, rank:R, unit:U, assignment:A, person:ID "
    "(repeatable)",
)


# The command option each field of a type version comes from.
_FIELD_OF_OPTION = {
    "name": "name",
    "holders": "holders",
    "earned_by": "earned_by",
    "validity": "validity",
    "months": "validity_months",
    "passing_score": "passing_score",
    "max_score": "max_score",
    "renewal_days": "renewal_days",
    "warning_days": "warning_days",
    "per_weapon": "per_weapon",
    "hours_required": "hours_required",
    "hours_window_months": "hours_window_months",
}


def _type_spec(options: dict[str, Any]) -> dict[str, Any]:
    """The type version's fields from a command's options (``define`` and ``change`` take the
    same ones); options left unset are left to the ledger's defaults."""
    spec = {
        field: options[option]
        for option, field in _FIELD_OF_OPTION.items()
        if options[option] is not None
    }
    spec["weapon_classes"] = options["weapon_classes"] or []
    if options["topics"]:
        spec["topics"] = [t for value in options["topics"] for t in value.split(",")]
    return spec


NAME = typer.Option(..., "--name", help="What the credential is called")
EARNED_BY = typer.Option(
    "qualification", "--earned-by", help="qualification, certificate or training_hours"
)
VALIDITY = typer.Option(
    "months", "--validity", help="months, end_of_next_year or certificate (its own expiry)"
)
MONTHS = typer.Option(0, "--months", help="With --validity months: how many")
PASSING = typer.Option(None, "--passing-score", help="Lowest passing score")
MAXIMUM = typer.Option(None, "--max-score", help="Highest possible score")
RENEWAL = typer.Option(
    0, "--renewal-days", help="Requalifying this many days before expiry renews from the expiry"
)
WARNING = typer.Option(30, "--warning-days", help="Due soon this many days before expiry")
PER_WEAPON = typer.Option(False, "--per-weapon", help="Held per weapon carried")
WEAPON_CLASS = typer.Option(
    None, "--weapon-class", help="With --per-weapon: a class it covers (repeatable)"
)
TOPIC = typer.Option(
    None,
    "--topic",
    help="With --earned-by training_hours: a topic id whose hours count, e.g. firearms "
    "(repeatable, or comma-separated)",
)
HOURS = typer.Option(
    None,
    "--hours-required",
    help="With --earned-by training_hours: the hours required in the topics",
)
WINDOW = typer.Option(
    None,
    "--hours-window-months",
    help="With --earned-by training_hours: the hours count if completed within this many "
    "months ending on the day they are met",
)


@types_app.command("define")
def define(
    type_id: str = typer.Argument(..., help="The type's id, e.g. firearms-handgun"),
    agency: str = AGENCY,
    name: str = NAME,
    holders: list[str] = HOLDER,
    effective_from: str = FROM,
    earned_by: str = EARNED_BY,
    validity: str = VALIDITY,
    months: int = MONTHS,
    passing_score: str | None = PASSING,
    max_score: str | None = MAXIMUM,
    renewal_days: int = RENEWAL,
    warning_days: int = WARNING,
    per_weapon: bool = PER_WEAPON,
    weapon_classes: list[str] | None = WEAPON_CLASS,
    topics: list[str] | None = TOPIC,
    hours_required: str | None = HOURS,
    hours_window_months: int | None = WINDOW,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Define a credential type (version 1), in force from --from."""
    spec = _type_spec(locals())
    start = day_of(effective_from, "--from")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.define_credential_type(
            agency, type_id, effective_on=start, actor=who, uow=uow, **spec
        )

    write(f"credential type {type_id}", command, dry_run, as_json)


@types_app.command("change")
def change(
    type_id: str = typer.Argument(..., help="The type's id"),
    agency: str = AGENCY,
    name: str = NAME,
    holders: list[str] = HOLDER,
    effective_from: str = FROM,
    reason: str = REASON,
    earned_by: str = EARNED_BY,
    validity: str = VALIDITY,
    months: int = MONTHS,
    passing_score: str | None = PASSING,
    max_score: str | None = MAXIMUM,
    renewal_days: int = RENEWAL,
    warning_days: int = WARNING,
    per_weapon: bool = PER_WEAPON,
    weapon_classes: list[str] | None = WEAPON_CLASS,
    topics: list[str] | None = TOPIC,
    hours_required: str | None = HOURS,
    hours_window_months: int | None = WINDOW,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """A new version of the type, in full, from --from (earlier days keep the old one)."""
    spec = _type_spec(locals())
    start = day_of(effective_from, "--from")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> int:
        return ledger.change_credential_type(
            agency, type_id, effective_on=start, reason=reason, actor=who, uow=uow, **spec
        )

    write(f"credential type {type_id}", command, dry_run, as_json)


@types_app.command("retire")
def retire(
    type_id: str = typer.Argument(..., help="The type's id"),
    agency: str = AGENCY,
    effective_from: str = FROM,
    reason: str = REASON,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Nobody must hold the type from --from on."""
    start = day_of(effective_from, "--from")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> None:
        ledger.retire_credential_type(
            agency, type_id, effective_on=start, reason=reason, actor=who, uow=uow
        )

    write(f"credential type {type_id}", command, dry_run, as_json)


@types_app.command("list")
def list_types(
    agency: str = AGENCY,
    known_at: str | None = typer.Option(None, "--known-at", help="As recorded then"),
    as_json: bool = AS_JSON,
) -> None:
    """Every version of every credential type, as recorded at --known-at."""
    from api.cli.tracks_text import print_json
    from replay.asof import known_at_used, requested_instant
    from replay.tracks import programme_at

    with open_ledger() as ledger:
        used = known_at_used(ledger, requested_instant(ledger, agency, parse_known_at(known_at)))
        programme = programme_at(ledger, agency, used)
    versions: list[dict[str, Any]] = [
        {
            "type_id": v.type_id,
            "version": v.version,
            "effective_from": v.effective_from.isoformat(),
            "name": v.name,
            "retired": v.retired,
            "holders": list(v.holders),
            "earned_by": v.earned_by,
            "validity": v.validity,
            "validity_months": v.validity_months,
            "per_weapon": v.per_weapon,
            "weapon_classes": list(v.weapon_classes),
            "topics": list(v.topics),
            "hours_required": None if v.hours_required is None else str(v.hours_required),
            "hours_window_months": v.hours_window_months,
        }
        for v in sorted(programme.type_versions, key=lambda v: (v.type_id, v.version))
    ]
    if as_json:
        print_json({"known_at": used.isoformat(), "credential_types": versions})
        return
    if not versions:
        console.print(f"no credential types recorded by {used.isoformat()}", markup=False)
    for v in versions:
        state = "retired" if v["retired"] else f"{v['earned_by']}, {v['validity']}"
        if v["topics"] and not v["retired"]:
            state += (
                f"; {v['hours_required']} hours in {', '.join(v['topics'])} within "
                f"{v['hours_window_months']} months"
            )
        console.print(
            f"{v['type_id']} v{v['version']} from {v['effective_from']}: {v['name']} ({state}); "
            f"holders {', '.join(v['holders'])}",
            markup=False,
        )
