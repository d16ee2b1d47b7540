"""``muster export person|agency``: audit packets; ``muster verify-packet``: their offline
check (the same code as the ``packet_verifier.py`` inside every packet)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import orjson
import typer

from api.cli.context import console, err_console, open_ledger
from api.cli.errors import EXIT_INPUT
from api.cli.output import styled
from api.cli.query import AGENCY, AS_OF, KNOWN_AT, TRACK, parse_track_option
from api.cli.timeargs import parse_as_of, parse_known_at
from api.cli.whole_file import write_whole
from replay.packet import BrokenChainError, agency_packet, person_packet
from replay.packet.fonts import FontMissingError
from replay.packet_verifier import MANIFEST

__all__ = ["app"]

app = typer.Typer(help="Audit packets anyone can verify offline (muster verify-packet).")

OUT = typer.Option(..., "--out", help="The packet to write (a .zip; replaced only when done)")


@app.command("person")
def export_person(
    employee_id: str = typer.Argument(..., help="Employee id within the agency"),
    agency: str = AGENCY,
    as_of: str | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    out: Path = OUT,
    track: list[str] = TRACK,
) -> None:
    """One person's packet: the status answer (across the tracks), their events, the digest
    and proofs."""
    day, moment = parse_as_of(as_of), parse_known_at(known_at)
    tracks = parse_track_option(track)
    with open_ledger() as ledger:
        data = _built(
            lambda: person_packet(ledger, agency, employee_id, day, moment, tracks=tracks)
        )
    _write(out, data)


@app.command("agency")
def export_agency(
    agency: str = AGENCY,
    as_of: str | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    out: Path = OUT,
    track: list[str] = TRACK,
) -> None:
    """The agency's packet: the roster, everyone's events, the digest and proofs."""
    day, moment = parse_as_of(as_of), parse_known_at(known_at)
    workers = os.cpu_count() or 1
    tracks = parse_track_option(track)
    with open_ledger() as ledger:
        data = _built(
            lambda: agency_packet(ledger, agency, day, moment, workers=workers, tracks=tracks)
        )
    _write(out, data)


def _built(build: Callable[[], bytes]) -> bytes:
    try:
        data: bytes = build()
    except BrokenChainError as error:
        err_console.print(styled(("error:", "red"), f" no packet: {error}"))
        raise typer.Exit(1) from None
    except FontMissingError as error:
        err_console.print(styled(("error:", "red"), f" no packet: {error}"))
        raise typer.Exit(EXIT_INPUT) from None
    return data


def _write(out: Path, data: bytes) -> None:
    """The whole packet or nothing: written beside ``out``, then moved over it."""
    write_whole(out, data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        packet = orjson.loads(archive.read("packet.json"))
        digest = orjson.loads(archive.read("digest.json"))
        manifest = hashlib.sha256(archive.read(MANIFEST)).hexdigest()
    console.print(f"packet written: {out} ({len(data)} bytes)")
    console.print(f"as of {packet['as_of']}, known at {packet['known_at']}")
    console.print(styled("ledger digest at known_at: ", (digest["root"], "bold")))
    console.print(f"manifest SHA-256 (stated in CERTIFICATION.txt): {manifest}")
