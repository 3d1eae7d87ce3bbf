"""The site as `ketnav serve` runs it: a favicon, and a quiet log under a burst of requests."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.cli.test_cli import fetch, running_server


def test_favicon_and_a_burst_of_requests_leave_a_quiet_log(clean_env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with running_server(clean_env, log) as base:
        icon = urllib.request.urlopen(base + "/favicon.ico", timeout=10)  # follows the redirect
        assert icon.geturl().endswith("/static/ketnav/favicon.ico")
        assert icon.read()[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert b"<svg" in fetch(base + "/static/ketnav/favicon.svg")
        page = fetch(base + "/").decode()
        assert 'rel="icon" href="/static/ketnav/favicon.svg"' in page
        # 48 requests at once for 8 threads: waitress queues them, which is normal and must not
        # print "Task queue depth is N" as if something were wrong
        urls = [base + p for p in ("/", "/guide/", "/static/ketnav/site.css", "/healthz")] * 12
        with ThreadPoolExecutor(48) as pool:
            assert all(len(body) > 0 for body in pool.map(fetch, urls))
    text = log.read_text()
    assert "Task queue depth" not in text
    assert "Ketamine Navigator is running at" in text
