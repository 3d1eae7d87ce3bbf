"""`ketnav search` only reads: it never changes the database's schema, and says in one line when the
database is not ready for it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from ketnav.trials import migrations as trials_migrations
from tests.conftest import ketnav_cmd


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ketnav_cmd(*args), env=env, capture_output=True, text=True, timeout=120, check=False)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_search_on_a_fresh_database_says_how_to_fill_it(clean_env: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite3"
    clean_env["KETNAV_DATABASE_URL"] = f"sqlite:///{db}"
    result = run(["search", "ketamine"], clean_env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "ketnav: error: the database has no tables yet: load studies with `ketnav load FILE` or `ketnav sync` "
        "(or create it empty with `ketnav migrate`)\n"
    )
    assert tables(db) == set()  # nothing was created


def test_search_on_an_older_database_asks_for_migrate(clean_env: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "older.sqlite3"
    clean_env["KETNAV_DATABASE_URL"] = f"sqlite:///{db}"
    assert run(["migrate"], clean_env).returncode == 0
    # as if the last trials migration came with a newer ketnav: unapply it with Django's own command
    migrations = sorted(p.stem for p in Path(trials_migrations.__file__).parent.glob("0*.py"))
    last, previous = migrations[-1], migrations[-2]
    django = [sys.executable, "-m", "django", "migrate", "trials", previous, "--verbosity", "0"]
    env = {**clean_env, "DJANGO_SETTINGS_MODULE": "ketnav.web.settings"}
    subprocess.run(django, env=env, check=True, capture_output=True, timeout=120)
    result = run(["search", "ketamine", "--json"], clean_env)
    assert result.returncode == 2
    assert result.stderr == (
        "ketnav: error: the database is older than this version of ketnav (1 migration to apply): "
        "run `ketnav migrate` first\n"
    )
    with sqlite3.connect(db) as conn:
        assert not conn.execute("SELECT 1 FROM django_migrations WHERE app = 'trials' AND name = ?", (last,)).fetchall()
    assert run(["migrate"], clean_env).returncode == 0
    result = run(["search", "ketamine"], clean_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("0 studies (all words); showing none")
