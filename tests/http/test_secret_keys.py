"""TOTP seeds encrypted at rest (issue 15 §4: secrets "in a separate table that can be
rotated and erased"): the stored column holds no seed, login with a code still works, a
ciphertext copied onto another account's row fails closed, ``muster account
rotate-secrets`` moves every seed to the current key so the old one can be dropped, a
seed kept in plain text (planted to pass the second factor) fails closed until an admin
seals it, a key file others may read is refused, and a wrong or missing key is one line.
Both backends."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
from pathlib import Path
from typing import Any
from uuid import UUID

import pyotp
import pytest

from api.http.authentication import TOTP_STEP_SECONDS, new_totp_seed
from api.http.passwords import hash_password
from api.secret_key_setting import configured_secret_keys
from api.settings import Settings
from ledger.account_store import AccountStore
from ledger.accounts import get_account
from ledger.secret_keys import SecretKeyError, SecretKeys, is_sealed, load_secret_keys
from ledger.side_database import SECRETS
from tests.conftest import TEST_SECRET_KEY_FILE
from tests.http.conftest import World
from tests.web.conftest import MUSTER

PASSWORD = "correct horse battery staple"


def _rows(world: World) -> dict[tuple[str, str], str]:
    """The secrets table's seed rows as stored: (account id, kind) -> column."""
    side = world.services.side
    with side.transaction() as cur:
        cur.execute(
            f"SELECT account_id, kind, hash FROM {side.table(SECRETS)} WHERE kind IN (%s, %s)",
            ("totp", "totp_pending"),
        )
        return {(str(a), str(k)): str(h) for a, k, h in cur.fetchall()}


def _set_raw(world: World, account_id: UUID, kind: str, stored: str) -> None:
    side = world.services.side
    with side.transaction() as cur:
        cur.execute(
            f"UPDATE {side.table(SECRETS)} SET hash = %s WHERE account_id = %s AND kind = %s",
            (stored, str(account_id), kind),
        )
        assert cur.rowcount == 1


def _enrol(world: World, username: str) -> tuple[UUID, pyotp.TOTP]:
    account = get_account(world.ledger, username)
    now = world.ledger.clock()
    world.services.accounts.set_password(account.id, hash_password(PASSWORD), now)
    seed = new_totp_seed()
    world.services.accounts.set_totp_seed(account.id, seed, now)
    return account.id, pyotp.TOTP(seed, interval=TOTP_STEP_SECONDS)


def _login(world: World, username: str, totp: pyotp.TOTP) -> Any:
    code = totp.generate_otp(totp.timecode(world.ledger.clock()))
    body = {"username": username, "password": PASSWORD, "totp": code}
    return world.client.post("/api/v1/session", json=body)


def _key_file(path: Path, *lines: tuple[str, bytes]) -> Path:
    path.write_text("".join(f"{key_id} {key.hex()}\n" for key_id, key in lines))
    path.chmod(0o600)
    return path


def test_the_stored_column_holds_no_seed_and_a_code_still_logs_in(world: World) -> None:
    account_id, totp = _enrol(world, "admin")
    staged = new_totp_seed()
    now = world.ledger.clock()
    world.services.accounts.start_totp(account_id, staged, now, now.replace(year=now.year + 1))
    rows = _rows(world)
    for seed, kind in ((totp.secret, "totp"), (staged, "totp_pending")):
        stored = rows[(str(account_id), kind)]
        assert stored.startswith("aesgcm1:test-1:"), stored
        assert seed not in stored
        raw = base64.urlsafe_b64decode(stored.split(":", 2)[2])
        assert base64.b32decode(seed) not in raw
        assert seed.encode() not in raw
    assert world.services.accounts.totp_seed(account_id) == totp.secret
    assert _login(world, "admin", totp).status_code == 201


def test_a_ciphertext_copied_onto_another_account_fails_closed(world: World) -> None:
    admin_id, admin_totp = _enrol(world, "admin")
    coordinator_id, _ = _enrol(world, "coordinator")
    _set_raw(world, coordinator_id, "totp", _rows(world)[(str(admin_id), "totp")])
    # The admin's own code does not open the coordinator's account with the copied row.
    refused = _login(world, "coordinator", admin_totp)
    assert refused.status_code == 401
    assert (refused.json()["code"], refused.json()["field"]) == ("totp_unreadable", "totp")
    assert "Traceback" not in refused.text
    with pytest.raises(SecretKeyError, match="copied from another account"):
        world.services.accounts.totp_seed(coordinator_id)
    # The row is left as it was (nothing overwritten), and the admin still logs in.
    assert _rows(world)[(str(coordinator_id), "totp")] == _rows(world)[(str(admin_id), "totp")]
    assert _login(world, "admin", admin_totp).status_code == 201


def test_a_seed_planted_in_plain_text_fails_closed_until_an_admin_seals_it(
    world: World,
) -> None:
    # The attack: someone who can write the secrets table (not the key file) puts a seed
    # of their own in plain text on the admin's row, to pass the second factor.
    account_id, _ = _enrol(world, "admin")
    planted = pyotp.TOTP(new_totp_seed(), interval=TOTP_STEP_SECONDS)
    _set_raw(world, account_id, "totp", planted.secret)
    refused = _login(world, "admin", planted)
    assert refused.status_code == 401, refused.text
    assert refused.json()["code"] == "totp_unreadable"
    assert _rows(world)[(str(account_id), "totp")] == planted.secret  # nothing rewritten
    with pytest.raises(SecretKeyError, match="kept in plain text"):
        world.services.accounts.totp_seed(account_id)
    # A rotation names it and leaves it; only an admin's --seal-plaintext seals it.
    done = world.services.accounts.rotate()
    assert (done.rewritten, done.current) == (0, 0)
    [problem] = done.unreadable
    assert f"account {account_id}" in problem
    assert "--seal-plaintext" in problem
    assert _rows(world)[(str(account_id), "totp")] == planted.secret
    sealed = world.services.accounts.rotate(seal_plaintext=True)
    assert (sealed.rewritten, sealed.unreadable) == (1, ())
    stored = _rows(world)[(str(account_id), "totp")]
    assert is_sealed(stored)
    assert planted.secret not in stored
    assert _login(world, "admin", planted).status_code == 201


def test_a_key_file_others_may_read_is_refused_in_one_line(world: World, tmp_path: Path) -> None:
    good = load_secret_keys(TEST_SECRET_KEY_FILE)
    for mode in (0o644, 0o640, 0o604, 0o620, 0o660):
        path = _key_file(tmp_path / f"keys-{mode:o}", ("test-1", good.keys["test-1"]))
        path.chmod(mode)
        with pytest.raises(SecretKeyError) as refused:
            load_secret_keys(path)
        assert f"chmod 600 {path}" in str(refused.value)
        assert f"mode {mode:04o}" in str(refused.value)
    path.chmod(0o400)  # read-only for its owner is fine
    assert load_secret_keys(path).current == "test-1"
    # A command that needs the keys refuses it: one line, no traceback, exit 2.
    path.chmod(0o644)
    served = _muster(world, "account", "rotate-secrets", key_file=path)
    assert served.returncode == 2, served.stderr
    assert "Traceback" not in served.stderr + served.stdout
    [line] = served.stderr.strip().splitlines()
    assert "is open to others (mode 0644)" in line


def test_rotation_re_encrypts_every_seed_and_the_old_key_can_then_be_dropped(
    world: World, tmp_path: Path
) -> None:
    old = load_secret_keys(TEST_SECRET_KEY_FILE)
    admin_id, admin_totp = _enrol(world, "admin")
    coordinator_id, coordinator_totp = _enrol(world, "coordinator")
    _set_raw(world, coordinator_id, "totp", coordinator_totp.secret)  # one kept before
    new_key = os.urandom(32)
    both = _key_file(tmp_path / "both", ("test-1", old.keys["test-1"]), ("next", new_key))
    rotating = AccountStore(world.services.side, load_secret_keys(both))
    done = rotating.rotate(seal_plaintext=True)
    assert (done.rewritten, done.current, done.unreadable) == (2, 0, ())
    assert all(v.startswith("aesgcm1:next:") for v in _rows(world).values())
    assert rotating.rotate().current == 2  # nothing left to do
    # The old key dropped: every seed still opens under the new key alone...
    only_new = AccountStore(world.services.side, load_secret_keys(
        _key_file(tmp_path / "new", ("next", new_key))))  # fmt: skip
    assert only_new.totp_seed(admin_id) == admin_totp.secret
    assert only_new.totp_seed(coordinator_id) == coordinator_totp.secret
    # ...and no longer under the old one.
    with pytest.raises(SecretKeyError, match="key 'next', which is not in"):
        world.services.accounts.totp_seed(admin_id)
    world.services.accounts = only_new
    assert _login(world, "admin", admin_totp).status_code == 201


def test_a_seed_under_an_earlier_key_is_moved_to_the_current_one_when_read(
    world: World, tmp_path: Path
) -> None:
    old = load_secret_keys(TEST_SECRET_KEY_FILE)
    account_id, totp = _enrol(world, "admin")
    both = _key_file(tmp_path / "both", ("test-1", old.keys["test-1"]), ("next", os.urandom(32)))
    world.services.accounts = AccountStore(world.services.side, load_secret_keys(both))
    assert _login(world, "admin", totp).status_code == 201
    assert _rows(world)[(str(account_id), "totp")].startswith("aesgcm1:next:")


def test_rotation_names_the_seeds_it_cannot_read_and_keeps_them(
    world: World, tmp_path: Path
) -> None:
    account_id, _ = _enrol(world, "admin")
    before = _rows(world)
    wrong = AccountStore(world.services.side, load_secret_keys(
        _key_file(tmp_path / "wrong", ("test-1", os.urandom(32)))))  # fmt: skip
    done = wrong.rotate()  # the right key id, the wrong key
    assert (done.rewritten, done.current, len(done.unreadable)) == (0, 0, 1)
    assert "does not open with key 'test-1'" in done.unreadable[0]
    stranger = _key_file(tmp_path / "other", ("other", os.urandom(32)))
    done = AccountStore(world.services.side, load_secret_keys(stranger)).rotate()
    assert done.rewritten == 0
    [problem] = done.unreadable
    assert f"account {account_id}" in problem
    assert "'test-1'" in problem
    assert _rows(world) == before


def _muster(world: World, *args: str, key_file: Path | None, **env: str) -> Any:
    environment = {**os.environ, "MUSTER_DATABASE_URL": world.ledger.database_url, **env}
    environment.pop("MUSTER_SECRET_KEY_FILE", None)
    if key_file is not None:
        environment["MUSTER_SECRET_KEY_FILE"] = str(key_file)
    return subprocess.run(
        [MUSTER, *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_cli_rotates_and_a_wrong_key_is_one_line(world: World, tmp_path: Path) -> None:
    old = load_secret_keys(TEST_SECRET_KEY_FILE)
    account_id, totp = _enrol(world, "admin")
    _set_raw(world, account_id, "totp", totp.secret)
    new_file = tmp_path / "keys"
    _key_file(new_file, ("test-1", old.keys["test-1"]))
    added = _muster(world, "account", "new-secret-key", str(new_file), "--id", "2027-01",
                    key_file=None)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert stat.S_IMODE(new_file.stat().st_mode) == 0o600
    plain = _muster(world, "account", "rotate-secrets", key_file=new_file)
    assert plain.returncode == 1, plain.stderr  # kept in plain text: named, not sealed
    assert "kept in plain text" in plain.stderr
    rotated = _muster(world, "account", "rotate-secrets", "--seal-plaintext", key_file=new_file)
    assert rotated.returncode == 0, rotated.stderr
    assert "re-encrypted 1 second factor(s) under key 2027-01" in rotated.stdout
    assert _rows(world)[(str(account_id), "totp")].startswith("aesgcm1:2027-01:")
    # A key file that does not hold the key the seeds are under: named, kept, exit 1.
    wrong = _key_file(tmp_path / "wrong", ("other", os.urandom(32)))
    refused = _muster(world, "account", "rotate-secrets", key_file=wrong)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr + refused.stdout
    assert "sealed with key '2027-01', which is not in" in refused.stderr
    # A file that is not a key file: one line, exit 2.
    (tmp_path / "bad").write_text("not a key\n")
    bad = _muster(world, "account", "rotate-secrets", key_file=tmp_path / "bad")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    [line] = bad.stderr.strip().splitlines()
    assert "bad line 1: expected '<key id> <hex secret>'" in line


def test_postgres_needs_a_key_file_and_sqlite_keeps_one_beside_its_store(
    world: World, tmp_path: Path
) -> None:
    url = world.ledger.database_url
    if url.startswith("sqlite"):
        store = tmp_path / "here" / "muster.db"
        store.parent.mkdir()
        made = configured_secret_keys(Settings(database_url=f"sqlite:///{store}"))
        key_file = store.with_name("muster.secret-keys")
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        again = configured_secret_keys(Settings(database_url=f"sqlite:///{store}"))
        assert isinstance(made, SecretKeys)
        assert made.keys == again.keys
        assert made.current
        return
    with pytest.raises(SecretKeyError, match="MUSTER_SECRET_KEY_FILE is required on PostgreSQL"):
        configured_secret_keys(Settings(database_url=url))
    served = _muster(world, "serve", "--port", "1", key_file=None)
    assert served.returncode == 2
    assert "Traceback" not in served.stderr
    assert "MUSTER_SECRET_KEY_FILE is required on PostgreSQL" in served.stderr


def test_a_password_reset_by_an_admin_leaves_the_second_factor(world: World) -> None:
    """ASVS 6.4.3: a reset must not bypass the second factor."""
    account_id, totp = _enrol(world, "coordinator")
    new = "a new password from the admin"
    reset = world.client.put("/api/v1/accounts/coordinator/password", json={"password": new},
                             headers=world.auth("admin"))  # fmt: skip
    assert reset.status_code == 204, reset.text
    asked = world.client.post("/api/v1/session", json={"username": "coordinator", "password": new})
    assert (asked.status_code, asked.json()["code"]) == (401, "totp_required")
    assert world.services.accounts.totp_seed(account_id) == totp.secret
    code = totp.generate_otp(totp.timecode(world.ledger.clock()))
    body = {"username": "coordinator", "password": new, "totp": code}
    assert world.client.post("/api/v1/session", json=body).status_code == 201


def test_the_login_page_says_a_second_factor_cannot_be_read(world: World) -> None:
    admin_id, _ = _enrol(world, "admin")
    coordinator_id, totp = _enrol(world, "coordinator")
    _set_raw(world, coordinator_id, "totp", _rows(world)[(str(admin_id), "totp")])
    form = world.client.get("/login")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    # The login form's Secure cookie, sent back by hand (the client speaks http).
    world.client.cookies.set("muster_login_csrf", form.cookies.get("muster_login_csrf") or "")
    code = totp.generate_otp(totp.timecode(world.ledger.clock()))
    page = world.client.post("/login", data={"username": "coordinator", "password": PASSWORD,
                                             "totp": code, "csrf_token": token})  # fmt: skip
    assert page.status_code == 401
    assert "cannot be read on this server: ask an administrator to reset it" in page.text
