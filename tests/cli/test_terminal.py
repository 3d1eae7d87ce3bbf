"""The CLI as a person runs it: on a real (pseudo-)terminal, where progress displays draw, and piped
into ``head``, which closes the pipe early. Captured output (``capture_output=True``) is neither, so
the other CLI tests never see what these see."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import pty
import re
import struct
import subprocess
import termios
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import current_database_url, ketnav_cmd
from tests.trials.ctgov_server import FakeCtgov, serve

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def on_terminal(cmd: list[str], env: dict[str, str], *, timeout: float = 300) -> tuple[int, str]:
    """Run ``cmd`` with stdin, stdout and stderr on a pseudo-terminal 110 columns wide; return its exit
    status and everything it wrote, terminal escapes removed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 110, 0, 0))
    proc = subprocess.Popen(cmd, stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the last process holding the terminal has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = proc.wait(timeout=timeout)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", errors="replace"))


@pytest.fixture
def term_env(clean_env: dict[str, str]) -> dict[str, str]:
    clean_env["KETNAV_DATABASE_URL"] = current_database_url()
    clean_env["TERM"] = "xterm-256color"
    clean_env.pop("NO_COLOR", None)
    return clean_env


@pytest.mark.django_db(transaction=True)
def test_load_on_a_terminal_draws_progress_and_succeeds(term_env: dict[str, str], shared_data: Path) -> None:
    path = shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz"
    code, out = on_terminal(ketnav_cmd("load", str(path)), term_env)
    assert code == 0, out
    assert "internal error" not in out
    assert "Loading studies" in out  # the progress display was drawn on the terminal
    assert re.search(r"1,582 studies\s+[\d,]+/s\s+0:00:\d\d", out), out  # count, rate, elapsed
    assert re.search(r"read 1,582 studies in [\d.]+ s \([\d,]+ studies/s\): inserted 1,582,", out), out


@pytest.fixture
def ctgov(shared_data: Path) -> Iterator[FakeCtgov]:
    with gzip.open(shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz", "rt", encoding="utf-8") as handle:
        studies: list[dict[str, Any]] = [json.loads(line) for line in handle]
    with serve([s for s in studies if "statusModule" in s["protocolSection"]]) as api:
        yield api


@pytest.mark.django_db(transaction=True)
def test_sync_on_a_terminal_shows_each_scope_with_rate_and_a_summary(
    term_env: dict[str, str], ctgov: FakeCtgov
) -> None:
    from ketnav.trials.sync import DEFAULT_SCOPES

    code, out = on_terminal(ketnav_cmd("sync", "--api-url", ctgov.url), term_env)
    assert code == 0, out
    for scope in DEFAULT_SCOPES:
        expected = len(ctgov.matching(scope.params))
        # the display's line for the scope: fetched of the registry's total, rate, elapsed time
        assert re.search(rf"{scope.name}\s.*{expected:,}/{expected:,} studies\s+[\d,]+/s\s+0:00:\d\d", out), out
        assert re.search(rf"^{scope.name}: {expected:,} studies in 1 page; inserted", out, re.M), out
    assert re.search(r"^fetched [\d,]+ studies in [\d.]+ s \([\d,]+ studies/s\)$", out, re.M), out


def test_stats_piped_into_head_is_quiet(clean_env: dict[str, str]) -> None:
    clean_env["PYTHONUNBUFFERED"] = "1"  # a write per line: the later lines meet a closed pipe
    command = " ".join(ketnav_cmd("stats")) + " | head -1"
    result = subprocess.run(
        command, shell=True, env=clean_env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("studies: 0")
    assert result.stderr == ""


@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["write-per-line", "buffered"])
def test_long_output_into_a_reader_that_stops_ends_quietly(clean_env: dict[str, str], unbuffered: str) -> None:
    """Deterministic: a 4 KiB pipe fills long before the 13 kB reference list is written, and the
    reader closes it after one line, so one of the command's writes is certain to find the pipe broken
    (a print when each line is written at once, the final flush when output is buffered)."""
    clean_env["PYTHONUNBUFFERED"] = unbuffered
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen(
        ketnav_cmd("guide", "references"), stdout=write_end, stderr=subprocess.PIPE, env=clean_env, close_fds=True
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        first = reader.readline()
    stderr = proc.communicate(timeout=120)[1].decode()
    assert first == b"REFERENCES\n"
    assert stderr == ""
    assert proc.returncode == 141  # as a shell reports a tool stopped by SIGPIPE


def test_guide_references_lists_every_source(clean_env: dict[str, str]) -> None:
    from ketnav.citations.bibliography import bibliography

    result = subprocess.run(
        ketnav_cmd("guide", "references"), env=clean_env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    refs = bibliography()
    assert f"{len(refs):,} sources" in result.stdout
    for ref in refs.values():
        assert ref.link in result.stdout
    as_json = subprocess.run(
        ketnav_cmd("guide", "references", "--json"), env=clean_env, capture_output=True, text=True, check=True
    )
    rows = json.loads(as_json.stdout)
    assert {r["id"] for r in rows} == set(refs)
    assert all(r["topics"] or r["cited_by_tools"] for r in rows)
