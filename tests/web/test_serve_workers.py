"""`ketnav serve --workers N`: several processes under gunicorn (issue 20)."""

from __future__ import annotations

import gzip
import itertools
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from benchmarks.serve_load import build_mix, discover, failures, hammer, report, served

from tests.conftest import current_database_url, ketnav_cmd

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and relies on prctl")


@pytest.mark.parametrize(("args", "message"), [(["--workers", "0"], "--workers: 0 is not between 1 and 64")])
def test_a_bad_worker_count_is_one_line(clean_env: dict[str, str], args: list[str], message: str) -> None:
    result = subprocess.run(ketnav_cmd("serve", *args), env=clean_env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == f"ketnav: error: {message}"


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


@linux_only
def test_workers_serve_and_die_with_the_server_when_it_is_killed(clean_env: dict[str, str], tmp_path: Path) -> None:
    """kill -9 of `ketnav serve` cannot stop its workers itself: the kernel must (PR_SET_PDEATHSIG)."""
    log = tmp_path / "serve.log"
    with served(clean_env, log=log, extra_args=["--workers", "2"]) as (base_url, process):
        workers = _children(process.pid)
        assert len(workers) == 2, log.read_text()
        assert httpx.get(f"{base_url}/api/trials?q=ketamine", timeout=30).status_code == 200
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), f"workers outlived the server: {workers}"
    assert "with 2 processes" in log.read_text()


CLIENTS = 16
EXTRA_XML = 300


def _total(base_url: str) -> int:
    answer = httpx.get(f"{base_url}/api/trials?q=&status=any&page_size=1", timeout=60)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


@pytest.mark.load
@pytest.mark.django_db(transaction=True)
def test_two_app_servers_with_two_workers_each_share_one_postgresql_database_under_load(
    clean_env: dict[str, str], tmp_path: Path, shared_data: Path
) -> None:
    """Two `ketnav serve --workers 2` (two machines, in production) against one PostgreSQL database:
    16 clients between them get no server error, and a load written through a third process is seen
    by both servers, whose search caches were warm before it (registry version, not process memory)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("several app servers share one database only on PostgreSQL (KETNAV_TEST_DATABASE_URL)")
    env = clean_env | {"KETNAV_DATABASE_URL": current_database_url()}
    records = shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz"
    loaded = subprocess.run(ketnav_cmd("load", str(records)), env=env, capture_output=True, text=True, check=False)
    assert loaded.returncode == 0, loaded.stderr
    logs = [tmp_path / "serve-a.log", tmp_path / "serve-b.log"]
    with (
        served(env, log=logs[0], extra_args=["--workers", "2"]) as (url_a, proc_a),
        served(env, log=logs[1], extra_args=["--workers", "2"]) as (url_b, proc_b),
    ):
        with httpx.Client(base_url=url_a, timeout=60) as client:
            nct_ids, slugs = discover(client)
        mix = build_mix(nct_ids=nct_ids, guide_slugs=slugs)
        with ThreadPoolExecutor(2) as pool:
            runs = list(
                pool.map(
                    # a budget of requests, not a time window (speed is the benchmark's business)
                    lambda url: hammer(url, mix, clients=CLIENTS // 2, seconds=120, max_requests=150),
                    [url_a, url_b],
                )
            )
        outcomes = [o for run, _elapsed in runs for o in run]
        summary = "\n".join(line for run, elapsed in runs for line in report(run, elapsed, clients=CLIENTS // 2))
        server_logs = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
        assert proc_a.poll() is None and proc_b.poll() is None, f"a server died:\n{summary}\n{server_logs}"
        assert not failures(outcomes), f"{summary}\n{server_logs}"
        assert {o.status for o in outcomes} == {200}, summary
        assert len(outcomes) >= 300, f"fewer than 300 requests in 120 s:\n{summary}"

        before = {_total(url) for _ in range(4) for url in (url_a, url_b)}
        assert len(before) == 1, before
        extra = tmp_path / "extra.jsonl"
        with gzip.open(shared_data / "ctgov" / "ctgov_legacy_xml.jsonl.gz", "rb") as xml, extra.open("wb") as out:
            out.writelines(itertools.islice(xml, EXTRA_XML))
        more = subprocess.run(ketnav_cmd("load", str(extra)), env=env, capture_output=True, text=True, check=False)
        assert more.returncode == 0, more.stderr
        # Several requests each, on new connections, so both workers of each server are likely asked.
        after = {_total(url) for _ in range(6) for url in (url_a, url_b)}
        assert len(after) == 1 and after.pop() > before.pop(), "a server answered from a stale registry"


@pytest.mark.parametrize(
    ("trusted_proxy", "peer", "kept"),
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "203.0.113.9", False),
        ("10.0.0.5", "10.0.0.5", True),
        ("*", "203.0.113.9", True),
        (None, "127.0.0.1", False),  # local mode: no proxy is believed
    ],
)
def test_under_gunicorn_only_the_trusted_proxy_may_say_https(trusted_proxy: str | None, peer: str, kept: bool) -> None:
    from ketnav.cli.serve_workers import forwarded_proto_from

    seen: dict[str, object] = {}

    def site(environ: dict[str, object], start_response: object) -> list[bytes]:
        seen.update(environ)
        return [b""]

    forwarded_proto_from(site, trusted_proxy)({"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_PROTO": "https"}, None)
    assert ("HTTP_X_FORWARDED_PROTO" in seen) is kept
