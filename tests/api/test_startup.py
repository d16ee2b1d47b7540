"""Issue 14 §6: starting the CLI costs typer and rich and the command's own code, not the
whole ledger. Not timed here (``benchmarks/cli_startup_bench.py`` measures it): what is
asserted is which modules a start imports."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from api.cli.app import LAZY_GROUPS
from tests.api.test_cli import run

# What the root of the CLI and ``muster --help`` must not import.
HEAVY = ("openpyxl", "eventsourcing", "psycopg", "pydantic", "ledger.application", "replay")


def _imported_by(code: str, env: dict[str, str] | None = None) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=None if env is None else {**os.environ, **env},
    ).stdout
    return set(out.split())


def _command_imports(url: str, *argv: str) -> set[str]:
    """What running ``muster ARGV`` against the store at ``url`` imports (its output
    discarded; it must succeed)."""
    code = (
        "import contextlib, io\n"
        "from api.cli.errors import run\nfrom api.cli.app import app\n"
        f"sys.argv = ['muster', *{list(argv)!r}]\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert run(app) == 0\n"
    )
    return _imported_by(code, {"MUSTER_DATABASE_URL": url, "MUSTER_LOG_FORMAT": "json"})


def test_importing_the_cli_imports_nothing_heavy() -> None:
    loaded = _imported_by("import api.cli")
    assert "typer" in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY)
    assert not heavy, heavy


def test_help_imports_nothing_heavy() -> None:
    """``muster --help`` lists the lazy groups by their help without importing them."""
    code = (
        "import contextlib, io\n"
        "from api.cli.errors import run\nfrom api.cli.app import app\n"
        "sys.argv = ['muster', '--help']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    run(app)"
    )
    loaded = _imported_by(code)
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY)
    assert not heavy, heavy


@pytest.mark.parametrize("name", sorted(LAZY_GROUPS))
def test_a_lazy_group_is_listed_with_its_own_help(name: str, tmp_path: object) -> None:
    module, attribute, listed = LAZY_GROUPS[name]
    assert getattr(importlib.import_module(module), attribute).info.help == listed
    url = f"sqlite:///{tmp_path}/x.db"
    root = run(url, "--help").stdout
    assert name in root
    assert listed.split(":")[0][:30] in " ".join(root.split())
    assert "Usage" in run(url, name, "--help").stdout


def test_a_command_s_options_are_coerced_without_pydantic() -> None:
    """typer 0.29 builds a pydantic adapter per parameter; muster's str, bool and list
    options skip it (``api.cli.coercion``), so ``status --help`` imports no pydantic."""
    code = (
        "import contextlib, io\n"
        "from api.cli.errors import run\nfrom api.cli.app import app\n"
        "sys.argv = ['muster', 'status', '--help']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    run(app)"
    )
    loaded = _imported_by(code)
    assert "pydantic" not in loaded
    assert "pydantic_core" not in loaded


def test_read_commands_read_the_settings_without_pydantic(tmp_path: object) -> None:
    """The settings are plain parsing (``api.settings``): ``agency list`` imports neither
    pydantic nor pydantic-settings; ``roster`` (and ``status``) still import pydantic, for
    the rule-pack schema of the versions they evaluate under (not for their options or
    the settings)."""
    url = f"sqlite:///{tmp_path}/x.db"
    run(url, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
    listing = _command_imports(url, "agency", "list")
    assert "api.settings" in listing
    assert not {m for m in listing if m.split(".")[0] in {"pydantic", "pydantic_settings"}}
    loaded = _command_imports(url, "roster", "--agency", "mpls")
    assert "replay.asof" in loaded
    assert "pydantic_settings" not in loaded
    assert "projections.rules.schema" in loaded  # the one reason pydantic is there
    assert "yaml" not in loaded  # pack files are YAML; the versions an answer uses are not
