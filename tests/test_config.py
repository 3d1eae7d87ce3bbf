from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ketnav.config import load_settings, parse_database_url
from ketnav.errors import ConfigurationError


def test_sqlite_url_with_absolute_path() -> None:
    db = parse_database_url("sqlite:////var/lib/ketnav/db.sqlite3")
    assert db.vendor == "sqlite"
    assert db.name == "/var/lib/ketnav/db.sqlite3"


def test_postgresql_url_parts() -> None:
    db = parse_database_url("postgresql://alice:s%40cret@db.example:6543/ketnav?sslmode=require")
    assert (db.vendor, db.user, db.password, db.host, db.port, db.name) == (
        "postgresql",
        "alice",
        "s@cret",
        "db.example",
        "6543",
        "ketnav",
    )
    assert dict(db.options) == {"sslmode": "require"}


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://root@localhost/x", "unsupported database 'mysql'"),
        ("not a url", "is not a URL"),
        ("postgresql://user@host", "needs a database name"),
        ("postgresql://user@host:notaport/db", "invalid port"),
        ("sqlite://", "needs a file path"),
        ("sqlite:///:memory:", "in-memory"),
    ],
)
def test_it_rejects_invalid_database_urls(url: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match="KETNAV_DATABASE_URL") as info:
        parse_database_url(url)
    assert fragment in str(info.value)


def test_default_database_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    cfg = load_settings({"KETNAV_DATA_DIR": str(tmp_path)})
    assert cfg.database.vendor == "sqlite"
    assert Path(cfg.database.name) == tmp_path.resolve() / "ketnav.sqlite3"


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings({"KETNAV_DATA_DIR": str(tmp_path)}).secret_key
    second = load_settings({"KETNAV_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second
    assert len(first) >= 50
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_it_refuses_production_without_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="KETNAV_SECRET_KEY: required"):
        load_settings({"KETNAV_DATA_DIR": str(tmp_path), "KETNAV_MODE": "production"})


def test_it_refuses_debug_in_production(tmp_path: Path) -> None:
    env = {
        "KETNAV_DATA_DIR": str(tmp_path),
        "KETNAV_MODE": "production",
        "KETNAV_DEBUG": "on",
        "KETNAV_SECRET_KEY": "x" * 40,
    }
    with pytest.raises(ConfigurationError, match="KETNAV_DEBUG"):
        load_settings(env)


def test_it_rejects_short_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="too short"):
        load_settings({"KETNAV_DATA_DIR": str(tmp_path), "KETNAV_SECRET_KEY": "short"})


def test_it_rejects_unknown_debug_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="KETNAV_DEBUG: expected on/off"):
        load_settings({"KETNAV_DATA_DIR": str(tmp_path), "KETNAV_DEBUG": "maybe"})


def test_it_rejects_unknown_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="KETNAV_MODE"):
        load_settings({"KETNAV_DATA_DIR": str(tmp_path), "KETNAV_MODE": "staging"})


def test_it_rejects_unwritable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigurationError, match="KETNAV_DATA_DIR: cannot write to"):
        load_settings({"KETNAV_DATA_DIR": str(blocker / "sub")})


def test_it_rejects_sqlite_file_in_unwritable_place(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = {"KETNAV_DATA_DIR": str(tmp_path / "d"), "KETNAV_DATABASE_URL": f"sqlite:///{blocker}/db.sqlite3"}
    with pytest.raises(ConfigurationError, match="KETNAV_DATABASE_URL: cannot write"):
        load_settings(env)


@pytest.mark.parametrize("value", ["proxy.example.org", "10.0.0.300", "127.0.0.1,10.0.0.2"])
def test_it_rejects_a_trusted_proxy_that_is_not_an_ip_address(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match=r"KETNAV_TRUSTED_PROXY: .* is not an IP address"):
        load_settings({"KETNAV_DATA_DIR": str(tmp_path), "KETNAV_TRUSTED_PROXY": value})


@pytest.mark.parametrize("value", ["10.0.0.2", "::1", "*"])
def test_trusted_proxy_takes_an_ip_address_or_any(tmp_path: Path, value: str) -> None:
    assert load_settings({"KETNAV_DATA_DIR": str(tmp_path), "KETNAV_TRUSTED_PROXY": value}).trusted_proxy == value
