"""``muster import``: people and training spreadsheets, dry runs, and template files."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.context import console, err_console, open_ledger
from api.cli.output import markup_safe, styled
from api.importing import (
    ImportLimits,
    ImportReport,
    ImportStatus,
    LimitExceededError,
    NoRulePackError,
    Severity,
    agency_topics,
    run_import,
    template_bytes,
)
from api.settings import get_settings

__all__ = ["app"]

app = typer.Typer(
    help="Import a roster or training history from CSV or XLSX (all rows or none).",
    no_args_is_help=True,
)

_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.SKIPPED: "dim"}
# Below this many rows a progress bar only flickers.
_PROGRESS_FROM_ROWS = 500


@app.command("people")
def people(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX file"),
    agency: str = typer.Option(..., "--agency", help="Agency slug"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; append nothing"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
    sync: bool = typer.Option(
        False, "--sync", help="Turn the file's differences from the ledger into events"
    ),
    separate_missing: bool = typer.Option(
        False, "--separate-missing", help="With --sync: separate people the file lacks"
    ),
) -> None:
    """Import a roster: one row per person (see docs/import.md for the columns). With
    ``--sync``, an HR export: new hires enrolled, status, unit, assignment, licence and
    certification changes recorded; nothing deleted; people it lacks reported."""
    if separate_missing and not sync:
        raise typer.BadParameter("--separate-missing needs --sync")
    _run("people", file, agency, dry_run, as_json, sync=sync, separate_missing=separate_missing)


@app.command("training")
def training(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX file"),
    agency: str = typer.Option(..., "--agency", help="Agency slug"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; append nothing"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Import training history: one row per completion (see docs/import.md)."""
    _run("training", file, agency, dry_run, as_json)


@app.command("template")
def template(
    kind: str = typer.Argument(..., help="people or training"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write"),
    file_format: str = typer.Option("csv", "--format", help="csv or xlsx"),
    agency: str = typer.Option(
        "", "--agency", help="Use topic ids of this agency's rule pack (default: Minnesota's)"
    ),
) -> None:
    """Write an example file with every column and a few valid rows."""
    if kind not in ("people", "training"):
        err_console.print(
            styled(("error:", "red"), f" unknown template {kind!r}: people or training")
        )
        raise typer.Exit(2)
    if file_format not in ("csv", "xlsx"):
        err_console.print(
            styled(("error:", "red"), f" unknown format {file_format!r}: csv or xlsx")
        )
        raise typer.Exit(2)
    topics: frozenset[str] | None = None
    if agency and kind == "training":
        with open_ledger() as ledger:
            try:
                topics = agency_topics(ledger, agency)
            except NoRulePackError as error:
                err_console.print(
                    styled(("warning:", "yellow"), f" {error}; using Minnesota's topic ids")
                )
    target = output or Path(f"muster-{kind}-template.{file_format}")
    target.write_bytes(template_bytes(kind, file_format, topics))
    console.print(f"wrote {target}")


def _limits() -> ImportLimits:
    settings = get_settings()
    return ImportLimits(
        max_bytes=settings.import_max_bytes,
        max_rows=settings.import_max_rows,
        max_columns=settings.import_max_columns,
        max_cell_chars=settings.import_max_cell_chars,
        max_issues_per_column=settings.import_max_issues_per_column,
    )


def _run(
    kind: str,
    file: Path,
    agency: str,
    dry_run: bool,
    as_json: bool,
    *,
    sync: bool = False,
    separate_missing: bool = False,
) -> None:
    limits = _limits()
    try:
        # Before reading: a file over the limit is never loaded into memory.
        limits.check_bytes(file.stat().st_size)
    except LimitExceededError as error:
        err_console.print(styled(("not imported:", "red"), f" {error}"))
        raise typer.Exit(1) from None
    data = file.read_bytes()
    rows_hint = data.count(b"\n") if not data.startswith(b"PK") else len(data) // 60
    with open_ledger() as ledger:
        show = not as_json and rows_hint >= _PROGRESS_FROM_ROWS
        # The bar goes to stderr so ``--json`` output (and redirected reports) stay clean.
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=not show,
        ) as bar:
            # The bar's template is markup: the file name is escaped into it.
            task = bar.add_task(f"{kind}: reading {markup_safe(file.name)}", total=None)

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(task, description=f"{kind}: {stage}", completed=done, total=total)

            report = run_import(
                ledger,
                kind,
                agency,
                data,
                file_name=file.name,
                dry_run=dry_run,
                progress=progress,
                limits=limits,
                sync=sync,
                separate_missing=separate_missing,
            )
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(1)


def _print(report: ImportReport) -> None:
    if report.issues:
        table = Table("row", "column", "severity", "reason", "value", title="import report")
        for issue in report.sorted_issues():
            table.add_row(
                "file" if issue.row is None else str(issue.row),
                issue.column or "",
                styled((issue.severity.value, _STYLE[issue.severity])),
                issue.reason,
                issue.value,
            )
        console.print(table)
    verb = "would change" if report.dry_run else "changed"
    for change in report.changes:
        console.print(f"{verb}: {change}", markup=False, soft_wrap=True)
    for note in report.notes:
        console.print(f"note: {note}")
    verb = "would append" if report.dry_run else "appended"
    if report.status is ImportStatus.INVALID:
        headline = styled(
            ("not imported", "red"), f": {report.error_count:,} error(s); nothing was appended"
        )
    elif report.status is ImportStatus.ALREADY_IMPORTED:
        console.print(styled(("already imported", "green"), ": nothing appended"))
        return
    elif report.status is ImportStatus.NOTHING_NEW:
        headline = styled(("nothing new", "green"), ": every row is already in the ledger")
    elif report.status is ImportStatus.VALID:
        headline = styled(("valid", "green"), " (dry run): nothing appended")
    else:
        headline = styled(("imported", "green"))
    console.print(headline)
    console.print(
        f"{report.kind} file {report.file_name} ({report.file_format or '?'}), "
        f"sha256 {report.file_sha256[:12]}…\n"
        f"rows read {report.rows_read}, valid {report.rows_valid}, "
        f"skipped {report.skipped_count}; {verb}: {report.people_appended} people, "
        f"{report.records_appended} training records, {report.events_appended} events "
        f"in {report.seconds:.2f} s"
    )
