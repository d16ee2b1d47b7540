"""``muster notify`` as a real process against a real store, a real SMTP server and a
real webhook receiver."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from api.notify.channels import REPLAY_WINDOW_SECONDS, verify_webhook
from ledger.application import Ledger
from ledger.clock import SettableClock
from tests.api.test_cli import run
from tests.notify import scenario
from tests.notify.servers import smtp_server, webhook_server


def _smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "MUSTER_SMTP_HOST": "127.0.0.1",
        "MUSTER_SMTP_PORT": str(port),
        "MUSTER_SMTP_SECURITY": "none",
        "MUSTER_SMTP_FROM": "training@pd.example",
        "MUSTER_ACTOR": "coordinator",
        **extra,
    }


def test_notify_run_sends_records_and_history_shows_it(
    ledger: Ledger, clock: SettableClock, database_url: str
) -> None:
    """One pass from the command line: four 90-day reminders decided and delivered; a
    second run decides nothing; ``notify history`` shows who was told, when, and that it
    was delivered ("told on 2024-03-01 by email, delivered")."""
    scenario.build(ledger, clock)
    ledger.close()
    with smtp_server() as (mailbox, port):
        env = _smtp_env(port)
        args = ("notify", "run", "--agency", scenario.SLUG, "--today", "2025-10-02")
        first = run(database_url, *args, env=env)
        assert first.stdout.strip() == "notify-pd 2025-10-02: 4 decided, 4 delivered, 0 failed"
        again = run(database_url, *args, env=env)
        assert again.stdout.strip() == "notify-pd 2025-10-02: 0 decided, 0 delivered, 0 failed"
        sent = mailbox.drain()
        assert len(sent) == 4
        assert {str(m["From"]) for _, m in sent} == {"training@pd.example"}
    shown = run(database_url, "notify", "history", "E2", "--agency", scenario.SLUG).stdout
    assert "2025-10-02 reminder by email to e2@pd.example (person)" in shown
    assert "deadline 2025-12-31, 90 days or less before; delivered" in " ".join(shown.split())


def test_notify_settings_change_the_windows_and_bad_values_are_refused(
    ledger: Ledger, clock: SettableClock, database_url: str
) -> None:
    """An agency's own window (14 days) replaces the defaults; a digest that is not
    daily, weekly or off is refused in one line, exit status 2."""
    scenario.build(ledger, clock)
    ledger.close()
    bad = run(
        database_url,
        "notify",
        "settings",
        "--agency",
        scenario.SLUG,
        "--digest",
        "hourly",
        ok=False,
        env={"MUSTER_ACTOR": "coordinator"},
    )
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "digest" in bad.stderr
    run(
        database_url,
        "notify",
        "settings",
        "--agency",
        scenario.SLUG,
        "--window",
        "14",
        "--digest",
        "off",
        env={"MUSTER_ACTOR": "coordinator"},
    )
    with smtp_server() as (mailbox, port):
        env = _smtp_env(port)
        on_90 = run(
            database_url,
            "notify",
            "run",
            "--agency",
            scenario.SLUG,
            "--today",
            "2025-10-02",
            env=env,
        )
        assert "0 decided" in on_90.stdout
        on_14 = run(
            database_url,
            "notify",
            "run",
            "--agency",
            scenario.SLUG,
            "--today",
            "2025-12-17",
            env=env,
        )
        assert "4 decided, 4 delivered" in on_14.stdout
        subjects = {str(m["Subject"]).strip() for _, m in mailbox.drain()}
        assert subjects == {f"Reminder: {scenario.REQUIREMENT} is due by 31 December 2025"}


def test_webhook_notices_are_signed_timestamped_and_a_replay_is_refused(
    ledger: Ledger, clock: SettableClock, database_url: str, tmp_path: Path
) -> None:
    """With a webhook set, every person's notice is also posted to it, signed with
    HMAC-SHA256 over timestamp.body; the receiver's check accepts each once, refuses the
    same request replayed, a stale timestamp and a changed body."""
    scenario.build(ledger, clock)
    ledger.close()
    key_file = tmp_path / "webhook.key"
    key_file.write_bytes(b"a test key of thirty-two bytes!!")
    key_file.chmod(0o600)
    with webhook_server() as (hooks, url), smtp_server() as (_, port):
        run(
            database_url,
            "notify",
            "settings",
            "--agency",
            scenario.SLUG,
            "--webhook",
            url,
            env={"MUSTER_ACTOR": "coordinator"},
        )
        env = _smtp_env(port, MUSTER_WEBHOOK_KEY_FILE=str(key_file))
        out = run(
            database_url,
            "notify",
            "run",
            "--agency",
            scenario.SLUG,
            "--today",
            "2025-10-02",
            env=env,
        ).stdout
        assert "8 decided, 8 delivered, 0 failed" in out  # 4 emails and 4 webhooks
    key = key_file.read_bytes()
    assert len(hooks.requests) == 4
    seen: set[str] = set()
    now = time.time()
    for headers, body in hooks.requests:
        assert verify_webhook(key, headers, body, now, seen)
        assert orjson.loads(body)["kind"] == "reminder"
    headers, body = hooks.requests[0]
    assert not verify_webhook(key, headers, body, now, seen)  # replayed: already seen
    assert not verify_webhook(key, headers, body, now + REPLAY_WINDOW_SECONDS + 60, set())
    assert not verify_webhook(key, headers, body.replace(b"reminder", b"overdue"), now, set())
    assert not verify_webhook(b"another key", headers, body, now, set())


def test_a_webhook_key_or_smtp_password_others_can_read_is_refused_before_the_pass(
    ledger: Ledger, clock: SettableClock, database_url: str, tmp_path: Path
) -> None:
    """A webhook key file (or an SMTP password file) readable by its group or others:
    ``notify run`` refuses in one line naming the file and ``chmod 600``, exit status 2,
    before deciding anything (the next pass, once it is fixed, decides them all); a
    channel asked to send with it fails the delivery with that reason, not the key."""
    from api.notify.channels import DeliveryError, WebhookChannel
    from api.notify.messages import Message

    scenario.build(ledger, clock)
    ledger.close()
    key_file = tmp_path / "webhook.key"
    key_file.write_bytes(b"a test key of thirty-two bytes!!")
    password_file = tmp_path / "smtp.password"
    password_file.write_text("hunter2\n")
    args = ("notify", "run", "--agency", scenario.SLUG, "--today", "2025-10-02")
    with smtp_server() as (mailbox, port):
        for path, name in ((key_file, "WEBHOOK_KEY_FILE"), (password_file, "SMTP_PASSWORD_FILE")):
            path.chmod(0o640)
            env = _smtp_env(port, **{f"MUSTER_{name}": str(path)})
            refused = run(database_url, *args, env=env, ok=False)
            assert refused.returncode == 2
            line = refused.stderr.strip()
            assert len(line.splitlines()) == 1, line
            assert "is open to others (mode 0640)" in line
            assert f"chmod 600 {path}" in line
            assert "hunter2" not in line
            assert "thirty-two" not in line
            assert not mailbox.received
            path.chmod(0o600)
        done = run(database_url, *args, env=_smtp_env(port, MUSTER_WEBHOOK_KEY_FILE=str(key_file)))
        assert done.stdout.strip() == "notify-pd 2025-10-02: 4 decided, 4 delivered, 0 failed"
    key_file.chmod(0o604)
    channel = WebhookChannel(key_file)
    with pytest.raises(DeliveryError, match=r"webhook key file .* is open to others \(mode 0604\)"):
        channel.send("n1", "http://127.0.0.1:9/", Message("s", "t", "<p>t</p>"), {}, time.time())


def test_serve_runs_passes_itself_when_an_interval_is_set(
    ledger: Ledger, clock: SettableClock, database_url: str
) -> None:
    """``MUSTER_NOTIFY_INTERVAL=1``: the server sends the notices due today without any
    ``muster notify run``, and a second pass a second later sends none of them again."""
    import os
    import subprocess

    from tests.api.test_cli import MUSTER
    from tests.notify.servers import free_port

    scenario.build(ledger, clock)
    ledger.close()
    with smtp_server() as (mailbox, port):
        env = {
            **os.environ,
            "MUSTER_DATABASE_URL": database_url,
            "MUSTER_LOG_FORMAT": "json",
            "MUSTER_NOTIFY_INTERVAL": "1",
            **_smtp_env(port),
        }
        server = subprocess.Popen(
            [MUSTER, "serve", "--port", str(free_port())],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not mailbox.received:
                time.sleep(0.2)
            time.sleep(8)  # the pass records its deliveries; more passes run
        finally:
            server.terminate()
            _, err = server.communicate(timeout=30)
        sent = mailbox.drain()
        assert sent, err
        ids = [str(m["Message-ID"]) for _, m in sent]
        assert len(ids) == len(set(ids))
    again = Ledger(database_url)
    try:
        agency_id = again.get_agency(scenario.SLUG).id
        recorded = [again.stream(i) for i in again.store.stream_heads("notice", agency_id)]
    finally:
        again.close()
    delivered = [events for events in recorded if len(events) == 2]
    assert delivered, err
    assert all(type(events[1]).__name__ == "NoticeDelivered" for events in delivered)


def test_preferences_add_recipients_only_where_allowed_and_never_silence_the_person(
    ledger: Ledger, clock: SettableClock, database_url: str
) -> None:
    """Rule: "Per-person preferences where the agency allows (extra recipients, opt into
    digest), unsubscribe never possible for mandatory notices": E1's extra address is told
    only once the agency allows it, E1 is told either way, E2's digest opt-in brings the
    digest to E2, and an address that is not one is refused in one line."""
    scenario.build(ledger, clock)
    ledger.close()
    coordinator = {"MUSTER_ACTOR": "coordinator"}
    bad = run(
        database_url,
        "notify",
        "prefer",
        "E1",
        "--agency",
        scenario.SLUG,
        "--extra",
        "not an address",
        ok=False,
        env=coordinator,
    )
    assert bad.returncode == 2
    assert "not an email address" in bad.stderr
    run(
        database_url,
        "notify",
        "prefer",
        "E1",
        "--agency",
        scenario.SLUG,
        "--extra",
        "pat@home.example",
        env=coordinator,
    )
    run(
        database_url,
        "notify",
        "prefer",
        "E2",
        "--agency",
        scenario.SLUG,
        "--digest",
        env=coordinator,
    )
    with smtp_server() as (mailbox, port):
        env = _smtp_env(port)
        # 2025-10-06, a Monday: the 90-day window and the weekly digest.
        run(
            database_url,
            "notify",
            "run",
            "--agency",
            scenario.SLUG,
            "--today",
            "2025-10-06",
            env=env,
        )
        sent = mailbox.drain()
        first = {r[0] for r, _ in sent}
        assert "e1@pd.example" in first
        assert "pat@home.example" not in first
        digests = sorted(r[0] for r, m in sent if " coming up (" in str(m["Subject"]))
        assert digests == ["coord@pd.example", "e2@pd.example"]
        run(
            database_url,
            "notify",
            "settings",
            "--agency",
            scenario.SLUG,
            "--allow-extra-recipients",
            env=coordinator,
        )
        run(
            database_url,
            "notify",
            "run",
            "--agency",
            scenario.SLUG,
            "--today",
            "2025-11-01",
            env=env,
        )
        second = mailbox.drain()
    told = {r[0] for r, _ in second}
    assert {"e1@pd.example", "pat@home.example"} <= told
    extra = next(m for r, m in second if r == ["pat@home.example"])
    assert "You asked for this notice" in extra.get_body(("plain",)).get_content()
    own = next(m for r, m in second if r == ["e1@pd.example"])
    assert "cannot be turned off" in own.get_body(("plain",)).get_content()
