"""``projections.fingerprint_cache``: the engine fingerprint remembered across processes is
the one computed from the source, it is keyed by every file it can depend on, and an
unusable cache only costs the computation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import Settings, default_cache_dir
from projections.fingerprint import _ALSO, _PACKAGES, _computed_engine, engine_fingerprint
from projections.fingerprint_cache import cache_file, remembered, source_key

ROOT = Path(__file__).resolve().parents[2]
# What the edges do at start (``api.cli.context.open_ledger``, ``api.http.app``): read the
# settings, point the fingerprint at their cache directory, then answer.
_EDGE = (
    "from api.settings import get_settings\n"
    "from projections.fingerprint import engine_fingerprint, use_cache_dir\n"
    "use_cache_dir(get_settings().cache_dir)\n"
    "print(engine_fingerprint())\n"
)


def _fresh_process_fingerprint(cache_dir: Path) -> str:
    return subprocess.run(
        [sys.executable, "-c", _EDGE],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "MUSTER_CACHE_DIR": str(cache_dir)},
    ).stdout.strip()


def test_the_remembered_fingerprint_is_the_computed_one(tmp_path: Path) -> None:
    computed = _computed_engine()
    assert engine_fingerprint() == computed[1]
    path = cache_file(source_key(_PACKAGES, _ALSO), tmp_path / "fingerprint")
    path.unlink(missing_ok=True)
    assert _fresh_process_fingerprint(tmp_path) == computed[1]  # computed, then written
    assert path.exists()
    assert _fresh_process_fingerprint(tmp_path) == computed[1]  # read back


def test_nothing_is_written_into_the_installed_packages(tmp_path: Path) -> None:
    """The cache lives in the cache directory, never in ``projections/__pycache__``."""
    package_cache = ROOT / "projections" / "__pycache__"
    before = set(package_cache.glob("engine-fingerprint-*")) if package_cache.exists() else set()
    _fresh_process_fingerprint(tmp_path)
    after = set(package_cache.glob("engine-fingerprint-*")) if package_cache.exists() else set()
    assert after - before == set()
    assert [p.name[:19] for p in (tmp_path / "fingerprint").iterdir()] == ["engine-fingerprint-"]


def test_the_cache_directory_defaults_to_the_users_cache_and_can_be_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``MUSTER_CACHE_DIR`` names the folder; without it, the platform's user cache dir
    (``$XDG_CACHE_HOME/muster`` on Linux)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "muster"
    assert Settings.from_environment({}).cache_dir == tmp_path / "xdg" / "muster"
    given = Settings.from_environment({"MUSTER_CACHE_DIR": str(tmp_path / "elsewhere")})
    assert given.cache_dir == tmp_path / "elsewhere"


def test_a_read_only_cache_directory_only_costs_the_computation(tmp_path: Path) -> None:
    """A cache directory that cannot be made or written: the answer is the same, computed,
    and the command does not fail."""
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # a file where the folder would be: nothing can be made in it
    assert _fresh_process_fingerprint(blocked / "cache") == _computed_engine()[1]
    assert blocked.read_text() == ""
    if os.geteuid() != 0:  # root writes through permissions
        read_only = tmp_path / "read-only"
        read_only.mkdir(mode=0o500)
        assert _fresh_process_fingerprint(read_only) == _computed_engine()[1]
        assert list(read_only.iterdir()) == []


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
    (tmp_path / "missing").write_text("")  # a file in the way: the folder cannot be made
    unwritable = tmp_path / "missing" / "deeper"
    assert remembered(compute, [], [], unwritable) == (frozenset({"m"}), "f" * 16)
    assert len(calls) == 2
    assert not unwritable.exists()
    assert remembered(compute, [], [], None) == (frozenset({"m"}), "f" * 16)  # no folder
    assert len(calls) == 3


def test_the_newest_keys_are_kept_and_older_ones_removed(tmp_path: Path) -> None:
    """Two checkouts sharing the user's cache keep their files; beyond eight keys the
    oldest go."""
    for number in range(12):
        path = cache_file(f"{number:02x}" * 32, tmp_path)
        path.write_text("{}")
        os.utime(path, (1_000_000 + number, 1_000_000 + number))
    engine = remembered(lambda: (frozenset({"m"}), "f" * 16), [], [], tmp_path)
    assert engine == (frozenset({"m"}), "f" * 16)
    kept = sorted(p.name for p in tmp_path.iterdir())
    newest = cache_file(source_key([], []), tmp_path).name
    older = [cache_file(f"{n:02x}" * 32, tmp_path).name for n in range(5, 12)]
    assert kept == sorted([newest, *older])
