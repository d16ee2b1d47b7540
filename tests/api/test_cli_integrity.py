"""``muster db init``, seal keys and what ``verify`` says about them, as real processes."""

from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path

from tests.api.test_cli import run
from tests.conftest import APP_ROLE, POSTGRES_URL, as_role, drop_postgres_store


def test_db_init_then_the_application_role_runs(postgres_ready: None) -> None:
    """On PostgreSQL a command before ``db init`` is refused in one line naming it; the
    application role cannot run ``db init`` itself; after the owner has, it runs."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    owner = f"{POSTGRES_URL}?schema={schema}"
    app = as_role(owner, APP_ROLE)
    try:
        before = run(app, "agency", "list", ok=False)
        assert before.returncode == 2
        assert "muster db init" in before.stderr
        refused = run(app, "db", "init", ok=False)
        assert refused.returncode == 3
        assert "Traceback" not in refused.stderr
        assert "permission denied" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        done = run(owner, "db", "init", "--app-role", APP_ROLE)
        assert f"{APP_ROLE} may select and insert" in done.stdout
        run(owner, "db", "init", "--app-role", APP_ROLE)  # idempotent
        run(app, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
        assert "mpls" in run(app, "agency", "list").stdout
        assert json.loads(run(app, "verify", "--json").stdout)["ok"] is True
    finally:
        drop_postgres_store(schema)


def test_verify_reports_seals_and_rotation(database_url: str, tmp_path: Path) -> None:
    """Without a key file verify says seals were not checked and what that leaves open;
    with one it counts sealed units by key; after a rotation both keys verify, and the
    old units are reported once the old key is dropped from the file."""
    if database_url.startswith("sqlite"):  # a read never creates a store: set it up first
        run(database_url, "db", "init")
    plain = run(database_url, "verify").stdout
    assert "seals not checked" in plain
    keys = tmp_path / "seal.keys"
    run(database_url, "db", "new-seal-key", str(keys), "--id", "2026-01")
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    sealed = {"MUSTER_SEAL_KEY_FILE": str(keys)}
    run(database_url, "agency", "add", "aa", "--name", "A PD", "--state", "MN", env=sealed)
    out = run(database_url, "verify", env=sealed).stdout
    assert "seals: 2 unit(s) sealed (keys: 2026-01), 0 event(s) unsealed" in out
    assert "every unit is sealed by a known key" in out
    again = run(database_url, "db", "new-seal-key", str(keys), "--id", "2026-01", ok=False)
    assert again.returncode == 2
    run(database_url, "db", "new-seal-key", str(keys), "--id", "2026-07")
    run(database_url, "agency", "add", "bb", "--name", "B PD", "--state", "OR", env=sealed)
    out = run(database_url, "verify", env=sealed).stdout
    assert "(keys: 2026-01, 2026-07)" in out
    lines = keys.read_text().splitlines()
    keys.write_text(lines[1] + "\n")  # the old key retired from the file too early
    broken = run(database_url, "verify", "--json", env=sealed, ok=False)
    assert broken.returncode == 1
    problem = json.loads(broken.stdout)["first_break"]["problem"]
    assert "'2026-01', which is not a known seal key" in problem
    missing = run(database_url, "verify", "--against", str(tmp_path / "none.json"), ok=False)
    assert missing.returncode == 2
    assert "cannot read the digest" in missing.stderr
    keys.write_text("not a key\n")
    bad = run(database_url, "verify", env=sealed, ok=False)
    assert bad.returncode == 2
    assert "line 1" in bad.stderr
