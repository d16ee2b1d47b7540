"""Issue 14 §6: starting the CLI costs typer and rich and the command's own code, not the
whole ledger. Not timed here (``benchmarks/cli_startup_bench.py`` measures it): what is
asserted is which modules a start imports."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

from api.cli.app import LAZY_GROUPS
from ledger.database import parse_database_url
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
    # Help prints through click, not rich: the consoles are made when first printed to.
    assert "rich.console" not in loaded
    assert "api.cli.output" in loaded  # imported, without rich (api.cli.output)


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
    assert "rich.console" not in loaded


# What a read answered from the tracked model or the answer memo must not import: the
# rule-pack schema (pydantic), the engine and the fold, the worker pool, pack files' YAML.
EVALUATION = (
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "yaml",
    "projections.rules",
    "projections.evaluate",
    "projections.engine",
    "projections.answers",
    "projections.current",
    "projections.history",
    "projections.history_codec",
    "replay.chunks",
    "replay.workers",
    "multiprocessing",
    "concurrent.futures",
)


def _of(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == n or m.startswith(f"{n}.") for n in names))


def test_agency_list_reads_the_settings_without_pydantic(tmp_path: object) -> None:
    """The settings are plain parsing (``api.settings``): ``agency list`` imports neither
    pydantic nor pydantic-settings, nor anything of the evaluation."""
    url = f"sqlite:///{tmp_path}/x.db"
    run(url, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
    listing = _command_imports(url, "agency", "list")
    assert "api.settings" in listing
    assert not _of(listing, EVALUATION), _of(listing, EVALUATION)


def test_a_read_already_answered_imports_no_schema_and_no_engine(tmp_path: object) -> None:
    """A roster or a status the memo holds is read with its rule versions as stored
    (``projections.stored_versions``): no pydantic, no engine, no worker pool. The first
    roster, which computes its answers, does import them (the lazy path is taken only
    when nothing is to be computed), and every answer reads the same either way."""
    url = f"sqlite:///{tmp_path}/x.db"
    run(url, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
    for employee_id in ("E1", "E2"):
        run(
            url,
            *("person", "enrol", employee_id, "--agency", "mpls", "--first-name", "Pat"),
            *("--last-name", "Lee", "--hired-on", "2019-01-07"),
            env={"MUSTER_ACTOR": "coordinator.kim"},
        )
    asked = ("roster", "--agency", "mpls", "--as-of", "2026-06-30")
    known_at = json.loads(run(url, *asked, "--format", "json").stdout)["known_at"]
    roster = (*asked, "--known-at", known_at)  # the same instant each time: the same bytes
    first = run(url, *roster, "--format", "json").stdout
    computed = _command_imports(url, "roster", "--agency", "mpls", "--as-of", "2026-06-01")
    assert {"replay.chunks", "projections.evaluate", "pydantic"} <= computed
    answered = _command_imports(url, *roster)
    assert "replay.asof" in answered
    assert not _of(answered, EVALUATION), _of(answered, EVALUATION)
    status = ("status", "E1", "--agency", "mpls", "--as-of", "2026-06-30", "--known-at", known_at)
    status_first = run(url, *status, "--json").stdout
    answered = _command_imports(url, *status)
    assert not _of(answered, EVALUATION), _of(answered, EVALUATION)
    assert run(url, *roster, "--format", "json").stdout == first
    assert run(url, *status, "--json").stdout == status_first
    assert "us-mn" in first  # answered under the shipped MN versions, not under none


# What a read command must not import (issue 14 §6): the write side's use cases, and what
# only they need: the unit of work, the Person aggregate and its event classes (a read
# the tracked model or the memo answers decodes no person's events), the file importer.
WRITE_SIDE = (
    "ledger.application",
    "ledger.agency_cases",
    "ledger.people_cases",
    "ledger.training_cases",
    "ledger.relief_cases",
    "ledger.credential_cases",
    "ledger.policy_cases",
    "ledger.request_cases",
    "ledger.notice_cases",
    "ledger.unit_of_work",
    "ledger.person",
    "ledger.person_events",
    "ledger.imports",
    "api.cli.writes",
    "api.cli.record",
    "openpyxl",
)


def test_a_read_command_imports_no_write_side(database_url: str) -> None:
    """``agency list``, and a ``status`` and ``roster`` the memo holds, open the store as a
    ``LedgerReader`` (``api.cli.context.open_reader``), so none of them imports a write use
    case, the unit of work or the Person aggregate; they read the same as before (the
    answers are compared with those the first, computing, commands gave). On both
    backends: a start's imports do not depend on the store."""
    url = database_url
    run(url, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
    run(
        url,
        *("person", "enrol", "E1", "--agency", "mpls", "--first-name", "Pat"),
        *("--last-name", "Lee", "--hired-on", "2019-01-07"),
        env={"MUSTER_ACTOR": "coordinator.kim"},
    )
    known_at = json.loads(
        run(url, "roster", "--agency", "mpls", "--as-of", "2026-06-30", "--format", "json").stdout
    )["known_at"]
    roster = ("roster", "--agency", "mpls", "--as-of", "2026-06-30", "--known-at", known_at)
    status = ("status", "E1", "--agency", "mpls", "--as-of", "2026-06-30", "--known-at", known_at)
    before = (run(url, *roster, "--format", "json").stdout, run(url, *status, "--json").stdout)
    listing = run(url, "agency", "list").stdout
    for argv in (("agency", "list"), roster, status):
        loaded = _command_imports(url, *argv)
        assert "ledger.reader" in loaded, argv
        assert not _of(loaded, WRITE_SIDE), (argv, _of(loaded, WRITE_SIDE))
    assert (run(url, *roster, "--format", "json").stdout, run(url, *status, "--json").stdout) == (
        before
    )
    assert run(url, "agency", "list").stdout == listing
    assert "mpls" in listing
    assert "US-MN" in listing


def test_a_read_refused_still_names_the_nearest(database_url: str) -> None:
    """The reader keeps the hints of an unknown agency or person (``api.cli.suggest``)."""
    url = database_url
    run(url, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
    run(
        url,
        *("person", "enrol", "E1001", "--agency", "mpls", "--first-name", "Pat"),
        *("--last-name", "Lee", "--hired-on", "2019-01-07"),
        env={"MUSTER_ACTOR": "coordinator.kim"},
    )
    agency = run(url, "status", "E1001", "--agency", "mplss", ok=False)
    assert agency.returncode != 0
    assert "did you mean 'mpls'?" in agency.stderr
    assert "`muster agency list`" in agency.stderr
    person = run(url, "status", "E1002", "--agency", "mpls", ok=False)
    assert person.returncode != 0
    assert "did you mean 'E1001'?" in person.stderr
    assert "Traceback" not in agency.stderr + person.stderr


# What a read the read store answers on SQLite does without (``ledger.reader``): the
# event-sourcing library and every aggregate or event class of the ledger.
LIBRARY = (
    "eventsourcing",
    "ledger.ledger_core",
    "ledger.core_reader",
    "ledger.envelope",
    "ledger.streams",
    "ledger.aggregate",
    "ledger.agency",
    "ledger.program_events",
    "ledger.rule_pack",
    "ledger.serialisation",
    "ledger.sqlite_store",
)


def test_a_read_on_sqlite_imports_no_event_sourcing_library(tmp_path: object) -> None:
    """``agency list`` and a ``status`` the memo holds read a SQLite store through
    ``ledger.light_reader`` (stored rows decoded by ``ledger.agency_facts`` and
    ``projections.stored_versions``): no eventsourcing, no aggregate, no event class. A
    roster across the tracks reads the agency's programme events and opens the library's
    core for them, and a status the memo does not hold computes (and decodes the
    person's events): both import it. The answers are byte for byte the same either way."""
    url = f"sqlite:///{tmp_path}/x.db"
    run(url, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
    run(url, "agency", "time-zone", "mpls", "America/Denver")
    run(
        url,
        *("person", "enrol", "E1", "--agency", "mpls", "--first-name", "Pat"),
        *("--last-name", "Lee", "--hired-on", "2019-01-07"),
        env={"MUSTER_ACTOR": "coordinator.kim"},
    )
    status = ("status", "E1", "--agency", "mpls", "--as-of", "2026-06-30")
    known_at = json.loads(run(url, *status, "--json").stdout)["known_at"]
    status = (*status, "--known-at", known_at)
    first = run(url, *status, "--json").stdout
    listing = run(url, "agency", "list").stdout
    for argv in (("agency", "list"), status, (*status, "--json")):
        loaded = _command_imports(url, *argv)
        assert "ledger.light_reader" in loaded, argv
        assert not _of(loaded, LIBRARY), (argv, _of(loaded, LIBRARY))
    computing = _command_imports(url, "status", "E1", "--agency", "mpls", "--as-of", "2026-05-01")
    assert "eventsourcing" in computing
    assert "ledger.core_reader" in computing
    assert run(url, *status, "--json").stdout == first
    assert run(url, "agency", "list").stdout == listing
    assert "America/Denver" in listing
    assert "America/Denver" in first


def test_a_read_on_postgres_opens_the_library_s_store(postgres_ready: None) -> None:
    """On PostgreSQL the reader opens the library's store at once (``open_light_store``
    is SQLite's only)."""
    from ledger.light_reader import open_light_store
    from tests.conftest import POSTGRES_URL

    env = parse_database_url(f"{POSTGRES_URL}?schema=public").env
    assert open_light_store(env, {}, lambda: None) is None
