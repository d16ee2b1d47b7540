"""A fingerprint of the evaluation code, so cached answers and folded checkpoints never
outlive the code that computed them, and outlive every edit that changes no code.

What counts is each module's syntax tree without its docstrings (comments, blank lines and
line numbers are not in it), over exactly the modules the engine, the fold and the
checkpoint codec import, found from their import statements.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from projections.fingerprint_cache import remembered

__all__ = [
    "code_digest",
    "code_fingerprint",
    "documents_fingerprint",
    "engine_fingerprint",
    "engine_modules",
    "modules_fingerprint",
    "use_cache_dir",
]

# What an answer or a checkpoint is computed by: the engine, the rule versions it is given
# (parsed from the ledger), the fold with its stored-state reader, and the codec.
_ROOTS = (
    "projections.evaluate",
    "projections.rules.from_ledger",
    "projections.history_codec",
    "replay.stored_streams",
)
# Imports are followed within these packages only: the ledger's event classes and codec
# are the stored format, which changes only with an event's class version (upcast on read).
_PACKAGES = ("projections", "replay")
# Write-side modules whose values the engine reads as rules: the assignment vocabulary
# (aliases such as sro -> school_resource_officer decide who a population binds).
_ALSO = ("ledger.vocabulary",)
# Where the fingerprint is remembered across processes (``use_cache_dir``); None: nowhere.
_cache_folder: Path | None = None


def use_cache_dir(cache_dir: Path | None) -> None:
    """Remember the engine's fingerprint under ``cache_dir`` (the edges pass
    ``MUSTER_CACHE_DIR``); None: compute it in every process."""
    global _cache_folder
    _cache_folder = None if cache_dir is None else cache_dir / "fingerprint"


def _statement_lists(statements: list[ast.stmt]) -> Iterator[list[ast.stmt]]:
    """``statements`` and every statement list nested in them (bodies of definitions,
    branches, loops, handlers), without descending into expressions."""
    yield statements
    for statement in statements:
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                yield from _statement_lists(inner)
        for part in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
            yield from _statement_lists(part.body)


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _code(tree: ast.Module) -> str:
    """The module's syntax tree without docstrings (nor any other statement that is a bare
    string, which does nothing) or positions, as text."""
    for statements in _statement_lists(tree.body):
        statements[:] = [s for s in statements if not _is_docstring(s)] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False)


def code_digest(source: str) -> str:
    """SHA-256 of a module's code: its syntax tree, without docstrings or positions."""
    return hashlib.sha256(_code(ast.parse(source)).encode()).hexdigest()


def _path(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(module)
    return Path(spec.origin)


def _module_code(module: str) -> tuple[str, set[str]]:
    """The module's code (``_code``) and the project modules it imports."""
    tree = ast.parse(_path(module).read_text())
    imported = _imported(tree)
    return _code(tree), imported


def _fingerprint(codes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for module in sorted(codes):
        code = hashlib.sha256(codes[module].encode()).hexdigest()
        digest.update(f"{module}\n{code}\n".encode())
    return digest.hexdigest()[:16]


def code_fingerprint(*modules: str) -> str:
    """One fingerprint of the named modules' code (``code_digest`` of each, by name)."""
    return _fingerprint({module: _module_code(module)[0] for module in modules})


def _ours(module: str) -> bool:
    return module.split(".")[0] in _PACKAGES


def _imported(tree: ast.Module) -> set[str]:
    """The project modules a module's statements import, with the packages they sit in
    (whose ``__init__`` runs first)."""
    found: set[str] = set()
    for statements in _statement_lists(tree.body):
        for node in statements:
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from package import module`` imports a module; anything else, a name.
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            for name in names:
                if _ours(name) and _is_module(name):
                    found.update(_with_packages(name))
    return found


def _with_packages(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _computed_engine() -> tuple[frozenset[str], str]:
    """The engine's modules and their fingerprint, from their source."""
    codes: dict[str, str] = {}
    pending = [name for root in _ROOTS for name in _with_packages(root)] + list(_ALSO)
    while pending:
        module = pending.pop()
        if module in codes:
            continue
        codes[module], imported = _module_code(module)
        pending.extend(imported - codes.keys())
    return frozenset(codes), _fingerprint(codes)


@cache
def _engine() -> tuple[frozenset[str], str]:
    """``_computed_engine``, remembered across processes for the same source files."""
    return remembered(_computed_engine, _PACKAGES, _ALSO, _cache_folder)


def engine_modules() -> frozenset[str]:
    """The modules an answer or a checkpoint is computed by: the roots and every project
    module they import, transitively."""
    return _engine()[0]


def engine_fingerprint() -> str:
    """``code_fingerprint`` of ``engine_modules``."""
    return _engine()[1]


# The code that shapes stored documents besides the engine (``documents_fingerprint``).
_DOCUMENTS = ("projections.answers", "projections.current")


@cache
def documents_fingerprint() -> str:
    """``code_fingerprint`` of the modules that shape stored documents (the answer and
    roster documents, the tracked rows), remembered across processes like the engine's:
    computing it parses them and imports what they import (the engine, the schema), which
    a read the tracked model or the memo answers otherwise does without (issue 14 §6)."""

    def computed() -> tuple[frozenset[str], str]:
        return frozenset(_DOCUMENTS), code_fingerprint(*_DOCUMENTS)

    modules, fingerprint = remembered(computed, _PACKAGES, _ALSO, _cache_folder, "documents")
    return fingerprint if modules == frozenset(_DOCUMENTS) else computed()[1]


@cache
def modules_fingerprint(name: str, modules: tuple[str, ...]) -> str:
    """``code_fingerprint`` of ``modules``, remembered across processes under ``name`` as
    ``documents_fingerprint`` is (for answers other code computes: the credential and
    policy tracks')."""

    def computed() -> tuple[frozenset[str], str]:
        return frozenset(modules), code_fingerprint(*modules)

    found, fingerprint = remembered(computed, _PACKAGES, _ALSO, _cache_folder, name)
    return fingerprint if found == frozenset(modules) else computed()[1]
