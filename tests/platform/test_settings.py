"""Settings come from COUNCIL_* variables, each documented in the README."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from council.platform.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_has_an_environment_variable_documented_in_the_readme():
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert fields == set(Settings.ENV)
    for var, _ in Settings.ENV.values():
        assert f"`{var}`" in README, var


def test_from_env_parses_and_rejects_clearly():
    s = Settings.from_env(
        {
            "COUNCIL_DATA_DIR": "/x",
            "COUNCIL_ALLOWED_HOSTS": "a.cn, b.cn",
            "COUNCIL_SECURE_COOKIES": "true",
            "COUNCIL_SESSION_DAYS": "3",
        }
    )
    assert s.data_dir == Path("/x") and s.allowed_hosts == ("a.cn", "b.cn")
    assert s.secure_cookies and s.session_days == 3
    with pytest.raises(SystemExit, match="COUNCIL_SESSION_DAYS"):
        Settings.from_env({"COUNCIL_SESSION_DAYS": "many"})


def test_secret_key_is_generated_once_and_kept(tmp_path):
    s = Settings(data_dir=tmp_path).with_secret()
    assert len(s.secret_key) >= 40
    assert Settings(data_dir=tmp_path).with_secret().secret_key == s.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings(data_dir=tmp_path, secret_key="given").with_secret().secret_key == "given"


def test_database_choice():
    assert Settings().is_sqlite
    assert not Settings(database_url="postgresql://h/db").is_sqlite
    assert Settings(data_dir=Path("/d")).sqlite_path == Path("/d/council.sqlite3")
