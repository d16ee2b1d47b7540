"""Imports flow one way (DESIGN.md layout table)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "ledger": {"ledger", "eventsourcing", "orjson"},
    "projections": {"projections", "ledger", "eventsourcing", "orjson", "pydantic", "yaml"},
    "replay": {
        "replay",
        "projections",
        "ledger",
        "eventsourcing",
        "orjson",
        "psycopg",
        "dateutil",
        "fpdf",  # the packet's PDF report (replay/packet/report.py)
    },
}
# The PostgreSQL store adapter is the one place the write side talks to the driver.
EXCEPTIONS = {
    "ledger/postgres_store.py": {"psycopg"},
    # The account secrets' encryption (AES-GCM) is the one place that needs a cipher.
    "ledger/secret_keys.py": {"cryptography"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_the_layout_allows(package: str) -> None:
    """ledger imports no web, logging or read-side code; projections never import api."""
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        allowed = ALLOWED[package] | EXCEPTIONS.get(relative, set())
        extra = _imports(path) - stdlib - allowed
        if extra:
            problems.append(f"{relative}: {sorted(extra)}")
    assert not problems, problems


def _modules(path: Path) -> set[str]:
    """Every absolute module a file imports, in full (``api.web.base``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_http_api_does_not_depend_on_the_dashboard() -> None:
    """api/http is an edge of its own: what it shares with the dashboard's pages lives
    below both (replay/, projections/) or in api/http itself, never in api/web. The one
    exception is the composition root, api/http/app.py, which mounts the dashboard's
    routers on the same app."""
    problems = []
    for path in sorted((ROOT / "api" / "http").rglob("*.py")):
        if path == ROOT / "api" / "http" / "app.py":
            continue
        web = sorted(m for m in _modules(path) if m == "api.web" or m.startswith("api.web."))
        if web:
            problems.append(f"{path.relative_to(ROOT)}: {web}")
    assert not problems, problems
