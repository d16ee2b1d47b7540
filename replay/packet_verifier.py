"""Verify a muster audit packet offline, with Python's standard library and nothing else.

Usage: ``python packet_verifier.py PACKET.zip [--against HELD_DIGEST.json]``.
Exit status 0: every check passed; 1: a check failed (the first problem is named, with its
file and position); 2: the arguments or the held digest could not be read.

This one file is copied into every packet, so whoever receives a packet (an auditor, a
court, the opposing side's expert) can read what it checks and run it without muster.
``docs/verifying-a-packet.md`` describes the same steps for redoing them by hand:

1. The container: the zip is exactly the canonical form of its members (sorted names,
   stored uncompressed, fixed timestamps, no comment), so no byte of it goes unchecked.
2. ``MANIFEST.sha256``: one ``<sha256>  <name>`` line per member, sorted, lowercase hex;
   every member but the manifest and the certification is listed, and each hash matches.
3. ``CERTIFICATION.txt`` states the manifest's SHA-256, and its last line states the
   SHA-256 of every line above it.
4. ``events.jsonl``: every event's hash link is recomputed from its header and stored
   bytes: ``link = sha256(previous link || sha256(len(header) || header || state))``,
   each stream from position 1 (previous link 32 zero bytes) without a gap.
5. ``proofs.json`` and ``digest.json``: each stream's head (its last event) is a leaf
   ``sha256(stream id (16 bytes) || version (8 bytes, big-endian) || link)`` of the
   ledger's Merkle tree; the proof's sibling hashes fold the leaf to the digest's root
   (``sha256(0x01 || left || right)`` at each level).
6. With ``--against``, a digest held outside the agency (``muster digest publish`` or
   ``muster verify --save-digest``): the packet's streams agree with every head it holds,
   and nothing the held digest recorded by the packet's ``known_at`` is missing.

Checks 1-3 show the files are the ones the agency certified; 4-5 show the events are the
ledger's, unchanged, up to the digest; 6 shows the digest is the one the outside party holds.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CERTIFICATION",
    "MANIFEST",
    "PacketError",
    "Problem",
    "canonical_zip",
    "content_digest",
    "leaf_hash",
    "main",
    "manifest_text",
    "read_members",
    "verify_members",
    "verify_packet",
]

MANIFEST = "MANIFEST.sha256"
CERTIFICATION = "CERTIFICATION.txt"
PACKET_FORMAT = "muster-packet/1"
GENESIS = bytes(32)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9][A-Za-z0-9._-]*)$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")
_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MANIFEST_LINE_TEXT = "Manifest SHA-256: "
SELF_LINE_TEXT = "SHA-256 of the lines above: "
_DOS_DATE = (1 << 5) | 1  # 1980-01-01, the earliest a zip can state
_MAX_MEMBERS = 10_000


class PacketError(Exception):
    """The packet cannot be read at all (one line, shown as it is)."""


class Problem:
    """One failed check: the file, where in it (a line, a stream position), and what."""

    def __init__(self, file: str, where: str, text: str) -> None:
        self.file, self.where, self.text = file, where, text

    def __str__(self) -> str:
        place = f"{self.file} {self.where}" if self.where else self.file
        return f"{place}: {self.text}"


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# -- 1. the container ------------------------------------------------------------------


def canonical_zip(members: Mapping[str, bytes]) -> bytes:
    """The one byte form of a packet: members sorted by name, stored (no compression, so
    no compressor's version changes a byte), dated 1980-01-01 00:00, UTF-8 names, no
    extra fields and no comment. muster writes packets with this function."""
    out = io.BytesIO()
    central = []
    for name in sorted(members):
        data, raw = members[name], name.encode("utf-8")
        crc, size, offset = zlib.crc32(data), len(data), out.tell()
        fixed = (20, 0x0800, 0, 0, _DOS_DATE, crc, size, size, len(raw))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fixed, 0) + raw + data)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fixed, 0, 0, 0, 0, 0, offset) + raw
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    count = len(central)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def read_members(data: bytes) -> dict[str, bytes]:
    """The members of a packet, or PacketError naming what is wrong with the container."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_MEMBERS:
                raise PacketError(f"not a muster packet: {len(infos)} members")
            members: dict[str, bytes] = {}
            for info in infos:
                if info.filename in members:
                    raise PacketError(f"the zip holds {info.filename!r} twice")
                members[info.filename] = archive.read(info)
    except PacketError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise PacketError(f"not a readable zip file: {error}") from None
    except Exception as error:  # zipfile raises others on crafted headers (struct.error...)
        raise PacketError(f"not a readable zip file: {type(error).__name__}: {error}") from None
    if canonical_zip(members) != data:
        raise PacketError(
            f"the zip container is not the canonical form of its members (at byte "
            f"{_first_difference(canonical_zip(members), data)}): it was altered or rebuilt"
        )
    return members


def _first_difference(a: bytes, b: bytes) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


# -- 2-3. the manifest and the certification ------------------------------------------


def manifest_text(members: Mapping[str, bytes]) -> bytes:
    """The manifest muster writes: every member but the manifest and the certification."""
    lines = [
        f"{hashlib.sha256(members[name]).hexdigest()}  {name}\n"
        for name in sorted(members)
        if name not in (MANIFEST, CERTIFICATION)
    ]
    return "".join(lines).encode("ascii")


def _check_manifest(members: Mapping[str, bytes], problems: list[Problem]) -> None:
    raw = members.get(MANIFEST)
    if raw is None:
        problems.append(Problem(MANIFEST, "", "missing from the packet"))
        return
    listed: dict[str, str] = {}
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as error:
        problems.append(Problem(MANIFEST, f"byte {error.start}", "not ASCII text"))
        return
    if not text.endswith("\n"):
        problems.append(Problem(MANIFEST, "", "does not end with a line break"))
    previous = ""
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        match = _MANIFEST_LINE.match(line)
        if match is None:
            problems.append(
                Problem(MANIFEST, f"line {number}", f"not '<sha256>  <name>': {line!r}")
            )
            continue
        digest, name = match.groups()
        if name <= previous:
            problems.append(Problem(MANIFEST, f"line {number}", f"{name!r} out of order"))
        previous = name
        listed[name] = digest
        if name in (MANIFEST, CERTIFICATION):
            problems.append(Problem(MANIFEST, f"line {number}", f"lists {name}"))
        elif name not in members:
            problems.append(Problem(name, "", f"listed in {MANIFEST} line {number}, not present"))
        elif hashlib.sha256(members[name]).hexdigest() != digest:
            problems.append(
                Problem(name, "", f"SHA-256 differs from {MANIFEST} line {number}: changed")
            )
    for name in sorted(members):
        if name not in listed and name not in (MANIFEST, CERTIFICATION):
            problems.append(Problem(name, "", f"present but not listed in {MANIFEST}"))
        if not _NAME.match(name):
            problems.append(Problem(name, "", "not a packet file name"))


def _check_certification(members: Mapping[str, bytes], problems: list[Problem]) -> None:
    raw = members.get(CERTIFICATION)
    if raw is None:
        problems.append(Problem(CERTIFICATION, "", "missing from the packet"))
        return
    body, _, last = raw.rpartition(b"\n" + SELF_LINE_TEXT.encode())
    lines = body.count(b"\n") + 2
    if not body or last != hashlib.sha256(body + b"\n").hexdigest().encode() + b"\n":
        problems.append(
            Problem(CERTIFICATION, f"line {lines}", "its closing SHA-256 does not match the text")
        )
    manifest = hashlib.sha256(members.get(MANIFEST, b"")).hexdigest()
    if f"\n{MANIFEST_LINE_TEXT}{manifest}\n".encode() not in body + b"\n":
        problems.append(
            Problem(CERTIFICATION, "", f"does not state the SHA-256 of {MANIFEST} ({manifest})")
        )


# -- 4. the events and their hash links ------------------------------------------------


def content_digest(event: Mapping[str, Any]) -> bytes:
    """``sha256(len(header) as 4 bytes || header || stored state)``; the header is the
    compact JSON array ``[stream, position, topic, agency, stream type, recorded time,
    effective date]`` (exactly as muster's ``ledger.chain`` writes it)."""
    header = json.dumps(
        [
            event["stream"],
            event["position"],
            event["topic"],
            event["agency_id"],
            event["stream_type"],
            event["recorded_at"],
            event["effective_on"],
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    state = event["state"].encode("utf-8")
    return _sha256(len(header).to_bytes(4, "big") + header + state)


_EVENT_FIELDS = {
    "stream": str,
    "position": int,
    "log_position": int,
    "topic": str,
    "agency_id": str,
    "stream_type": str,
    "recorded_at": str,
    "effective_on": str,
    "state": str,
    "link": str,
}


def _event_problem(event: Any) -> str | None:
    if not isinstance(event, dict) or set(event) != set(_EVENT_FIELDS):
        return f"an event has exactly the fields {sorted(_EVENT_FIELDS)}"
    for key, kind in _EVENT_FIELDS.items():
        if type(event[key]) is not kind:
            return f"{key} is not a {kind.__name__}"
    checks = (
        (_UUID, "stream"),
        (_UUID, "agency_id"),
        (_INSTANT, "recorded_at"),
        (_DAY, "effective_on"),
        (_HEX64, "link"),
    )
    for pattern, key in checks:
        if not pattern.match(event[key]):
            return f"{key} {event[key]!r} is not in its form"
    if event["position"] < 1:
        return "position below 1"
    return None


def _check_events(
    members: Mapping[str, bytes], known_at: str, problems: list[Problem]
) -> dict[str, tuple[int, str]]:
    """Each stream's head (version, link) as recomputed from its events."""
    heads: dict[str, tuple[int, str]] = {}
    raw = members.get("events.jsonl")
    if raw is None:
        problems.append(Problem("events.jsonl", "", "missing from the packet"))
        return heads
    previous_key: tuple[str, int] = ("", 0)
    link = GENESIS
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line:
            if number != raw.count(b"\n") + 1:
                problems.append(Problem("events.jsonl", f"line {number}", "empty line"))
            continue
        where = f"line {number}"
        try:
            event = json.loads(line)
        except ValueError as error:
            problems.append(Problem("events.jsonl", where, f"not JSON: {error}"))
            return heads
        wrong = _event_problem(event)
        if wrong is not None:
            problems.append(Problem("events.jsonl", where, wrong))
            return heads
        stream, position = event["stream"], event["position"]
        where += f" (stream {stream} position {position})"
        if stream != previous_key[0]:
            if stream < previous_key[0] or stream in heads:
                problems.append(Problem("events.jsonl", where, "streams out of order"))
            if position != 1:
                problems.append(Problem("events.jsonl", where, "a stream starts after position 1"))
            link = GENESIS
        elif position != previous_key[1] + 1:
            problems.append(
                Problem("events.jsonl", where, f"gap: position {previous_key[1] + 1} missing")
            )
        if event["recorded_at"] > known_at:
            problems.append(
                Problem("events.jsonl", where, f"recorded after the packet's known_at {known_at}")
            )
        link = hashlib.sha256(link + content_digest(event)).digest()
        if link.hex() != event["link"]:
            problems.append(
                Problem("events.jsonl", where, "hash link mismatch: the event was changed")
            )
            link = bytes.fromhex(event["link"])  # go on from the stated link
        previous_key = (stream, position)
        heads[stream] = (position, link.hex())
    return heads


# -- 5. the digest and the inclusion proofs --------------------------------------------


def leaf_hash(stream: str, version: int, link: str) -> bytes:
    return _sha256(_uuid_bytes(stream) + version.to_bytes(8, "big") + bytes.fromhex(link))


def _uuid_bytes(text: str) -> bytes:
    return bytes.fromhex(text.replace("-", ""))


def fold_proof(leaf: bytes, path: list[list[str]]) -> bytes:
    """A leaf folded up its proof: each step names the side its sibling is on."""
    node = leaf
    for side, sibling in path:
        other = bytes.fromhex(sibling)
        node = _sha256(b"\x01" + (other + node if side == "left" else node + other))
    return node


def _json_member(members: Mapping[str, bytes], name: str, problems: list[Problem]) -> Any:
    raw = members.get(name)
    if raw is None:
        problems.append(Problem(name, "", "missing from the packet"))
        return None
    try:
        return json.loads(raw)
    except ValueError as error:
        problems.append(Problem(name, "", f"not JSON: {error}"))
        return None


def _check_proofs(
    digest: Mapping[str, Any],
    proofs: Any,
    heads: Mapping[str, tuple[int, str]],
    problems: list[Problem],
) -> None:
    root = digest.get("root")
    streams = proofs.get("streams") if isinstance(proofs, dict) else None
    if not isinstance(root, str) or not _HEX64.match(root) or not isinstance(streams, list):
        problems.append(Problem("proofs.json", "", "no root in digest.json or no streams here"))
        return
    proven: set[str] = set()
    for index, proof in enumerate(streams):
        where = f"stream {index + 1}"
        try:
            stream, version, link = proof["stream"], int(proof["version"]), proof["link"]
            where = f"stream {stream}"
            folded = fold_proof(leaf_hash(stream, version, link), proof["path"])
        except (KeyError, TypeError, ValueError) as error:
            problems.append(Problem("proofs.json", where, f"not a proof: {error!r}"))
            continue
        proven.add(stream)
        if folded.hex() != root:
            problems.append(
                Problem("proofs.json", where, "the inclusion proof does not reach the root")
            )
        if heads.get(stream) != (version, link):
            problems.append(
                Problem("proofs.json", where, f"head v{version} is not the events' last link")
            )
    for stream in sorted(set(heads) - proven):
        problems.append(Problem("proofs.json", f"stream {stream}", "no inclusion proof"))


# -- 6. a digest held outside ----------------------------------------------------------


def _check_against(
    held: Mapping[str, Any],
    digest: Mapping[str, Any],
    heads: Mapping[str, tuple[int, str]],
    members: Mapping[str, bytes],
    problems: list[Problem],
) -> None:
    where = "against the held digest"
    same = held.get("position") == digest.get("position")
    if same and held.get("root") != digest.get("root"):
        problems.append(Problem("digest.json", where, "same log position, different root"))
    if same and held.get("log") not in (None, digest.get("log")):
        problems.append(Problem("digest.json", where, "same log position, different log hash"))
    held_heads = held.get("heads")
    if held_heads is None and not same:
        problems.append(
            Problem(
                "digest.json",
                where,
                f"cannot compare: the held digest names no stream heads and is at log position "
                f"{held.get('position')}, the packet at {digest.get('position')}",
            )
        )
        return
    if not isinstance(held_heads or {}, dict):
        problems.append(Problem("digest.json", where, "the held digest's heads are unreadable"))
        return
    held_heads = held_heads or {}
    held_at, packet_at = held.get("position"), digest.get("position")
    later = isinstance(held_at, int) and isinstance(packet_at, int) and held_at >= packet_at
    links = _links_by_position(members)
    held_by = str(held.get("recorded_at") or "")
    for stream in sorted(heads):
        head = held_heads.get(stream)
        if not isinstance(head, dict):
            if later and held_heads:
                problems.append(
                    Problem("events.jsonl", f"stream {stream}", "not in the later held digest")
                )
            continue
        version, link = int(head.get("version", 0)), str(head.get("link", ""))
        have = heads[stream][0]
        if version <= have and links.get((stream, version)) != link:
            problems.append(
                Problem("events.jsonl", f"stream {stream} position {version}", f"differs {where}")
            )
        elif version > have and held_by and held_by <= str(digest.get("known_at")):
            problems.append(
                Problem(
                    "events.jsonl",
                    f"stream {stream} position {have + 1}",
                    f"events {have + 1}..{version} recorded by the held digest are missing",
                )
            )


def _links_by_position(members: Mapping[str, bytes]) -> dict[tuple[str, int], str]:
    out = {}
    for line in members.get("events.jsonl", b"").splitlines():
        event = json.loads(line)
        out[(event["stream"], event["position"])] = event["link"]
    return out


# -- the whole check -------------------------------------------------------------------


def verify_members(
    members: Mapping[str, bytes], held: Mapping[str, Any] | None = None
) -> list[Problem]:
    """Every problem found, in the order of the checks above (an empty list: verified)."""
    problems: list[Problem] = []
    _check_manifest(members, problems)
    _check_certification(members, problems)
    packet = _json_member(members, "packet.json", problems)
    if isinstance(packet, dict) and packet.get("format") != PACKET_FORMAT:
        problems.append(Problem("packet.json", "", f"format is not {PACKET_FORMAT}"))
    digest = _json_member(members, "digest.json", problems)
    if not isinstance(digest, dict) or not isinstance(digest.get("known_at"), str):
        problems.append(Problem("digest.json", "", "no known_at"))
        return problems
    count = len(problems)
    heads = _check_events(members, digest["known_at"], problems)
    proofs = _json_member(members, "proofs.json", problems)
    _check_proofs(digest, proofs, heads, problems)
    if held is not None and len(problems) == count:
        _check_against(held, digest, heads, members, problems)
    return problems


def verify_packet(data: bytes, held: Mapping[str, Any] | None = None) -> list[Problem]:
    """``verify_members`` of a packet's bytes; PacketError when the container is bad."""
    return verify_members(read_members(data), held)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    against = None
    if len(args) == 3 and args[1] == "--against":
        args, against = args[:1], args[2]
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python packet_verifier.py PACKET.zip [--against DIGEST.json]")
        return 2
    try:
        with open(args[0], "rb") as file:
            data = file.read()
        held = None
        if against is not None:
            with open(against, "rb") as file:
                held = json.loads(file.read())
    except (OSError, ValueError) as error:
        print(f"error: cannot read {error}")
        return 2
    try:
        problems = verify_packet(data, held)
    except PacketError as error:
        print(f"FAILED: {args[0]}: {error}")
        return 1
    if problems:
        print(f"FAILED: {len(problems)} problem(s); first: {problems[0]}")
        for problem in problems[1:20]:
            print(f"  {problem}")
        return 1
    print(f"verified: {args[0]}: manifest, certification, hash links and inclusion proofs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
