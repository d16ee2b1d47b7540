"""``muster verify``: recompute every hash chain and the ledger digest."""

from __future__ import annotations

from pathlib import Path

import orjson
import structlog
import typer

from api.cli.context import console, err_console, open_ledger
from api.cli.output import styled
from replay.verify import dumps_digest, verify_store

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
    saved = orjson.loads(against.read_bytes()) if against else None
    with open_ledger() as ledger:
        try:
            report = verify_store(ledger.store, against=saved)
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
        if report.ok:
            console.print(styled(("verified: every hash link matches", "green")))
        else:
            first = report.breaks[0]
            console.print(
                styled(
                    (
                        f"BROKEN: {len(report.breaks)} problem(s); first at stream "
                        f"{first.originator_id} position {first.position}: {first.problem}",
                        "red",
                    )
                )
            )
            for item in report.breaks[1:20]:
                console.print(
                    f"  stream {item.originator_id} position {item.position}: {item.problem}"
                )
    if not report.ok:
        raise typer.Exit(1)
