"""The issue's "done when", through the real server (`ketnav serve` in a subprocess) and its database."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle

from tests.cli.test_cli import running_server
from tests.conftest import ketnav_cmd

PASSWORD = "correct horse battery 42"


@pytest.fixture
def server_db(clean_env: dict[str, str]) -> Iterator[tuple[dict[str, str], Any]]:
    """The server's own database (a fresh PostgreSQL database, or a SQLite file) and a way to query it."""
    base = os.environ.get("KETNAV_TEST_DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        name = f"ketnav_journal_e2e_{os.getpid()}"
        admin = base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + "/" + name
        clean_env["KETNAV_DATABASE_URL"] = url

        def query(sql: str, *params: Any) -> list[tuple[Any, ...]]:
            with psycopg.connect(url) as conn:
                return list(conn.execute(sql.replace("?", "%s"), params).fetchall())

        yield clean_env, query
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = Path(clean_env["KETNAV_DATA_DIR"]) / "ketnav.sqlite3"

        def query(sql: str, *params: Any) -> list[tuple[Any, ...]]:
            with contextlib.closing(sqlite3.connect(path)) as conn:
                return conn.execute(sql, params).fetchall()

        yield clean_env, query


def create_user(env: dict[str, str], email: str) -> None:
    result = subprocess.run(ketnav_cmd("user", "create", email, "--password-stdin"), env=env, input=PASSWORD,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr


class Session:
    """One person's browser-like session: cookies kept, CSRF token sent with every write."""

    opened: ClassVar[list[httpx.Client]] = []  # closed by the test when it ends

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=20)
        Session.opened.append(self.http)
        self.token = self.http.get("/api/auth/csrf").json()["csrf_token"]

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = self.http.post("/api/auth/login", json={"email": email, "password": password},
                                  headers={"X-CSRFToken": self.token})  # fmt: skip
        if response.status_code == 200:
            self.token = self.http.get("/api/auth/csrf").json()["csrf_token"]  # rotated on sign-in
        return response

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(path, json=body, headers={"X-CSRFToken": self.token})

    def delete(self, path: str) -> httpx.Response:
        return self.http.delete(path, headers={"X-CSRFToken": self.token})


def close_sessions() -> None:
    for client in Session.opened:
        client.close()
    Session.opened.clear()


def test_done_when_through_the_real_server(server_db: tuple[dict[str, str], Any], tmp_path: Path) -> None:
    env, query = server_db
    with running_server(env, tmp_path / "serve.log") as base, contextlib.ExitStack() as stack:
        stack.callback(close_sessions)
        for email in ("alice@example.org", "bob@example.org", "carol@example.org"):
            create_user(env, email)
        alice, bob, anonymous = Session(base), Session(base), Session(base)

        signed_in = alice.login("Alice@Example.org")
        assert signed_in.status_code == 200 and signed_in.json()["roles"] == ["owner"]
        cookie = signed_in.headers["set-cookie"]
        assert "sessionid=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie

        gad7 = alice.post("/api/journal/scales", {"scale": "gad7", "answers": [3, 3, 3, 2, 2, 2, 1],
                                                  "taken_on": "2026-11-02"})  # fmt: skip
        assert gad7.status_code == 201
        assert (gad7.json()["total"], gad7.json()["severity"]) == (16, "severe")
        phq9 = alice.post("/api/journal/scales", {"scale": "phq9", "answers": [1, 0, 1, 0, 1, 0, 0, 0, 1],
                                                  "taken_on": "2026-11-02"})  # fmt: skip
        assert phq9.status_code == 201
        assert "988" in " ".join(c["contact"] for c in phq9.json()["crisis"]["contacts"])
        entry = f"/api/journal/scales/{gad7.json()['id']}"

        assert bob.login("bob@example.org").status_code == 200
        assert bob.http.get(entry).status_code == 404
        assert bob.delete(entry).status_code == 404
        assert anonymous.http.get(entry).status_code in {401, 403}
        assert anonymous.post("/api/journal/scales", gad7.json()).status_code in {401, 403}
        assert alice.http.get(entry).json()["total"] == 16

        fhir = alice.http.get("/api/journal/export", params={"format": "fhir"})
        assert fhir.status_code == 200
        bundle = fhir.json()
        Bundle.model_validate(bundle)
        assert bundle["resourceType"] == "Bundle" and "70274-6" in fhir.text and "44261-6" in fhir.text

        attacker = Session(base)
        codes = [attacker.login("carol@example.org", f"guess {i}").status_code for i in range(10)]
        assert codes == [401] * 9 + [429]
        assert attacker.login("carol@example.org").status_code == 429
        assert Session(base).login("carol@example.org").status_code == 429  # locked whoever asks

        alice_id = query("SELECT id FROM auth_user WHERE username = ?", "alice@example.org")[0][0]
        assert query("SELECT count(*) FROM journal_scaleresult WHERE owner_id = ?", alice_id) == [(2,)]
        hashes = [row[0] for row in query("SELECT password FROM auth_user")]
        assert len(hashes) == 3 and all(h.startswith("argon2$argon2id$") for h in hashes)

        assert alice.delete("/api/account").status_code == 204
        assert alice.http.get(entry).status_code in {401, 403}
        assert Session(base).login("alice@example.org").status_code == 401
        for table in ("journal_scaleresult", "journal_auditevent", "journal_share"):
            assert query(f"SELECT count(*) FROM {table} WHERE owner_id = ?", alice_id) == [(0,)], table
        assert query("SELECT count(*) FROM auth_user WHERE id = ?", alice_id) == [(0,)]
        assert query("SELECT count(*) FROM accounts_profile WHERE user_id = ?", alice_id) == [(0,)]
        assert query("SELECT count(*) FROM journal_scaleresult") == [(0,)]
        assert bob.http.get("/api/auth/me").json()["email"] == "bob@example.org"
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
