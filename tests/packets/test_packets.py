"""Audit packets (issue 19): a packet verifies offline, is the same bytes when rebuilt after
later events, and any changed byte of any file, or of the zip around them, is found.

The acceptance tests of the issue: "a packet verifies offline; 1,000 random single-byte
flips across the packet's files are all detected; a packet built at known_at = T is
byte-identical when rebuilt after later events" (reliability.md T5: "flipping any byte in
any file makes verification fail (100% of 1,000 random flips)")."""

from __future__ import annotations

import ast
import hashlib
import json
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.chain import merkle_root
from ledger.clock import SettableClock
from ledger.errors import AgencyNotFoundError, PersonNotFoundError
from replay import packet_verifier
from replay.packet import agency_packet, person_packet
from replay.packet.cut import cut_at, leaf, merkle_paths
from replay.packet_verifier import (
    CERTIFICATION,
    MANIFEST,
    PacketError,
    canonical_zip,
    fold_proof,
    manifest_text,
    verify_members,
    verify_packet,
)
from replay.verify import verify_store
from tests.factories import ACTOR
from tests.packets.helpers import KNOWN_AT, SLUG, members, record_agency, record_later

AS_OF = date(2025, 3, 1)


def test_person_packet_verifies_and_is_rebuilt_byte_for_byte(
    ledger: Ledger, clock: SettableClock, tmp_path: Path
) -> None:
    """On both backends: the packet at T verifies; after a correction and new training
    recorded later, the packet at T is the same bytes, and the packet at now differs."""
    record_id = record_agency(ledger, clock)
    first = person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT)
    assert verify_packet(first) == []
    files = members(first)
    events = [json.loads(line) for line in files["events.jsonl"].splitlines()]
    assert [e["position"] for e in events] == list(range(1, len(events) + 1))
    assert len(events) == len(ledger.stream(ledger.get_person(SLUG, "E1").id))
    record_later(ledger, clock, record_id)
    again = person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT)
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(first).hexdigest()
    now = person_packet(ledger, SLUG, "E1", AS_OF, None)
    assert now != first
    assert verify_packet(now) == []
    later = [json.loads(line) for line in members(now)["events.jsonl"].splitlines()]
    assert len(later) == len(events) + 2  # the correction and the new course
    answer = json.loads(members(now)["answer.json"])
    corrected = {r["record_id"]: r for r in answer["person"]["counted_records"]}
    assert corrected[str(record_id)]["hours"] == "2"
    assert json.loads(files["answer.json"])["person"]["counted_records"][0]["hours"] == "4"


def test_digest_is_the_ledgers_root_and_proofs_reach_it(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The packet's root is the root ``muster verify`` computes over the same log, and each
    inclusion proof folds its leaf to it, for every leaf of a tree of odd size."""
    record_agency(ledger, clock)
    files = members(agency_packet(ledger, SLUG, AS_OF, KNOWN_AT))
    digest = json.loads(files["digest.json"])
    report = verify_store(ledger.store)
    assert digest["root"] == report.root
    assert digest["events"] == report.events
    assert digest["log"] == report.digest()["log"]
    proofs = json.loads(files["proofs.json"])["streams"]
    assert len(proofs) == 3  # the agency's three people
    cut = cut_at(ledger.store, KNOWN_AT, [])
    heads = list(cut.heads.values())
    assert len(heads) % 2 == 1 or len(heads) > 2
    paths = merkle_paths(heads, [h.originator_id for h in heads])
    for head in heads:
        assert fold_proof(leaf(head), paths[head.originator_id]).hex() == merkle_root(heads).hex()


def test_a_thousand_single_byte_flips_are_all_detected(
    ledger: Ledger, clock: SettableClock
) -> None:
    """1,000 flips (fixed seed), each of one random byte of one file, by a random non-zero
    XOR, the zip rebuilt around the changed file as muster writes it: every one fails,
    and the first problem names the file changed (or the manifest or certification,
    which carry its hash)."""
    record_agency(ledger, clock)
    files = members(person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT))
    names = sorted(files)
    rng = random.Random(19)
    missed = []
    for _ in range(1000):
        name = rng.choice(names)
        data = bytearray(files[name])
        at = rng.randrange(len(data))
        data[at] ^= rng.randrange(1, 256)
        changed = {**files, name: bytes(data)}
        problems = verify_packet(canonical_zip(changed))
        if not problems:
            missed.append((name, at))
            continue
        assert {p.file for p in problems} & {name, MANIFEST, CERTIFICATION}, (name, problems)
    assert missed == []


def test_flipped_zip_container_is_a_one_line_error(
    ledger: Ledger, clock: SettableClock, tmp_path: Path
) -> None:
    """Bytes flipped in the zip itself (headers, directory, data) are each refused: the
    container is unreadable, a member's CRC fails, or it is not the canonical zip of its
    members; through the packet's own verifier the refusal is one line, exit 1."""
    record_agency(ledger, clock)
    data = person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT)
    rng = random.Random(1902)
    directory = data.rfind(b"PK\x01\x02")
    spots = [rng.randrange(len(data)) for _ in range(150)]
    spots += [rng.randrange(directory, len(data)) for _ in range(150)]  # headers, mostly
    for at in spots:
        flipped = bytearray(data)
        flipped[at] ^= rng.randrange(1, 256)
        refusal = _refusal(bytes(flipped))
        assert refusal, at
        assert "\n" not in refusal
    verifier = tmp_path / "packet_verifier.py"
    verifier.write_bytes(members(data)["packet_verifier.py"])
    bad = tmp_path / "bad.zip"
    flipped = bytearray(data)
    flipped[directory + 20] ^= 0x55
    bad.write_bytes(bytes(flipped))
    run = _stdlib_python(verifier, bad)
    assert run.returncode == 1
    assert len(run.stdout.strip().splitlines()) == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stdout.startswith(f"FAILED: {bad}:")


def _refusal(data: bytes) -> str:
    """The one-line refusal of a bad container, or the first problem found."""
    try:
        problems = verify_packet(data)
    except PacketError as error:
        return str(error)
    return str(problems[0]) if problems else ""


def _stdlib_python(verifier: Path, *args: Path | str) -> subprocess.CompletedProcess[str]:
    """The verifier as an outside expert runs it: isolated (-I), without site-packages
    (-S), so nothing but the standard library can be imported."""
    return subprocess.run(
        [sys.executable, "-I", "-S", str(verifier), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=verifier.parent,
    )


def test_the_packets_own_verifier_runs_on_the_standard_library_alone(
    ledger: Ledger, clock: SettableClock, tmp_path: Path
) -> None:
    """The copy inside the packet is the verifier's source; it imports only stdlib
    modules, and run alone it verifies the packet (exit 0) and refuses a changed one
    (exit 1), naming the file and line."""
    source = Path(packet_verifier.__file__).read_bytes()
    tree = ast.parse(source)
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
    record_agency(ledger, clock)
    data = person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT)
    files = members(data)
    assert files["packet_verifier.py"] == source
    verifier = tmp_path / "packet_verifier.py"
    verifier.write_bytes(source)
    good = tmp_path / "p.zip"
    good.write_bytes(data)
    ok = _stdlib_python(verifier, good)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("verified:")
    # A forger edits an event and re-hashes the manifest and certification: the files
    # agree with each other again, but the event no longer matches its hash link.
    lines = files["events.jsonl"].split(b"\n")
    lines[1] = lines[1].replace(b'"effective_on":"20', b'"effective_on":"19', 1)
    forged = _resealed({**files, "events.jsonl": b"\n".join(lines)})
    bad = tmp_path / "forged.zip"
    bad.write_bytes(canonical_zip(forged))
    refused = _stdlib_python(verifier, bad)
    assert refused.returncode == 1
    first = refused.stdout.splitlines()[0]
    assert "events.jsonl line 2 (stream " in first, first
    assert "hash link mismatch" in first


def _resealed(files: dict[str, bytes]) -> dict[str, bytes]:
    """The manifest and certification recomputed over changed files, as a forger would."""
    from replay.packet.certification import certification_text

    out = {k: v for k, v in files.items() if k not in (MANIFEST, CERTIFICATION)}
    manifest = manifest_text(out)
    packet = json.loads(out["packet.json"])
    digest = json.loads(out["digest.json"])
    return {**out, MANIFEST: manifest, CERTIFICATION: certification_text(packet, digest, manifest)}


def test_truncation_consistent_offline_is_caught_against_a_held_digest(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A forger drops the newest event and recomputes everything the packet holds (the
    head, the root from the same siblings, manifest, certification): offline the packet
    is self-consistent, but against the digest an outside party holds (taken at the
    same log position) it fails, naming the missing events."""
    record_agency(ledger, clock)
    files = members(person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT))
    held = verify_store(ledger.store).digest()
    assert verify_members(files, held) == []
    lines = files["events.jsonl"].rstrip(b"\n").split(b"\n")
    kept = lines[:-1]
    last = json.loads(kept[-1])
    proofs = json.loads(files["proofs.json"])
    proof = proofs["streams"][0]
    proof.update(version=last["position"], link=last["link"])
    root = fold_proof(
        packet_verifier.leaf_hash(proof["stream"], proof["version"], proof["link"]), proof["path"]
    ).hex()
    digest = {**json.loads(files["digest.json"]), "root": root}
    forged = _resealed(
        {
            **files,
            "events.jsonl": b"\n".join(kept) + b"\n",
            "proofs.json": json.dumps(proofs).encode(),
            "digest.json": json.dumps(digest).encode(),
        }
    )
    assert verify_members(forged) == []
    problems = [str(p) for p in verify_members(forged, held)]
    assert any("same log position, different root" in p for p in problems), problems
    assert any(
        f"position {len(lines)}: events {len(lines)}..{len(lines)}" in p for p in problems
    ), problems


def test_unknown_person_builds_no_packet(ledger: Ledger, clock: SettableClock) -> None:
    """A person not known at T (enrolled later) is refused, as ``status`` refuses them,
    and so is a T before the agency was registered."""
    record_agency(ledger, clock)
    clock.set(KNOWN_AT + timedelta(days=1))
    ledger.enrol_person(
        SLUG,
        "E7",
        first_name="Lee",
        last_name="Late",
        kind="sworn",
        hired_on=date(2024, 1, 8),
        actor=ACTOR,
    )
    assert verify_packet(person_packet(ledger, SLUG, "E7", AS_OF, None)) == []
    with pytest.raises(PersonNotFoundError, match="E7"):
        person_packet(ledger, SLUG, "E7", AS_OF, KNOWN_AT)
    with pytest.raises(AgencyNotFoundError):
        person_packet(ledger, SLUG, "E1", AS_OF, date(2025, 1, 1))


def test_a_held_digest_that_cannot_vouch_for_the_packet_fails_it(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Against a digest without stream heads at another log position nothing can be
    compared: that fails rather than passes; a held digest at or after the packet's
    position that lacks one of its streams fails it too."""
    record_agency(ledger, clock)
    files = members(person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT))
    own = json.loads(files["digest.json"])
    assert verify_members(files, own) == []  # the same position, the same root
    elsewhere = {**own, "position": own["position"] + 5}
    assert "cannot compare" in str(verify_members(files, elsewhere)[0])
    held = verify_store(ledger.store).digest()
    stream = json.loads(files["proofs.json"])["streams"][0]["stream"]
    del held["heads"][stream]
    problems = [str(p) for p in verify_members(files, held)]
    assert problems == [f"events.jsonl stream {stream}: not in the later held digest"]
