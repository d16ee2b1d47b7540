"""``muster verify``: recompute every hash chain and the ledger digest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from api.cli import context
from api.cli.context import configured_seal_keys, open_ledger
from api.cli.errors import refuse
from api.cli.output import styled

if TYPE_CHECKING:
    from replay.verify import Break, VerifyReport


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
    from api.logs import log
    from replay.verify import dumps_digest, verify_store

    saved = _saved_digest(against) if against else None
    if save_digest:
        _check_writable(save_digest)
    keys = configured_seal_keys()
    with open_ledger() as ledger:
        report = verify_store(ledger.store, against=saved, keys=keys)
    log().info(
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
        _write_whole(save_digest, dumps_digest(report))
    if as_json:
        import orjson

        typer.echo(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        context.console.print(f"events: {report.events}  streams: {len(report.heads)}")
        context.console.print(styled("ledger digest (Merkle root): ", (report.root, "bold")))
        if save_digest:
            context.console.print(f"digest saved to {save_digest}")
        _print_seals(report)
        if report.ok:
            sealed = " and every unit is sealed by a known key" if report.seals_checked else ""
            context.console.print(styled((f"verified: every hash link matches{sealed}", "green")))
        else:
            first = report.breaks[0]
            context.console.print(
                styled(
                    (
                        f"BROKEN: {len(report.breaks)} problem(s); first at "
                        f"{_where(first)}: {first.problem}",
                        "red",
                    )
                )
            )
            for item in report.breaks[1:20]:
                context.console.print(f"  {_where(item)}: {item.problem}")
    if not report.ok:
        raise typer.Exit(1)


def _saved_digest(path: Path) -> dict[str, Any]:
    """The digest saved earlier, whole and well-formed, or a one-line refusal (exit 2)."""
    import orjson

    from replay.verify import check_digest

    try:
        data = path.read_bytes()
    except OSError as error:
        refuse(f"cannot read the digest {path}: {error.strerror or error}")
    try:
        return check_digest(orjson.loads(data))
    except orjson.JSONDecodeError as error:
        refuse(f"the digest {path} is not JSON: {error}")
    except ValueError as error:
        refuse(f"the digest {path}: {error}")


def _check_writable(path: Path) -> None:
    """Refused before the ledger is read: a digest that could not be saved afterwards
    would be a verification whose record is lost."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        refuse(f"--save-digest {path}: is a folder, not a file")
    if not folder.is_dir():
        refuse(f"--save-digest {path}: no folder {folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        refuse(f"--save-digest {path}: not writable")


def _write_whole(path: Path, data: bytes) -> None:
    """Written beside, then renamed over: the file holds the old digest or the new one,
    never part of one."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        refuse(f"cannot save the digest to {path}: {error.strerror or error}")


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
        context.console.print(
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
    context.console.print(
        f"seals: {facts.units_sealed} unit(s) sealed (keys: {keys}), "
        f"{facts.events_unsealed} event(s) unsealed"
    )
