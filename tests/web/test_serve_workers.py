"""`ketnav serve --workers N`: several processes under gunicorn (issue 20)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from benchmarks.serve_load import served

from tests.conftest import ketnav_cmd

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
