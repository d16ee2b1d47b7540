"""``muster export person|agency`` and ``muster verify-packet`` as real processes, on both
backends: a packet written and verified; bad input refused in one line, nothing written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.api.test_cli import run


def _agency(database_url: str) -> None:
    run(database_url, "agency", "add", "cli-pd", "--name", "CLI PD", "--state", "MN")
    run(
        database_url,
        "person",
        "enrol",
        "E1",
        "--agency",
        "cli-pd",
        "--first-name",
        "Pat",
        "--last-name",
        "Officer",
        "--kind",
        "sworn",
        "--hired-on",
        "2020-01-06",
    )


def test_export_and_verify_packets(database_url: str, tmp_path: Path) -> None:
    _agency(database_url)
    out = tmp_path / "e1.zip"
    written = run(database_url, "export", "person", "E1", "--agency", "cli-pd", "--out", str(out))
    assert f"packet written: {out}" in written.stdout
    known_at = written.stdout.split("known at ")[1].split()[0]
    checked = run(database_url, "verify-packet", str(out))
    assert "verified:" in checked.stdout
    again = tmp_path / "again.zip"
    run(
        database_url,
        "export",
        "person",
        "E1",
        "--agency",
        "cli-pd",
        "--known-at",
        known_at,
        "--out",
        str(again),
    )
    assert again.read_bytes() == out.read_bytes()
    everyone = tmp_path / "agency.zip"
    built = run(database_url, "export", "agency", "--agency", "cli-pd", "--out", str(everyone))
    everyone_known_at = built.stdout.split("known at ")[1].split()[0]
    assert "verified:" in run(database_url, "verify-packet", str(everyone)).stdout
    rebuilt = tmp_path / "agency-again.zip"  # another process: another hash seed
    run(
        database_url,
        "export",
        "agency",
        "--agency",
        "cli-pd",
        "--known-at",
        everyone_known_at,
        "--out",
        str(rebuilt),
    )
    assert _differing(rebuilt, everyone) == []

    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    refused = run(database_url, "verify-packet", str(bad), ok=False)
    assert refused.returncode == 1
    assert refused.stdout.startswith("FAILED:")
    assert "Traceback" not in refused.stdout + refused.stderr
    assert len(refused.stdout.strip().splitlines()) == 1


def _differing(a: Path, b: Path) -> list[str]:
    with zipfile.ZipFile(a) as left, zipfile.ZipFile(b) as right:
        names = sorted(set(left.namelist()) | set(right.namelist()))
        return [n for n in names if left.read(n) != right.read(n)]


def test_export_refusals_write_nothing(database_url: str, tmp_path: Path) -> None:
    _agency(database_url)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "x.zip"
    out.write_bytes(b"kept")
    unknown = run(
        database_url, "export", "person", "NOPE", "--agency", "cli-pd", "--out", str(out), ok=False
    )
    assert unknown.returncode == 2
    assert "NOPE" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == b"kept"
    no_dir = run(
        database_url,
        "export",
        "agency",
        "--agency",
        "cli-pd",
        "--out",
        str(folder / "missing" / "a.zip"),
        ok=False,
    )
    assert no_dir.returncode == 2
    assert "cannot write" in no_dir.stderr
    assert list(folder.iterdir()) == [out]  # no temporary file left either
    missing = run(database_url, "verify-packet", str(tmp_path / "none.zip"), ok=False)
    assert missing.returncode == 2
    not_zip = run(database_url, "verify-packet", str(out), ok=False)
    assert not_zip.returncode == 1
    assert "not a readable zip file" in not_zip.stdout


def test_published_digest_anchors_packets(database_url: str, tmp_path: Path) -> None:
    """``digest publish`` writes what ``verify --against`` and ``verify-packet --against``
    read; a packet at the published instant has its root, and a packet built earlier
    still agrees with it after later events."""
    _agency(database_url)
    early = tmp_path / "early.zip"
    run(database_url, "export", "person", "E1", "--agency", "cli-pd", "--out", str(early))
    held = tmp_path / "held.json"
    published = run(database_url, "digest", "publish", "--out", str(held))
    assert f"digest published to {held}" in published.stdout
    digest = json.loads(held.read_text())
    assert {"root", "position", "recorded_at", "heads", "published_at"} <= set(digest)
    assert json.loads(run(database_url, "verify", "--against", str(held), "--json").stdout)["ok"]
    run(
        database_url,
        "person",
        "enrol",
        "E2",
        "--agency",
        "cli-pd",
        "--first-name",
        "Lee",
        "--last-name",
        "Later",
        "--hired-on",
        "2021-02-01",
    )
    at = tmp_path / "at.zip"
    run(
        database_url,
        "export",
        "person",
        "E1",
        "--agency",
        "cli-pd",
        "--known-at",
        digest["recorded_at"],
        "--out",
        str(at),
    )
    with zipfile.ZipFile(at) as archive:
        assert json.loads(archive.read("digest.json"))["root"] == digest["root"]
    for packet in (early, at):
        checked = run(database_url, "verify-packet", str(packet), "--against", str(held))
        assert "and the held digest" in checked.stdout
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**digest, "root": "0" * 64}))
    refused = run(database_url, "verify-packet", str(at), "--against", str(other), ok=False)
    assert refused.returncode == 1
    assert "same log position, different root" in refused.stdout
