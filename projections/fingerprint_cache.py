"""The engine's fingerprint remembered across processes, so that a read command does not
parse the engine's source (about a quarter of a ``muster status``'s start, issue 14 §6);
likewise the fingerprint of the code that shapes stored documents (``name``).

It is remembered under a key made of the bytes of every source file it can depend on (each
``.py`` file of the packages the fingerprint follows imports in, and the extra modules it
reads) and the Python version: the fingerprint is a function of those alone, so a file
found under the same key holds the same value ``fingerprint._computed_engine`` would
compute (``tests/rules/test_fingerprint_cache.py``). The file sits in the folder the caller
names (``MUSTER_CACHE_DIR``, by default the user's cache directory: ``api.settings``), never
in the installed package; with no folder, or one that cannot be read or written (a
read-only location), the fingerprint is computed each time, as before.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["cache_file", "remembered", "source_key"]

Engine = tuple[frozenset[str], str]
_PREFIX = "engine-fingerprint-"
# The user's cache folder is shared by every checkout and installation of muster the user
# runs, each with its own key: a few are kept, so two of them used in turn do not evict
# each other's file on every command.
_KEPT = 8


def _files(packages: Iterable[str], modules: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for package in packages:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            found.extend(Path(folder).rglob("*.py"))
    for module in modules:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin is not None:
            found.append(Path(spec.origin))
    return sorted(set(found))


def source_key(packages: Iterable[str], modules: Iterable[str]) -> str:
    """SHA-256 of the Python version and of every file's path and bytes."""
    digest = hashlib.sha256(sys.version.encode())
    for path in _files(packages, modules):
        digest.update(f"\n{path}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_file(key: str, folder: Path, name: str = "engine") -> Path:
    """Where the fingerprint called ``name`` is kept for the source files of ``key``."""
    return folder / f"{_prefix(name)}{key[:32]}.json"


def _prefix(name: str) -> str:
    return _PREFIX if name == "engine" else f"{name}-fingerprint-"


def _read(path: Path) -> Engine | None:
    try:
        stored = json.loads(path.read_text())
        return frozenset(stored["modules"]), str(stored["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(path: Path, engine: Engine, prefix: str) -> None:
    """Atomically (a reader sees the whole file or none); only the ``_KEPT`` newest keys'
    files are kept."""
    body = json.dumps({"modules": sorted(engine[0]), "fingerprint": engine[1]})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".fingerprint-")
    except OSError:  # a read-only location: computed each time, as before
        return
    try:
        with os.fdopen(handle, "w") as out:
            out.write(body)
        os.replace(temporary, path)
        others = [p for p in path.parent.glob(f"{prefix}*.json") if p != path]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[_KEPT - 1 :]:
            old.unlink(missing_ok=True)
    except OSError:  # a full disk, a folder turned read-only: the same
        Path(temporary).unlink(missing_ok=True)


def remembered(
    compute: Callable[[], Engine],
    packages: Iterable[str],
    modules: Iterable[str],
    folder: Path | None,
    name: str = "engine",
) -> Engine:
    """``compute()``, or the value it gave for the same source files before (kept in
    ``folder``; None: nowhere). ``name`` tells apart what is remembered for the same
    source files (the engine's fingerprint, the stored documents' code)."""
    if folder is None:
        return compute()
    path = cache_file(source_key(packages, modules), folder, name)
    engine = _read(path)
    if engine is None:
        engine = compute()
        _write(path, engine, _prefix(name))
    return engine
