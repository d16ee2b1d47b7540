"""``muster digest publish``: the ledger digest, with the instant it was taken, in a file or
sent to a webhook (HMAC-signed and timestamped, ``api.publication``), for an outside party
(a POST board, a city clerk, a second agency) to hold.

What they hold is what ``muster verify --against`` and ``muster verify-packet --against``
compare with: the root, the log position and hash, and every stream head. Held outside
the agency, it makes the removal of the newest events, or a packet rebuilt from altered
events, detectable. The digest is only published for a ledger that verifies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from api.cli.context import configured_seal_keys, console, err_console, open_ledger
from api.cli.errors import EXIT_INPUT, refuse
from api.cli.output import styled
from api.cli.whole_file import write_whole

if TYPE_CHECKING:
    from ledger.seal import SealKeys

__all__ = ["app"]

app = typer.Typer(help="The ledger digest, for an outside party to hold.")


@app.command("publish")
def publish(
    out: Path | None = typer.Option(None, "--out", help="The file to write the digest to (JSON)"),
    webhook: str | None = typer.Option(
        None,
        "--webhook",
        metavar="URL",
        help="POST the digest there, signed with MUSTER_DIGEST_WEBHOOK_KEY_FILE's key",
    ),
) -> None:
    """Verify the ledger, then write its digest and the instant it was taken."""
    from api.publication import (
        LedgerDoesNotVerifyError,
        WebhookError,
        digest_document,
        digest_json,
        send_to_webhook,
    )

    if out is None and webhook is None:
        refuse("say where to publish the digest: --out FILE, --webhook URL or both")
    webhook_keys = _webhook_keys() if webhook is not None else None
    keys = configured_seal_keys()
    with open_ledger() as ledger:
        try:
            digest = digest_document(ledger, keys)
        except LedgerDoesNotVerifyError as error:
            err_console.print(styled(("error:", "red"), f" no digest published: {error}"))
            raise typer.Exit(1) from None
        sent_at = ledger.clock()
    data = digest_json(digest)
    if out is not None:
        write_whole(out, data)
        events, position = digest["events"], digest["position"]
        console.print(f"digest published to {out}: {events} events, position {position}")
    if webhook_keys is not None and webhook is not None:
        try:
            delivery = send_to_webhook(webhook, data, webhook_keys, sent_at)
        except WebhookError as error:
            err_console.print(styled(("error:", "red"), f" digest not delivered: {error}"))
            raise typer.Exit(EXIT_INPUT) from None
        console.print(
            f"digest sent to the webhook ({delivery.status}), signed with key "
            f"{webhook_keys.current!r} at {delivery.timestamp}: {digest['events']} events, "
            f"position {digest['position']}"
        )
    console.print(styled("ledger digest (Merkle root): ", (digest["root"], "bold")))
    console.print(f"taken at {digest['published_at']}; hand it to whoever should hold it")


def _webhook_keys() -> SealKeys:
    """The keys of MUSTER_DIGEST_WEBHOOK_KEY_FILE; a one-line error without one."""
    from api.settings import get_settings
    from ledger.seal import load_seal_keys

    path = get_settings().digest_webhook_key_file
    if path is None:
        refuse("--webhook needs MUSTER_DIGEST_WEBHOOK_KEY_FILE (the key that signs it)")
    try:
        return load_seal_keys(path)
    except ValueError as error:
        refuse(str(error).replace("seal key", "webhook key"))
