"""Issue 13 §6: the real ``muster import`` and ``muster demo`` killed with SIGKILL while
their unit's transaction is open, on both backends; then ``verify`` passes, ``replay``
rebuilds, and the re-run imports everything exactly once (beside the catch-up crash test,
``tests/replay/test_crash.py``).

The kill is made to land inside the save without any hook in the product: the test
watches the store from outside and kills once the child holds the store's write lock
(SQLite: ``BEGIN IMMEDIATE`` refused to another connection; PostgreSQL: the child's
backend holding the lock on the events table that only a unit's transaction takes, in
``pg_locks``). The import holds it only for its one save; the demo for each of its units.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from api.importing.writing import write_csv
from api.synthetic.store_check import demo_store_state
from ledger.application import Ledger
from ledger.database import parse_database_url
from ledger.seal import load_seal_keys
from replay.verify import verify_store
from tests.api.test_cli import MUSTER, run
from tests.conftest import owner_url
from tests.importing.helpers import PEOPLE, TRAINING

PEOPLE_COUNT = 250
PER_PERSON = 24  # 6,000 completions: a save of several seconds on either backend
SEAL_KEY = "crash-1 " + "ab" * 32 + "\n"  # a fixed test key, never a real one


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "seal.keys"
    path.write_text(SEAL_KEY)
    path.chmod(0o600)
    return path


def test_sigkill_of_an_import_inside_its_save(
    database_url: str, tmp_path: Path, key_file: Path
) -> None:
    """An import killed while its one transaction is open leaves nothing of itself: the
    log verifies, replay rebuilds, and the same file then imports every row exactly once."""
    env = {"MUSTER_SEAL_KEY_FILE": str(key_file)}
    run(database_url, "agency", "add", "crash-pd", "--name", "Crash PD", "--state", "MN", env=env)
    roster = tmp_path / "roster.csv"
    roster.write_bytes(write_csv(PEOPLE, [_person(i) for i in range(PEOPLE_COUNT)]))
    run(database_url, "import", "people", str(roster), "--agency", "crash-pd", env=env)
    history = tmp_path / "history.csv"
    rows = [_completion(i, n) for i in range(PEOPLE_COUNT) for n in range(PER_PERSON)]
    history.write_bytes(write_csv(TRAINING, rows))
    before = _count(database_url)

    args = ("import", "training", str(history), "--agency", "crash-pd", "--json")
    with _watching(database_url) as watch:
        child = _start(database_url, args, env)
        assert _kill_inside_save(child, watch) == before
    assert _count(database_url) == before, "nothing of the killed import is stored"

    _verified(database_url, key_file)
    run(database_url, "replay", env=env)
    again = json.loads(run(database_url, *args, env=env).stdout)
    assert (again["status"], again["records_appended"]) == ("imported", len(rows))
    assert _count(database_url) == before + len(rows) + 1  # the rows and the import marker
    third = json.loads(run(database_url, *args, env=env).stdout)
    assert third["status"] == "already_imported"
    assert _count(database_url) == before + len(rows) + 1
    _verified(database_url, key_file)


def test_sigkill_of_the_demo_inside_a_save(
    database_url: str, tmp_path: Path, key_file: Path
) -> None:
    """The demo killed while one of its units is being written keeps every unit committed
    before it, whole and sealed, and nothing of the one in flight; the store verifies,
    replay rebuilds it, and the next demo finds it interrupted (SQLite: kept aside and
    built afresh; PostgreSQL: refused, naming the schema to drop, nothing appended)."""
    env = {"MUSTER_SEAL_KEY_FILE": str(key_file)}
    args = ("demo", "--officers", "1000", "--years", "1", "--until", "2025-06-30")
    with _watching(database_url) as watch:
        child = _start(database_url, args, env)
        # Past its first units (the rule packs): kill inside one of the history's (the
        # first ones, hiring everyone, hold a thousand events or more).
        _wait_for(lambda: watch.count() > 0, child, "the rule packs")
        counted = _kill_inside_save(child, watch)
    kept = _count(database_url)
    ledger = Ledger(database_url)
    try:
        assert demo_store_state(ledger, "demo-pd") == "interrupted"
        seals = list(ledger.store.iter_seals())
    finally:
        ledger.close()
    # Every stored event belongs to one whole sealed unit: the unit in flight left nothing.
    assert sum(seal.events for seal in seals) == kept
    if kept != counted:
        # The one race the probes cannot close: the child's COMMIT already sent, in the
        # microseconds between the last probe and the kill (PostgreSQL then commits what it
        # received). That unit must then be there whole: exactly the last sealed one.
        assert kept - counted == seals[-1].events, "the unit in flight at the kill left nothing"
    _verified(database_url, key_file)
    run(database_url, "replay", env=env)

    again = run(database_url, "demo", "--officers", "20", "--years", "1", env=env, ok=False)
    if parse_database_url(database_url).backend == "sqlite":
        assert again.returncode == 0, again.stderr
        assert "interrupted" in again.stdout
        assert "generated" in again.stdout
        _verified(database_url, key_file)
        directory = Path(str(parse_database_url(database_url).sqlite_path)).parent
        (aside,) = [p for p in directory.iterdir() if p.name.endswith("Z")]
        assert _count(f"sqlite:///{aside}") == kept  # the interrupted history, whole
    else:
        assert again.returncode == 2
        assert "interrupted" in again.stderr
        assert _count(database_url) == kept


# -- watching the store from outside -------------------------------------------------------


def _start(url: str, args: tuple[str, ...], env: dict[str, str]) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_LOG_FORMAT": "json", **env}
    return subprocess.Popen(
        [MUSTER, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )


def _kill_inside_save(child: subprocess.Popen[bytes], watch: _Watch) -> int:
    """SIGKILL the child while one of its units' transactions is open: the write lock seen
    held, the log's events counted, 2 ms later the lock seen held, the count the same
    (one unit, open all along) and no demo completion marker committed (after it, the
    demo's read-model writes take SQLite's one write lock too), killed. Returns that count.
    If the store then holds exactly that many events, the unit in flight at the kill left
    nothing (had it committed before the kill, it would be counted now)."""
    deadline = time.monotonic() + 120
    while True:
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"the child ended (exit {child.returncode}) before it was seen saving")
        if watch.locked():
            counted = watch.count()
            time.sleep(0.002)  # any pause will do: a commit between the probes moves the count
            steady = watch.locked() and watch.count() == counted
            if steady and not watch.completed() and not watch.committing():
                child.send_signal(signal.SIGKILL)
                break
        time.sleep(0.005)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    # PostgreSQL ends the dead client's transaction when it notices the closed socket.
    _wait_for(lambda: not watch.locked(), None, "the killed writer's lock to go")
    return counted


def _wait_for(
    condition: Callable[[], bool], child: subprocess.Popen[bytes] | None, what: str
) -> bool:
    deadline = time.monotonic() + 120
    while not condition():
        if child is not None and child.poll() is not None:
            pytest.fail(f"the child ended (exit {child.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"waited 120 s for {what}")
        time.sleep(0.02)
    return True


class _Watch:
    def __init__(self, url: str) -> None:
        self.database = parse_database_url(url)
        self.conn: psycopg.Connection[tuple[object, ...]] | None = None
        if self.database.backend == "postgres":
            owner = parse_database_url(owner_url(url)).postgres_conninfo
            self.conn = psycopg.connect(owner, autocommit=True)
            ledger = Ledger(url)
            self.events = ledger.store.dialect.events_table  # the schema-qualified name
            ledger.close()

    def count(self) -> int:
        """The events committed to the log (read without any lock)."""
        if self.conn is None:
            try:
                with closing(_sqlite(self.database.sqlite_path, timeout=5)) as conn:
                    return int(conn.execute("SELECT count(*) FROM stored_events").fetchone()[0])
            except sqlite3.OperationalError:  # the child has not made the file or table yet
                return 0
        row = self.conn.execute(f"SELECT count(*) FROM {self.events}").fetchone()
        assert row is not None
        return int(str(row[0]))

    def completed(self) -> bool:
        """Whether a demo's completion marker (``SimulationCompleted``) is committed."""
        sql = "SELECT count(*) FROM {} WHERE topic LIKE '%SimulationCompleted'"
        if self.conn is None:
            try:
                with closing(_sqlite(self.database.sqlite_path, timeout=5)) as conn:
                    found = conn.execute(sql.format("stored_events")).fetchone()[0]
            except sqlite3.OperationalError:
                return False
            return int(found) > 0
        row = self.conn.execute(sql.format(self.events)).fetchone()  # type: ignore[arg-type]
        return bool(row and int(str(row[0])) > 0)

    def committing(self) -> bool:
        """Whether the lock holder's COMMIT is already on the server (PostgreSQL; a commit
        waiting on its flush keeps the locks held and the count unchanged, yet lands)."""
        if self.conn is None:
            return False
        row = self.conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_stat_activity a JOIN pg_catalog.pg_locks l "
            "ON l.pid = a.pid WHERE l.locktype = 'relation' AND l.relation = to_regclass(%s) "
            "AND a.pid <> pg_backend_pid() AND a.state = 'active' AND a.query ILIKE 'commit%%'",
            (self.events,),
        ).fetchone()
        return bool(row and int(str(row[0])) > 0)

    def locked(self) -> bool:
        """Whether some other process holds the store's write lock right now."""
        if self.conn is None:
            return _sqlite_write_locked(self.database.sqlite_path)
        row = self.conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'relation' "
            "AND relation = to_regclass(%s) AND pid <> pg_backend_pid() "
            "AND mode IN ('ExclusiveLock', 'RowExclusiveLock')",
            (self.events,),
        ).fetchone()
        return bool(row and int(str(row[0])) > 0)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


@contextmanager
def _watching(url: str) -> Iterator[_Watch]:
    watch = _Watch(url)
    try:
        yield watch
    finally:
        watch.close()


def _sqlite(path: Path | None, timeout: float) -> sqlite3.Connection:
    """A connection to an existing file only (the test must not create the child's store)."""
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout, isolation_level=None)


def _sqlite_write_locked(path: Path | None) -> bool:
    """Whether another connection holds the file's write lock (tried without waiting)."""
    try:
        conn = _sqlite(path, timeout=0)
    except sqlite3.OperationalError:  # no file yet
        return False
    with closing(conn):
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                return True
            raise
        conn.execute("ROLLBACK")
        return False


# -- files and counts ----------------------------------------------------------------------


def _person(i: int) -> list[str]:
    values = {
        "employee_id": f"C{i:04d}",
        "first_name": f"First{i}",
        "last_name": f"Last{i}",
        "kind": "sworn",
        "hired_on": "2015-01-05",
        "license_number": f"{800000 + i}",
        "license_expires_on": "2026-06-30",
    }
    return [values.get(name, "") for name in PEOPLE]


def _completion(i: int, n: int) -> list[str]:
    values = {
        "employee_id": f"C{i:04d}",
        "completed_on": (date(2016, 1, 4) + timedelta(days=37 * n + i % 30)).isoformat(),
        "course_title": f"Course {n % 7}",
        "hours": "2",
        "topics": "use_of_force=2",
        "record_id": f"src-{i}-{n}",
    }
    return [values.get(name, "") for name in TRAINING]


def _count(url: str) -> int:
    ledger = Ledger(url)
    try:
        return ledger.store.count_events()
    finally:
        ledger.close()


def _verified(url: str, key_file: Path) -> None:
    """The CLI's verify, with the seal key: every link matches and every unit is sealed."""
    out = run(url, "verify", "--json", env={"MUSTER_SEAL_KEY_FILE": str(key_file)}).stdout
    report = json.loads(out)
    assert report["ok"] is True, report
    ledger = Ledger(url)
    try:
        assert verify_store(ledger.store, keys=load_seal_keys(key_file)).ok
    finally:
        ledger.close()
