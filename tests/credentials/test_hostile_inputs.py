"""Hostile and mistaken inputs to the credential and policy use cases, on both backends:
each is refused with a typed error and nothing is written; a policy document altered where
it is stored is detected before it is published or acknowledged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import sql

from ledger.application import Ledger
from ledger.blob_store import POLICY_DOCUMENTS
from ledger.clock import SettableClock
from ledger.errors import (
    CredentialTypeNotFoundError,
    InvalidValueError,
    PolicyBlobError,
    PolicyNotFoundError,
    ValidationError,
)
from ledger.side_database import BLOBS
from tests.conftest import _conninfo, owner_url
from tests.credentials.helpers import ACTOR, FIREARMS, GLOCK, SLUG, agency, at

POLICY = b"# Vehicle pursuits\n\nPursue only for a violent felony.\n"


def _setup(ledger: Ledger, clock: SettableClock) -> None:
    clock.set(at(2024, 6, 1))
    agency(ledger, "E1")
    ledger.define_credential_type(
        SLUG, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )


def _events(ledger: Ledger) -> int:
    return ledger.store.max_notification_id() or 0


def _attempt(ledger: Ledger, **overrides: Any) -> None:
    values: dict[str, Any] = {
        "credential_type": "firearms",
        "on": date(2024, 5, 1),
        "result": "pass",
        "score_value": 90,
        "instructor": "Sgt. Range",
        "weapon": GLOCK,
        "actor": ACTOR,
    }
    ledger.record_qualification(SLUG, "E1", **{**values, **overrides})


def test_an_unknown_credential_type_is_refused_naming_the_known_ones(
    ledger: Ledger, clock: SettableClock
) -> None:
    _setup(ledger, clock)
    before = _events(ledger)
    with pytest.raises(CredentialTypeNotFoundError, match="known: firearms"):
        _attempt(ledger, credential_type="firearm")
    with pytest.raises(CredentialTypeNotFoundError):
        ledger.grant_credential(
            SLUG, "E1", credential_type="swat", on=date(2024, 5, 1), actor=ACTOR
        )
    with pytest.raises(CredentialTypeNotFoundError):
        ledger.act_on_credential(
            SLUG,
            "E1",
            "suspend",
            credential_type="k9",
            on=date(2024, 5, 1),
            reason="x",
            actor=ACTOR,
        )
    assert _events(ledger) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"score_value": 101}, "out of range 0-100"),
        ({"score_value": -1}, "out of range"),
        ({"score_value": "NaN"}, "out of range"),
        ({"score_value": "1e400"}, "out of range"),
        ({"score_value": "ninety"}, "expected a number"),
        ({"score_value": 79}, "at least 80"),  # a "pass" below the passing score
        ({"score_value": None}, "at least 80"),
        ({"result": "passed"}, "expected one of pass, fail"),
        ({"weapon": ("", "", "")}, "held per weapon"),
        ({"weapon": ("rifle", "AR-15", "R1")}, "covers handgun"),
        ({"instructor": "  "}, "instructor is required"),
        ({"instructor": "Sgt\u202eegnaR"}, "invisible formatting"),
        ({"on": date(2099, 1, 1)}, "after today"),
    ],
)
def test_a_bad_attempt_is_refused_and_nothing_is_written(
    ledger: Ledger, clock: SettableClock, overrides: dict[str, Any], message: str
) -> None:
    _setup(ledger, clock)
    before = _events(ledger)
    with pytest.raises(ValidationError, match=message):
        _attempt(ledger, **overrides)
    assert _events(ledger) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"holders": ["role:officer"]}, "KIND one of kind, rank, unit, assignment, person"),
        ({"holders": []}, "at least one"),
        ({"validity_months": 0}, "validity_months 1-120"),
        ({"passing_score": 120}, "out of range 0-100"),
        ({"max_score": 0, "passing_score": None}, "above 0"),
        ({"weapon_classes": []}, "names weapon classes"),
        ({"validity": "certificate", "validity_months": 0}, "needs earned_by certificate"),
        ({"warning_days": -3}, "whole number"),
        ({"warning_days": True}, "whole number"),
    ],
)
def test_a_bad_credential_type_is_refused(
    ledger: Ledger, clock: SettableClock, overrides: dict[str, Any], message: str
) -> None:
    _setup(ledger, clock)
    with pytest.raises(InvalidValueError, match=message):
        ledger.define_credential_type(
            SLUG, "taser", effective_on=date(2024, 1, 1), actor=ACTOR, **{**FIREARMS, **overrides}
        )
    with pytest.raises(InvalidValueError, match="lowercase"):
        ledger.define_credential_type(
            SLUG, "../etc", effective_on=date(2024, 1, 1), actor=ACTOR, **FIREARMS
        )
    with pytest.raises(InvalidValueError, match="already defined"):
        ledger.define_credential_type(
            SLUG, "firearms", effective_on=date(2024, 1, 1), actor=ACTOR, **FIREARMS
        )


def test_bad_policy_documents_versions_and_acknowledgements_are_refused(
    ledger: Ledger, clock: SettableClock
) -> None:
    _setup(ledger, clock)
    for content, message in (
        (b"", "cannot be empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PDF or UTF-8 Markdown"),
        (b"text\x00with a NUL", "PDF or UTF-8 Markdown"),
    ):
        with pytest.raises(InvalidValueError, match=message):
            ledger.upload_policy(SLUG, "pursuit", content, title="Pursuit", actor=ACTOR)
    digest, new = ledger.upload_policy(SLUG, "pursuit", POLICY, title="Pursuit", actor=ACTOR)
    assert new
    assert ledger.upload_policy(SLUG, "pursuit", POLICY, title="Pursuit", actor=ACTOR) == (
        digest,
        False,
    )
    with pytest.raises(InvalidValueError, match="not published"):
        ledger.acknowledge_policy(
            SLUG, "E1", "pursuit", digest, on=date(2024, 6, 1), channel="online", actor=ACTOR
        )
    with pytest.raises(InvalidValueError, match="first published version cannot be editorial"):
        ledger.publish_policy(
            SLUG, "pursuit", digest, effective_on=date(2024, 6, 1), editorial=True, actor=ACTOR
        )
    ledger.publish_policy(SLUG, "pursuit", digest, effective_on=date(2024, 6, 1), actor=ACTOR)
    with pytest.raises(PolicyNotFoundError):
        ledger.acknowledge_policy(
            SLUG, "E1", "pursuit", 2, on=date(2024, 6, 1), channel="online", actor=ACTOR
        )
    with pytest.raises(PolicyNotFoundError, match="known: pursuit"):
        ledger.acknowledge_policy(
            SLUG, "E1", "use-of-force", 1, on=date(2024, 6, 1), channel="online", actor=ACTOR
        )
    for kwargs, message in (
        ({"quiz_score": Decimal(101)}, "out of range 0-100"),
        ({"channel": "carrier pigeon"}, "expected one of"),
        ({"quiz_answers": {"q1": "a\x07"}}, "control"),
        ({"on": date(2019, 5, 31)}, "before the hire date"),
    ):
        values: dict[str, Any] = {"on": date(2024, 6, 1), "channel": "online", **kwargs}
        with pytest.raises(InvalidValueError, match=message):
            ledger.acknowledge_policy(SLUG, "E1", "pursuit", 1, actor=ACTOR, **values)


def _tamper(ledger: Ledger, digest: str, content: bytes) -> None:
    """Change the stored bytes the way someone with access to the storage could."""
    if ledger.database.sqlite_path is not None:
        path = POLICY_DOCUMENTS.directory_beside(ledger.database.sqlite_path) / digest[:2] / digest
        path.write_bytes(content)
        return
    schema = ledger.database.postgres_schema
    with psycopg.connect(_conninfo(owner_url(ledger.database_url)), autocommit=True) as conn:
        conn.execute(
            sql.SQL("UPDATE {}.{} SET content = %s WHERE sha256 = %s").format(
                sql.Identifier(schema), sql.Identifier(BLOBS)
            ),
            (content, digest),
        )


def test_policy_bytes_tampered_where_they_are_stored_are_detected(
    ledger: Ledger, clock: SettableClock
) -> None:
    _setup(ledger, clock)
    digest, _ = ledger.upload_policy(SLUG, "pursuit", POLICY, title="Pursuit", actor=ACTOR)
    assert ledger.policy_blobs.get(digest) == POLICY
    _tamper(ledger, digest, POLICY.replace(b"only", b"freely"))
    before = _events(ledger)
    with pytest.raises(PolicyBlobError, match="altered"):
        ledger.policy_blobs.get(digest)
    with pytest.raises(PolicyBlobError, match="altered"):
        ledger.publish_policy(SLUG, "pursuit", digest, effective_on=date(2024, 6, 1), actor=ACTOR)
    assert _events(ledger) == before
    _tamper(ledger, digest, POLICY)  # restored exactly: the version is whole again
    ledger.publish_policy(SLUG, "pursuit", digest, effective_on=date(2024, 6, 1), actor=ACTOR)
    _tamper(ledger, digest, POLICY + b" ")
    with pytest.raises(PolicyBlobError, match="altered"):
        ledger.acknowledge_policy(
            SLUG, "E1", "pursuit", 1, on=date(2024, 6, 1), channel="online", actor=ACTOR
        )
    assert _events(ledger) == before + 1
