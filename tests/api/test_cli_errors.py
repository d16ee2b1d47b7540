"""Issue 14 §4: errors a person understands. Each input a hostile new user would try (the
issue's own list first) ends in its documented exit status and one line on stderr, never a
traceback, with nothing appended; an unknown agency or person is answered with the nearest
names, an invalid filter value with the allowed ones.

Exit statuses (README, ``api/cli/errors.py``): 1 verification failed or import refused,
2 invalid input or a store missing or not set up, 3 the database refused, 70 a bug.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from ledger.application import Ledger
from tests.api.test_cli import MUSTER, run
from tests.factories import agency, officer, stored_events

SLUG = "mpls"


@pytest.fixture
def store(database_url: str) -> str:
    """An agency with two people, and the store's URL."""
    ledger = Ledger(database_url)
    agency(ledger, SLUG)
    officer(ledger, SLUG, "E1001")
    officer(ledger, SLUG, "E2002")
    ledger.close()
    return database_url


def _refused(url: str, args: Sequence[str], code: int = 2, **env: str) -> str:
    """Run the console script; assert ``code``, one ``error:`` line on stderr, no traceback,
    nothing on stdout; the line."""
    result = run(url, *args, ok=False, env=env)
    assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, (args, result.stderr)
    assert result.stdout == "", (args, result.stdout)
    return errors[0]


# The inputs that ended in a traceback, and more a new user would try: (arguments,
# a word the one line must hold).
HOSTILE: list[tuple[list[str], str]] = [
    (["status", "E1001", "--agency", SLUG, "--as-of", "9999-12-31"], "--as-of"),
    (["roster", "--agency", SLUG, "--as-of", "9999-12-31"], "--as-of"),
    (["replay", "--as-of", "9999-12-31"], "--as-of"),
    (["status", "E1001", "--agency", SLUG, "--known-at", "0001-01-01T00:00+05:00"], "--known-at"),
    (["roster", "--agency", SLUG, "--known-at", "9999-12-31T23:59-05:00"], "--known-at"),
    (["trend", "--agency", SLUG, "--from", "2024-01-01", "--to", "9999-12-31"], "--to"),
    (
        ["trend", "--agency", SLUG, "--from", "9999-01-01", "--to", "9999-12-31", "--every", "day"],
        "--from",
    ),
    (["trend", "--agency", SLUG, "--from", "01/02/2024", "--to", "2024-12-31"], "--from"),
    (
        [
            "trend",
            "--agency",
            SLUG,
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--every",
            "fortnight",
        ],
        "fortnight",
    ),
    (["trend", "--agency", SLUG, "--from", "2024-12-31", "--to", "2024-01-01"], "--to"),
    (["status", "E1001", "--agency", SLUG, "--as-of", "2024-02-30"], "YYYY-MM-DD"),
    (["status", "E1001", "--agency", SLUG, "--known-at", "yesterday"], "--known-at"),
    (["roster", "--agency", SLUG, "--status", "overdue"], "non_compliant, due_soon"),
    (["roster", "--agency", SLUG, "--kind", "robot"], "sworn, civilian"),
    (["roster", "--agency", SLUG, "--person-status", "retired"], "separated"),
    (["roster", "--agency", SLUG, "--format", "xml"], "table, json or csv"),
    (["status", "--agency", SLUG], "employee_id"),
    (["roster"], "--agency"),
    (["status", "E1001", "--agency", SLUG, "--bogus"], "--bogus"),
    (["rules", "show", "ZZ"], "MN"),
    (["agency", "add", "xx-pd", "--name", "X", "--state", "ZZ"], "CA"),
    (["agency", "time-zone", SLUG, "Mars/Olympus"], "Mars/Olympus"),
    (["import", "people", "/no/such/file.csv", "--agency", SLUG], "file.csv"),
]


@pytest.mark.parametrize(("args", "word"), HOSTILE, ids=[" ".join(a[:3]) for a, _ in HOSTILE])
def test_a_hostile_input_is_one_line_and_appends_nothing(
    store: str, args: list[str], word: str
) -> None:
    before = stored_events(store)
    line = _refused(store, args)
    assert word in line, line
    assert stored_events(store) == before


def test_the_wrong_option_is_named_not_as_of(store: str) -> None:
    """An invalid ``--from`` was reported as ``--as-of``."""
    line = _refused(store, ["trend", "--agency", SLUG, "--from", "garbage", "--to", "2024-01-01"])
    assert "--from 'garbage'" in line
    assert "--as-of" not in line


def test_demo_until_garbage_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    line = _refused(url, ["demo", "--until", "garbage"])
    assert "--until 'garbage'" in line
    assert not (tmp_path / "demo.db").exists()


def test_verify_against_a_missing_a_non_json_and_an_incomplete_digest(
    store: str, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.json"
    assert "cannot read the digest" in _refused(store, ["verify", "--against", str(missing)])
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json {")
    assert "is not JSON" in _refused(store, ["verify", "--against", str(garbage)])
    for incomplete in (
        {"format": "muster-ledger-digest/2"},
        {"format": "muster-ledger-digest/2", "heads": {"x": {"version": 1}}},
        [1, 2, 3],
        {"format": "another-tool/1", "heads": {}},
    ):
        cut = tmp_path / "cut.json"
        cut.write_text(json.dumps(incomplete))
        assert "not a muster ledger digest" in _refused(store, ["verify", "--against", str(cut)])
    saved = tmp_path / "saved.json"
    run(store, "verify", "--save-digest", str(saved))
    whole = json.loads(saved.read_text())
    del whole["log"]
    saved.write_text(json.dumps(whole))
    assert "missing or malformed" in _refused(store, ["verify", "--against", str(saved)])


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_save_digest_to_an_unwritable_place_is_refused_before_verifying(
    store: str, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        line = _refused(store, ["verify", "--save-digest", str(locked / "digest.json")])
    finally:
        locked.chmod(stat.S_IRWXU)
    assert "not writable" in line
    assert not (locked / "digest.json").exists()


def test_save_digest_to_no_folder_or_onto_a_folder_is_refused(store: str, tmp_path: Path) -> None:
    """Whoever runs it (root included): a digest path under a missing folder, under a file,
    or naming a folder is one line before verifying, and nothing is written."""
    folder = tmp_path / "digests"
    folder.mkdir()
    plain = folder / "plain.txt"
    plain.write_text("x")
    assert "no folder" in _refused(store, ["verify", "--save-digest", "/no/such/dir/d.json"])
    assert "no folder" in _refused(store, ["verify", "--save-digest", f"{plain}/d.json"])
    assert "is a folder" in _refused(store, ["verify", "--save-digest", str(folder)])
    assert plain.read_text() == "x"
    assert sorted(p.name for p in folder.iterdir()) == ["plain.txt"]


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/muster", "sqlite://relative.db", "", "postgresql"],
)
def test_an_unknown_database_scheme_is_one_line(url: str, tmp_path: Path) -> None:
    line = _refused(url, ["agency", "list"])
    assert "MUSTER_DATABASE_URL" in line


def test_a_bad_setting_is_named(store: str) -> None:
    assert "MUSTER_LOCK_TIMEOUT" in _refused(store, ["agency", "list"], MUSTER_LOCK_TIMEOUT="0")
    assert "MUSTER_LOG_LEVEL" in _refused(store, ["agency", "list"], MUSTER_LOG_LEVEL="loud")


def test_an_unknown_agency_suggests_the_nearest(store: str) -> None:
    for args in (
        ["status", "E1001", "--agency", "mpsl"],
        ["roster", "--agency", "mpsl"],
        ["trend", "--agency", "mpsl", "--from", "2024-01-01", "--to", "2024-03-01"],
    ):
        line = _refused(store, args)
        assert "did you mean 'mpls'?" in line, line
        assert "`muster agency list`" in line
    far = _refused(store, ["roster", "--agency", "zzzzzz"])
    assert "did you mean" not in far
    assert "`muster agency list`" in far


def test_an_unknown_person_suggests_the_nearest(store: str) -> None:
    line = _refused(store, ["status", "E1O01", "--agency", SLUG])
    assert "did you mean 'E1001'?" in line, line
    assert f"muster roster --agency {SLUG} --all" in line


def test_a_read_never_creates_a_store(tmp_path: Path) -> None:
    """A read on a database that is not there says how to make one and makes none."""
    path = tmp_path / "missing" / "muster.db"
    url = f"sqlite:///{path}"
    for args in (
        ["agency", "list"],
        ["status", "E1", "--agency", SLUG],
        ["roster", "--agency", SLUG],
        ["verify"],
        ["replay", "--catch-up"],
        ["rules", "update"],
    ):
        line = _refused(url, args)
        assert "no database at" in line, line
        assert "muster db init" in line, line
    assert not path.exists()
    assert not path.parent.exists()


def test_the_default_store_does_not_depend_on_the_directory(tmp_path: Path) -> None:
    """Without MUSTER_DATABASE_URL the store is $XDG_DATA_HOME/muster/muster.db, whichever
    directory a command runs in; a write creates it, a read elsewhere finds it."""
    data = tmp_path / "data"
    environment = {key: value for key, value in os.environ.items() if key != "MUSTER_DATABASE_URL"}
    environment.update(XDG_DATA_HOME=str(data), MUSTER_LOG_FORMAT="json", COLUMNS="200")
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()

    def muster(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [MUSTER, *args], cwd=where, env=environment, capture_output=True, text=True, check=False
        )

    missing = muster(first, "agency", "list")
    assert missing.returncode == 2
    assert str(data / "muster" / "muster.db") in missing.stderr
    added = muster(first, "agency", "add", SLUG, "--name", "Minneapolis PD", "--state", "MN")
    assert added.returncode == 0, added.stderr
    listed = muster(second, "agency", "list")
    assert listed.returncode == 0, listed.stderr
    assert SLUG in listed.stdout
    assert (data / "muster" / "muster.db").exists()
    assert not list(first.iterdir())
    assert not list(second.iterdir())


def test_the_filters_vocabularies_are_the_engines_and_the_ledgers() -> None:
    """The roster's allowed values (kept in the CLI so that starting it imports no engine)
    are exactly the engine's status codes and the ledger's kinds and person statuses."""
    from api.cli.query import KINDS, PERSON_STATUSES, STATUSES
    from ledger.vocabulary import PersonKind, PersonStatus
    from projections.status import STATUS_SEVERITY
    from replay.asof import NOT_HIRED

    assert STATUSES == STATUS_SEVERITY
    assert set(KINDS) == {k.value for k in PersonKind}
    assert set(PERSON_STATUSES) == {s.value for s in PersonStatus} | {NOT_HIRED}
