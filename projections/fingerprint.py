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
from functools import cache
from pathlib import Path

__all__ = ["code_digest", "code_fingerprint", "engine_fingerprint", "engine_modules"]

# What an answer or a checkpoint is computed by: the engine, the rule versions it is given
# (parsed from the ledger), the fold with its stored-state reader, and the codec.
_ROOTS = (
    "projections.evaluate",
    "projections.rules.from_ledger",
    "projections.history_codec",
    "replay.stored_streams",
)
# Imports are followed within these packages only: the write side's event classes change
# what is stored only with a new class version, which the fold's reader already checks.
_PACKAGES = ("projections", "replay")


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        kept = [
            statement
            for statement in body
            if not (
                isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            )
        ]
        node.body = kept or [ast.Pass()]  # type: ignore[attr-defined]
    return tree


def code_digest(source: str) -> str:
    """SHA-256 of a module's code: its syntax tree, without docstrings or positions."""
    tree = _without_docstrings(ast.parse(source))
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).hexdigest()


def _path(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(module)
    return Path(spec.origin)


def code_fingerprint(*modules: str) -> str:
    """One fingerprint of the named modules' code (``code_digest`` of each, by name)."""
    digest = hashlib.sha256()
    for module in sorted(set(modules)):
        digest.update(f"{module}\n{code_digest(_path(module).read_text())}\n".encode())
    return digest.hexdigest()[:16]


def _ours(module: str) -> bool:
    return module.split(".")[0] in _PACKAGES


def _imported(module: str) -> set[str]:
    """The project modules ``module`` imports, with the packages they sit in (whose
    ``__init__`` runs first)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(_path(module).read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import module`` imports a module; anything else, a name.
            names = [node.module]
            names += [f"{node.module}.{alias.name}" for alias in node.names]
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


@cache
def engine_modules() -> frozenset[str]:
    """The modules an answer or a checkpoint is computed by: the roots and every project
    module they import, transitively."""
    seen: set[str] = set()
    pending = [name for root in _ROOTS for name in _with_packages(root)]
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        pending.extend(_imported(module) - seen)
    return frozenset(seen)


@cache
def engine_fingerprint() -> str:
    """``code_fingerprint`` of ``engine_modules``."""
    return code_fingerprint(*engine_modules())
