"""``projections.fingerprint_cache``: the engine fingerprint remembered across processes is
the one computed from the source, it is keyed by every file it can depend on, and an
unusable cache only costs the computation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from projections.fingerprint import _ALSO, _PACKAGES, _computed_engine, engine_fingerprint
from projections.fingerprint_cache import cache_file, remembered, source_key

ROOT = Path(__file__).resolve().parents[2]


def _fresh_process_fingerprint() -> str:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from projections.fingerprint import engine_fingerprint; print(engine_fingerprint())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()


def test_the_remembered_fingerprint_is_the_computed_one() -> None:
    computed = _computed_engine()
    assert engine_fingerprint() == computed[1]
    path = cache_file(source_key(_PACKAGES, _ALSO))
    path.unlink(missing_ok=True)
    assert _fresh_process_fingerprint() == computed[1]  # computed, then written
    assert path.exists()
    assert _fresh_process_fingerprint() == computed[1]  # read back


def test_the_key_covers_every_source_file_of_the_followed_packages(tmp_path: Path) -> None:
    """A new or edited file anywhere the fingerprint may follow an import changes the key,
    docstring edits included (they then compute the same fingerprint again)."""
    package = tmp_path / "fakepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("X = 1\n")
    sys.path.insert(0, str(tmp_path))
    try:
        first = source_key(["fakepkg"], [])
        (package / "a.py").write_text('"""Doc."""\nX = 1\n')
        second = source_key(["fakepkg"], [])
        (package / "b.py").write_text("")
        third = source_key(["fakepkg"], [])
    finally:
        sys.path.remove(str(tmp_path))
    assert len({first, second, third}) == 3
    assert source_key(_PACKAGES, _ALSO) == source_key(_PACKAGES, _ALSO)


def test_a_garbled_or_unwritable_cache_is_computed_instead(tmp_path: Path) -> None:
    calls: list[int] = []

    def compute() -> tuple[frozenset[str], str]:
        calls.append(1)
        return frozenset({"m"}), "f" * 16

    cache_file(source_key([], []), tmp_path).write_text("{not json")
    assert remembered(compute, [], [], tmp_path) == (frozenset({"m"}), "f" * 16)
    assert remembered(compute, [], [], tmp_path) == (frozenset({"m"}), "f" * 16)
    assert len(calls) == 1  # the garbled file was replaced by a good one
    unwritable = tmp_path / "missing" / "deeper"  # a folder that cannot be made
    assert remembered(compute, [], [], unwritable) == (frozenset({"m"}), "f" * 16)
    assert len(calls) == 2
    assert not unwritable.exists()
