"""``muster digest publish``: the ledger digest, with the instant it was taken, in a file for
an outside party (a POST board, a city clerk, a second agency) to hold.

What they hold is what ``muster verify --against`` and ``muster verify-packet --against``
compare with: the root, the log position and hash, and every stream head. Held outside
the agency, it makes the removal of the newest events, or a packet rebuilt from altered
events, detectable. The digest is only published for a ledger that verifies."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from api.cli.context import configured_seal_keys, console, err_console, open_ledger
from api.cli.output import styled
from api.cli.whole_file import write_whole
from ledger.chain import instant_text
from replay.verify import verify_store

__all__ = ["app"]

app = typer.Typer(help="The ledger digest, for an outside party to hold.")


@app.command("publish")
def publish(
    out: Path = typer.Option(..., "--out", help="The file to write the digest to (JSON)"),
) -> None:
    """Verify the ledger, then write its digest and the instant it was taken."""
    keys = configured_seal_keys()
    with open_ledger() as ledger:
        published_at = ledger.clock()
        report = verify_store(ledger.store, keys=keys)
    if not report.ok:
        first = report.breaks[0]
        err_console.print(
            styled(
                ("error:", "red"),
                f" no digest published: the ledger does not verify (stream "
                f"{first.originator_id} position {first.position}: {first.problem}); "
                "run muster verify",
            )
        )
        raise typer.Exit(1)
    digest = {**report.digest(), "published_at": instant_text(published_at)}
    data = orjson.dumps(digest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    write_whole(out, data)
    console.print(
        f"digest published to {out}: {report.events} events, position {report.log.position}"
    )
    console.print(styled("ledger digest (Merkle root): ", (report.root, "bold")))
    console.print(f"taken at {digest['published_at']}; hand it to whoever should hold it")
