"""Audit packets: a person's or an agency's compliance answer on ``as_of`` as the records
stood at ``known_at``, with the events behind it, their hash links, the ledger digest at
``known_at`` and an inclusion proof of every stream, a manifest and a certification, in one
canonical zip (``replay.packet_verifier.canonical_zip``) anyone can verify offline.

The same query with the same ``as_of`` and ``known_at`` gives the same bytes, whenever it is
built: every file is derived from the answer (itself byte-stable) and from the log's prefix
recorded by ``known_at`` (``replay.packet.cut``); nothing holds the build's own time."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.person import person_id_for
from projections.credentials.programme import Programme
from projections.credentials.tracks import TRACKS, Track
from replay import packet_verifier
from replay.asof import KnownAt, status
from replay.export import roster_csv, spreadsheet_row, to_json
from replay.notices import NOTICE_COLUMNS, notice_rows
from replay.packet.certification import certification_text
from replay.packet.cut import LedgerCut, cut_at, merkle_paths
from replay.packet.events import events_jsonl
from replay.packet.renewal import renewal_roster
from replay.packet.report import report_pdf
from replay.packet.review import REVIEW_COLUMNS, ce_review_rows
from replay.packet_verifier import CERTIFICATION, MANIFEST, PACKET_FORMAT, manifest_text
from replay.track_answers import own_programme, roster_across
from replay.tracks import person_tracks

__all__ = ["agency_packet", "person_packet"]

_FILES = {
    "README.txt": "what the packet is and how to verify it",
    "answer.json": "the compliance answer, exactly as muster status/roster --json gives it",
    "answer.csv": "the same answer, one row per person and requirement (RFC 4180)",
    "citations.csv": "the rule versions in force and the sources they cite (RFC 4180)",
    "digest.json": "the ledger digest at known_at: Merkle root over every stream head",
    "events.jsonl": "every event of the packet's streams recorded by known_at, as stored",
    "notices.csv": "proof of notice: every notice about the packet's people decided by as_of "
    "and recorded by known_at, with its delivery and acknowledgement as recorded by then "
    "(their events are in events.jsonl; RFC 4180)",
    "notices.json": "the same notices as JSON",
    "packet.json": "the query this packet answers",
    "packet_verifier.py": "the verifier: python packet_verifier.py THIS.zip",
    "proofs.json": "each stream's head and its inclusion proof in the digest's root",
    "report.pdf": "the answer as a report, as_of and known_at on every page",
}
_REVIEW = {
    "ce_review.csv": "continuing-education review sheet for the licence period holding as_of: "
    "per requirement, each course counted with provider, title, date, credits, course number "
    "and state category (RFC 4180)"
}
_RENEWAL = {
    "renewal_roster.csv": "the state's renewal or reporting roster for the period under way "
    "on as_of, in the columns its sources name (packet.json renewal_roster: the report, its "
    "report day, sources and what is uncertain; RFC 4180)"
}


def person_packet(
    ledger: Ledger,
    slug: str,
    employee_id: str,
    as_of: date | None,
    known_at: KnownAt,
    *,
    tracks: Sequence[Track] = TRACKS,
) -> bytes:
    """One person's packet; PersonNotFoundError if the person was not known at T. Across
    ``tracks`` when the agency has a credential type or policy assignment: the person's
    row gains what a roster row across them has (``status``, ``reasons``, ``tracks``,
    ``items``: ``replay.tracks.person_tracks``) and the agency's events are in it."""
    answer: Mapping[str, Any] = status(ledger, slug, employee_id, as_of, known_at)
    agency_id = agency_id_for(slug)
    streams = [person_id_for(agency_id, employee_id)]
    used = datetime.fromisoformat(answer["known_at"])
    programme = None if tuple(tracks) == ("state",) else own_programme(ledger, slug, used)
    if programme is not None:
        answer = _person_across(ledger, slug, employee_id, answer, tracks, programme)
        streams.append(agency_id)
    query = {"kind": "person", "employee_id": employee_id}
    # The notices about the person (proof of notice, ``ledger.notice``) are in the packet
    # with their hash links and inclusion proofs, as recorded by known_at.
    notices = _notices(ledger, slug, answer, [employee_id])
    return _packet(ledger, query, answer, to_json(answer), streams, notices,
                   _person_citations(answer))  # fmt: skip


def _person_across(
    ledger: Ledger,
    slug: str,
    employee_id: str,
    answer: Mapping[str, Any],
    tracks: Sequence[Track],
    programme: Programme,
) -> dict[str, Any]:
    """The state answer with the person's row across ``tracks``, laid out as a roster row
    across them (``replay.track_answers.roster_across``)."""
    across = person_tracks(
        ledger,
        slug,
        employee_id,
        date.fromisoformat(answer["as_of"]),
        datetime.fromisoformat(answer["known_at"]),
        tracks,
        programme=programme,
    )
    person = {
        **answer["person"],
        "items": [i for i in across["items"] if i["track"] != "state"],
        "reasons": across["reasons"],
        "status": across["status"],
        "tracks": across["tracks"],
    }
    by_track = {track: {status: 1} for track, status in across["tracks"].items()}
    return {
        **answer,
        "counts_by_track": by_track,
        "person": person,
        "tracks_shown": across["tracks_shown"],
    }


def agency_packet(
    ledger: Ledger,
    slug: str,
    as_of: date | None,
    known_at: KnownAt,
    *,
    workers: int = 1,
    tracks: Sequence[Track] = TRACKS,
) -> bytes:
    """Everyone's packet: the roster (across ``tracks``: ``replay.track_answers``), and
    every person's events; across the credential or policy track, the agency's events too
    (its credential types and policies)."""
    answer = roster_across(ledger, slug, as_of, known_at, tracks=tracks, workers=workers)
    people = [UUID(p["compliance"]["person_id"]) for p in answer["people"]]
    if "tracks_shown" in answer:
        people.append(agency_id_for(slug))
    query = {"kind": "agency", "employee_id": None}
    notices = _notices(ledger, slug, answer, None)
    return _packet(ledger, query, answer, to_json(answer), people, notices,
                   _catalogue_citations(answer))  # fmt: skip


def _notices(
    ledger: Ledger, slug: str, answer: Mapping[str, Any], employee_ids: list[str] | None
) -> list[dict[str, Any]]:
    """The notices about ``employee_ids`` (None: every notice of the agency, digests too)
    decided on or before as_of, as recorded by known_at."""
    return notice_rows(
        ledger,
        agency_id_for(slug),
        datetime.fromisoformat(answer["known_at"]),
        as_of=date.fromisoformat(answer["as_of"]),
        employee_ids=employee_ids,
    )


def _packet(
    ledger: Ledger,
    query: dict[str, Any],
    answer: Mapping[str, Any],
    answer_json: bytes,
    streams: list[UUID],
    notices: list[dict[str, Any]],
    citations: list[list[object]],
) -> bytes:
    known_at = datetime.fromisoformat(answer["known_at"])
    streams_in = list(streams)
    streams = [*streams, *(UUID(n["notice_id"]) for n in notices)]
    cut = cut_at(ledger.store, known_at, streams)
    streams = sorted(s for s in set(streams) if s in cut.heads)
    stored = ledger.store.select_streams_up_to({s: cut.heads[s].version for s in streams})
    digest = cut.digest()
    people = [answer["person"]] if query["kind"] == "person" else answer["people"]
    renewal = renewal_roster(answer, people) if query["kind"] == "agency" else None
    packet = {
        "format": PACKET_FORMAT,
        **query,
        "agency": answer["agency"]["slug"],
        "agency_name": answer["agency"]["name"],
        "as_of": answer["as_of"],
        "known_at": answer["known_at"],
        "time_zone": answer["time_zone"],
        "files": {
            **_FILES,
            **(_REVIEW if query["kind"] == "person" else {}),
            **(_RENEWAL if renewal is not None else {}),
            MANIFEST: "SHA-256 of every file but itself and the certification",
            CERTIFICATION: "the records custodian's certification, with the manifest's SHA-256",
        },
        **({"renewal_roster": renewal[0]} if renewal is not None else {}),
        **({"tracks_shown": answer["tracks_shown"]} if "tracks_shown" in answer else {}),
    }
    members = {
        "README.txt": _readme(packet, digest),
        "answer.json": answer_json,
        "answer.csv": roster_csv(
            {**_header(answer, tracks=True), "people": people}, line_end="\r\n"
        ),
        "citations.csv": _csv(
            ["rule_version", "requirement_id", "source_id", "title", "url"], citations
        ),
        "digest.json": _json(digest),
        "events.jsonl": events_jsonl(stored, cut.rows),
        "notices.csv": _csv(NOTICE_COLUMNS, [[n[c] for c in NOTICE_COLUMNS] for n in notices]),
        "notices.json": _json({**_header(answer), "notices": notices}),
        "packet.json": _json(packet),
        "packet_verifier.py": Path(packet_verifier.__file__).read_bytes(),
        "proofs.json": _json(_proofs(cut, streams)),
        "report.pdf": report_pdf(packet, answer, people, digest, notices),
    }
    if query["kind"] == "person":
        own = [event for event in stored if event.originator_id == streams_in[0]]
        review = ce_review_rows(ledger, answer, own, known_at)
        members["ce_review.csv"] = _csv(REVIEW_COLUMNS, review)
    if renewal is not None:
        members["renewal_roster.csv"] = _csv(renewal[1], renewal[2])
    manifest = manifest_text(members)
    members[MANIFEST] = manifest
    members[CERTIFICATION] = certification_text(packet, digest, manifest)
    return packet_verifier.canonical_zip(members)


def _header(answer: Mapping[str, Any], *, tracks: bool = False) -> dict[str, Any]:
    """What the CSV and notices documents repeat of the answer (``tracks``: and, for the
    CSV, the tracks a roster across them shows)."""
    keys = ("agency", "as_of", "known_at", "time_zone")
    across = ("counts_by_track", "tracks_shown") if tracks else ()
    return {key: answer[key] for key in (*keys, *across) if key in answer}


def _proofs(cut: LedgerCut, streams: list[UUID]) -> dict[str, Any]:
    paths = merkle_paths(cut.heads.values(), streams)
    return {
        "leaves": len(cut.heads),
        "streams": [
            {
                "stream": str(stream),
                "version": cut.heads[stream].version,
                "link": cut.heads[stream].link.hex(),
                "path": paths[stream],
            }
            for stream in streams
        ],
    }


def _person_citations(answer: Mapping[str, Any]) -> list[list[object]]:
    rows = {
        (f"{r['pack_id']}@{r['version_id']}", r["requirement_id"], c["source_id"]): c
        for r in answer["person"]["compliance"]["requirements"]
        for c in r.get("citations", ())
    }
    return [[*key, c["title"], c["url"]] for key, c in sorted(rows.items())]


def _catalogue_citations(answer: Mapping[str, Any]) -> list[list[object]]:
    return [
        [label, "", source_id, source["title"], source["url"]]
        for label, version in sorted(answer["rule_versions"].items())
        for source_id, source in sorted(version["sources"].items())
    ]


def _csv(columns: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(spreadsheet_row(columns))
    for row in rows:
        writer.writerow(spreadsheet_row(row))
    return out.getvalue().encode()


def _json(document: Mapping[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def _readme(packet: Mapping[str, Any], digest: Mapping[str, Any]) -> bytes:
    lines = [
        f"muster audit packet ({packet['kind']}): {packet['agency_name']} ({packet['agency']})",
        f"as of {packet['as_of']}, known at {packet['known_at']}",
        f"ledger digest at known_at: {digest['root']}",
        "",
        "Verify it with Python 3 alone (no network, no muster):",
        "    python3 packet_verifier.py PACKET.zip [--against HELD_DIGEST.json]",
        "packet_verifier.py explains each check; muster's docs/verifying-a-packet.md",
        "explains how to redo them by hand.",
        "",
        "Files:",
        *(f"  {name}: {what}" for name, what in sorted(packet["files"].items())),
    ]
    return ("\n".join(lines) + "\n").encode()
