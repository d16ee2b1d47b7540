"""``api.settings``: the ``MUSTER_*`` variables read without pydantic, each typed and
bounded as documented in the README's configuration table; every bad one named."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from api.settings import _PARSERS, Settings, SettingsError, default_database_url


def test_every_field_has_a_parser_and_the_defaults_are_the_documented_ones() -> None:
    assert set(_PARSERS) == {f.name for f in fields(Settings)}
    settings = Settings.from_environment({})
    assert settings == Settings()
    assert settings.database_url == default_database_url()
    assert (settings.log_format, settings.log_level, settings.lock_timeout) == ("auto", "info", 10)
    assert (settings.http_host, settings.http_port, settings.http_workers) == ("127.0.0.1", 8000, 1)
    assert settings.actor is None
    assert settings.seal_key_file is None
    assert settings.allow_unsafe_durability is False
    assert settings.token_days == 30


def test_values_are_read_typed_and_names_without_regard_to_case() -> None:
    settings = Settings.from_environment(
        {
            "MUSTER_DATABASE_URL": "postgresql://u@h/db",
            "muster_lock_timeout": " 600 ",
            "MUSTER_ALLOW_UNSAFE_DURABILITY": "Yes",
            "MUSTER_SEAL_KEY_FILE": "/keys/seal.json",
            "MUSTER_ACTOR": "pat",
            "MUSTER_LOG_FORMAT": "json",
            "MUSTER_HTTP_PORT": "65535",
            "OTHER_LOCK_TIMEOUT": "nonsense",  # not ours: ignored
        }
    )
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.lock_timeout == 600
    assert settings.allow_unsafe_durability is True
    assert settings.seal_key_file == Path("/keys/seal.json")
    assert (settings.actor, settings.log_format, settings.http_port) == ("pat", "json", 65535)
    for word, meaning in [("0", False), ("off", False), ("F", False), ("on", True), ("1", True)]:
        parsed = Settings.from_environment({"MUSTER_ALLOW_UNSAFE_DURABILITY": word})
        assert parsed.allow_unsafe_durability is meaning


@pytest.mark.parametrize(
    ("variable", "text", "words"),
    [
        ("MUSTER_LOCK_TIMEOUT", "0", "greater than or equal to 1"),
        ("MUSTER_LOCK_TIMEOUT", "601", "less than or equal to 600"),
        ("MUSTER_LOCK_TIMEOUT", "ten", "valid integer"),
        ("MUSTER_LOCK_TIMEOUT", "1.5", "valid integer"),
        ("MUSTER_HTTP_PORT", "65536", "less than or equal to 65535"),
        ("MUSTER_IMPORT_MAX_ROWS", "-1", "greater than or equal to 1"),
        ("MUSTER_LOG_LEVEL", "loud", "'debug', 'info', 'warning', 'error'"),
        ("MUSTER_LOG_FORMAT", "JSON", "'auto', 'json', 'console'"),
        ("MUSTER_ALLOW_UNSAFE_DURABILITY", "maybe", "valid boolean"),
        ("MUSTER_DATABASE_URL", "mysql://x", "must start with sqlite:/// or postgresql://"),
        ("MUSTER_DATABASE_URL", "", "must start with sqlite:/// or postgresql://"),
    ],
)
def test_a_bad_value_is_refused_by_its_variable_name(variable: str, text: str, words: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_environment({variable: text})
    assert refused.value.problems[0][0] == variable
    assert words in refused.value.problems[0][1]


def test_every_bad_variable_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_environment({"MUSTER_LOG_LEVEL": "loud", "MUSTER_TOKEN_DAYS": "0"})
    assert {name for name, _ in refused.value.problems} == {
        "MUSTER_LOG_LEVEL",
        "MUSTER_TOKEN_DAYS",
    }


def test_settings_made_in_code_are_checked_too() -> None:
    """The HTTP tests build ``Settings(database_url=...)`` directly."""
    assert Settings(database_url="sqlite:///x.db").database_url == "sqlite:///x.db"
    with pytest.raises(ValueError, match="must start with"):
        Settings(database_url="mysql://x")
