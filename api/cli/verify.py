"""``muster verify``: recompute every hash chain and the ledger digest."""

from __future__ import annotations

from pathlib import Path

import orjson
import structlog
import typer

from api.cli.context import configured_seal_keys, console, err_console, open_ledger
from api.cli.output import styled
from replay.verify import Break, VerifyReport, dumps_digest, verify_store

log = structlog.get_logger()


def verify(
    save_digest: Path | None = typer.Option(
        None, "--save-digest", help="Write the digest (root + every stream head) to this file"
    ),
    against: Path | None = typer.Option(
        None, "--against", help="Compare with a digest saved earlier (detects removed events)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable report"),
) -> None:
    """Check that no stored event was changed, removed, reordered or forged."""
    try:
        saved = orjson.loads(against.read_bytes()) if against else None
    except (OSError, orjson.JSONDecodeError) as error:
        err_console.print(styled(("error:", "red"), f" cannot read the digest {against}: {error}"))
        raise typer.Exit(2) from None
    keys = configured_seal_keys()
    with open_ledger() as ledger:
        try:
            report = verify_store(ledger.store, against=saved, keys=keys)
        except ValueError as error:
            err_console.print(styled(("error:", "red"), f" {error}"))
            raise typer.Exit(2) from None
    log.info(
        "ledger.verified",
        ok=report.ok,
        events=report.events,
        streams=len(report.heads),
        root=report.root,
        breaks=len(report.breaks),
        first_break=report.breaks[0].to_dict() if report.breaks else None,
        seals=report.seals_dict(),
    )
    if save_digest:
        save_digest.parent.mkdir(parents=True, exist_ok=True)
        save_digest.write_bytes(dumps_digest(report))
    if as_json:
        typer.echo(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        console.print(f"events: {report.events}  streams: {len(report.heads)}")
        console.print(styled("ledger digest (Merkle root): ", (report.root, "bold")))
        if save_digest:
            console.print(f"digest saved to {save_digest}")
        _print_seals(report)
        if report.ok:
            sealed = " and every unit is sealed by a known key" if report.seals_checked else ""
            console.print(styled((f"verified: every hash link matches{sealed}", "green")))
        else:
            first = report.breaks[0]
            console.print(
                styled(
                    (
                        f"BROKEN: {len(report.breaks)} problem(s); first at "
                        f"{_where(first)}: {first.problem}",
                        "red",
                    )
                )
            )
            for item in report.breaks[1:20]:
                console.print(f"  {_where(item)}: {item.problem}")
    if not report.ok:
        raise typer.Exit(1)


def _where(item: Break) -> str:
    """Stream and position, and the log position where known (the log's own problems
    have no stream)."""
    if item.originator_id.int == 0:
        return f"log position {item.log_position}"
    logged = "" if item.log_position is None else f" (log position {item.log_position})"
    return f"stream {item.originator_id} position {item.position}{logged}"


def _print_seals(report: VerifyReport) -> None:
    facts = report.log
    if not report.seals_checked:
        console.print(
            styled(
                (
                    "seals not checked: no seal key configured (MUSTER_SEAL_KEY_FILE); "
                    "whoever can insert into the database could append events that verify",
                    "yellow",
                )
            )
        )
        return
    keys = ", ".join(sorted(facts.key_ids)) or "none"
    console.print(
        f"seals: {facts.units_sealed} unit(s) sealed (keys: {keys}), "
        f"{facts.events_unsealed} event(s) unsealed"
    )
