from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketnav import __version__
from tests.conftest import free_port, ketnav_cmd


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ketnav_cmd(*args), env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_help_lists_every_command(clean_env: dict[str, str]) -> None:
    from ketnav.cli import COMMANDS

    result = run(["--help"], clean_env)
    assert result.returncode == 0
    for command in COMMANDS:
        assert command.name in result.stdout


def test_help_does_not_import_django() -> None:
    code = "import sys; from ketnav.cli import build_parser; build_parser(); print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_version(clean_env: dict[str, str]) -> None:
    result = run(["--version"], clean_env)
    assert result.stdout.strip() == f"ketnav {__version__}"


def test_invalid_database_url_is_one_line(clean_env: dict[str, str]) -> None:
    clean_env["KETNAV_DATABASE_URL"] = "mysql://root@localhost/ketnav"
    result = run(["serve", "--port", str(free_port())], clean_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ketnav: error: KETNAV_DATABASE_URL:")


def test_unreachable_database_is_one_line(clean_env: dict[str, str]) -> None:
    clean_env["KETNAV_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    result = run(["migrate"], clean_env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "KETNAV_DATABASE_URL: cannot connect" in result.stderr


def test_unwritable_data_dir_is_one_line(clean_env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    clean_env["KETNAV_DATA_DIR"] = str(blocker / "data")
    result = run(["serve"], clean_env)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "KETNAV_DATA_DIR: cannot write to" in result.stderr


def test_port_in_use_is_one_line(clean_env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run(["serve", "--port", str(port)], clean_env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"ketnav: error: --port: port {port} on 127.0.0.1 is already in use; choose another with --port"
    )


def test_settings_command_redacts_password(clean_env: dict[str, str]) -> None:
    clean_env["KETNAV_DATABASE_URL"] = "postgresql://alice:hunter22@db.example/ketnav"
    result = run(["settings"], clean_env)
    assert result.returncode == 0
    assert "hunter22" not in result.stdout
    assert "alice:***@db.example" in result.stdout


@contextlib.contextmanager
def running_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """Start `ketnav serve` on a free port and yield its base URL once /healthz answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        log.open("w") as log_file,
        subprocess.Popen(
            ketnav_cmd("serve", "--port", str(port)), env=env, stdout=log_file, stderr=subprocess.STDOUT
        ) as proc,
    ):
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"server exited early: {log.read_text()}")
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"server did not start: {log.read_text()}") from None
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def test_serve_migrates_on_first_start_and_answers(clean_env: dict[str, str], tmp_path: Path) -> None:
    with running_server(clean_env, tmp_path / "serve.log") as base:
        assert b'"status": "ok"' in fetch(base + "/healthz")
        assert b"Understanding ketamine for anxiety" in fetch(base + "/")
        assert b"--focus" in fetch(base + "/static/ketnav/site.css")
    assert "applied" in (tmp_path / "serve.log").read_text()
    assert (Path(clean_env["KETNAV_DATA_DIR"]) / "ketnav.sqlite3").exists()


def test_serve_refuses_an_oversized_body_before_reading_it(clean_env: dict[str, str], tmp_path: Path) -> None:
    """waitress gets the site's body limit: a declared or chunked body over 4 MiB is a 413, and the server
    stays up (ketnav.web.limits gives the same answer in the API's shape when another server is used)."""
    import http.client

    from ketnav.web.limits import MAX_REQUEST_BODY_BYTES

    with running_server(clean_env, tmp_path / "serve.log") as base:
        host, port = base.removeprefix("http://").split(":")
        for headers, body in (
            ({"Content-Length": str(MAX_REQUEST_BODY_BYTES + 1)}, b"{}"),  # refused from the header alone
            ({"Transfer-Encoding": "chunked"}, iter([b"a" * 1_000_000] * 5)),
        ):
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            try:
                conn.putrequest("POST", "/api/pk/simulate")
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    conn.putheader(name, value)
                conn.endheaders()
                chunks = [body] if isinstance(body, bytes) else body
                for chunk in chunks:
                    try:
                        conn.send(chunk if "Content-Length" in headers else b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    except (BrokenPipeError, ConnectionResetError):
                        break  # the server answered and closed before the rest was sent
                assert conn.getresponse().status == 413
            finally:
                conn.close()
        assert b'"status": "ok"' in fetch(base + "/healthz")


@pytest.fixture
def scratch_pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database of our own for a subprocess server, dropped afterwards."""
    base = os.environ.get("KETNAV_TEST_DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("KETNAV_TEST_DATABASE_URL is not a PostgreSQL URL (set it to run this against PostgreSQL)")
    import psycopg

    name = f"ketnav_serve_{os.getpid()}"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_serve_on_postgresql(clean_env: dict[str, str], scratch_pg_url: str, tmp_path: Path) -> None:
    clean_env["KETNAV_DATABASE_URL"] = scratch_pg_url
    with running_server(clean_env, tmp_path / "serve.log") as base:
        assert b'"database": "postgresql"' in fetch(base + "/healthz")
