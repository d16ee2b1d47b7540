"""Unit seals (``ledger.seal``): every committed unit is sealed under a key the database
does not hold; keys rotate; a seal an insider writes without the key is refused."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.seal import SealedEvent, SealKeys, load_seal_keys, new_seal_key_line
from replay.verify import verify_store
from tests.conftest import TEST_SEAL_KEYS
from tests.factories import ACTOR, agency, officer
from tests.tamper import privileged

OLD = SealKeys({"k1": bytes(32)}, "k1")
ROTATED = SealKeys({"k1": bytes(32), "k2": bytes(range(1, 33))}, "k2")


def _train(ledger: Ledger, slug: str, month: int) -> None:
    ledger.record_training(
        slug, "E1", completed_on=date(2024, month, 3), course_title="c", hours=1, actor=ACTOR
    )


def test_every_unit_is_sealed_and_verifies(database_url: str, clock: SettableClock) -> None:
    """One seal per committed unit; verify with the key checks each and passes."""
    ledger = Ledger(database_url, clock=clock, seal_keys=TEST_SEAL_KEYS)
    try:
        slug = agency(ledger)
        officer(ledger, slug)  # enrol, licence: two units
        _train(ledger, slug, 1)
        report = verify_store(ledger.store, keys=TEST_SEAL_KEYS)
        assert report.ok, report.breaks
        assert report.seals_checked
        assert report.log.units_sealed == len(list(ledger.store.iter_seals())) == 4
        assert report.log.events_unsealed == 0
        unchecked = verify_store(ledger.store)
        assert unchecked.ok
        assert not unchecked.seals_checked
    finally:
        ledger.close()


def test_rotation_keeps_old_units_verifying(database_url: str, clock: SettableClock) -> None:
    """Units sealed before a rotation verify with the retired key kept in the file; without
    it they are reported, by the key id they name."""
    ledger = Ledger(database_url, clock=clock, seal_keys=OLD)
    slug = agency(ledger)
    officer(ledger, slug)
    ledger.close()
    ledger = Ledger(database_url, clock=clock, seal_keys=ROTATED)
    try:
        _train(ledger, slug, 2)
        report = verify_store(ledger.store, keys=ROTATED)
        assert report.ok, report.breaks
        assert report.log.key_ids == {"k1", "k2"}
        only_new = SealKeys({"k2": ROTATED.keys["k2"]}, "k2")
        broken = verify_store(ledger.store, keys=only_new)
        assert not broken.ok
        assert len(broken.breaks) == 3
        assert all("'k1', which is not a known seal key" in b.problem for b in broken.breaks)
    finally:
        ledger.close()


def test_units_written_without_a_key_are_reported(database_url: str, clock: SettableClock) -> None:
    """Units appended while no key was configured are named as unsealed once a key is."""
    ledger = Ledger(database_url, clock=clock)
    slug = agency(ledger)
    ledger.close()
    ledger = Ledger(database_url, clock=clock, seal_keys=TEST_SEAL_KEYS)
    try:
        officer(ledger, slug, licensed=False)
        report = verify_store(ledger.store, keys=TEST_SEAL_KEYS)
        assert [b.problem for b in report.breaks] == [
            "1 event(s) at log position 1 not sealed by a known key"
        ]
        assert report.log.units_sealed == 1
    finally:
        ledger.close()


@pytest.mark.parametrize("attack", ["forged seal", "seal removed", "unit removed"])
def test_seal_tampering_is_found(database_url: str, clock: SettableClock, attack: str) -> None:
    """A seal written with a key of the insider's own choosing, a removed seal, and a
    whole sealed unit removed from the middle of the log are each found."""
    ledger = Ledger(database_url, clock=clock, seal_keys=TEST_SEAL_KEYS)
    try:
        slug = agency(ledger)
        for number in range(1, 4):
            clock.set(clock() + timedelta(hours=1))
            officer(ledger, slug, f"E{number}", licensed=False)
        seals = list(ledger.store.iter_seals())
        middle = seals[2]
        table = "unit_seals" if ledger.database.backend == "sqlite" else "ledger_unit_seals"
        if attack == "forged seal":
            # The right key id and the real chain, but a key the insider had to guess.
            wrong = SealKeys({"test-1": bytes(32)}, "test-1")
            last = seals[-1]
            events = [
                SealedEvent(r.notification_id, r.originator_id, r.originator_version, r.link)
                for r in ledger.store.iter_log()
                if r.notification_id >= last.first_notification
            ]
            forged = wrong.seal(last.previous, last.recorded_at, events)
            with privileged(ledger) as raw:
                raw.execute(
                    f"UPDATE {table} SET mac = %s WHERE first_notification = %s",
                    (forged.mac, last.first_notification),
                )
            expected = "seal does not match"
        elif attack == "seal removed":
            with privileged(ledger) as raw:
                raw.execute(
                    f"DELETE FROM {table} WHERE first_notification = %s",
                    (middle.first_notification,),
                )
            expected = "not sealed by a known key"
        else:
            with privileged(ledger) as raw:
                for name in (raw.events, raw.index):
                    column = "rowid" if name == "stored_events" else "notification_id"
                    raw.execute(
                        f"DELETE FROM {name} WHERE {column} = %s", (middle.first_notification,)
                    )
                raw.execute(
                    f"DELETE FROM {table} WHERE first_notification = %s",
                    (middle.first_notification,),
                )
            expected = "the sealed unit before this one is missing"
        report = verify_store(ledger.store, keys=TEST_SEAL_KEYS)
        assert not report.ok
        assert any(expected in b.problem for b in report.breaks), report.breaks
    finally:
        ledger.close()


def test_key_file_format_and_refusals(tmp_path: Path) -> None:
    """The key file: one ``<id> <hex>`` per line, the last current; bad files refused
    with one line naming the line."""
    path = tmp_path / "keys"
    path.write_text("# muster seal keys\n" + new_seal_key_line("a") + new_seal_key_line("b"))
    path.chmod(0o600)
    keys = load_seal_keys(path)
    assert keys.current == "b"
    assert set(keys.keys) == {"a", "b"}
    for text, problem in [
        ("a 00\n", "at least 32 bytes"),
        ("a zz\n", "not hexadecimal"),
        ("a\n", "expected"),
        ("# nothing\n", "no seal key"),
        (new_seal_key_line("a") * 2, "listed twice"),
    ]:
        path.write_text(text)
        with pytest.raises(ValueError, match=problem):
            load_seal_keys(path)
    with pytest.raises(ValueError, match="cannot read"):
        load_seal_keys(tmp_path / "missing")
    # A key others may read could sign forgeries: refused until it is its owner's alone.
    path.write_text(new_seal_key_line("a"))
    for mode in (0o644, 0o640, 0o604, 0o660, 0o602):
        path.chmod(mode)
        with pytest.raises(ValueError, match=rf"open to others \(mode {mode:04o}\).*chmod 600"):
            load_seal_keys(path)
    path.chmod(0o400)
    assert load_seal_keys(path).current == "a"
