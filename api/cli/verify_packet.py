"""``muster verify-packet``: check an audit packet offline, with the packet's own verifier
(standard library only, so this command starts without the packet builder)."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from api.cli import context
from api.cli.output import styled

__all__ = ["verify_packet_command"]


def verify_packet_command(
    packet: Path = typer.Argument(..., help="The packet (.zip) to verify"),
    against: Path | None = typer.Option(
        None,
        "--against",
        help="A digest held outside (muster digest publish, verify --save-digest)",
    ),
) -> None:
    """Verify a packet offline: every file, every hash link, every inclusion proof."""
    from replay.packet_verifier import PacketError, verify_packet

    try:
        data = packet.read_bytes()
        held = orjson.loads(against.read_bytes()) if against else None
    except (OSError, orjson.JSONDecodeError) as error:
        context.err_console.print(styled(("error:", "red"), f" cannot read {error}"))
        raise typer.Exit(2) from None
    if held is not None and not isinstance(held, dict):
        context.err_console.print(styled(("error:", "red"), f" {against} is not a digest"))
        raise typer.Exit(2)
    try:
        problems = verify_packet(data, held)
    except PacketError as error:
        context.console.print(styled((f"FAILED: {packet}: {error}", "red")))
        raise typer.Exit(1) from None
    if problems:
        failed = f"FAILED: {len(problems)} problem(s); first: {problems[0]}"
        context.console.print(styled((failed, "red")))
        for problem in problems[1:20]:
            context.console.print(f"  {problem}")
        raise typer.Exit(1)
    checked = " and the held digest" if held is not None else ""
    context.console.print(
        styled(
            (
                f"verified: {packet}: manifest, certification, hash links and inclusion "
                f"proofs{checked}",
                "green",
            )
        )
    )
